"""nnplay's training engine: pure numpy, usable without Textual or Rich."""

from core.network import Network

__all__ = ["Network"]
