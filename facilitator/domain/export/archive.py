"""The complete, versioned JSON archive of a session, and restoring one into a store.

An archive is a JSON object::

    {"format": "facilitator-archive", "version": 1, "exported_at": "...Z",
     "names_included": true, "seq": 123,
     "workshop": {...}, "participants": [...], "reflections": [...],
     "reactions": [...], "conclusions": [...], "endorsements": [...], "ratings": [...]}

``ratings`` (the findings rated per round) may be absent in archives written
before they existed; it then reads as an empty list.

Every record is its model's ``to_dict()``, so nothing is lost, hidden
(moderated) reflections and conclusions included, marked ``hidden``: an
archive is a backup, not a report.  Secrets are never in it: no participant
tokens, no facilitator or screen token; ``restore`` makes new ones.  Display
names are in it unless the archive was made with ``names=False`` (then every
``name`` is empty and ``names_included`` is false).

Registrations (an event's list of names with their personal links) are personal
data and in no export.  Only ``facilitator backup`` asks for them
(``to_archive(..., registrations=...)``, which refuses ``names=False``): the
archive then has a ``registrations`` list, each with its id, name, organisation,
function, perspective and the participant who used the link, never the link's
token; ``registrations_of`` reads it and ``restore`` writes it with new tokens.

``from_archive`` checks the format, the version, the type of every field and
the references between records, and raises ``Invalid`` with a message id and
parameters (like every domain error) on bad input.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from .. import model
from ..errors import N_, Conflict, Invalid
from ..model import (
    Answer,
    Conclusion,
    Endorsement,
    Harvest,
    Participant,
    Question,
    Rating,
    Reaction,
    Reflection,
    Workshop,
    WorkshopData,
)

FORMAT = "facilitator-archive"
VERSION = 1

#: archive key -> (store kind, record class), in the order they are restored.
KINDS: dict[str, tuple[str, type]] = {
    "participants": ("participant", Participant),
    "reflections": ("reflection", Reflection),
    "reactions": ("reaction", Reaction),
    "conclusions": ("conclusion", Conclusion),
    "endorsements": ("endorsement", Endorsement),
    "ratings": ("rating", Rating),
    # issue 17: older archives have none (read as empty lists)
    "questions": ("question", Question),
    "answers": ("answer", Answer),
    "harvests": ("harvest", Harvest),
}
_SECRET_WORKSHOP_KEYS = ("facilitator_token", "screen_token")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def to_archive(data: WorkshopData, *, names: bool = True,
               registrations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The whole session as a JSON-able dict, without any token; see the module docstring.

    ``registrations`` (the store's registration records) is for backups only."""
    if registrations is not None and not names:
        raise ValueError("registrations are names: an archive without names cannot carry them")
    workshop = data.workshop.to_dict()
    for key in _SECRET_WORKSHOP_KEYS:
        workshop.pop(key, None)
    participants = []
    for p in data.participants:
        doc = p.to_dict()
        doc.pop("token", None)
        if not names:
            doc["name"] = ""
        participants.append(doc)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _now(),
        "names_included": bool(names),
        "seq": data.seq,
        "workshop": workshop,
        "participants": participants,
        "reflections": [r.to_dict() for r in data.reflections],
        "reactions": [r.to_dict() for r in data.reactions],
        "conclusions": [c.to_dict() for c in data.conclusions],
        "endorsements": [e.to_dict() for e in data.endorsements],
        "ratings": [r.to_dict() for r in data.ratings],
        "questions": [q.to_dict() for q in data.questions],
        "answers": [a.to_dict() for a in data.answers],
        "harvests": [h.to_dict() for h in data.harvests],
        **({} if registrations is None else {
            "registrations": [{key: r.get(key) for key in REGISTRATION_FIELDS}
                              for r in registrations]}),
    }


