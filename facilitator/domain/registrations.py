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
from .operations import new_id as new_participant_id
from .rules import Action, Role, require

#: at most this many people in one list (a congress, not a census): empty rows between
#: them do not count, but a sheet is read no further than ``MAX_SCANNED_ROWS``
MAX_ROWS = 2000
MAX_SCANNED_ROWS = 5 * MAX_ROWS
MAX_BYTES = 5 * 1024 * 1024
#: columns of one list (an event system's export with its own questions fits)
MAX_COLUMNS = 100
#: characters in one cell (a remark column, not a document)
MAX_CELL = 10_000
#: what an Excel workbook may unpack to, as its zip directory says before anything is
#: unpacked (zipfile never reads an entry past its stated size): a few MB for the bound
#: on rows; a small file that unpacks to hundreds of MB is refused unopened
MAX_UNPACKED = 20 * 1024 * 1024
#: entries in the workbook's zip (a workbook has about ten)
MAX_ENTRIES = 200
#: how much one entry of some size may unpack to per byte stored (sheet XML: 5-20)
MAX_RATIO = 100
RATIO_FROM = 1024 * 1024

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


class Matcher:
    """A synonym table made once for a whole list: the phrase of each perspective of the
    session, so that a row costs a look-up per run of its words (at most
    ``MAX_PHRASE_WORDS`` long), not a scan of the table."""

    def __init__(self, perspectives: Iterable[str],
                 synonyms: Mapping[str, Iterable[str]] | None = None,
                 keep_defaults: bool = True) -> None:
        allowed = set(perspectives)
        table: dict[str, str] = {}
        for pid, phrases in (SYNONYMS.items() if keep_defaults else ()):
            for phrase in phrases:
                table[_norm(phrase)] = pid
        for pid, phrases in (synonyms or {}).items():
            for phrase in phrases:
                table[_norm(phrase)] = pid
        # the table's order decides between phrases of one length: the first wins
        self.phrases = {phrase: (pid, order) for order, (phrase, pid) in enumerate(table.items())
                        if phrase and pid in allowed}
        self.longest = max((p.count(" ") + 1 for p in self.phrases), default=0)

    def __call__(self, function: str) -> str | None:
        words = _norm(function).split()
        best: tuple[int, int, str] | None = None  # (-length, order, perspective)
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + self.longest) + 1):
                phrase = " ".join(words[start:end])
                found = self.phrases.get(phrase)
                if found is not None:
                    candidate = (-len(phrase), found[1], found[0])
                    if best is None or candidate < best:
                        best = candidate
        return best[2] if best else None


def map_function(function: str, perspectives: Iterable[str],
                 synonyms: Mapping[str, Iterable[str]] | None = None,
                 keep_defaults: bool = True) -> str | None:
    """The perspective a free-text function belongs to, or None when nothing fits.

    The longest synonym found as whole words wins; only perspectives of the
    session count. ``synonyms`` extends (and for the same phrase overrides) the
    default table; with ``keep_defaults=False`` it replaces it (a session's own
    table, where the organiser may have struck a default phrase).
    """
    return Matcher(perspectives, synonyms, keep_defaults)(function)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(N_("The file could not be read as text."), field="file")


def _too_long(line: int) -> Invalid:
    return Invalid(N_("Line %(line)s has a cell of more than %(max)s characters."),
                   field="file", line=line, max=MAX_CELL)


def _bounded(rows: Iterable[list[str]]) -> list[list[str]]:
    """The rows as read, up to the bounds on people, columns and cells; past a bound a
    clear error at the file field (the reading stops there)."""
    out: list[list[str]] = []
    people = 0
    for line, cells in enumerate(rows, start=1):
        if len(cells) > MAX_COLUMNS and any(c for c in cells[MAX_COLUMNS:]):
            raise Invalid(N_("The list has more than %(max)s columns."), field="file",
                          max=MAX_COLUMNS)
        cells = cells[:MAX_COLUMNS]
        if any(len(c) > MAX_CELL for c in cells):
            raise _too_long(line)
        if any(c.strip() for c in cells):
            people += 1
        if people > MAX_ROWS + 1 or line > MAX_SCANNED_ROWS:  # the header and the people
            raise Invalid(N_("The list has more than %(max)s rows."), field="file",
                          max=MAX_ROWS)
        out.append(cells)
    return out


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    if "\t" in sample and sample.count("\t") > sample.count(delimiter):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _bounded(reader)
    except csv.Error as exc:  # a field past the reader's own limit (131,072 characters)
        if "field larger than field limit" in str(exc):
            raise _too_long(reader.line_num) from None
        raise Invalid(N_("The file could not be read as a CSV list."), field="file") from None


