"""Event registration lists: read them as event systems export them, and map the
free-text function of each person to a perspective.

A registration list comes as CSV (``;`` or ``,``, UTF-8 with or without a BOM,
or Windows-1252) or as an Excel workbook, with columns such as *naam*,
*organisatie* or *gemeente*, *functie* and optionally *perspectief*; extra
columns (e-mail, dieetwensen, …) are ignored and never kept, empty rows are
skipped. ``map_function`` finds the perspective a function belongs to through a
synonym table that organisers can extend; rows it cannot place are returned to
be fixed by hand. Names are personal data: they are kept only with the
registration (covered by retention and delete) and appear in no export unless
asked for.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import N_, Invalid, NotFound
from .model import Participant
from .rules import Action, Role, require

#: at most this many rows in one list (a congress, not a census)
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

#: header spellings -> the field they fill (compared after ``_norm``)
COLUMNS = {
    "name": ("naam", "name", "volledige naam", "deelnemer", "voornaam achternaam", "full name"),
    "organisation": ("organisatie", "gemeente", "organisation", "organization", "werkgever",
                     "bedrijf", "instantie", "municipality"),
    "function": ("functie", "function", "rol", "role", "functietitel", "job title", "positie"),
    "perspective": ("perspectief", "perspective", "doelgroep"),
}

#: perspective id -> words and phrases in a function that place it there. Longer
#: phrases win over shorter ones ("hr adviseur" before "adviseur").
SYNONYMS: dict[str, tuple[str, ...]] = {
    "raadslid": ("raadslid", "gemeenteraadslid", "raadsleden", "fractievoorzitter",
                 "fractievolger", "commissielid", "steunfractielid", "duoraadslid",
                 "council member", "councillor"),
    "bestuurder": ("burgemeester", "wethouder", "loco burgemeester", "mayor", "alderman"),
    "gemeentesecretaris": ("gemeentesecretaris", "secretaris directeur", "algemeen directeur",
                           "town clerk", "griffier"),
    "directeur": ("directeur", "directielid", "concerndirecteur", "leidinggevende",
                  "director"),
    "manager": ("manager", "teamleider", "teammanager", "afdelingshoofd", "afdelingsmanager",
                "clustermanager", "coordinator", "hoofd"),
    "medewerker": ("medewerker", "ambtenaar", "uitvoerend medewerker", "consulent",
                   "klantmanager", "medewerker publiekszaken", "boa", "civil servant"),
    "beleidsadviseur": ("beleidsadviseur", "beleidsmedewerker", "senior beleidsadviseur",
                        "strategisch adviseur", "policy adviser", "beleidsambtenaar"),
    "hr-adviseur": ("hr adviseur", "hr", "p o adviseur", "p o", "personeelsadviseur",
                    "organisatieadviseur", "hr business partner", "recruiter",
                    "verandermanager", "organisational adviser"),
    "bedrijfsvoering": ("controller", "financieel adviseur", "financien", "ict", "it",
                        "informatiemanager", "informatieadviseur", "bedrijfsvoering",
                        "inkoper", "business controller", "finance"),
    "or-lid": ("or lid", "ondernemingsraad", "lid ondernemingsraad", "or voorzitter",
               "go lid", "ambtelijk secretaris or", "works council"),
    "vakbond": ("vakbond", "vakbondsbestuurder", "fnv", "cnv", "abvakabo", "cmhf",
                "kaderlid", "trade union"),
    "koepel": ("vng", "koepelorganisatie", "a o fonds", "vereniging van nederlandse gemeenten",
               "umbrella"),
    "burger": ("burger", "inwoner", "bewoner", "citizen", "resident"),
    "belangengroep": ("belangengroep", "belangenbehartiger", "stichting", "vereniging",
                      "wijkraad", "dorpsraad", "cliëntenraad", "clientenraad",
                      "interest group"),
    "ondernemer": ("ondernemer", "eigenaar", "zzp", "zzp er", "zelfstandige", "dga",
                   "business owner", "entrepreneur"),
    "onderzoeker": ("onderzoeker", "promovendus", "hoogleraar", "lector", "student",
                    "researcher"),
}


def _norm(text: Any) -> str:
    """Lower case, no accents or punctuation, single spaces ("P&O-adviseur" -> "p o adviseur")."""
    text = unicodedata.normalize("NFKD", str(text or "")).lower()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


@dataclass
class Row:
    """One registered person as read from the list (``line`` counts from the header)."""

    line: int
    name: str
    organisation: str = ""
    function: str = ""
    perspective: str | None = None
    matched_by: str = ""  # "column", "function" or "" when unmatched
    duplicate_of: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "name": self.name, "organisation": self.organisation,
                "function": self.function, "perspective": self.perspective,
                "matched_by": self.matched_by, "duplicate_of": self.duplicate_of}


def map_function(function: str, perspectives: Iterable[str],
                 synonyms: Mapping[str, Iterable[str]] | None = None) -> str | None:
    """The perspective a free-text function belongs to, or None when nothing fits.

    The longest synonym found as whole words wins; only perspectives of the
    session count. ``synonyms`` extends (and for the same phrase overrides) the
    default table.
    """
    allowed = set(perspectives)
    words = f" {_norm(function)} "
    if not words.strip():
        return None
    table: dict[str, str] = {}
    for pid, phrases in SYNONYMS.items():
        for phrase in phrases:
            table[_norm(phrase)] = pid
    for pid, phrases in (synonyms or {}).items():
        for phrase in phrases:
            table[_norm(phrase)] = pid
    best: tuple[int, str] | None = None
    for phrase, pid in table.items():
        if pid in allowed and phrase and f" {phrase} " in words:
            if best is None or len(phrase) > best[0]:
                best = (len(phrase), pid)
    return best[1] if best else None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(N_("The file could not be read as text."), field="file")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    if "\t" in sample and sample.count("\t") > sample.count(delimiter):
        delimiter = "\t"
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl  # optional: only organisers who upload Excel need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise Invalid(N_("The file could not be read as an Excel workbook."),
                      field="file") from exc
    sheet = book.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else str(v) for v in values])
        if len(rows) > MAX_ROWS + 1:
            break
    book.close()
    return rows


def read_table(data: bytes) -> list[list[str]]:
    """The rows of an uploaded CSV or XLSX file, the header first."""
    if len(data) > MAX_BYTES:
        raise Invalid(N_("The file is too large."), field="file")
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        return _xlsx_rows(data)
    return _csv_rows(data)


def parse(rows: list[list[str]] | list[dict[str, Any]], perspectives: Iterable[str],
          synonyms: Mapping[str, Iterable[str]] | None = None) -> list[Row]:
    """Read registration rows (a table with a header row, or JSON objects) into ``Row``s.

    A *perspectief* column wins when it names a perspective of the session (by
    id or label); otherwise the function is mapped. Rows without a name are
    skipped; a second row for the same person (name and organisation) is marked
    ``duplicate_of`` the first.
    """
    known = list(perspectives)
    if rows and isinstance(rows[0], dict):
        keys = list(dict.fromkeys(k for r in rows for k in r))  # every key of every row
        table = [keys] + [[str(r.get(k) or "") for k in keys]
                          for r in rows]  # type: ignore[union-attr]
    else:
        table = [list(r) for r in rows]  # type: ignore[arg-type]
    if not table:
        raise Invalid(N_("The list is empty."), field="file")
    if len(table) > MAX_ROWS + 1:
        raise Invalid(N_("The list has more than %(max)s rows."), field="file", max=MAX_ROWS)
    header = [_norm(h) for h in table[0]]
    where: dict[str, int] = {}
    for name, spellings in COLUMNS.items():
        for i, h in enumerate(header):
            if h in {_norm(s) for s in spellings} and name not in where:
                where[name] = i
    if "name" not in where:
        raise Invalid(N_("The list needs a column with the name (naam)."), field="file")
    by_label = {_norm(p): p for p in known}
    out: list[Row] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(table[1:], start=2):
        def cell(key: str, cells=cells) -> str:
            i = where.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        name = " ".join(cell("name").split())[:120]
        if not name:
            continue
        row = Row(line=number, name=name, organisation=cell("organisation")[:120],
                  function=cell("function")[:200])
        stated = by_label.get(_norm(cell("perspective"))) or map_function(
            cell("perspective"), known, synonyms)
        if stated:
            row.perspective, row.matched_by = stated, "column"
        else:
            row.perspective = map_function(row.function, known, synonyms)
            row.matched_by = "function" if row.perspective else ""
        key = (_norm(name), _norm(row.organisation))
        if key in seen:
            row.duplicate_of = seen[key]
        else:
            seen[key] = number
        out.append(row)
    return out


# -- stored registrations and personal links ------------------------------------------

#: the record kind of a registration inside its workshop
KIND = "registration"


def _person_key(row: Row) -> str:
    return f"person:{_norm(row.name)}:{_norm(row.organisation)}"


class RegistrationService:
    """Importing a list into a session and joining through a personal link."""

    def __init__(self, ops: Any, new_token: Any) -> None:
        self.ops = ops
        self.new_token = new_token

    def import_rows(self, role: Role, code: str, rows: list[Row]) -> dict[str, Any]:
        """Store a personal link for every matched row (one per person: importing the
        same list again changes nothing); answer what matched and what did not."""
        workshop = self.ops.workshop(code)
        require(role, Action.IMPORT_REGISTRATIONS, workshop.current_kind())
        stored, unmatched = [], []
        for row in rows:
            if row.duplicate_of is not None:
                continue
            if row.perspective is None or workshop.perspective(row.perspective) is None:
                unmatched.append(row.to_dict())
                continue
            # one record per person, its id from name and organisation: a second import
            # of the same list finds it; the personal link's secret is its unique key
            record_id = "reg-" + hashlib.sha256(_person_key(row).encode()).hexdigest()[:16]
            existing = self.ops.store.get(workshop.code, KIND, record_id)
            if existing is None:
                token = self.new_token()
                doc = {"id": record_id, "token": token, "name": row.name,
                       "organisation": row.organisation, "function": row.function,
                       "perspective": row.perspective, "participant": None}
                try:
                    existing, _, _ = self.ops.store.insert(workshop.code, KIND, doc,
                                                           unique=f"token:{token}")
                except ValueError:  # the store's DuplicateId: imported twice at one moment
                    existing = self.ops.store.get(workshop.code, KIND, record_id)
            stored.append(existing)
        return {"matched": len(stored), "unmatched": unmatched, "registrations": stored}

    def listed(self, role: Role, code: str) -> list[dict[str, Any]]:
        """Every registration of a session (organiser: names are theirs to see)."""
        workshop = self.ops.workshop(code)
        require(role, Action.IMPORT_REGISTRATIONS, workshop.current_kind())
        return self.ops.store.records(workshop.code, KIND)

    def join(self, code: str, token: Any, lang: str = "nl") -> tuple[Participant, list[Any]]:
        """The participant behind a personal link: made on first use, the same after."""
        workshop = self.ops.workshop(code)
        if not isinstance(token, str) or not 16 <= len(token) <= 200:
            raise NotFound(N_("This link or token is not valid (any more)."))
        doc = self.ops.store.find(workshop.code, KIND, f"token:{token}")
        if doc is None:
            raise NotFound(N_("This link or token is not valid (any more)."))
        if doc.get("participant"):
            known = self.ops.store.get(workshop.code, "participant", doc["participant"])
            if known is not None:
                return Participant.from_dict(known), []
        participant, events = self.ops.join(workshop.code, doc["perspective"], doc["name"],
                                            lang)

        def claim(current: dict[str, Any]):
            if current.get("participant"):
                return None  # someone else used the link at the same moment: theirs stands
            return {**current, "participant": participant.id}, []

        claimed, _ = self.ops.store.update(workshop.code, KIND, doc["id"], claim)
        if claimed and claimed.get("participant") != participant.id:
            winner = self.ops.store.get(workshop.code, "participant", claimed["participant"])
            if winner is not None:
                return Participant.from_dict(winner), events
        return participant, events
