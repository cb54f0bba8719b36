"""The scale-out store: Redis, one Lua script or WATCH/MULTI/EXEC per write.

Same contract as ``SQLiteStore`` (see ``base.Store``); ``docs/store.md``
describes the key layout.  In short, with ``P`` the key prefix (default
``fac``) and ``{C}`` the workshop code as a Redis Cluster hash tag::

    P:schema           string  the layout version of the data (``SCHEMA_VERSION``)
    P:workshops        hash  code -> created_at        (the list of workshops)
    P:{C}:ws           string  the workshop document (JSON)
    P:{C}:kinds        set   the record kinds this workshop has used
    P:{C}:r:<kind>     hash  id -> record (JSON)
    P:{C}:o:<kind>     list  ids in first-insertion order
    P:{C}:u:<kind>     hash  unique key -> id
    P:{C}:n            hash  counter name -> value (``next_number``)
    P:{C}:seq          string  number of the last event
    P:{C}:ev           stream  events, entry id ``<seq>-1``, field ``e`` = JSON

The data carries its layout version in ``P:schema``, set by the first write
that creates a workshop or a document.  Data written before that key existed
(none there, but workshops or documents) has layout 1.  Opening a store
migrates older data up to ``SCHEMA_VERSION`` (``MIGRATIONS``) and refuses
newer data with ``NewerSchema`` (``facilitator check`` reports it), and a new
workshop or document is refused on a store a newer release has taken over.

Writes are never retried on a connection error: a write whose reply was lost
raises, and the caller reports failure (the phone retries from its outbox;
``insert`` with a unique key makes that retry harmless).  Only WATCH
conflicts are retried, because nothing was written then.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.exceptions import ResponseError, WatchError
from redis.retry import Retry

from .base import (
    Doc,
    DuplicateId,
    Event,
    Mutation,
    NewerSchema,
    StoreUnavailable,
    reports_outages,
)


def _is_outage(exc: BaseException) -> bool:
    """Redis unreachable, restarting (loading its data) or too slow to answer."""
    return isinstance(exc, (redis.ConnectionError, redis.TimeoutError))

DEFAULT_PREFIX = "fac"
#: The layout version of the data this release writes (``P:schema``); raise it with a
#: migration in ``MIGRATIONS`` whenever the key layout or a stored document changes.
SCHEMA_VERSION = 1
#: version -> a function that brings a store's data from that version to the next;
#: none yet (layout 1 is the first).  Each runs once, on open, before the key is raised.
MIGRATIONS: dict[int, Any] = {}
#: The event stream of a workshop keeps this many newest events; a client that
#: asks for older ones sees a gap (first seq > asked + 1) and reloads the state.
DEFAULT_MAX_EVENTS = 10_000
#: How often a WATCH/MULTI/EXEC is retried after a conflict before giving up.
MAX_ATTEMPTS = 1000

# Appends ARGV[first..] as events: numbers them from the workshop's sequence
# (KEYS seq_key), splices ``"seq":N`` into each JSON object (serialised in
# Python without a "seq" key) and adds it to the stream (KEYS ev_key) with the
# entry id ``N-1``, trimmed to ARGV[maxlen_arg] entries.  Returns the first
# number, or 0 when there are no events.
_APPEND_FN = """
local function append_events(seq_key, ev_key, maxlen, first)
  local n = #ARGV - first + 1
  if n <= 0 then return 0 end
  local last = redis.call('INCRBY', seq_key, n)
  local seq = last - n
  for i = first, #ARGV do
    seq = seq + 1
    local num = string.format('%d', seq)
    local body = ARGV[i]
    local event
    if body == '{}' then
      event = '{"seq":' .. num .. '}'
    else
      event = string.sub(body, 1, -2) .. ',"seq":' .. num .. '}'
    end
    redis.call('XADD', ev_key, 'MAXLEN', maxlen, num .. '-1', 'e', event)
  end
  return last - n + 1
end
"""

# The first write of data stamps the schema version; a store that a newer release has
# taken over refuses new data.  KEYS[schema_key]  ARGV[version_arg]
_SCHEMA_FN = """
local function stamp_schema(schema_key, version)
  local stored = tonumber(redis.call('GET', schema_key) or '0')
  if stored > tonumber(version) then
    return redis.error_reply('NEWERSCHEMA ' .. stored)
  end
  if stored == 0 then redis.call('SET', schema_key, version) end
  return false