#: what a backup keeps of a registration (see ``registrations.RegistrationService``);
#: never its token, the secret of the personal link
REGISTRATION_FIELDS = {"id": "str", "name": "str", "organisation": "str", "function": "str",
                       "perspective": "str", "participant": "str | None"}


def registrations_of(doc: dict[str, Any], data: WorkshopData) -> list[dict[str, Any]]:
    """The registrations in a backup's archive (an empty list when it has none), checked
    like every record: fields and types, unique ids, a known participant; Invalid when bad."""
    records = doc.get("registrations", [])
    if not isinstance(records, list):
        raise Invalid(N_("Invalid archive: %(where)s is not a list."), field="archive",
                      where="registrations")
    participants = {p.id for p in data.participants}
    for i, record in enumerate(records):
        where = f"registrations[{i}]"
        if not isinstance(record, dict):
            raise Invalid(N_("Invalid archive: %(where)s is not an object."), field="archive",
                          where=where)
        for name, annotation in REGISTRATION_FIELDS.items():
            if name not in record and annotation != "str | None":
                raise Invalid(N_("Invalid archive: %(where)s has no %(field_name)s."),
                              field="archive", where=where, field_name=name)
            if not _matches(record.get(name), annotation):
                raise Invalid(N_("Invalid archive: %(where)s.%(field_name)s should be "
                                 "%(expected)s."), field="archive", where=where,
                              field_name=name, expected=annotation)
    _unique_ids(records, "registration")
    _refer([r for r in records if r.get("participant")], "registration", "participant",
           participants, "participant")
    return [{key: r.get(key) for key in REGISTRATION_FIELDS} for r in records]


# -- validation -------------------------------------------------------------------

def _matches(value: Any, annotation: str) -> bool:
    """True when a JSON value fits a field annotation such as ``str | None`` or ``list[str]``."""
    for option in (part.strip() for part in annotation.split("|")):
        if option == "None" and value is None:
            return True
        if option == "str" and isinstance(value, str):
            return True
        if option == "bool" and isinstance(value, bool):
            return True
        if option == "int" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if option == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if option.startswith("dict") and isinstance(value, dict):
            return True
        if option.startswith("list[") and isinstance(value, list):
            inner = option[5:-1]
            if inner in ("str", "int", "bool", "float"):
                return all(_matches(v, inner) for v in value)
            return True  # lists of records are checked record by record
        if option == "Any":
            return True
        if hasattr(model, option) and isinstance(value, dict):
            return True
    return False


def _check(cls: type, doc: Any, where: str) -> None:
    """Check one record dict against its dataclass: required fields and types."""
    if not isinstance(doc, dict):
        raise Invalid(N_("Invalid archive: %(where)s is not an object."), field="archive",
                      where=where)
    for f in dataclasses.fields(cls):
        required = (f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING)  # type: ignore[misc]
        if f.name not in doc:
            if required and f.name != "token":
                raise Invalid(N_("Invalid archive: %(where)s has no %(field_name)s."),
                              field="archive", where=where, field_name=f.name)
            continue
        value = doc[f.name]
        annotation = str(f.type)
        if not _matches(value, annotation):
            raise Invalid(N_("Invalid archive: %(where)s.%(field_name)s should be %(expected)s."),
                          field="archive", where=where, field_name=f.name, expected=annotation)
        nested = re.fullmatch(r"list\[(\w+)\]", annotation)
        if nested and hasattr(model, nested.group(1)):
            for i, item in enumerate(value):
                _check(getattr(model, nested.group(1)), item, f"{where}.{f.name}[{i}]")
        elif hasattr(model, annotation) and value is not None:
            _check(getattr(model, annotation), value, f"{where}.{f.name}")


def _unique_ids(records: list[dict[str, Any]], key: str) -> set[str]:
    counts = Counter(r["id"] for r in records)
    doubles = sorted(i for i, n in counts.items() if n > 1)
    if doubles:
        raise Invalid(N_("Invalid archive: %(kind)s %(id)s occurs more than once."),
                      field="archive", kind=key, id=doubles[0])
    return set(counts)


