"""The keys: the one key table, and the keys typed while the app starts."""
