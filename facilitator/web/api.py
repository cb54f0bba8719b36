"""The JSON API (``/api``): bearer tokens, JSON in and out, errors as
``{"error": {"code", "message"}}`` with a 4xx status.  Handlers only parse,
authenticate, call an operation, publish its events and answer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from ..domain import views
from ..domain.errors import N_, Forbidden, Invalid
from ..domain.rules import Action, require
from ..domain.validation import reject_unknown
from .auth import (
    bearer_actor,
    client_address,
    find_workshop,
    limit,
    ops,
    organiser_from_request,
    settings,
)
from .exports import export_response
from .links import links_for

bp = Blueprint("api", __name__, url_prefix="/api")


def body(*fields: str) -> dict[str, Any]:
    """The JSON object of the request, refusing other types and unknown fields."""
    if request.content_length and not request.is_json:
        raise Invalid(N_("The request must be a JSON object."))
    payload = request.get_json(silent=True) if request.data else {}
    if payload is None:
        raise Invalid(N_("The request must be a JSON object."))
    return reject_unknown(payload, set(fields))


def publish(code: str, events: list[dict[str, Any]]) -> None:
    """Send the events of an API call to the live screens."""
    from ..realtime import publish as realtime_publish

    realtime_publish(code, events)


@bp.post("/sessions")
def create_session():
    """Create a session (organiser) from a spec; answers the secret links."""
    if not organiser_from_request():
        raise Forbidden(N_("Only organisers can do this."))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Invalid(N_("The request must be a JSON object."))
    workshop = ops().create_workshop(payload)
    return jsonify({"code": workshop.code, "facilitator_token": workshop.facilitator_token,
                    "screen_token": workshop.screen_token, **links_for(workshop)}), 201


@bp.get("/sessions")
def list_sessions():
    """All sessions (organiser)."""
    if not organiser_from_request():
        raise Forbidden(N_("Only organisers can do this."))
    return jsonify([{"code": w.code, "title": w.title, "date": w.date, "place": w.place,
                     "created_at": w.created_at, "started_at": w.started_at,
                     "ended_at": w.ended_at} for w in ops().list_workshops()])


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


@bp.get("/sessions/<code>/snapshot")
def snapshot(code: str):
    """Everything the caller may see now, with the event number it is current to."""
    actor = bearer_actor(code)
    return jsonify(views.snapshot(ops().load(code), actor, settings()["MIN_GROUP"]))


@bp.post("/sessions/<code>/participants")
def join(code: str):
    """Join with a perspective (and optionally a display name): a participant token."""
    limit("join", client_address())
    workshop = find_workshop(code)
    data = body("perspective", "name", "lang")
    participant, events = ops().join(workshop.code, data.get("perspective"), data.get("name"),
                                     data.get("lang") or "nl")
    publish(workshop.code, events)
    return jsonify({"participant_token": participant.token, "participant_id": participant.id,
                    "pseudonym": participant.pseudonym, "perspective": participant.perspective,
                    "circle": participant.circle, "circle_name": participant.circle_name}), 201


@bp.post("/sessions/<code>/steps/current")
def change_step(code: str):
    """Open a step: ``{"step": <id> | "next" | "previous"}`` (facilitator)."""
    actor = bearer_actor(code)
    data = body("step")
    workshop, events = ops().change_step(actor, data.get("step"))
    publish(workshop.code, events)
    return jsonify({"current_step": workshop.state.current_step,
                    "kind": workshop.current_kind()})


@bp.post("/sessions/<code>/lock")
def lock(code: str):
    """Lock or unlock posting: ``{"locked": true|false}`` (facilitator)."""
    actor = bearer_actor(code)
    workshop, events = ops().set_posting_locked(actor, body("locked").get("locked"))
    publish(workshop.code, events)
    return jsonify({"posting_locked": workshop.state.posting_locked})


@bp.post("/sessions/<code>/spotlight")
def spotlight(code: str):
    """Spotlight a shared reflection on the projector: ``{"reflection": id|null}``."""
    actor = bearer_actor(code)
    workshop, events = ops().spotlight(actor, body("reflection").get("reflection"))
    publish(workshop.code, events)
    return jsonify({"spotlight": workshop.state.spotlight})


@bp.post("/sessions/<code>/reflections")
def post_reflection(code: str):
    """Post a reflection (participant, circle step); idempotent by ``client_id``."""
    actor = bearer_actor(code)
    limit("post", actor.participant_id or actor.role.value)
    data = body("text", "finding", "client_id")
    reflection, created, events = ops().post_reflection(
        actor, data.get("text"), data.get("finding"), data.get("client_id"))
    publish(actor.code, events)
    view = views.reflection_view(reflection, actor.role, True,
                                ops().workshop(actor.code).current_kind())
    return jsonify(view), 201 if created else 200


@bp.get("/sessions/<code>/reflections")
def list_reflections(code: str):
    """Only the reflections the caller may see now."""
    actor = bearer_actor(code)
    return jsonify(views.snapshot(ops().load(code), actor,
                                  settings()["MIN_GROUP"])["reflections"])


@bp.post("/sessions/<code>/reflections/<reflection_id>/share")
def share(code: str, reflection_id: str):
    """Take a reflection into the dialogue (``{"shared": false}`` undoes it)."""
    actor = bearer_actor(code)
    data = body("shared")
    reflection, events = ops().share_reflection(actor, reflection_id, data.get("shared", True))
    publish(actor.code, events)
    return jsonify(views.reflection_view(reflection, actor.role, True,
                                ops().workshop(actor.code).current_kind()))


@bp.post("/sessions/<code>/reflections/<reflection_id>/hide")
def hide(code: str, reflection_id: str):
    """Hide (moderate) or restore a reflection: ``{"hidden": true|false}`` (facilitator)."""
    actor = bearer_actor(code)
    reflection, events = ops().hide_reflection(actor, reflection_id,
                                               body("hidden").get("hidden", True))
    publish(actor.code, events)
    return jsonify(views.reflection_view(reflection, actor.role, True,
                                ops().workshop(actor.code).current_kind()))


@bp.post("/sessions/<code>/reflections/<reflection_id>/reactions")
def react(code: str, reflection_id: str):
    """React to another circle's shared reflection: ``{"kind": agree|disagree|pass}``."""
    actor = bearer_actor(code)
    limit("react", actor.participant_id or actor.role.value)
    data = body("kind", "text", "client_id")
    reaction, events = ops().react(actor, reflection_id, data.get("kind"), data.get("text"),
                                   data.get("client_id"))
    publish(actor.code, events)
    return jsonify(reaction.to_dict()), 201


