"""The store interface every backend implements, and ``open_store(url)``.

The interface is small and generic on purpose: workshops are JSON documents,
everything else is a record of a *kind* (participant, reflection, ...) inside
a workshop.  Each method is one atomic step, so that SQLite (one transaction)
and Redis (a Lua script or WATCH/MULTI/EXEC) give the same guarantees:

* ``insert`` with a ``unique`` key stores a record at most once; the second
  call returns the first record (idempotent posting by client id);
* every write that carries events gives each event the next number of the
  workshop's sequence in the same transaction, so the event log and the
  records never disagree and a client can detect a gap;
* ``update`` and ``update_workshop`` run a pure function on the current value
  and write its result only if nothing changed in between (retrying).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

Doc = dict[str, Any]
Event = dict[str, Any]
#: A mutation returns the new value and the events it caused, or None to change nothing.
Mutation = Callable[[Doc], "tuple[Doc, list[Event]] | None"]


class DuplicateId(ValueError):
    """``insert`` of a record whose id the workshop already holds (nothing is written)."""


class NewerSchema(RuntimeError):
    """The store holds data written by a newer release (a higher schema version) than
    this one reads: open it with that release, or update this one."""

    def __init__(self, where: str, stored: int, supported: int) -> None:
        super().__init__(f"{where}: written by a newer facilitator (schema {stored}, this one "
                         f"reads up to {supported}); please update the facilitator")
        self.stored = stored
        self.supported = supported


class StoreUnavailable(RuntimeError):
    """The store cannot be reached right now (Redis down or restarting, SQLite locked or
    unopenable): nothing was decided, and the same call may succeed in a moment.

    Adapters answer it with 503 and ``Retry-After`` (HTTP) or the same error code in a
    Socket.IO ack; clients keep what they sent and try again.
    """

    code = "store_unavailable"
    status = 503
    #: seconds a client should wait before trying again
    retry_after = 5


log = logging.getLogger("facilitator.store")
#: True while this process sees its store (or Redis) unreachable: the outage is logged
#: when it starts and when it ends, not once per request.
_outage = {"active": False}


def _outage_started(exc: BaseException) -> None:
    if not _outage["active"]:
        _outage["active"] = True
        log.error("store unavailable (%s: %s); answering 503 with Retry-After until it is back",
                  type(exc).__name__, exc)


def _outage_ended() -> None:
    if _outage["active"]:
        _outage["active"] = False
        log.warning("store reachable again")


def as_outage(exc: BaseException) -> StoreUnavailable | None:
    """``exc`` as a store outage, or None: a ``StoreUnavailable``, or a Redis connection
    error raised outside the store (the rate limiter and the message queue share Redis)."""
    if isinstance(exc, StoreUnavailable):
        return exc
    import sys

    redis = sys.modules.get("redis")
    if redis is not None and isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
        _outage_started(exc)
        return StoreUnavailable(str(exc))
    return None


S = TypeVar("S", bound=type)


def reports_outages(is_outage: Callable[[BaseException], bool],
                    skip: tuple[str, ...] = ("ping", "close", "from_url")) -> Callable[[S], S]:
    """Class decorator: every public method raises ``StoreUnavailable`` for the backend's
    connection errors (``is_outage``), logged once when an outage starts and once when the
    store answers again, not once per request."""

    def decorate(cls: S) -> S:
        for name, method in list(vars(cls).items()):
            if name.startswith("_") or name in skip or not callable(method):
                continue
            setattr(cls, name, _guarded(method, is_outage))
        return cls

    return decorate


#: ``on_call(name, seconds)`` after every store call: the store latency metric
#: (facilitator/web/observe.py); None when nothing listens.
hooks: dict[str, Callable[[str, float], None] | None] = {"on_call": None}


def _guarded(method: Callable[..., Any], is_outage: Callable[[BaseException], bool]):
    name = method.__name__

    @functools.wraps(method)
    def call(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = method(self, *args, **kwargs)
        except Exception as exc:
            if not is_outage(exc):
                raise
            _outage_started(exc)
            raise StoreUnavailable(str(exc)) from exc
        finally:
            hook = hooks["on_call"]
            if hook is not None:
                hook(name, time.perf_counter() - started)
        if _outage["active"]:
            _outage_ended()
        return result

    return call


class Store(Protocol):
    """What the domain needs from storage; see the module docstring for the guarantees."""

    def create_workshop(self, code: str, doc: Doc) -> bool:
        """Store a new workshop; False (and nothing written) when ``code`` is taken."""

    def get_workshop(self, code: str) -> Doc | None:
        """The workshop document, or None."""

    def update_workshop(self, code: str, mutate: Mutation) -> tuple[Doc, list[Event]]:
        """Apply ``mutate`` atomically; returns the stored document and numbered events."""

    def list_workshops(self) -> list[Doc]:
        """All workshop documents, newest first."""

    def delete_workshop(self, code: str) -> bool:
        """Delete a workshop with all its records and events; False when absent."""

    def insert(self, code: str, kind: str, doc: Doc, unique: str | None = None,
               events: list[Event] | None = None) -> tuple[Doc, bool, list[Event]]:
        """Insert a record (``doc['id']``), at most once per ``unique`` key.

        Returns (the stored record, created?, the numbered events); when the
        unique key already exists nothing is written and no event is numbered.
        An id that exists already raises ``DuplicateId`` and writes nothing.
        """

    def put(self, code: str, kind: str, doc: Doc,
            events: list[Event] | None = None) -> tuple[Doc, list[Event]]:
        """Insert or replace the record ``doc['id']`` (one reaction per pair, say)."""

    def update(self, code: str, kind: str, record_id: str,
               mutate: Mutation) -> tuple[Doc | None, list[Event]]:
        """Apply ``mutate`` to one record atomically; (None, []) when it does not exist."""

    def get(self, code: str, kind: str, record_id: str) -> Doc | None:
        """One record, or None."""

    def find(self, code: str, kind: str, unique: str) -> Doc | None:
        """The record stored under a unique key, or None."""

    def records(self, code: str, kind: str) -> list[Doc]:
        """All records of a kind, in the order they were first stored."""

    def count(self, code: str, kind: str) -> int:
        """How many records of a kind a workshop holds."""

    def next_number(self, code: str, counter: str) -> int:
        """Atomically increment a named counter and return its new value (1, 2, ...)."""

    def counter(self, code: str, counter: str) -> int:
        """The current value of a named counter (0 when never incremented)."""

    def seq(self, code: str) -> int:
        """The number of the workshop's last event (0 when none)."""

    def events_since(self, code: str, seq: int, limit: int = 1000) -> list[Event]:
        """Events numbered above ``seq``, oldest first."""

    # -- documents outside any workshop (a series of sessions, ...) -----------
    def put_doc(self, kind: str, doc_id: str, doc: Doc) -> None:
        """Store or replace a document of ``kind`` that belongs to no workshop."""

    def get_doc(self, kind: str, doc_id: str) -> Doc | None:
        """One such document, or None."""

    def list_docs(self, kind: str) -> list[Doc]:
        """All documents of a kind, in the order they were first stored."""

    def delete_doc(self, kind: str, doc_id: str) -> bool:
        """Delete one such document; False when absent."""

    def ping(self) -> bool:
        """True when the backend answers."""

    def close(self) -> None:
        """Release connections."""


def open_store(url: str) -> Store:
    """Open the store named by a URL: ``sqlite:///path``, ``sqlite://`` (memory) or ``redis://``."""
    if url.startswith("sqlite:"):
        from .sqlite import SQLiteStore

        return SQLiteStore.from_url(url)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from .redis import RedisStore

        return RedisStore.from_url(url)
    raise ValueError(f"unknown store URL {url!r}: use sqlite:///path or redis://host:port/db")
