"""``facilitator backup PATH`` and ``facilitator restore PATH``.

Two forms, chosen by the store:

* **SQLite**: an online copy of the database file with SQLite's backup API
  (consistent while the app keeps writing).  Restored into an empty SQLite
  store it is the same database again: every session, record, event, document
  (series) and secret link as it was.
* **Redis** (or any store): one JSON file holding the archive of every session
  (``domain/export/archive.py``, display names and registrations included) and
  every series::

      {"format": "facilitator-backup", "version": 2, "archive_version": 1,
       "created_at": "...Z", "series": [<series>, ...], "sessions": [<archive>, ...]}

  Archives hold no secrets, so a session restored from one keeps its code
  (when free) but gets new facilitator, screen and participant links and new
  personal links for its registrations; they are printed.  A series keeps its
  id (one already in the store is left as it is), so restored sessions stay in
  their series.  A SQLite backup restored into Redis goes the same way.

Both carry a schema version (SQLite's ``user_version``, the file's ``version``
and each archive's ``version``); a newer release reads what an older one wrote
(version 1 had no series and no registrations), and an older release refuses
what a newer one wrote with a clear message.
No Flask imports: the CLI calls these with an open store.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from datetime import UTC, datetime
from typing import Any

FORMAT = "facilitator-backup"
#: 2: series and registrations added (version 1 files are read as having none)
VERSION = 2
#: the store's document kinds a backup carries (organiser logins are not: they are sessions)
SERIES_KIND = "series"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why, in one line."""


