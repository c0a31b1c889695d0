"""A run: the Trainer and its parts (stepping, batch order, edits, evaluation, history, state,
snapshots, stop rule), and what drives or reads whole runs (train_until, compare, classify,
landscape).
"""
