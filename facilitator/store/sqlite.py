"""The embedded default store: one SQLite file, WAL mode, one transaction per write.

One connection per process, guarded by a lock: SQLite has a single writer
anyway, and the calls are short.  Several processes may share the file (WAL
and a busy timeout), but the Redis store is the one meant for scale-out.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from .base import Doc, DuplicateId, Event, Mutation, NewerSchema, reports_outages

#: SQLite errors that say "not now" rather than "wrong": another process holds the
#: write lock past the busy timeout, or the file cannot be opened or read.
_OUTAGE_MESSAGES = ("database is locked", "database table is locked", "unable to open",
                    "disk i/o error")


def _is_outage(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(
        m in str(exc).lower() for m in _OUTAGE_MESSAGES)

SCHEMA = """
CREATE TABLE IF NOT EXISTS workshops (
    code TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS records (
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (code, kind, id)
);
CREATE TABLE IF NOT EXISTS uniques (
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (code, kind, key)
);
CREATE TABLE IF NOT EXISTS counters (
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (code, name)
);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS events (
    code TEXT NOT NULL,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (code, seq)
);
"""

#: PRAGMA user_version of a store file this release writes (0: written before it existed)
SCHEMA_VERSION = 1

_SEQ = "__seq__"


def _dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _thread_runner() -> Callable[..., Any] | None:
    """How a commit waits for the disk without holding up an eventlet worker: in a
    thread of eventlet's pool, when eventlet has patched this process's threading
    (``serve`` does); otherwise (threads, gevent, tests) the commit runs inline.

    The commit's fsync (``synchronous=FULL``) takes milliseconds; inline it would
    stop every green thread of the worker, each phone's messages included, for
    that long. In a pool thread only the writing green thread waits: it holds the
    store's lock (a green lock once threading is patched), so the connection is
    still used by one thread at a time (``check_same_thread=False``), and it
    answers only after the commit returned, so an acknowledged write is on disk
    as before."""
    if "eventlet" not in sys.modules:
        return None
    from eventlet import patcher, tpool

    return tpool.execute if patcher.is_monkey_patched("thread") else None


@reports_outages(_is_outage)
class SQLiteStore:
    """``Store`` on SQLite; see ``base.Store`` for the contract."""

    def __init__(self, path: str, synchronous: str = "FULL") -> None:
        self.path = path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._lock = threading.RLock()
        # decided with the lock: a pool thread may commit only under a green lock
        self._run_commit = _thread_runner()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                   timeout=10.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed reflection survives a power cut, not only a process crash.
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(SCHEMA)
        # the schema version lives in the file (backups carry it): a newer release
        # reads what an older one wrote, an older one refuses a newer file
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._db.close()
            raise NewerSchema(path, version, SCHEMA_VERSION)
        if version < SCHEMA_VERSION:
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @classmethod
    def from_url(cls, url: str) -> SQLiteStore:
        """``sqlite:///relative/or/absolute/path`` or ``sqlite://`` for memory."""
        # SQLAlchemy's convention: sqlite:///relative.db, sqlite:////absolute.db
        if url in ("sqlite://", "sqlite:///:memory:"):
            return cls(":memory:")
        if not url.startswith("sqlite:///"):
            raise ValueError(f"bad SQLite URL {url!r}: use sqlite:///path")
        return cls(url[len("sqlite:///"):])

    @contextmanager
    def _tx(self):
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                if self._run_commit is None:
                    self._db.execute("COMMIT")
                else:
                    self._run_commit(self._db.execute, "COMMIT")

    def _number(self, db: sqlite3.Connection, code: str, events: list[Event] | None) -> list[Event]:
        if not events:
            return []
        row = db.execute("SELECT value FROM counters WHERE code=? AND name=?",
                         (code, _SEQ)).fetchone()
        seq = row[0] if row else 0
        numbered = []
        for event in events:
            seq += 1
            event = {**event, "seq": seq}
            db.execute("INSERT INTO events (code, seq, doc) VALUES (?, ?, ?)",
                       (code, seq, _dumps(event)))
            numbered.append(event)
        db.execute("INSERT INTO counters (code, name, value) VALUES (?, ?, ?) "
                   "ON CONFLICT(code, name) DO UPDATE SET value=excluded.value",
                   (code, _SEQ, seq))
        return numbered

    # -- workshops -------------------------------------------------------
    def create_workshop(self, code: str, doc: Doc) -> bool:
        with self._tx() as db:
            try:
                db.execute("INSERT INTO workshops (code, doc, created_at) VALUES (?, ?, ?)",
                           (code, _dumps(doc), doc.get("created_at") or ""))
            except sqlite3.IntegrityError:
                return False
        return True

    def get_workshop(self, code: str) -> Doc | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM workshops WHERE code=?", (code,)).fetchone()
        return json.loads(row[0]) if row else None

    def update_workshop(self, code: str, mutate: Mutation) -> tuple[Doc, list[Event]]:
        with self._tx() as db:
            row = db.execute("SELECT doc FROM workshops WHERE code=?", (code,)).fetchone()
            if row is None:
                raise KeyError(code)
            current = json.loads(row[0])
            result = mutate(current)
            if result is None:
                return current, []
            doc, events = result
            db.execute("UPDATE workshops SET doc=? WHERE code=?", (_dumps(doc), code))
            return doc, self._number(db, code, events)

    def list_workshops(self) -> list[Doc]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM workshops ORDER BY created_at DESC, code").fetchall()
        return [json.loads(r[0]) for r in rows]

    def delete_workshop(self, code: str) -> bool:
        with self._tx() as db:
            found = db.execute("DELETE FROM workshops WHERE code=?", (code,)).rowcount > 0
            for table in ("records", "uniques", "counters", "events"):
                db.execute(f"DELETE FROM {table} WHERE code=?", (code,))
        return found

    # -- records ---------------------------------------------------------
    def insert(self, code: str, kind: str, doc: Doc, unique: str | None = None,
               events: list[Event] | None = None) -> tuple[Doc, bool, list[Event]]:
        with self._tx() as db:
            if unique is not None:
                row = db.execute("SELECT id FROM uniques WHERE code=? AND kind=? AND key=?",
                                 (code, kind, unique)).fetchone()
                if row is not None:
                    existing = db.execute(
                        "SELECT doc FROM records WHERE code=? AND kind=? AND id=?",
                        (code, kind, row[0])).fetchone()
                    return json.loads(existing[0]), False, []
                db.execute("INSERT INTO uniques (code, kind, key, id) VALUES (?, ?, ?, ?)",
                           (code, kind, unique, doc["id"]))
            try:
                db.execute("INSERT INTO records (code, kind, id, doc) VALUES (?, ?, ?, ?)",
                           (code, kind, doc["id"], _dumps(doc)))
            except sqlite3.IntegrityError as exc:  # the transaction rolls back the unique key
                raise DuplicateId(f"a {kind} with id {doc['id']!r} exists in {code}") from exc
            return doc, True, self._number(db, code, events)

    def put(self, code: str, kind: str, doc: Doc,
            events: list[Event] | None = None) -> tuple[Doc, list[Event]]:
        with self._tx() as db:
            db.execute("INSERT INTO records (code, kind, id, doc) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(code, kind, id) DO UPDATE SET doc=excluded.doc",
                       (code, kind, doc["id"], _dumps(doc)))
            return doc, self._number(db, code, events)

    def update(self, code: str, kind: str, record_id: str,
               mutate: Mutation) -> tuple[Doc | None, list[Event]]:
        with self._tx() as db:
            row = db.execute("SELECT doc FROM records WHERE code=? AND kind=? AND id=?",
                             (code, kind, record_id)).fetchone()
            if row is None:
                return None, []
            current = json.loads(row[0])
            result = mutate(current)
            if result is None:
                return current, []
            doc, events = result
            db.execute("UPDATE records SET doc=? WHERE code=? AND kind=? AND id=?",
                       (_dumps(doc), code, kind, record_id))
            return doc, self._number(db, code, events)

    def get(self, code: str, kind: str, record_id: str) -> Doc | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM records WHERE code=? AND kind=? AND id=?",
                                   (code, kind, record_id)).fetchone()
        return json.loads(row[0]) if row else None

    def find(self, code: str, kind: str, unique: str) -> Doc | None:
        with self._lock:
            row = self._db.execute(
                "SELECT r.doc FROM uniques u JOIN records r ON r.code=u.code AND r.kind=u.kind "
                "AND r.id=u.id WHERE u.code=? AND u.kind=? AND u.key=?",
                (code, kind, unique)).fetchone()
        return json.loads(row[0]) if row else None

    def records(self, code: str, kind: str) -> list[Doc]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM records WHERE code=? AND kind=? ORDER BY rowid",
                (code, kind)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count(self, code: str, kind: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM records WHERE code=? AND kind=?",
                                    (code, kind)).fetchone()[0]

    def next_number(self, code: str, counter: str) -> int:
        with self._tx() as db:
            db.execute("INSERT INTO counters (code, name, value) VALUES (?, ?, 1) "
                       "ON CONFLICT(code, name) DO UPDATE SET value=value+1", (code, counter))
            return db.execute("SELECT value FROM counters WHERE code=? AND name=?",
                              (code, counter)).fetchone()[0]

    def put_doc(self, kind: str, doc_id: str, doc: Doc) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO docs (kind, id, doc) VALUES (?, ?, ?) "
                       "ON CONFLICT(kind, id) DO UPDATE SET doc=excluded.doc",
                       (kind, doc_id, _dumps(doc)))

    def get_doc(self, kind: str, doc_id: str) -> Doc | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM docs WHERE kind=? AND id=?",
                                   (kind, doc_id)).fetchone()
        return json.loads(row[0]) if row else None

    def list_docs(self, kind: str) -> list[Doc]:
        with self._lock:
            rows = self._db.execute("SELECT doc FROM docs WHERE kind=? ORDER BY rowid",
                                    (kind,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def delete_doc(self, kind: str, doc_id: str) -> bool:
        with self._tx() as db:
            return db.execute("DELETE FROM docs WHERE kind=? AND id=?",
                              (kind, doc_id)).rowcount > 0

    def counter(self, code: str, counter: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE code=? AND name=?",
                                   (code, counter)).fetchone()
        return row[0] if row else 0

    def seq(self, code: str) -> int:
        return self.counter(code, _SEQ)

    def events_since(self, code: str, seq: int, limit: int = 1000) -> list[Event]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM events WHERE code=? AND seq>? ORDER BY seq LIMIT ?",
                (code, seq, limit)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def ping(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1").fetchone() == (1,)

    def close(self) -> None:
        with self._lock:
            self._db.close()
