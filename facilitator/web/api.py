"""The JSON API (``/api``): bearer tokens, JSON in and out, errors as
``{"error": {"code", "message"}}`` with a 4xx status.

The actions a live page takes too (post, share, react, step, ...) are served
from the one registry in ``facilitator.actions``, as Socket.IO serves them;
the routes here are the ones only HTTP has (sessions, joining, catch-up,
downloads). Handlers only parse, authenticate, call, publish and answer."""

from __future__ import annotations

import functools
from typing import Any

import segno
from flask import Blueprint, Response, jsonify, render_template, request, url_for

from ..actions import ACTIONS, ActionDef, perform
from ..domain import registrations, views
from ..domain.errors import N_, Forbidden, Invalid
from ..domain.operations import Actor, new_token
from ..domain.registrations import RegistrationService
from ..domain.rules import Action, Role, require, require_any_step
from ..domain.series import SeriesService
from ..domain.validation import digits, reject_unknown
from ..live import publish
from .auth import (
    bearer_actor,
    bearer_token,
    client_address,
    find_workshop,
    limit,
    ops,
    organiser_from_request,
    organiser_logged_in,
    settings,
)
from .exports import export_response
from .i18n import gettext, select_locale
from .links import base_url, links_for

bp = Blueprint("api", __name__, url_prefix="/api")


def body(*fields: str) -> dict[str, Any]:
    """The JSON object of the request, refusing other types and unknown fields."""
    if request.content_length and not request.is_json:
        raise Invalid(N_("The request must be a JSON object."))
    payload = request.get_json(silent=True) if request.data else {}
    if payload is None:
        raise Invalid(N_("The request must be a JSON object."))
    return reject_unknown(payload, set(fields))


def organiser_role() -> Role:
    """The organiser behind the request; outside a session there is no other role."""
    if not organiser_from_request():
        raise Forbidden(N_("Only organisers can do this."))
    return Role.ORGANISER


@bp.post("/sessions")
def create_session():
    """Create a session (organiser) from a spec; answers the secret links."""
    require_any_step(organiser_role(), Action.CREATE_SESSION)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Invalid(N_("The request must be a JSON object."))
    workshop = ops().create_workshop(payload)
    return jsonify({"code": workshop.code, "facilitator_token": workshop.facilitator_token,
                    "screen_token": workshop.screen_token, **links_for(workshop)}), 201


@bp.get("/sessions")
def list_sessions():
    """All sessions (organiser)."""
    require_any_step(organiser_role(), Action.LIST_SESSIONS)
    return jsonify([{"code": w.code, "title": w.title, "date": w.date, "place": w.place,
                     "created_at": w.created_at, "started_at": w.started_at,
                     "ended_at": w.ended_at} for w in ops().list_workshops()])


# -- series of sessions (organiser) -------------------------------------------------

def series_service() -> SeriesService:
    return SeriesService(ops())


def _series_view(series, sessions) -> dict[str, Any]:
    return {"id": series.id, "title": series.title, "created_at": series.created_at,
            "template": series.template,
            "sessions": [{"code": w.code, "title": w.title, "date": w.date, "place": w.place,
                          "municipality": w.municipality, "started_at": w.started_at,
                          "ended_at": w.ended_at} for w in sessions]}


@bp.post("/series")
def create_series():
    """A series of sessions with the template they start from: ``{title, template?}``."""
    data = body("title", "template")
    series = series_service().create(organiser_role(), data.get("title"), data.get("template"))
    return jsonify(_series_view(series, [])), 201


@bp.get("/series")
def list_series():
    """Every series (organiser)."""
    service = series_service()
    return jsonify([_series_view(x, service.sessions(x)) for x in service.all(organiser_role())])


@bp.get("/series/<series_id>")
def get_series(series_id: str):
    """One series with its sessions (organiser)."""
    service = series_service()
    series = service.get(organiser_role(), series_id)
    return jsonify(_series_view(series, service.sessions(series)))


@bp.post("/series/<series_id>/sessions")
def add_series_session(series_id: str):
    """A session of the series from its template: ``{date?, place?, municipality?, title?}``."""
    data = body("date", "place", "municipality", "title")
    workshop = series_service().add_session(organiser_role(), series_id, data.get("date"),
                                            data.get("place"), data.get("municipality"),
                                            data.get("title"))
    return jsonify({"code": workshop.code, "facilitator_token": workshop.facilitator_token,
                    "screen_token": workshop.screen_token, "series": workshop.series,
                    "municipality": workshop.municipality, **links_for(workshop)}), 201


def _series_filters() -> dict[str, Any]:
    """``?sessions=A,B&since=&until=&municipality=`` of a synthesis or series export."""
    args = request.args
    return {"codes": [c for c in (args.get("sessions") or "").split(",") if c] or None,
            "since": args.get("since") or None, "until": args.get("until") or None,
            "municipality": args.get("municipality") or None}


