"""The command-line flag of each setting: one table for the CLI that parses them and the share line that writes them.

A module of its own, below both, so that the app (which shares a setup) never imports the CLI.
"""

from __future__ import annotations

from nnplay.core.settings.config import FIELDS

# flag -> config field, read from the settings table (core/settings/config.py: each setting names
# its flag there); the help text comes from the field's own description.
FLAG_FIELDS = {spec.flag: name for name, spec in FIELDS.items()}
FIELD_FLAGS = {field: flag for flag, field in FLAG_FIELDS.items()}
