"""The modal screens: help, explain one step, lessons, compare, and the prompts (path, value, quit)."""