def _refer(records: list[dict[str, Any]], key: str, field_name: str, known: set[str],
           target: str) -> None:
    for r in records:
        if r[field_name] not in known:
            raise Invalid(N_("Invalid archive: %(kind)s %(id)s refers to a missing %(target)s."),
                          field="archive", kind=key, id=r["id"], target=target)


def from_archive(doc: Any) -> WorkshopData:
    """Read an archive dict back into a ``WorkshopData`` (tokens empty); Invalid when bad."""
    if not isinstance(doc, dict):
        raise Invalid(N_("Invalid archive: it must be a JSON object."), field="archive")
    if doc.get("format") != FORMAT:
        raise Invalid(N_("This file is not a facilitator archive."), field="archive")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise Invalid(N_("Invalid archive: the version is missing or wrong."), field="archive")
    if version > VERSION:
        raise Invalid(N_("This archive has version %(version)s; this facilitator reads up to "
                         "version %(supported)s. Please update the facilitator."),
                      field="archive", version=version, supported=VERSION)
    seq = doc.get("seq", 0)
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise Invalid(N_("Invalid archive: %(where)s should be %(expected)s."), field="archive",
                      where="seq", expected="int")
    workshop_doc = doc.get("workshop")
    _check(Workshop, workshop_doc, "workshop")
    lists: dict[str, list[dict[str, Any]]] = {}
    for key, (_, cls) in KINDS.items():
        records = doc.get(key, [])
        if not isinstance(records, list):
            raise Invalid(N_("Invalid archive: %(where)s is not a list."), field="archive",
                          where=key)
        for i, record in enumerate(records):
            _check(cls, record, f"{key}[{i}]")
        lists[key] = records

    participants = _unique_ids(lists["participants"], "participant")
    reflections = _unique_ids(lists["reflections"], "reflection")
    conclusions = _unique_ids(lists["conclusions"], "conclusion")
    _unique_ids(lists["reactions"], "reaction")
    _unique_ids(lists["endorsements"], "endorsement")
    _unique_ids(lists["ratings"], "rating")
    questions = _unique_ids(lists["questions"], "question")
    _unique_ids(lists["answers"], "answer")
    _refer(lists["questions"], "question", "participant", participants, "participant")
    _refer(lists["answers"], "answer", "participant", participants, "participant")
    _refer(lists["answers"], "answer", "question", questions, "question")
    _unique_ids(lists["harvests"], "harvest")
    _refer(lists["harvests"], "harvest", "participant", participants, "participant")
    for key, name in (("reflections", "reflection"), ("reactions", "reaction"),
                      ("endorsements", "endorsement"), ("ratings", "rating")):
        _refer(lists[key], name, "participant", participants, "participant")
    _refer(lists["reactions"], "reaction", "reflection", reflections, "reflection")
    _refer(lists["endorsements"], "endorsement", "conclusion", conclusions, "conclusion")
    clients = Counter((r["participant"], r["client_id"]) for r in lists["reflections"]
                      if r.get("client_id"))
    doubles = [pair for pair, n in clients.items() if n > 1]
    if doubles:
        raise Invalid(N_("Invalid archive: reflection client id %(id)s occurs more than once."),
                      field="archive", id=doubles[0][1])

    workshop = Workshop.from_dict({**workshop_doc, "facilitator_token": "", "screen_token": ""})
    return WorkshopData(
        workshop=workshop,
        participants=[Participant.from_dict({**p, "token": ""}) for p in lists["participants"]],
        reflections=[Reflection.from_dict(r) for r in lists["reflections"]],
        reactions=[Reaction.from_dict(r) for r in lists["reactions"]],
        conclusions=[Conclusion.from_dict(c) for c in lists["conclusions"]],
        endorsements=[Endorsement.from_dict(e) for e in lists["endorsements"]],
        ratings=[Rating.from_dict(r) for r in lists["ratings"]],
        questions=[Question.from_dict(q) for q in lists["questions"]],
        answers=[Answer.from_dict(a) for a in lists["answers"]],
        harvests=[Harvest.from_dict(h) for h in lists["harvests"]],
        seq=seq,
    )


