"""Storage: one interface (``base.Store``), a SQLite and a Redis implementation."""

from .base import Store, StoreUnavailable, open_store

__all__ = ["Store", "StoreUnavailable", "open_store"]
