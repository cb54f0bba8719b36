"""Turn an organiser's description of a session (API JSON, a JSON or YAML file,
the organiser form) into a validated ``Workshop``.

Missing parts fall back to the default DVG programme and perspectives.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

import yaml

from . import programme
from .errors import N_, Invalid
from .model import CircleDef, Finding, Perspective, Step, StepKind, Workshop
from .validation import clean_choice, clean_text, reject_unknown

SPEC_FIELDS = {"title", "date", "place", "facilitator", "programme", "perspectives", "circles",
               "findings", "max_reflection_length", "circle_size"}
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
