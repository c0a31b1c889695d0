"""The command line of a setup: the flag of each setting, and the share line that reproduces one."""
