"""Turn an organiser's description of a session (API JSON, a JSON or YAML file,
the organiser form) into a validated ``Workshop``.

Missing parts fall back to the default DVG programme and perspectives.
"""

from __future__ import annotations

import copy
import datetime
import re
import unicodedata
from typing import Any

import yaml

from . import programme
from .errors import N_, Invalid
from .export import style
from .model import CircleDef, Finding, Perspective, Step, StepKind, Workshop
from .validation import clean_choice, clean_text, digits, reject_unknown

SPEC_FIELDS = {"title", "date", "place", "facilitator", "programme", "perspectives", "circles",
               "findings", "max_reflection_length", "circle_size", "report_colour",
               "report_logo"}
STEP_FIELDS = {"id", "title", "kind", "start", "end", "planned_start", "planned_end",
               "description", "title_en", "description_en"}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ITEMS = 60


def _real_date(text: str) -> bool:
    """``YYYY-MM-DD`` naming a day of the calendar (not 2026-13-45 or 2026-02-30)."""
    if not _DATE.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


#: Bounds for a spec given as text (the organiser form, a file): a spec is a page of
#: programme, not a data set, and these keep a hostile one from taking the server down.
MAX_SPEC_BYTES = 256 * 1024
MAX_SPEC_TOKENS = 50_000
MAX_SPEC_DEPTH = 20


def parse_text(text: str) -> dict[str, Any]:
    """Read a spec written as YAML or JSON, refusing what could blow up when loaded.

    YAML anchors and aliases are refused outright: a few hundred bytes of nested
    aliases expand to gigabytes when the values are converted (the "billion
    laughs"). The text is scanned first, token by token (linear in its size), for
    aliases, its depth and its number of tokens; only then is it loaded.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SPEC_BYTES:
        raise Invalid(N_("The description is too long (at most %(max)s kB)."), field="spec",
                      max=MAX_SPEC_BYTES // 1024)
    if not text.strip():
        return {}
    depth = tokens = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            tokens += 1
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                raise Invalid(N_("YAML anchors and aliases (& and *) are not allowed here."),
                              field="spec")
            if isinstance(token, yaml.BlockMappingStartToken | yaml.BlockSequenceStartToken
                          | yaml.FlowMappingStartToken | yaml.FlowSequenceStartToken):
                depth += 1
            elif isinstance(token, yaml.BlockEndToken | yaml.FlowMappingEndToken
                            | yaml.FlowSequenceEndToken):
                depth -= 1
            if depth > MAX_SPEC_DEPTH or tokens > MAX_SPEC_TOKENS:
                raise Invalid(N_("The description is too large or too deeply nested."),
                              field="spec")
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(N_("This is not valid YAML or JSON: %(reason)s"), field="spec",
                      reason=str(exc).splitlines()[0][:120]) from None
    if not isinstance(data, dict):
        raise Invalid(N_("The request must be a JSON object."), field="spec")
    return data


def slug(text: str, taken: set[str]) -> str:
    """A readable unique id from a label: 'OR- of GO-lid' -> 'or-of-go-lid'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40] or "x"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _wanted_id(item: dict[str, Any], field: str) -> str | None:
    """An id the organiser chose, which must be text when given (else one is made)."""
    wanted = item.get("id")
    if wanted is not None and not isinstance(wanted, str):
        raise Invalid(N_("This is not a valid identifier."), field=f"{field}.id")
    return wanted


def _list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(N_("This field must be a list."), field=field)
    if len(value) > MAX_ITEMS:
        raise Invalid(N_("Too many items (at most %(max)s)."), field=field, max=MAX_ITEMS)
    return value