def check_workbook(data: bytes) -> None:
    """Refuse a workbook whose zip directory says it unpacks too far (in total, or one
    entry far beyond what sheets compress to), or holds too many entries: from the
    directory alone, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Invalid(N_("The file could not be read as an Excel workbook."),
                      field="file") from exc
    too_large = Invalid(N_("The workbook unpacks to more than %(max)s MB: save only the list "
                           "of people in a new workbook."), field="file",
                        max=MAX_UNPACKED // (1024 * 1024))
    if len(entries) > MAX_ENTRIES:
        raise too_large
    if sum(e.file_size for e in entries) > MAX_UNPACKED:
        raise too_large
    for entry in entries:
        if entry.file_size > RATIO_FROM and \
                entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise too_large


def _xlsx_rows(data: bytes) -> list[list[str]]:
    check_workbook(data)
    import openpyxl  # optional: only organisers who upload Excel need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise Invalid(N_("The file could not be read as an Excel workbook."),
                      field="file") from exc
    try:
        if not book.worksheets:
            raise Invalid(N_("The workbook has no sheet with the list."), field="file")
        # a row is never padded out to the last column a sheet claims, and the sheet is
        # read no further than the bound (its dimension may claim a million rows)
        values = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1,
                                              max_row=MAX_SCANNED_ROWS)
        try:
            return _bounded(["" if v is None else str(v) for v in row] for row in values)
        except Invalid:
            raise
        except Exception as exc:  # noqa: BLE001  # a sheet openpyxl cannot read to the end
            raise Invalid(N_("The file could not be read as an Excel workbook."),
                          field="file") from exc
    finally:
        book.close()


def read_table(data: bytes) -> list[list[str]]:
    """The rows of an uploaded CSV or XLSX file, the header first."""
    if len(data) > MAX_BYTES:
        raise Invalid(N_("The file is too large."), field="file")
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        return _xlsx_rows(data)
    return _csv_rows(data)


def read_rows(data: bytes, perspectives: Iterable[str],
              synonyms: Mapping[str, Iterable[str]] | None = None,
              keep_defaults: bool = True) -> list[Row]:
    """An uploaded file's registrations (``read_table`` and ``parse``): seconds of work
    for a long workbook, no store, so the web layer runs it off the event loop."""
    return parse(read_table(data), perspectives, synonyms, keep_defaults)


def parse(rows: list[list[str]] | list[dict[str, Any]], perspectives: Iterable[str],
          synonyms: Mapping[str, Iterable[str]] | None = None,
          keep_defaults: bool = True) -> list[Row]:
    """Read registration rows (a table with a header row, or JSON objects) into ``Row``s.

    A *perspectief* column wins when it names a perspective of the session (by
    id or label); otherwise the function is mapped. Rows without a name are
    skipped; a second row for the same person (name and organisation) is marked
    ``duplicate_of`` the first.
    """
    known = list(perspectives)
    if rows and isinstance(rows[0], dict):
        if len(rows) > MAX_ROWS:  # before the table is made: each row's every key
            raise Invalid(N_("The list has more than %(max)s rows."), field="file",
                          max=MAX_ROWS)
        keys = list(dict.fromkeys(k for r in rows for k in r))  # every key of every row
        if len(keys) > MAX_COLUMNS:
            raise Invalid(N_("The list has more than %(max)s columns."), field="file",
                          max=MAX_COLUMNS)
        table = [keys] + [[str(r.get(k) or "") for k in keys]
                          for r in rows]  # type: ignore[union-attr]
    else:
        table = [list(r) for r in rows]  # type: ignore[arg-type]
    if not table:
        raise Invalid(N_("The list is empty."), field="file")
    if len(table[0]) > MAX_COLUMNS:
        raise Invalid(N_("The list has more than %(max)s columns."), field="file",
                      max=MAX_COLUMNS)
    if sum(1 for r in table if any(str(c).strip() for c in r)) > MAX_ROWS + 1:
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
    matcher = Matcher(known, synonyms, keep_defaults)
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
        stated = by_label.get(_norm(cell("perspective"))) or matcher(cell("perspective"))
        if stated:
            row.perspective, row.matched_by = stated, "column"
        else:
            row.perspective = matcher(row.function)
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
#: rows of an imported list no perspective fitted yet, kept to be fixed by hand (names
#: are personal data: inside the workshop, so retention and delete take them along)
PENDING_KIND = "registration_pending"
#: the session's own synonym table (one record), used by the next import and a re-match
SYNONYMS_KIND = "registration_synonyms"
SYNONYMS_ID = "table"
#: bounds of a session's synonym table (phrases per perspective, characters per phrase)
MAX_PHRASES = 80
MAX_PHRASE_LENGTH = 80


def _person_key(row: Row) -> str:
    return f"person:{_norm(row.name)}:{_norm(row.organisation)}"


def _person_hash(row: Row) -> str:
    return hashlib.sha256(_person_key(row).encode()).hexdigest()[:16]


def default_synonyms(perspectives: Iterable[str]) -> dict[str, list[str]]:
    """The built-in synonym table for the given perspectives (empty for one it lacks)."""
    return {pid: list(SYNONYMS.get(pid, ())) for pid in perspectives}


def phrases_from_text(text: Any, field: str) -> list[str]:
    """The phrases of a form field: separated by commas or new lines, trimmed, each once."""
    if not isinstance(text, str):
        raise Invalid(N_("This field must be text."), field=field)
    phrases = list(dict.fromkeys(
        " ".join(p.split()) for p in re.split(r"[,;\n]", text) if p.strip()))
    return _bounded_phrases(phrases, field)


def _bounded_phrases(phrases: list[str], field: str) -> list[str]:
    if len(phrases) > MAX_PHRASES:
        raise Invalid(N_("At most %(max)s words per perspective."), field=field,
                      max=MAX_PHRASES)
    for phrase in phrases:
        if len(phrase) > MAX_PHRASE_LENGTH or not _norm(phrase):
            raise Invalid(N_("Each word or phrase has at most %(max)s characters, letters "
                             "or digits."), field=field, max=MAX_PHRASE_LENGTH)
    return phrases


def synonyms_from_json(table: Any, perspectives: Iterable[str]) -> dict[str, list[str]]:
    """A synonym table sent with a list (``{perspective id: [phrases]}``), held to the
    bounds of the organiser's own table: only perspectives of the session, at most
    ``MAX_PHRASES`` phrases of ``MAX_PHRASE_LENGTH`` characters each."""
    if not isinstance(table, dict):
        raise Invalid(N_("This field must be an object."), field="synonyms")
    known = set(perspectives)
    out: dict[str, list[str]] = {}
    for pid, phrases in table.items():
        field = f"synonyms.{str(pid)[:40]}"
        if pid not in known:
            raise Invalid(N_("Choose one of the perspectives of this session."), field=field)
        if not isinstance(phrases, list) or len(phrases) > MAX_PHRASES:
            raise Invalid(N_("At most %(max)s words per perspective."), field=field,
                          max=MAX_PHRASES)
        if not all(isinstance(p, str) and len(p) <= MAX_PHRASE_LENGTH for p in phrases):
            raise Invalid(N_("Each word or phrase has at most %(max)s characters, letters "
                             "or digits."), field=field, max=MAX_PHRASE_LENGTH)
        out[pid] = _bounded_phrases(
            list(dict.fromkeys(" ".join(p.split()) for p in phrases if p.strip())), field)
    return out


class RegistrationService:
    """Importing a list into a session, fixing what did not match, and joining through
    a personal link."""

    def __init__(self, ops: Any, new_token: Any) -> None:
        self.ops = ops
        self.new_token = new_token

    def _workshop(self, role: Role, code: str) -> Any:
        workshop = self.ops.workshop(code)
        require(role, Action.IMPORT_REGISTRATIONS, workshop.current_kind())
        return workshop

    def _register(self, workshop: Any, row: Row) -> dict[str, Any]:
        """The registration of ``row``'s person (made once: a second import finds it)."""
        # one record per person, its id from name and organisation: a second import
        # of the same list finds it; the personal link's secret is its unique key
        record_id = "reg-" + _person_hash(row)
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
        self._resolve(workshop.code, "pending-" + _person_hash(row))
        return existing

    def _resolve(self, code: str, pending_id: str) -> None:
        """A pending row is done: keep only that (its name goes with it)."""
        if self.ops.store.get(code, PENDING_KIND, pending_id) is not None:
            self.ops.store.put(code, PENDING_KIND, {"id": pending_id, "resolved": True})

    def import_rows(self, role: Role, code: str, rows: list[Row]) -> dict[str, Any]:
        """Store a personal link for every matched row (one per person: importing the
        same list again changes nothing) and keep the rows that did not match, to be
        fixed by hand; answer what matched and what did not."""
        workshop = self._workshop(role, code)
        stored, unmatched = [], []
        for row in rows:
            if row.duplicate_of is not None:
                continue
            if row.perspective is None or workshop.perspective(row.perspective) is None:
                unmatched.append(row.to_dict())
                if self.ops.store.get(workshop.code, KIND, "reg-" + _person_hash(row)) is None:
                    self.ops.store.put(workshop.code, PENDING_KIND, {
                        "id": "pending-" + _person_hash(row), "line": row.line,
                        "name": row.name, "organisation": row.organisation,
                        "function": row.function, "resolved": False})
                continue
            stored.append(self._register(workshop, row))
        return {"matched": len(stored), "unmatched": unmatched, "registrations": stored}

    def import_table(self, role: Role, code: str, table: list[list[str]]) -> dict[str, Any]:
        """Import an uploaded list (``read_table``) with the session's synonym table."""
        workshop = self._workshop(role, code)
        ids = [p.id for p in workshop.perspectives]
        rows = parse(table, ids, self.synonyms(role, workshop.code), keep_defaults=False)
        return self.import_rows(role, workshop.code, rows)

    def listed(self, role: Role, code: str) -> list[dict[str, Any]]:
        """Every registration of a session (organiser: names are theirs to see)."""
        workshop = self._workshop(role, code)
        return self.ops.store.records(workshop.code, KIND)

    def pending(self, role: Role, code: str) -> list[dict[str, Any]]:
        """The imported rows no perspective fitted yet, in the order they came."""
        workshop = self._workshop(role, code)
        return [r for r in self.ops.store.records(workshop.code, PENDING_KIND)
                if not r.get("resolved")]

    def assign(self, role: Role, code: str, pending_id: Any,
               perspective: Any) -> dict[str, Any]:
        """Fix a pending row by hand: it becomes a registration with ``perspective``."""
        workshop = self._workshop(role, code)
        field = f"perspective-{pending_id}"
        doc = self.ops.store.get(workshop.code, PENDING_KIND, pending_id) \
            if isinstance(pending_id, str) and len(pending_id) <= 40 else None
        if doc is None or doc.get("resolved"):
            raise NotFound(N_("This row is no longer waiting for a perspective."),
                           field=field)
        if not isinstance(perspective, str) or workshop.perspective(perspective) is None:
            raise Invalid(N_("Choose one of the perspectives of this session."), field=field)
        row = Row(line=doc.get("line", 0), name=doc["name"],
                  organisation=doc.get("organisation", ""), function=doc.get("function", ""),
                  perspective=perspective, matched_by="hand")
        return self._register(workshop, row)

    def rematch(self, role: Role, code: str) -> int:
        """Try the session's synonym table again on every pending row; how many now fit."""
        workshop = self._workshop(role, code)
        ids = [p.id for p in workshop.perspectives]
        matcher = Matcher(ids, self.synonyms(role, workshop.code), keep_defaults=False)
        matched = 0
        for doc in self.pending(role, workshop.code):
            perspective = matcher(doc.get("function", ""))
            if perspective is not None:
                self._register(workshop, Row(
                    line=doc.get("line", 0), name=doc["name"],
                    organisation=doc.get("organisation", ""),
                    function=doc.get("function", ""), perspective=perspective,
                    matched_by="function"))
                matched += 1
        return matched

    def synonyms(self, role: Role, code: str) -> dict[str, list[str]]:
        """The session's synonym table, one entry per perspective of the session: the
        organiser's own when saved, the built-in table otherwise."""
        workshop = self._workshop(role, code)
        ids = [p.id for p in workshop.perspectives]
        table = default_synonyms(ids)
        doc = self.ops.store.get(workshop.code, SYNONYMS_KIND, SYNONYMS_ID)
        if doc is not None:
            saved = doc.get("table") or {}
            table.update({pid: list(saved[pid]) for pid in ids if pid in saved})
        return table

    def save_synonyms(self, role: Role, code: str,
                      texts: Mapping[str, Any]) -> dict[str, list[str]]:
        """Save the session's synonym table from the form: perspective id -> its words,
        separated by commas (every perspective given replaces its whole entry)."""
        workshop = self._workshop(role, code)
        ids = [p.id for p in workshop.perspectives]
        table = self.synonyms(role, workshop.code)
        errors: list[Invalid] = []
        for pid, text in texts.items():
            if pid not in ids:
                raise Invalid(N_("Choose one of the perspectives of this session."),
                              field=f"synonyms-{pid}")
            try:
                table[pid] = phrases_from_text(text, f"synonyms-{pid}")
            except Invalid as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
        self.ops.store.put(workshop.code, SYNONYMS_KIND, {"id": SYNONYMS_ID, "table": table})
        return table

    def join(self, code: str, token: Any, lang: str = "nl",
             holder: str | None = None) -> tuple[Participant, list[Any]]:
        """The participant behind a personal link, for the browser that opens it.

        A card's link joins once: the first browser to open it claims the card and gets
        its participant (made on first use, with the name); ``holder`` is the participant
        the opening browser already is in this session (its cookie), so that browser
        comes back to itself. Any other browser gets a participant of its own with the
        card's perspective and no name (or stays who it is), and never the card's person:
        a QR code photographed off a table is not a login as that person. A released
        card (``release``) is claimed again by the next browser, as the same participant.
        """
        workshop = self.ops.workshop(code)
        if not isinstance(token, str) or not 16 <= len(token) <= 200:
            raise NotFound(N_("This link or token is not valid (any more)."))
        doc = self.ops.store.find(workshop.code, KIND, f"token:{token}")
        if doc is None:
            raise NotFound(N_("This link or token is not valid (any more)."))
        held = self.ops.store.get(workshop.code, "participant", holder) if holder else None
        if held is not None and (doc.get("participant") == holder or claimed(doc)):
            return Participant.from_dict(held), []  # this browser's card, or its own seat
        # the participant id is fixed before the claim, so that the atomic claim decides
        # who gets the name: the loser of two browsers at one moment never holds it
        reserved = doc.get("participant") or new_participant_id()
        won = False

        def claim(current: dict[str, Any]):
            nonlocal won, reserved
            if claimed(current):
                return None
            reserved = current.get("participant") or reserved
            won = True
            return {**current, "participant": reserved, "claimed": True,
                    "claimed_at": self.ops.clock()}, []

        self.ops.store.update(workshop.code, KIND, doc["id"], claim)
        if not won:
            if held is not None:
                return Participant.from_dict(held), []
            return self.ops.join(workshop.code, doc["perspective"], None, lang)
        known = self.ops.store.get(workshop.code, "participant", reserved)
        if known is not None:  # a released card, claimed by a new phone
            return Participant.from_dict(known), []
        try:
            return self.ops.join(workshop.code, doc["perspective"], doc["name"], lang,
                                 participant_id=reserved)
        except Exception:
            self._unclaim(workshop.code, doc["id"], reserved)
            raise

    def _unclaim(self, code: str, registration_id: str, participant_id: str) -> None:
        """Undo a claim whose join failed (the step allows no joining, say): the card is
        free again and names no participant that was never made."""
        def undo(current: dict[str, Any]):
            if current.get("participant") != participant_id:
                return None
            return {**current, "participant": None, "claimed": False, "claimed_at": None}, []

        if self.ops.store.get(code, "participant", participant_id) is None:
            self.ops.store.update(code, KIND, registration_id, undo)

    def release(self, role: Role, code: str, registration_id: Any) -> dict[str, Any]:
        """Let a card be claimed again (organiser), e.g. when its person changes phone: the
        next browser that opens its link becomes the same participant. The old browser
        keeps its own cookie until it expires (the person has that phone)."""
        workshop = self._workshop(role, code)
        doc = self.ops.store.get(workshop.code, KIND, registration_id) \
            if isinstance(registration_id, str) and len(registration_id) <= 40 else None
        if doc is None:
            raise NotFound(N_("This registration does not exist."), field="registration")

        def free(current: dict[str, Any]):
            if not claimed(current):
                return None
            return {**current, "claimed": False, "claimed_at": None}, []

        released, _ = self.ops.store.update(workshop.code, KIND, doc["id"], free)
        return released or doc


def claimed(registration: Mapping[str, Any]) -> bool:
    """Whether a card's link is bound to a browser. A registration stored before cards
    were bound counts as claimed once it names a participant (a browser has it); one
    restored from a backup is not (every participant's secret is new there, so no browser
    holds it: the person's first browser claims it again)."""
    return bool(registration.get("claimed", bool(registration.get("participant"))))