@bp.post("/sessions/<code>/conclusions")
def conclude(code: str):
    """Write a conclusion (facilitator): ``{"text", "reflections"?, "draft"?}``."""
    actor = bearer_actor(code)
    data = body("text", "reflections", "perspectives", "draft")
    conclusion, events = ops().write_conclusion(actor, data.get("text"), data.get("reflections"),
                                                data.get("perspectives"),
                                                data.get("draft", False))
    publish(actor.code, events)
    return jsonify(conclusion.to_dict()), 201


@bp.patch("/sessions/<code>/conclusions/<conclusion_id>")
def edit_conclusion(code: str, conclusion_id: str):
    """Reword, publish, hide or relink a conclusion (facilitator)."""
    actor = bearer_actor(code)
    data = body("text", "hidden", "draft", "reflections")
    conclusion, events = ops().edit_conclusion(actor, conclusion_id, data.get("text"),
                                               data.get("hidden"), data.get("draft"),
                                               data.get("reflections"))
    publish(actor.code, events)
    return jsonify(conclusion.to_dict())


@bp.post("/sessions/<code>/conclusions/<conclusion_id>/endorsements")
def endorse(code: str, conclusion_id: str):
    """Support a conclusion or voice a concern: ``{"kind": support|concern, "text"?}``."""
    actor = bearer_actor(code)
    limit("react", actor.participant_id or actor.role.value)
    data = body("kind", "text", "client_id")
    endorsement, events = ops().endorse(actor, conclusion_id, data.get("kind"),
                                        data.get("text"), data.get("client_id"))
    publish(actor.code, events)
    return jsonify(endorsement.to_dict()), 201


@bp.post("/sessions/<code>/links/rotate")
def rotate(code: str):
    """Replace the facilitator and/or screen link: ``{"which": facilitator|screen|both}``."""
    actor = bearer_actor(code)
    workshop, events = ops().rotate_links(actor, body("which").get("which", "both"))
    publish(workshop.code, events)
    return jsonify({"facilitator_token": workshop.facilitator_token,
                    "screen_token": workshop.screen_token, **links_for(workshop)})


@bp.get("/sessions/<code>/events")
def events_since(code: str):
    """Events after ``?since=N`` as this caller may see them (catch-up without a socket)."""
    actor = bearer_actor(code)
    since = request.args.get("since", "0")
    if not since.isdigit():
        raise Invalid(N_("This is not a valid number."), field="since")
    workshop = find_workshop(code)
    # Events first, then the data they are judged by: every record they name exists.
    events = ops().store.events_since(workshop.code, int(since), 500)
    return jsonify(views.replay(events, ops().load(workshop.code), actor))


@bp.get("/sessions/<code>/export")
def export(code: str):
    """Download the session: ``?format=md|json|html|pdf|docx|csv|xlsx&lang=&names=``."""
    return export_response(bearer_actor(code))


@bp.get("/sessions/<code>/patterns")
def patterns(code: str):
    """The cross-perspective analysis (facilitator or organiser); ``?audience=screen``
    gives the version the projector and exports may show."""
    actor = bearer_actor(code)
    require(actor.role, Action.VIEW_PATTERNS, None)
    from ..patterns_service import patterns_for

    audience = request.args.get("audience", "facilitator")
    if audience not in ("facilitator", "screen", "export"):
        raise Invalid(N_("Choose one of the offered options."), field="audience")
    lang = "en" if request.args.get("lang") == "en" else "nl"
    return jsonify(patterns_for(actor.code, audience, lang))
