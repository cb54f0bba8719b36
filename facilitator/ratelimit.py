"""Rate limits: fixed windows counted in memory (one process) or in Redis
(shared by every worker, so a client cannot dodge a limit by reconnecting to
another worker).

Limits (per window of seconds), chosen for a room of hundreds behind one
venue address: joining is generous per address, but *failed* code look-ups
are tight, so join codes cannot be guessed by brute force.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

#: name -> (count, window in seconds)
LIMITS: dict[str, tuple[int, int]] = {
    "code_miss": (60, 60),        # unknown join codes per address (a venue shares one)
    "join": (600, 60),            # joins through the pages per address (a whole room)
    "join_browser": (5, 60),      # joins through the pages per browser (its session cookie)
    "api_join": (60, 60),         # joins through the JSON API per address (scripts)
    "organiser_miss": (10, 300),  # wrong organiser keys per address
    "post": (10, 60),             # reflections per participant
    "react": (120, 60),           # reactions, endorsements and ratings per participant
    "socket_event": (40, 10),     # Socket.IO events per connection
}


class Limiter(Protocol):
    """Counts hits of a key in the current window."""

    def hit(self, name: str, key: str) -> bool:
        """Count one hit; False when the limit for ``name`` is exceeded."""

    def blocked(self, name: str, key: str) -> bool:
        """True when the limit is already reached in this window (counts nothing)."""

    def mark(self, name: str, key: str, seconds: int) -> None:
        """Remember ``key`` under ``name`` for ``seconds`` (e.g. a code an address used)."""

    def marked(self, name: str, key: str) -> bool:
        """True while ``key`` is remembered under ``name``."""


class MemoryLimiter:
    """Fixed-window counters in this process."""

    def __init__(self, limits: dict[str, tuple[int, int]] | None = None,
                 clock=time.monotonic) -> None:
        self.limits = {**LIMITS, **(limits or {})}  # named limits replace the defaults
        self.clock = clock
        self._counts: dict[tuple[str, str, int], int] = {}
        self._marks: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def hit(self, name: str, key: str) -> bool:
        count, window = self.limits[name]
        slot = int(self.clock() // window)
        with self._lock:
            if len(self._counts) > 100_000:  # drop old windows now and then
                self._counts = {k: v for k, v in self._counts.items() if k[2] >= slot}
            current = self._counts.get((name, key, slot), 0) + 1
            self._counts[(name, key, slot)] = current
        return current <= count

    def blocked(self, name: str, key: str) -> bool:
        count, window = self.limits[name]
        slot = int(self.clock() // window)
        with self._lock:
            return self._counts.get((name, key, slot), 0) >= count

    def mark(self, name: str, key: str, seconds: int) -> None:
        now = self.clock()
        with self._lock:
            if len(self._marks) > 100_000:  # drop expired marks now and then
                self._marks = {k: v for k, v in self._marks.items() if v > now}
            self._marks[(name, key)] = now + seconds

    def marked(self, name: str, key: str) -> bool:
        with self._lock:
            return self._marks.get((name, key), 0.0) > self.clock()


class RedisLimiter:
    """Fixed-window counters in Redis (INCR + EXPIRE in one transaction)."""

    def __init__(self, client, limits: dict[str, tuple[int, int]] | None = None,
                 prefix: str = "fac:rl", clock=time.time) -> None:
        self.client = client
        self.limits = {**LIMITS, **(limits or {})}  # named limits replace the defaults
        self.prefix = prefix
        self.clock = clock

    def hit(self, name: str, key: str) -> bool:
        count, window = self.limits[name]
        slot = int(self.clock() // window)
        redis_key = f"{self.prefix}:{name}:{key}:{slot}"
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(redis_key)
        pipe.expire(redis_key, window + 1)
        current, _ = pipe.execute()
        return int(current) <= count

    def blocked(self, name: str, key: str) -> bool:
        count, window = self.limits[name]
        slot = int(self.clock() // window)
        current = self.client.get(f"{self.prefix}:{name}:{key}:{slot}")
        return current is not None and int(current) >= count

    def mark(self, name: str, key: str, seconds: int) -> None:
        self.client.set(f"{self.prefix}:mark:{name}:{key}", 1, ex=max(1, int(seconds)))

    def marked(self, name: str, key: str) -> bool:
        return bool(self.client.exists(f"{self.prefix}:mark:{name}:{key}"))


def open_limiter(store_url: str, limits: dict[str, tuple[int, int]] | None = None) -> Limiter:
    """Redis counters when the store is Redis, else in-memory."""
    if store_url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        from .store.redis import DEFAULT_PREFIX, split_prefix

        url, prefix = split_prefix(store_url)
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=20,
                                                     socket_timeout=5)
        return RedisLimiter(redis.Redis(connection_pool=pool), limits,
                            prefix=f"{prefix or DEFAULT_PREFIX}:rl")
    return MemoryLimiter(limits)