def _is_sqlite_file(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def backup(store: Any, path: str) -> dict[str, Any]:
    """Write a backup of ``store`` to ``path``; returns what was written."""
    from .store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        if store.path == ":memory:":
            raise BackupError("an in-memory SQLite store has nothing to back up")
        _sqlite_copy(store, path)
        return {"kind": "sqlite", "path": path, "sessions": len(store.list_workshops()),
                "series": len(store.list_docs(SERIES_KIND))}
    bundle = dump(store)
    _write_atomically(path, json.dumps(bundle, ensure_ascii=False).encode("utf-8"))
    return {"kind": "json", "path": path, "sessions": len(bundle["sessions"]),
            "series": len(bundle["series"])}


def _sqlite_copy(store: Any, path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".backup-", suffix=".db", dir=folder)
    os.close(fd)
    try:
        target = sqlite3.connect(tmp)
        try:
            with store._lock:  # the store's one connection; the copy runs in pages
                store._db.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_atomically(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".backup-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def dump(store: Any) -> dict[str, Any]:
    """Every session of ``store`` as archives (with their registrations) and every
    series, in one backup document."""
    from .domain.errors import NotFound
    from .domain.export import archive
    from .domain.operations import Operations
    from .domain.registrations import KIND as REGISTRATION

    ops = Operations(store)
    sessions = []
    for doc in store.list_workshops():
        try:
            data = ops.load(doc["code"])
        except NotFound:  # deleted while we were reading
            continue
        sessions.append(archive.to_archive(
            data, names=True, registrations=store.records(data.workshop.code, REGISTRATION)))
    return {"format": FORMAT, "version": VERSION, "archive_version": archive.VERSION,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "series": store.list_docs(SERIES_KIND), "sessions": sessions}


def restore(store: Any, path: str) -> list[dict[str, Any]]:
    """Restore the backup at ``path`` into ``store``; one dict per series and session.

    A SQLite backup into an empty SQLite store is copied whole (links kept);
    otherwise every series is restored and every session from its archive with
    new links.
    """
    from .store.sqlite import SQLiteStore

    if not os.path.isfile(path):
        raise BackupError(f"{path}: no such file")
    if _is_sqlite_file(path):
        source = _open_sqlite_backup(path)
        try:
            if isinstance(store, SQLiteStore):
                if store.list_workshops():
                    raise BackupError("the store is not empty: restore a SQLite backup into "
                                      "an empty store (a new FACILITATOR_STORE file)")
                with store._lock:
                    source._db.backup(store._db)
                return [{"code": w["code"], "links": "kept"} for w in store.list_workshops()]
            bundle = dump(source)
            return _restore(store, bundle["series"], bundle["sessions"])
        finally:
            source.close()
    try:
        with open(path, encoding="utf-8") as handle:
            bundle = json.load(handle)
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: not a facilitator backup ({exc})") from None
    return _restore(store, *contents(bundle))


def _open_sqlite_backup(path: str):
    from .store.sqlite import SCHEMA_VERSION as SQLITE_SCHEMA
    from .store.sqlite import SQLiteStore

    version = _sqlite_user_version(path)
    if version > SQLITE_SCHEMA:
        raise BackupError(f"{path}: written by a newer facilitator (schema {version}; this one "
                          f"reads up to {SQLITE_SCHEMA}); please update the facilitator")
    # a private copy: opening a store may migrate the file, and the backup must stay as is
    fd, tmp = tempfile.mkstemp(suffix=".db")
    os.close(fd)
    src, dst = sqlite3.connect(path), sqlite3.connect(tmp)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    store = SQLiteStore(tmp)
    original_close = store.close

    def close() -> None:
        original_close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(tmp + suffix):
                os.unlink(tmp + suffix)

    store.close = close
    return store


def _sqlite_user_version(path: str) -> int:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def contents(bundle: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the series, the archives) in a backup document, after checking its format,
    version and series.

    A single session archive (``facilitator export --format json``) is read too."""
    if isinstance(bundle, dict) and bundle.get("format") == "facilitator-archive":
        return [], [bundle]
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise BackupError("not a facilitator backup (format facilitator-backup)")
    version = bundle.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupError("the backup's version is missing or wrong")
    if version > VERSION:
        raise BackupError(f"this backup has version {version}; this facilitator reads up to "
                          f"version {VERSION}: please update the facilitator")
    sessions = bundle.get("sessions")
    if not isinstance(sessions, list):
        raise BackupError("the backup's sessions are not a list")
    series = bundle.get("series", [])  # version 1 had none
    if not isinstance(series, list):
        raise BackupError("the backup's series are not a list")
    return [_checked_series(doc, i) for i, doc in enumerate(series)], sessions


def _checked_series(doc: Any, i: int) -> dict[str, Any]:
    from .domain.series import Series

    where = f"series {i + 1} of the backup"
    if not isinstance(doc, dict):
        raise BackupError(f"{where} is not an object")
    for name in ("id", "title", "created_at"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            raise BackupError(f"{where} has no {name}")
    if not isinstance(doc.get("template", {}), dict):
        raise BackupError(f"{where}: its template is not an object")
    return Series.from_dict(doc).to_dict()


def _restore(store: Any, series: list[dict[str, Any]],
             archives: list[Any]) -> list[dict[str, Any]]:
    from .domain.errors import DomainError
    from .domain.export.archive import from_archive, registrations_of
    from .domain.export.archive import restore as restore_archive
    from .domain.joincode import new_code
    from .domain.operations import new_token

    datas = []
    for i, doc in enumerate(archives):  # check all before writing any
        try:
            data = from_archive(doc)
            datas.append((data, registrations_of(doc, data)))
        except DomainError as exc:
            raise BackupError(f"session {i + 1} of the backup: {exc.text()}") from None
    restored: list[dict[str, Any]] = []
    for doc in series:  # before the sessions that name them
        there = store.get_doc(SERIES_KIND, doc["id"]) is not None
        if not there:
            store.put_doc(SERIES_KIND, doc["id"], doc)
        restored.append({"series": doc["id"], "title": doc["title"],
                         "restored": not there})
    for data, registrations in datas:
        code = data.workshop.code
        if store.get_workshop(code) is not None:
            for _ in range(20):
                code = new_code()
                if store.get_workshop(code) is None:
                    break
        workshop = restore_archive(store, data, code, new_token, registrations)
        restored.append({"code": code, "was": data.workshop.code,
                         "facilitator_token": workshop.facilitator_token,
                         "screen_token": workshop.screen_token,
                         "registrations": len(registrations)})
    return restored