# -- stores -------------------------------------------------------------------------

def _serial(pseudonym: str) -> int:
    match = re.search(r"(\d+)\s*$", pseudonym or "")
    return int(match.group(1)) if match else 0


def restore(store: Any, data: WorkshopData, new_code: str,
            new_tokens: Callable[[], str],
            registrations: Iterable[dict[str, Any]] = ()) -> Workshop:
    """Write ``data`` into ``store`` as a new session ``new_code``, with fresh tokens.

    ``new_tokens()`` is called once per secret (facilitator link, screen link and
    one per participant and registration: a restored personal link is a new one).
    Records are written with the unique keys the live
    code uses (``token:<token>`` for participants, ``client:<participant>:<client
    id>`` for reflections with a client id), and the join counters are advanced
    past the restored participants so new joins get new pseudonyms and fill the
    circles as before.  Raises Conflict when ``new_code`` is taken; on any other
    failure the half-written session is deleted.  Returns the new workshop
    (with its new tokens).
    """
    workshop = Workshop.from_dict({**data.workshop.to_dict(), "code": new_code,
                                   "facilitator_token": new_tokens(),
                                   "screen_token": new_tokens()})
    if not store.create_workshop(new_code, workshop.to_dict()):
        raise Conflict(N_("A session with this code already exists."), code=new_code)
    try:
        for p in data.participants:
            doc = {**p.to_dict(), "token": new_tokens()}
            _, created, _ = store.insert(new_code, "participant", doc,
                                         unique=f"token:{doc['token']}")
            if not created:
                raise Conflict(N_("Could not restore participant %(id)s."), id=p.id)
        for r in data.reflections:
            unique = f"client:{r.participant}:{r.client_id}" if r.client_id else None
            _, created, _ = store.insert(new_code, "reflection", r.to_dict(), unique=unique)
            if not created:
                raise Conflict(N_("Could not restore reflection %(id)s."), id=r.id)
        for x in data.reactions:
            store.put(new_code, "reaction", x.to_dict())
        for c in data.conclusions:
            store.insert(new_code, "conclusion", c.to_dict())
        for e in data.endorsements:
            store.put(new_code, "endorsement", e.to_dict())
        for r in data.ratings:  # with the unique key rate_finding uses
            store.insert(new_code, "rating", r.to_dict(), unique=f"rating:{r.id}")
        for kind, records in (("question", data.questions), ("answer", data.answers),
                              ("harvest", data.harvests)):
            for x in records:  # with the unique key the live code uses
                store.insert(new_code, kind, x.to_dict(), unique=f"client:{x.participant}:"
                             f"{x.client_id}" if x.client_id else None)
        for r in registrations:  # with the unique key a personal link is found by
            token = new_tokens()
            # not claimed: every participant's secret is new, so no browser holds one; the
            # person's first browser claims their card again (registrations.claimed)
            store.insert(new_code, "registration", {**r, "token": token, "claimed": False},
                         unique=f"token:{token}")
        # the join counters of operations.join: one per base circle and one for pseudonyms
        per_base = Counter(workshop.base_circle_for(p.perspective).id for p in data.participants)
        counters = {f"circle:{base}": n for base, n in per_base.items()}
        counters["participants"] = max([len(data.participants),
                                        *(_serial(p.pseudonym) for p in data.participants)])
        for name, value in counters.items():
            for _ in range(value):
                store.next_number(new_code, name)
    except BaseException:
        store.delete_workshop(new_code)
        raise
    return workshop
