"""Rich drawing of the frame model: palettes, plot and diagram lines (no Textual)."""
