"""Pure numpy rasterisers (no Textual, no Rich): braille dots, and the diagram's geometry and lines."""