def _time(value: Any, field: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not _TIME.match(value):
        raise Invalid(N_("Use a time like 13:30."), field=field)
    return value


def parse_steps(items: Any) -> list[Step]:
    """Validate a programme: a list of steps with title, kind and optional times."""
    steps, taken = [], set()
    for i, item in enumerate(_list(items, "programme")):
        item = reject_unknown(item, STEP_FIELDS)
        field = f"programme[{i}]"
        title = clean_text(item.get("title"), field=f"{field}.title", max_length=200)
        kind = clean_choice(item.get("kind"), {k.value for k in StepKind}, field=f"{field}.kind")
        wanted = _wanted_id(item, field)
        step_id = wanted if isinstance(wanted, str) and wanted and wanted not in taken \
            and re.match(r"^[a-z0-9-]{1,40}$", wanted) else None
        if step_id:
            taken.add(step_id)
        else:
            step_id = slug(title, taken)
        steps.append(Step(
            id=step_id, title=title, kind=kind,
            planned_start=_time(item.get("start", item.get("planned_start")), f"{field}.start"),
            planned_end=_time(item.get("end", item.get("planned_end")), f"{field}.end"),
            description=clean_text(item.get("description"), field=f"{field}.description",
                                   max_length=2000, required=False),
            title_en=clean_text(item.get("title_en"), field=f"{field}.title_en", max_length=200,
                                required=False),
            description_en=clean_text(item.get("description_en"),
                                      field=f"{field}.description_en", max_length=2000,
                                      required=False),
        ))
    if not steps:
        raise Invalid(N_("A programme needs at least one step."), field="programme")
    return steps


def parse_perspectives(items: Any) -> list[Perspective]:
    """Validate perspectives: strings or objects {id?, label, label_en?}."""
    out, taken = [], set()
    for i, item in enumerate(_list(items, "perspectives")):
        if isinstance(item, str):
            item = {"label": item}
        item = reject_unknown(item, {"id", "label", "label_en"})
        label = clean_text(item.get("label"), field=f"perspectives[{i}].label", max_length=80)
        wanted = _wanted_id(item, f"perspectives[{i}]")
        if isinstance(wanted, str) and re.match(r"^[a-z0-9-]{1,40}$", wanted) \
                and wanted not in taken:
            taken.add(wanted)
            pid = wanted
        else:
            pid = slug(label, taken)
        out.append(Perspective(id=pid, label=label, label_en=clean_text(
            item.get("label_en"), field=f"perspectives[{i}].label_en", max_length=80,
            required=False)))
    if not out:
        raise Invalid(N_("A session needs at least one perspective."), field="perspectives")
    return out


def parse_circles(items: Any, perspectives: list[Perspective], size: int) -> list[CircleDef]:
    """Validate circle groupings; perspectives not grouped get a circle of their own."""
    known = {p.id for p in perspectives}
    grouped: set[str] = set()
    taken: set[str] = set()
    circles = []
    for i, item in enumerate(_list(items, "circles")):
        item = reject_unknown(item, {"id", "name", "name_en", "perspectives", "max_size"})
        field = f"circles[{i}]"
        name = clean_text(item.get("name"), field=f"{field}.name", max_length=80)
        _wanted_id(item, field)
        members = _list(item.get("perspectives", []), f"{field}.perspectives")
        for pid in members:
            if not isinstance(pid, str) or pid not in known:
                raise Invalid(N_("Unknown perspective: %(perspective)s."),
                              field=f"{field}.perspectives", perspective=str(pid)[:40])
            if pid in grouped:
                raise Invalid(N_("A perspective can be in only one circle."),
                              field=f"{field}.perspectives")
            grouped.add(pid)
        max_size = _size(item.get("max_size", size), f"{field}.max_size")
        circles.append(CircleDef(id=slug(str(item.get("id") or name), taken), name=name,
                                 name_en=clean_text(item.get("name_en"), field=f"{field}.name_en",
                                                    max_length=80, required=False),
                                 perspectives=list(members), max_size=max_size))
    for p in perspectives:
        if p.id not in grouped:
            circles.append(CircleDef(id=slug(p.id, taken), name=p.label, name_en=p.label_en,
                                     perspectives=[p.id], max_size=size))
    return circles


def _size(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 100:
        raise Invalid(N_("Use a whole number from %(min)s to %(max)s."), field=field, min=2,
                      max=100)
    return value


def parse_findings(items: Any) -> list[Finding]:
    """Validate findings: a list of {title, text}."""
    out, taken = [], set()
    for i, item in enumerate(_list(items, "findings")):
        item = reject_unknown(item, {"id", "title", "text"})
        _wanted_id(item, f"findings[{i}]")
        title = clean_text(item.get("title"), field=f"findings[{i}].title", max_length=200)
        text = clean_text(item.get("text"), field=f"findings[{i}].text", max_length=5000,
                          required=False)
        out.append(Finding(id=slug(str(item.get("id") or f"f{i + 1}"), taken), title=title,
                           text=text))
    return out


def apply_spec(workshop: Workshop, spec: Any, *, partial: bool) -> Workshop:
    """Validate ``spec`` and write it into ``workshop``; with ``partial`` absent fields stay."""
    spec = reject_unknown(spec, SPEC_FIELDS)
    if "title" in spec or not partial:
        workshop.title = clean_text(spec.get("title"), field="title", max_length=200)
    if "date" in spec:
        date = spec.get("date")
        date = str(date) if date is not None and not isinstance(date, str) else date
        if date and not _real_date(date):
            raise Invalid(N_("Use a date like 2026-03-14."), field="date")
        workshop.date = date or ""
    if "place" in spec:
        workshop.place = clean_text(spec.get("place"), field="place", max_length=200,
                                    required=False)
    if "facilitator" in spec:
        workshop.facilitator_name = clean_text(spec.get("facilitator"), field="facilitator",
                                               max_length=200, required=False)
    if "max_reflection_length" in spec:
        value = spec["max_reflection_length"]
        if isinstance(value, bool) or not isinstance(value, int) or not 20 <= value <= 10000:
            raise Invalid(N_("Use a whole number from %(min)s to %(max)s."),
                          field="max_reflection_length", min=20, max=10000)
        workshop.max_reflection_length = value
    if "report_colour" in spec:  # the report's house style (export.style)
        workshop.report_colour = style.clean_colour(spec["report_colour"])
    if "report_logo" in spec:
        workshop.report_logo = style.clean_logo(spec["report_logo"])
    size = _size(spec.get("circle_size", 8), "circle_size")
    if "programme" in spec:
        old = {s.id: s for s in workshop.steps}
        workshop.steps = parse_steps(spec["programme"])
        for step in workshop.steps:  # keep what already happened in kept steps
            if step.id in old:
                step.actual_start, step.actual_end = old[step.id].actual_start, \
                    old[step.id].actual_end
        if workshop.step(workshop.state.current_step) is None:
            workshop.state.current_step = None
    elif not partial:
        workshop.steps = programme.default_steps()
    if "perspectives" in spec:
        workshop.perspectives = parse_perspectives(spec["perspectives"])
    elif not partial:
        workshop.perspectives = programme.default_perspectives()
    if "circles" in spec or "perspectives" in spec or "circle_size" in spec or not partial:
        workshop.circles = parse_circles(spec.get("circles", []), workshop.perspectives, size)
    if "findings" in spec:
        workshop.findings = parse_findings(spec["findings"])
    return workshop


# -- the organiser's forms -------------------------------------------------------------
# The organiser edits a session or a series template in forms whose field names are
# the spec's own paths ("programme[2].start"), so that an ``Invalid`` error's field
# names the form field it belongs to. These helpers turn the posted fields into a
# spec and back, move rows, and collect one error per row; ``apply_spec`` stays the
# authority on what is valid.

#: the form's lists and the fields of one row of each
FORM_ROWS: dict[str, tuple[str, ...]] = {
    "programme": ("id", "kind", "start", "end", "title", "title_en", "description",
                  "description_en"),
    "perspectives": ("id", "label", "label_en"),
    "circles": ("name", "name_en", "perspectives", "max_size"),
    "findings": ("id", "title", "text"),
}
#: the fields that make a row worth keeping on save (a row left empty is dropped)
_ROW_TEXT: dict[str, tuple[str, ...]] = {
    "programme": ("title", "title_en", "description", "description_en", "start", "end"),
    "perspectives": ("label", "label_en"),
    "circles": ("name", "name_en"),
    "findings": ("title", "text"),
}
_LISTS = "programme|perspectives|circles|findings"
_FORM_KEY = re.compile(rf"^({_LISTS})\[(\d{{1,6}})\]\.([a-z_]{{1,20}})$")
_ROW_OP = re.compile(rf"^(add|remove|up|down):({_LISTS})(?::(\d{{1,6}}))?$")


def editable_spec(workshop: Workshop) -> dict[str, Any]:
    """The part of a session the organiser edits: programme, perspectives, circles (the
    ones grouping more than one perspective) and findings, as a spec."""
    return {
        "programme": [{"id": s.id, "title": s.title, "kind": s.kind, "start": s.planned_start,
                       "end": s.planned_end, "description": s.description,
                       "title_en": s.title_en, "description_en": s.description_en}
                      for s in workshop.steps],
        "perspectives": [{"id": p.id, "label": p.label, "label_en": p.label_en}
                         for p in workshop.perspectives],
        "circles": [{"name": c.name, "name_en": c.name_en, "perspectives": list(c.perspectives),
                     "max_size": c.max_size}
                    for c in workshop.circles if len(c.perspectives) > 1],
        "findings": [{"id": f.id, "title": f.title, "text": f.text} for f in workshop.findings],
    }


def spec_from_form(pairs: Any) -> dict[str, list[dict[str, Any]]]:
    """The four lists of a spec from posted ``(name, value)`` pairs named by spec path.

    Other names (the session's title, the CSRF token, the button pressed) are left to
    the caller. Rows keep the order of their numbers; a row's ``perspectives`` collects
    every value (checkboxes); an empty ``id`` or ``max_size`` is left out (made or
    defaulted by ``apply_spec``); ``max_size`` becomes a number when it is one.
    """
    rows: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in FORM_ROWS}
    for key, value in pairs:
        match = _FORM_KEY.match(str(key))
        if not match:
            continue
        name, index, attr = match.group(1), int(match.group(2)), match.group(3)
        if attr not in FORM_ROWS[name]:
            raise Invalid(N_("Unknown field: %(fields)s."), field=name, fields=attr)
        if index >= MAX_ITEMS:
            raise Invalid(N_("Too many items (at most %(max)s)."), field=name, max=MAX_ITEMS)
        row = rows[name].setdefault(index, {"perspectives": []} if name == "circles" else {})
        value = str(value)
        if attr == "perspectives":
            if len(row["perspectives"]) >= MAX_ITEMS:
                raise Invalid(N_("Too many items (at most %(max)s)."),
                              field=f"{name}[{index}].perspectives", max=MAX_ITEMS)
            row["perspectives"].append(value)
        elif attr not in row:
            row[attr] = value
    spec: dict[str, list[dict[str, Any]]] = {}
    for name, numbered in rows.items():
        spec[name] = []
        for _index, row in sorted(numbered.items()):
            row = {k: v for k, v in row.items() if not (k in ("id", "max_size") and not v.strip())}
            if isinstance(row.get("max_size"), str) and digits(row["max_size"].strip()):
                row["max_size"] = int(row["max_size"].strip()[:6])
            spec[name].append(row)
    return spec


def _blank_row(name: str) -> dict[str, Any]:
    if name == "programme":
        return {"kind": StepKind.CIRCLE.value, "title": ""}
    if name == "circles":
        return {"name": "", "perspectives": []}
    return {}


def is_blank_row(name: str, row: dict[str, Any]) -> bool:
    """A row with none of its texts filled in (a step added and left empty)."""
    return not any(str(row.get(k) or "").strip() for k in _ROW_TEXT[name])


def without_blank_rows(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` without the rows left empty, which saving drops."""
    return {key: [r for r in value if not (isinstance(r, dict) and is_blank_row(key, r))]
            if key in FORM_ROWS and isinstance(value, list) else value
            for key, value in spec.items()}


def apply_row_op(spec: dict[str, Any], op: str) -> tuple[dict[str, Any], str]:
    """Add, remove or move a row of one of the form's lists (the buttons of a form that
    works without JavaScript). Returns the new spec and the list and row the change
    happened at (``"programme[3]"``, or ``"programme"`` when the list is now empty)."""
    match = _ROW_OP.match(op or "")
    if not match:
        raise Invalid(N_("This button is not known."), field="op")
    action, name, number = match.group(1), match.group(2), match.group(3)
    rows = list(spec.get(name) or [])
    if action == "add":
        if len(rows) >= MAX_ITEMS:
            raise Invalid(N_("Too many items (at most %(max)s)."), field=name, max=MAX_ITEMS)
        rows.append(_blank_row(name))
        at = len(rows) - 1
    else:
        if number is None or int(number) >= len(rows):
            raise Invalid(N_("This button is not known."), field="op")
        at = int(number)
        if action == "remove":
            del rows[at]
            at = min(at, len(rows) - 1)
        else:
            to = at - 1 if action == "up" else at + 1
            if 0 <= to < len(rows):
                rows[at], rows[to] = rows[to], rows[at]
                at = to
    return {**spec, name: rows}, (f"{name}[{at}]" if at >= 0 else name)


def _check_row(errors: dict[str, Invalid], name: str, index: int, check: Any,
               *args: Any) -> None:
    """Run ``check`` on one row as if it were the list's first; file its error under
    the row's own number."""
    try:
        check(*args)
    except Invalid as exc:
        field = str(exc.params.get("field", name))
        first = f"{name}[0]"
        if field.startswith(first):
            field = f"{name}[{index}]{field[len(first):]}"
        errors.setdefault(field, exc)


def form_errors(workshop: Workshop, spec: dict[str, Any]) -> dict[str, Invalid]:
    """Every row's first error, by field path, so a form can show them all at once;
    when the rows are fine, the first error of the whole spec (circles sharing a
    perspective, an empty programme). Empty when ``apply_spec`` would accept ``spec``
    (``workshop`` is not changed)."""
    errors: dict[str, Invalid] = {}
    lists = {name: spec.get(name) for name in FORM_ROWS}
    if all(isinstance(rows, list) and len(rows) <= MAX_ITEMS for rows in lists.values()):
        for i, row in enumerate(lists["programme"]):
            _check_row(errors, "programme", i, parse_steps, [row])
        for i, row in enumerate(lists["perspectives"]):
            _check_row(errors, "perspectives", i, parse_perspectives, [row])
        for i, row in enumerate(lists["findings"]):
            _check_row(errors, "findings", i, parse_findings, [row])
        if not errors:
            try:
                perspectives = parse_perspectives(lists["perspectives"])
            except Invalid:
                perspectives = None
            if perspectives is not None:
                for i, row in enumerate(lists["circles"]):
                    _check_row(errors, "circles", i, parse_circles, [row], perspectives, 8)
    if not errors:
        try:
            apply_spec(copy.deepcopy(workshop), spec, partial=True)
        except Invalid as exc:
            errors[str(exc.params.get("field", "spec"))] = exc
    return errors
