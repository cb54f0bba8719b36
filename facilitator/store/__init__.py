"""Storage: one interface (``base.Store``), a SQLite and a Redis implementation."""

from .base import Store, open_store

__all__ = ["Store", "open_store"]