end
"""

# KEYS: ws, index, schema   ARGV: code, doc, created_at, schema version
_CREATE_WORKSHOP = _SCHEMA_FN + """
local refused = stamp_schema(KEYS[3], ARGV[4])
if refused then return refused end
if redis.call('SET', KEYS[1], ARGV[2], 'NX') then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
  return 1
end
return 0
"""

# A document outside any workshop: set it, and list its id once, in one step.
# KEYS: docs hash, order list, schema   ARGV: id, doc, schema version
_PUT_DOC = _SCHEMA_FN + """
local refused = stamp_schema(KEYS[3], ARGV[3])
if refused then return refused end
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
end
return 1
"""

# KEYS: rec, ord, uniq, kinds, seq, ev
# ARGV: kind, id, doc, has_unique ('1'/'0'), unique, maxlen, events...
# Returns {1, first_seq} when stored, {0, existing_json} when the unique key exists.
_INSERT = (
    _APPEND_FN
    + """
if ARGV[4] == '1' then
  local existing_id = redis.call('HGET', KEYS[3], ARGV[5])
  if existing_id then
    local existing = redis.call('HGET', KEYS[1], existing_id)
    if existing then return {0, existing} end
  end
end
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then
  return redis.error_reply('DUPID record id exists')
end
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[3], ARGV[5], ARGV[2])
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[1])
return {1, append_events(KEYS[5], KEYS[6], ARGV[6], 7)}
"""
)

# KEYS: rec, ord, kinds, seq, ev   ARGV: kind, id, doc, maxlen, events...
# Returns the first event number (0 when none).
_PUT = (
    _APPEND_FN
    + """
if redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[1])
end
return append_events(KEYS[4], KEYS[5], ARGV[4], 5)
"""
)

# KEYS: seq, ev   ARGV: maxlen, events...   (queued inside MULTI by the updates)
_APPEND = (
    _APPEND_FN
    + """
return append_events(KEYS[1], KEYS[2], ARGV[1], 2)
"""
)


def _dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str | None) -> Doc | None:
    return json.loads(text) if text is not None else None


def _event_args(events: list[Event] | None) -> list[str]:
    """Events as JSON objects without "seq"; the scripts splice the number in."""
    return [_dumps({k: v for k, v in e.items() if k != "seq"}) for e in events or ()]


def _numbered(events: list[Event] | None, first: int) -> list[Event]:
    return [{**e, "seq": first + i} for i, e in enumerate(events or ())]


def _check_code(code: str) -> str:
    if not isinstance(code, str) or not code or "{" in code or "}" in code:
        raise ValueError(f"bad workshop code {code!r} for the Redis store")
    return code


def split_prefix(url: str) -> tuple[str, str | None]:
    """(the URL without ``prefix=``, the last ``prefix`` it named or None): the key prefix
    is ours, not redis-py's, so every client made from a store URL takes it off first."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefixes = [v for k, v in query if k == "prefix"]
    clean = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k != "prefix"])))
    return clean, (prefixes[-1] if prefixes else None)