@bp.get("/series/<series_id>/synthesis")
def series_synthesis(series_id: str):
    """Across the sessions of a series: ``?sessions=A,B&since=&until=&municipality=&lang=``."""
    lang = "en" if request.args.get("lang") == "en" else "nl"
    return jsonify(series_service().synthesis(
        organiser_role(), series_id, **_series_filters(), min_group=settings()["MIN_GROUP"],
        lang=lang, patterns_of=_reader_patterns(lang)))


SERIES_EXPORTS = ("docx", "pdf", "html", "md", "json", "xlsx", "csv")


@bp.get("/series/<series_id>/export")
def series_export(series_id: str):
    """The series report (``docx|pdf|html|md|json``, pseudonymous and pooled) or the
    research dataset (``xlsx|csv``, one row per record), with the synthesis' filters."""
    from ..domain.export import series_dataset, series_report, slug
    from ..domain.series import synthesis
    from .exports import made_off_the_loop

    role = organiser_role()  # who asks first, then what they ask for
    fmt = request.args.get("format", "md")
    if fmt not in SERIES_EXPORTS:
        raise Invalid(N_("Unknown format."), field="format")
    lang = "en" if request.args.get("lang") == "en" else "nl"
    series, loaded = series_service().chosen(role, series_id, **_series_filters())
    if fmt in ("xlsx", "csv"):
        table = series_dataset.rows(series.id, loaded, lang)
        if fmt == "csv":
            content, mimetype = series_dataset.to_csv(table), "text/csv; charset=utf-8"
        else:
            content = series_dataset.to_xlsx(table, lang)
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"{slug(series.title)}-dataset.{fmt}"
    else:
        result = synthesis(series, loaded, patterns_of=_reader_patterns(lang),
                           min_group=settings()["MIN_GROUP"], lang=lang)
        content, mimetype, name = made_off_the_loop(
            lambda: series_report.render(result, fmt, lang))
    return Response(content, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _reader_patterns(lang: str):
    """A session's analysis as a report's reader sees it (shared, pooled), cached per session."""
    from ..patterns_service import patterns_for

    return lambda data: patterns_for(data.workshop.code, "export", lang)


# -- registrations (organiser) ----------------------------------------------------------

def _registrations() -> RegistrationService:
    return RegistrationService(ops(), new_token)


@bp.post("/sessions/<code>/registrations")
def import_registrations(code: str):
    """The event's registration list: a CSV or Excel file in the field ``file``, or JSON
    ``{rows: [{naam, organisatie, functie, perspectief?}, ...], synonyms?: {id: [...]}}``.
    The list is read off the event loop (an Excel file takes seconds), then stored."""
    from .exports import made_off_the_loop

    actor = bearer_actor(code)
    workshop = find_workshop(code)
    require(actor.role, Action.IMPORT_REGISTRATIONS, workshop.current_kind())  # before reading
    ids = [p.id for p in workshop.perspectives]
    service = _registrations()
    upload = request.files.get("file")
    if upload is not None:  # with the session's synonym table, as the organiser page does
        data = upload.read(registrations.MAX_BYTES + 1)
        synonyms = service.synonyms(actor.role, workshop.code)
        rows = made_off_the_loop(functools.partial(
            registrations.read_rows, data, ids, synonyms, keep_defaults=False),
            starts_processes=False)
    else:
        data = body("rows", "synonyms")
        raw = data.get("rows")
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            raise Invalid(N_("This field must be a list."), field="rows")
        synonyms = registrations.synonyms_from_json(data.get("synonyms") or {}, ids)
        rows = made_off_the_loop(functools.partial(registrations.parse, raw, ids, synonyms),
                                 starts_processes=False)
    result = service.import_rows(actor.role, workshop.code, rows)
    base = base_url()
    return jsonify({"matched": result["matched"], "unmatched": result["unmatched"],
                    "participants": [
                        {"name": r["name"], "perspective": r["perspective"],
                         "join_url": base + url_for("participant.personal", code=workshop.code,
                                                    token=r["token"])}
                        for r in result["registrations"]]})


def _cards(people: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each person's card with the QR code of their link (about 10 ms a code)."""
    return [{**{k: v for k, v in person.items() if k != "link"},
             "qr": segno.make(person["link"], error="m").svg_inline(scale=3, omitsize=True)}
            for person in people]


@bp.get("/sessions/<code>/registrations/cards")
def registration_cards(code: str):
    """A printable A4 sheet: one card per registered person, with a personal QR code
    (``?format=html``, the default, or ``pdf``), at most ``name_cards.MAX_CARDS`` at a
    time (``?part=1, 2, ...`` for a longer list). Besides a bearer token, the logged-in
    organiser's page session opens it (the links on the registrations page): a GET that
    changes nothing, so no form to forge; the rules table decides for either. The codes
    and the PDF are made off the event loop."""
    from ..domain.export import name_cards
    from .exports import made_off_the_loop

    if bearer_token() is None and organiser_logged_in():
        workshop = find_workshop(code)
        actor = Actor(Role.ORGANISER, workshop.code)
    else:
        actor = bearer_actor(code)
        workshop = find_workshop(code)
    people = _registrations().listed(actor.role, workshop.code)  # the rule before the rest
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "pdf"):
        raise Invalid(N_("Unknown format."), field="format")
    people = people[name_cards.chosen_part(len(people), request.args.get("part"))]
    base = base_url()
    wanted = []
    for r in people:
        perspective = workshop.perspective(r["perspective"])
        wanted.append({"name": r["name"], "organisation": r.get("organisation", ""),
                       "perspective": perspective.label if perspective else r["perspective"],
                       "link": base + url_for("participant.personal", code=workshop.code,
                                              token=r["token"])})
    if fmt == "pdf":
        from ..domain.export import slug

        title = f"{gettext('Name cards')}: {workshop.title}"
        lang, empty = select_locale(), gettext("No registrations yet.")
        content = made_off_the_loop(lambda: name_cards.pdf(
            title, [name_cards.Card(**c) for c in _cards(wanted)], lang=lang, empty=empty))
        part = request.args.get("part")
        name = f"{slug(workshop.title)}-naamkaartjes" + (f"-deel-{int(part)}" if part else "")
        return Response(content, content_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{name}.pdf"'})
    return render_template("organiser/cards.html", workshop=workshop, cards=made_off_the_loop(
        functools.partial(_cards, wanted), starts_processes=False))


@bp.get("/sessions/<code>")
def get_session(code: str):
    """Public programme of a session: what a phone needs to join."""
    workshop = find_workshop(code)
    lang = request.args.get("lang", "nl")
    return jsonify({
        "code": workshop.code, "title": workshop.title, "date": workshop.date,
        "place": workshop.place,
        "steps": [{"id": s.id, "title": s.title_en if lang == "en" and s.title_en else s.title,
                   "kind": s.kind, "planned_start": s.planned_start,
                   "planned_end": s.planned_end} for s in workshop.steps],
        "current_step": workshop.state.current_step,
        "perspectives": [{"id": p.id, "label": p.label_for(lang)} for p in workshop.perspectives],
        "findings": [{"id": f.id, "title": f.title} for f in workshop.findings],
    })


@bp.patch("/sessions/<code>")
def edit_session(code: str):
    """Edit title, programme, perspectives, circles or findings (organiser)."""
    actor = bearer_actor(code)
    payload = request.get_json(silent=True)
    workshop, events = ops().edit_workshop(actor, payload)
    publish(workshop.code, events)
    return jsonify(workshop.public_dict())


@bp.delete("/sessions/<code>")
def delete_session(code: str):
    """Delete a session with all its data (organiser)."""
    actor = bearer_actor(code)
    ops().delete_workshop(actor)
    return "", 204


@bp.post("/sessions/<code>/participants")
def join(code: str):
    """Join with a perspective (and optionally a display name): a participant token."""
    limit("api_join", client_address())  # scripts; a room joins through the pages
    workshop = find_workshop(code)
    data = body("perspective", "name", "lang")
    participant, events = ops().join(workshop.code, data.get("perspective"), data.get("name"),
                                     data.get("lang") or "nl")
    publish(workshop.code, events)
    return jsonify({"participant_token": participant.token, "participant_id": participant.id,
                    "pseudonym": participant.pseudonym, "perspective": participant.perspective,
                    "circle": participant.circle, "circle_name": participant.circle_name}), 201


def _serve(action: ActionDef):
    """An HTTP view for one registered action."""

    def view(code: str, **path: str):
        actor = bearer_actor(code)
        taken = set(action.fields) - set(action.path_fields())
        if request.method == "GET":  # query parameters: the known ones count, others are ignored
            data: dict[str, Any] = {k: v for k, v in request.args.items() if k in taken}
        else:
            data = body(*taken)
        data.update(path)
        reply = perform(action, actor, data)
        return jsonify(reply.body[action.http_part] if action.http_part else reply.body), \
            reply.status

    view.__name__ = f"action_{action.name}"
    view.__doc__ = action.run.__doc__
    return view


for _action in ACTIONS:
    if _action.http:
        _method, _path = _action.http
        bp.add_url_rule(f"/sessions/<code>{_path}", view_func=_serve(_action),
                        methods=[_method])


@bp.get("/sessions/<code>/events")
def events_since(code: str):
    """Events after ``?since=N`` as this caller may see them (catch-up without a socket)."""
    actor = bearer_actor(code)
    since = request.args.get("since", "0")
    if not digits(since, max_length=15):  # a bound the stores can take
        raise Invalid(N_("This is not a valid number."), field="since")
    workshop = find_workshop(code)
    require(actor.role, Action.VIEW_SESSION, workshop.current_kind())
    # Events first, then the data they are judged by: every record they name exists.
    events = ops().store.events_since(workshop.code, int(since), 500)
    return jsonify(views.replay(events, ops().load(workshop.code), actor))


@bp.get("/sessions/<code>/export")
def export(code: str):
    """Download the session: ``?format=md|json|html|pdf|docx|csv|xlsx&lang=&names=``."""
    return export_response(bearer_actor(code))
