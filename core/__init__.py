"""nnplay's training engine: pure numpy, usable without Textual or Rich."""

from nnplay.core.engine.network import Network

__all__ = ["Network"]