@reports_outages(_is_outage)
class RedisStore:
    """``Store`` on Redis; see ``base.Store`` for the contract, ``docs/store.md`` for keys.

    ``client`` must be a ``redis.Redis`` with ``decode_responses=True``; one
    instance is thread-safe (a connection pool), and any number of processes
    may share one Redis.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = DEFAULT_PREFIX,
        max_events: int = DEFAULT_MAX_EVENTS,
    ) -> None:
        if not client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("RedisStore needs a client with decode_responses=True")
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError(f"bad key prefix {prefix!r}: no braces, not empty")
        if max_events < 1:
            raise ValueError("max_events must be at least 1")
        self._r = client
        self.prefix = prefix
        self.max_events = max_events
        self._index = f"{prefix}:workshops"
        self._schema = f"{prefix}:schema"
        #: True until the schema has been read (Redis was away when the store was opened)
        self.schema_pending = True
        self._create_workshop = client.register_script(_CREATE_WORKSHOP)
        self._insert = client.register_script(_INSERT)
        self._put = client.register_script(_PUT)
        self._append = client.register_script(_APPEND)
        self._put_doc = client.register_script(_PUT_DOC)

    @classmethod
    def from_url(
        cls,
        url: str,
        prefix: str | None = None,
        max_events: int = DEFAULT_MAX_EVENTS,
        **redis_kwargs: Any,
    ) -> RedisStore:
        """``redis://[:password@]host:port/db[?prefix=fac]`` (also ``rediss://``, ``unix://``).

        ``prefix`` as argument wins over the query parameter.  Other query
        parameters and ``redis_kwargs`` go to redis-py (the query wins there).
        """
        clean, url_prefix = split_prefix(url)
        if prefix is None:
            prefix = url_prefix or DEFAULT_PREFIX
        options: dict[str, Any] = {
            "socket_timeout": 5.0,
            "socket_connect_timeout": 5.0,
            "socket_keepalive": True,
            # PING a connection that sat idle this long before using it again.
            "health_check_interval": 15,
            # No hidden retries: a write whose reply got lost must raise.
            "retry": Retry(NoBackoff(), 0),
            "retry_on_timeout": False,
        }
        options.update(redis_kwargs)
        options["decode_responses"] = True
        # A blocking pool: when a whole room resyncs at once, requests wait a moment
        # for a free connection instead of failing (redis-py's default pool raises
        # MaxConnectionsError once its 100 connections are in use).
        max_connections = int(options.pop("max_connections", 64))
        pool_timeout = float(options.pop("pool_timeout", 20.0))
        pool = redis.BlockingConnectionPool.from_url(
            clean, max_connections=max_connections, timeout=pool_timeout, **options)
        client = redis.Redis.from_pool(pool)  # the store made the pool: close() ends it
        store = cls(client, prefix=prefix, max_events=max_events)
        try:
            store.open_schema()
        except StoreUnavailable:
            pass  # Redis is away: the first ping that answers reads the schema
        except BaseException:
            store.close()  # NewerSchema: no one gets this store, so its connections go now
            raise
        return store

    # -- schema ----------------------------------------------------------
    def stored_schema(self) -> int:
        """The schema version the data carries: 0 for an empty store, 1 for data written
        before the version key existed."""
        value = self._r.get(self._schema)
        if value is not None:
            return int(value)
        if self._r.exists(self._index):
            return 1
        for _ in self._r.scan_iter(match=f"{self.prefix}:docs:*", count=1000):
            return 1  # a series or another document, and no workshop
        return 0

    def open_schema(self) -> int:
        """Read the data's schema version: migrate older data up to ``SCHEMA_VERSION``,
        refuse newer data (``NewerSchema``).  Returns the version found; writes only
        when it migrates."""
        stored = self.stored_schema()
        if stored > SCHEMA_VERSION:
            raise NewerSchema(f"Redis store {self.prefix!r}", stored, SCHEMA_VERSION)
        if 0 < stored < SCHEMA_VERSION:
            for version in range(stored, SCHEMA_VERSION):
                MIGRATIONS[version](self)
                self._r.set(self._schema, version + 1)
        self.schema_pending = False
        return stored

    # -- keys ------------------------------------------------------------
    def _key(self, code: str, name: str) -> str:
        return f"{self.prefix}:{{{_check_code(code)}}}:{name}"

    def _kind_keys(self, code: str, kind: str) -> tuple[str, str, str]:
        """(records hash, order list, uniques hash) of one kind."""
        return (
            self._key(code, f"r:{kind}"),
            self._key(code, f"o:{kind}"),
            self._key(code, f"u:{kind}"),
        )

    def _watched(self, keys: list[str], attempt_fn):
        """Run ``attempt_fn(pipe)`` under WATCH ``keys``, retrying on conflict."""
        for attempt in range(MAX_ATTEMPTS):
            with self._r.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(*keys)
                    return attempt_fn(pipe)
                except WatchError as exc:
                    # redis-py turns a connection lost while watching into a
                    # WatchError; that is a failure to report, not a conflict
                    # (EXEC may even have run), so it must not be retried.
                    lost = exc.__context__
                    if isinstance(lost, (redis.ConnectionError, redis.TimeoutError)):
                        raise lost from None
                    if attempt >= 2:
                        time.sleep(random.uniform(0, min(0.0005 * attempt, 0.02)))
        raise RuntimeError(f"gave up after {MAX_ATTEMPTS} conflicting updates of {keys}")

    def _queue_events(self, pipe, code: str, events: list[Event] | None) -> bool:
        """Queue the numbering of ``events`` in a MULTI; True when something was queued."""
        args = _event_args(events)
        if not args:
            return False
        self._append(
            keys=[self._key(code, "seq"), self._key(code, "ev")],
            args=[self.max_events, *args],
            client=pipe,
        )
        return True

    # -- workshops -------------------------------------------------------
    def create_workshop(self, code: str, doc: Doc) -> bool:
        created = self._refusing_newer(self._create_workshop)(
            keys=[self._key(code, "ws"), self._index, self._schema],
            args=[code, _dumps(doc), str(doc.get("created_at", "") or ""), SCHEMA_VERSION],
        )
        return bool(created)

    def _refusing_newer(self, script):
        """``script`` with its NEWERSCHEMA error reply raised as ``NewerSchema``."""

        def run(**kwargs: Any) -> Any:
            try:
                return script(**kwargs)
            except ResponseError as exc:
                if str(exc).startswith("NEWERSCHEMA"):
                    raise NewerSchema(f"Redis store {self.prefix!r}", int(str(exc).split()[1]),
                                      SCHEMA_VERSION) from None
                raise

        return run

    def get_workshop(self, code: str) -> Doc | None:
        return _loads(self._r.get(self._key(code, "ws")))

    def update_workshop(self, code: str, mutate: Mutation) -> tuple[Doc, list[Event]]:
        key = self._key(code, "ws")

        def attempt(pipe):
            raw = pipe.get(key)
            if raw is None:
                raise KeyError(code)
            current = json.loads(raw)
            result = mutate(current)
            if result is None:
                return current, []
            doc, events = result
            pipe.multi()
            pipe.set(key, _dumps(doc))
            numbered = self._queue_events(pipe, code, events)
            replies = pipe.execute()
            return doc, _numbered(events, replies[1]) if numbered else []

        return self._watched([key], attempt)

    def list_workshops(self) -> list[Doc]:
        index = self._r.hgetall(self._index)
        # newest first by created_at, then by code ascending (as SQLiteStore)
        codes = sorted(index)
        codes.sort(key=lambda c: index[c], reverse=True)
        with self._r.pipeline(transaction=False) as pipe:
            for code in codes:
                pipe.get(self._key(code, "ws"))
            docs = pipe.execute()
        return [json.loads(d) for d in docs if d is not None]

    def delete_workshop(self, code: str) -> bool:
        kinds_key = self._key(code, "kinds")

        def attempt(pipe):
            kinds = pipe.smembers(kinds_key)
            keys = [self._key(code, name) for name in ("ws", "kinds", "n", "seq", "ev")]
            for kind in sorted(kinds):
                keys.extend(self._kind_keys(code, kind))
            pipe.multi()
            pipe.exists(self._key(code, "ws"))
            pipe.delete(*keys)
            pipe.hdel(self._index, code)
            return pipe.execute()[0] > 0

        return self._watched([kinds_key], attempt)

    # -- records ---------------------------------------------------------
    def insert(
        self,
        code: str,
        kind: str,
        doc: Doc,
        unique: str | None = None,
        events: list[Event] | None = None,
    ) -> tuple[Doc, bool, list[Event]]:
        rec, order, uniq = self._kind_keys(code, kind)
        keys = [
            rec,
            order,
            uniq,
            self._key(code, "kinds"),
            self._key(code, "seq"),
            self._key(code, "ev"),
        ]
        args = [
            kind,
            doc["id"],
            _dumps(doc),
            "0" if unique is None else "1",
            "" if unique is None else unique,
            self.max_events,
            *_event_args(events),
        ]
        try:
            created, value = self._insert(keys=keys, args=args)
        except ResponseError as exc:
            if str(exc).startswith("DUPID"):
                raise DuplicateId(f"a {kind} with id {doc['id']!r} exists in {code}") from exc
            raise
        if not created:
            return json.loads(value), False, []
        return doc, True, _numbered(events, int(value))

    def put(
        self, code: str, kind: str, doc: Doc, events: list[Event] | None = None
    ) -> tuple[Doc, list[Event]]:
        rec, order, _ = self._kind_keys(code, kind)
        keys = [rec, order, self._key(code, "kinds"), self._key(code, "seq"), self._key(code, "ev")]
        first = self._put(
            keys=keys, args=[kind, doc["id"], _dumps(doc), self.max_events, *_event_args(events)]
        )
        return doc, _numbered(events, int(first))

    def update(
        self, code: str, kind: str, record_id: str, mutate: Mutation
    ) -> tuple[Doc | None, list[Event]]:
        rec = self._kind_keys(code, kind)[0]

        def attempt(pipe):
            raw = pipe.hget(rec, record_id)
            if raw is None:
                return None, []
            current = json.loads(raw)
            result = mutate(current)
            if result is None:
                return current, []
            doc, events = result
            pipe.multi()
            pipe.hset(rec, record_id, _dumps(doc))
            numbered = self._queue_events(pipe, code, events)
            replies = pipe.execute()
            return doc, _numbered(events, replies[1]) if numbered else []

        return self._watched([rec], attempt)

    def get(self, code: str, kind: str, record_id: str) -> Doc | None:
        return _loads(self._r.hget(self._kind_keys(code, kind)[0], record_id))

    def find(self, code: str, kind: str, unique: str) -> Doc | None:
        rec, _, uniq = self._kind_keys(code, kind)
        record_id = self._r.hget(uniq, unique)
        return None if record_id is None else _loads(self._r.hget(rec, record_id))

    def records(self, code: str, kind: str) -> list[Doc]:
        rec, order, _ = self._kind_keys(code, kind)
        with self._r.pipeline(transaction=True) as pipe:
            pipe.lrange(order, 0, -1)
            pipe.hgetall(rec)
            ids, docs = pipe.execute()
        return [json.loads(docs[i]) for i in ids if i in docs]

    def count(self, code: str, kind: str) -> int:
        return int(self._r.hlen(self._kind_keys(code, kind)[0]))

    def next_number(self, code: str, counter: str) -> int:
        # HINCRBY is one atomic command: no script needed.
        return int(self._r.hincrby(self._key(code, "n"), counter, 1))

    # -- documents outside any workshop: a hash per kind plus an insertion-ordered list
    def _doc_keys(self, kind: str) -> tuple[str, str]:
        if not kind.isidentifier():
            raise ValueError(f"bad document kind {kind!r}")
        return f"{self.prefix}:docs:{kind}", f"{self.prefix}:docs:{kind}:order"

    def put_doc(self, kind: str, doc_id: str, doc: Doc) -> None:
        docs, order = self._doc_keys(kind)
        self._refusing_newer(self._put_doc)(keys=[docs, order, self._schema],
                                            args=[doc_id, _dumps(doc), SCHEMA_VERSION])

    def get_doc(self, kind: str, doc_id: str) -> Doc | None:
        return _loads(self._r.hget(self._doc_keys(kind)[0], doc_id))

    def list_docs(self, kind: str) -> list[Doc]:
        docs, order = self._doc_keys(kind)
        ids = list(dict.fromkeys(self._r.lrange(order, 0, -1)))
        values = self._r.hmget(docs, ids) if ids else []
        return [json.loads(v) for v in values if v is not None]

    def delete_doc(self, kind: str, doc_id: str) -> bool:
        docs, order = self._doc_keys(kind)
        with self._r.pipeline(transaction=True) as pipe:
            pipe.hdel(docs, doc_id)
            pipe.lrem(order, 0, doc_id)
            removed, _ = pipe.execute()
        return removed > 0

    def counter(self, code: str, counter: str) -> int:
        value = self._r.hget(self._key(code, "n"), counter)
        return int(value) if value is not None else 0

    def seq(self, code: str) -> int:
        value = self._r.get(self._key(code, "seq"))
        return int(value) if value is not None else 0

    def events_since(self, code: str, seq: int, limit: int = 1000) -> list[Event]:
        if limit == 0:
            return []
        start = f"{seq + 1}-0" if seq >= 0 else "-"
        entries = self._r.xrange(
            self._key(code, "ev"), min=start, max="+", count=limit if limit > 0 else None
        )
        return [json.loads(fields["e"]) for _, fields in entries]

    def ping(self) -> bool:
        try:
            answered = bool(self._r.ping())
            if answered and self.schema_pending:
                self.open_schema()
            return answered
        except StoreUnavailable:
            return False
        except NewerSchema as exc:  # not healthy: this release must not serve that data
            import logging

            logging.getLogger("facilitator.store").error("%s", exc)
            return False
        except redis.RedisError:
            return False

    def close(self) -> None:
        self._r.close()
