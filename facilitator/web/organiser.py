"""Organiser pages: log in with the organiser secret, list, create and edit
sessions (programme, perspectives, circles, findings), export and delete."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge

from ..domain import registrations as registrations_domain
from ..domain import series as series_domain
from ..domain.errors import N_, DomainError, Invalid, RateLimited
from ..domain.export import name_cards
from ..domain.export.style import LOGO_PREFIX, MAX_LOGO_BYTES
from ..domain.model import StepKind, Workshop
from ..domain.operations import Actor, new_token
from ..domain.rules import Action, Role, require, require_any_step
from ..domain.spec import (
    FORM_ROWS,
    apply_row_op,
    apply_spec,
    editable_spec,
    form_errors,
    parse_text,
    spec_from_form,
    without_blank_rows,
)
from ..live import publish
from .auth import (
    check_organiser_key,
    end_organiser_login,
    ops,
    organiser_logged_in,
    start_organiser_login,
)
from .exports import export_response, made_off_the_loop, prepare_pdf
from .i18n import error_body
from .i18n import gettext as _
from .links import base_url, links_for

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


def organiser_required(action: Action):
    """An organiser page: visitors without the organiser session go to the login page,
    and the page asks the rules table for ``action`` (in the session's current step
    kind, or in every kind for the pages outside a session)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not organiser_logged_in():
                return redirect(url_for("organiser.login", next=request.path))
            if "code" in kwargs:
                require(Role.ORGANISER, action, ops().workshop(kwargs["code"]).current_kind())
            else:
                require_any_step(Role.ORGANISER, action)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def spec_text(workshop) -> str:
    """The editable part of a session as YAML: programme, perspectives, circles, findings."""
    return _yaml(editable_spec(workshop))


def _yaml(spec: dict) -> str:
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)


def parse_spec(text: str) -> dict:
    """Read a JSON or YAML spec (bounded, no YAML aliases); a clear Invalid error else."""
    return parse_text(text)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with the organiser secret from configuration."""
    error = None
    if request.method == "POST":
        try:
            right = check_organiser_key(request.form.get("token", ""))
        except RateLimited as exc:
            return render_template("organiser/login.html",
                                   error=error_body(exc)["error"]["message"]), 429
        if right:
            start_organiser_login()
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/organiser") else
                            url_for("organiser.index"))
        error = _("This organiser key is not correct.")
    return render_template("organiser/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """End the organiser session (the login is deleted: a copied cookie stops working)."""
    end_organiser_login()
    return redirect(url_for("organiser.login"))


@bp.get("/")
@organiser_required(Action.LIST_SESSIONS)
def index():
    """All sessions, newest first."""
    return render_template("organiser/list.html", workshops=ops().list_workshops())


@bp.route("/new", methods=["GET", "POST"])
@organiser_required(Action.CREATE_SESSION)
def new():
    """Create a session from the form, optionally with a JSON or YAML description."""
    errors: dict[str, str] = {}
    form = request.form.to_dict() if request.method == "POST" else {}
    if request.method == "POST":
        try:
            spec = {}
            upload = request.files.get("spec_file")
            if upload and upload.filename:
                spec = parse_spec(upload.read(256 * 1024).decode("utf-8", "replace"))
            if form.get("spec", "").strip():
                spec.update(parse_spec(form["spec"]))
            for field in ("title", "date", "place", "facilitator"):
                if form.get(field):
                    spec[field] = form[field]
            spec.setdefault("title", form.get("title", ""))
            workshop = ops().create_workshop(spec)
        except DomainError as exc:
            errors[str(exc.params.get("field", "spec"))] = error_body(exc)["error"]["message"]
        else:
            flash(_("The session has been created."))
            return redirect(url_for("organiser.edit", code=workshop.code))
    return render_template("organiser/new.html", errors=errors, form=form), \
        422 if errors else 200


BASICS = ("title", "date", "place", "facilitator")
#: the report's house style on the session page (``export.style`` checks it); the logo
#: comes as an uploaded file (``_posted_logo``)
HOUSE_STYLE = ("report_colour",)
#: per-session details a series template leaves to each session
PER_SESSION = ("title", "date", "place", "municipality", "series")


def _message(exc: DomainError) -> str:
    return error_body(exc)["error"]["message"]


def _digest(text: str) -> str:
    """A fingerprint of the YAML as shown, to tell whether the organiser changed it
    (browsers send a textarea back with CRLF line ends)."""
    return hashlib.sha256(text.replace("\r\n", "\n").strip().encode()).hexdigest()


@dataclass
class SpecForm:
    """A posted organiser form: what to show again, or the spec to save."""

    spec: dict[str, Any]
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    #: the element to focus after a row was added, removed or moved
    focus: str | None = None
    #: the button pressed there: add, remove, up or down
    focus_action: str | None = None
    #: the errors are about the YAML (shown at the YAML field, not at form fields)
    from_yaml: bool = False
    status: int = 200
    #: set when the form asks to save and nothing is wrong
    to_save: dict[str, Any] | None = None


def _posted_yaml(form, files) -> str | None:
    """The YAML or JSON the organiser gave in the advanced part: an uploaded file, or
    the text field when changed (or posted without its fingerprint, as scripts do)."""
    upload = files.get("spec_file")
    if upload and upload.filename:
        return upload.read(256 * 1024).decode("utf-8", "replace")
    text = form.get("spec")
    if text is not None and form.get("spec_digest") != _digest(text):
        return text
    return None


def read_spec_form(target: Workshop, values: dict[str, str], basics: tuple[str, ...],
                   extra: dict[str, str] | None = None) -> SpecForm:
    """Read the posted programme, perspectives, circles and findings of ``target``.

    A button of a row (``op``) changes the rows and shows the form again, unsaved;
    saving checks every row (``spec.form_errors``) and gives the spec to save. The
    organiser's YAML or JSON, when given, replaces the form (``from_yaml``).
    """
    form = request.form
    typed = {**{name: form.get(name, "") for name in basics if name in form}, **(extra or {})}
    result = SpecForm(spec=editable_spec(target), values={**values, **typed})
    errors: dict[str, DomainError] = {}
    text = _posted_yaml(form, request.files)
    try:
        if text is not None:
            result.from_yaml = True
            spec = parse_text(text)
            for name in basics:
                if name in form:
                    spec[name] = form[name]
            result.to_save = spec
            return result
        # only the lists the page had (a hidden "lists" field each) change: a post of
        # the title alone, or of a form without findings, keeps the others as they are
        present = set(form.getlist("lists"))
        spec = {name: rows for name, rows in spec_from_form(form.items(multi=True)).items()
                if name in present}
        op = form.get("op", "save")
        if op != "save":
            result.spec, result.focus = apply_row_op({**result.spec, **spec}, op)
            result.focus_action = op.split(":", 1)[0]
            return result
        spec = without_blank_rows(spec)
        result.spec = {**result.spec, **spec}
        errors = form_errors(target, {**spec, **typed})
        if not errors:
            result.to_save = {**spec, **typed}
    except DomainError as exc:
        errors = {str(exc.params.get("field", "spec")): exc}
    if errors:
        result.to_save = None
        result.status = max(exc.status for exc in errors.values())
        result.errors = {name: _message(exc) for name, exc in errors.items()}
        if result.from_yaml:
            result.errors = _at_yaml_field(result.errors, basics)
    return result


def _posted_logo() -> dict[str, str]:
    """The session's report logo as the form sets it: an uploaded PNG as a data URL, ""
    when the organiser removes it, nothing when neither (``export.style`` checks it)."""
    upload = request.files.get("report_logo_file")
    if upload is not None and upload.filename:
        content = upload.read(MAX_LOGO_BYTES + 1)  # a bigger file is refused by its size
        return {"report_logo": LOGO_PREFIX + base64.b64encode(content).decode("ascii")}
    if request.form.get("report_logo_remove"):
        return {"report_logo": ""}
    return {}


def _at_yaml_field(errors: dict[str, str], basics: tuple[str, ...]) -> dict[str, str]:
    """Errors about a part of the YAML belong to the YAML field (it has no field per part)."""
    out = {k: v for k, v in errors.items() if k in basics}
    rest = " ".join(v for k, v in errors.items() if k not in basics)
    if rest:
        out["spec"] = rest
    return out


def _form_context(form: SpecForm) -> dict[str, Any]:
    return {"spec": form.spec, "errors": form.errors, "focus": form.focus,
            "focus_action": form.focus_action,
            "values": form.values, "from_yaml": form.from_yaml,
            "kinds": [k.value for k in StepKind], "lists": FORM_ROWS}


@bp.route("/<code>", methods=["GET", "POST"])
@organiser_required(Action.EDIT_SESSION)
def edit(code: str):
    """Edit a session in forms (or as YAML); shows its links, export buttons and the
    danger zone."""
    workshop = ops().workshop(code)
    values = {"title": workshop.title, "date": workshop.date, "place": workshop.place,
              "facilitator": workshop.facilitator_name, "report_colour": workshop.report_colour}
    form = SpecForm(spec=editable_spec(workshop), values=values)
    if request.method == "POST":
        form = read_spec_form(workshop, values, BASICS + HOUSE_STYLE, _posted_logo())
        if form.to_save is not None:
            try:
                workshop, events = ops().edit_workshop(Actor(Role.ORGANISER, workshop.code),
                                                       form.to_save)
            except DomainError as exc:
                form.errors = {str(exc.params.get("field", "spec")): _message(exc)}
                if form.from_yaml:
                    form.errors = _at_yaml_field(form.errors, BASICS)
                form.status = exc.status
            else:
                publish(workshop.code, events)
                flash(_("The changes have been saved."))
                return redirect(url_for("organiser.edit", code=workshop.code))
    text = request.form.get("spec", "") if form.from_yaml and "spec" in request.form \
        else spec_text(workshop)
    if request.method == "GET":
        prepare_pdf(workshop.code)  # the export buttons are on this page
    series = None
    if workshop.series:
        doc = ops().store.get_doc(series_domain.KIND, workshop.series)
        series = series_domain.Series.from_dict(doc) if doc else None
    return render_template("organiser/edit.html", workshop=workshop, links=links_for(workshop),
                           series=series, yaml_text=text, yaml_digest=_digest(spec_text(workshop)),
                           **_form_context(form)), form.status


def _download(spec: dict, name: str):
    """The spec as a YAML (default) or JSON file."""
    wanted = request.args.get("format", "yaml")
    if wanted not in ("yaml", "json"):
        abort(400)
    if wanted == "json":
        body, mime, ext = json.dumps(spec, ensure_ascii=False, indent=2), "application/json", "json"
    else:
        body, mime, ext = _yaml(spec), "application/yaml", "yaml"
    return Response(body, mimetype=mime, headers={
        "Content-Disposition": f'attachment; filename="{name}.{ext}"'})


@bp.get("/<code>/spec")
@organiser_required(Action.EDIT_SESSION)
def spec_download(code: str):
    """The session's programme, perspectives, circles and findings as YAML or JSON."""
    workshop = ops().workshop(code)
    return _download(editable_spec(workshop), f"sessie-{workshop.code}")


# -- series ----------------------------------------------------------------------------

def _series_service() -> series_domain.SeriesService:
    return series_domain.SeriesService(ops())


@bp.route("/series", methods=["GET", "POST"])
@organiser_required(Action.MANAGE_SERIES)
def series_list():
    """Every series, and a form for a new one (it starts from the default programme)."""
    service = _series_service()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            created = service.create(Role.ORGANISER, request.form.get("title", ""))
        except DomainError as exc:
            errors[str(exc.params.get("field", "title"))] = _message(exc)
        else:
            flash(_("The series has been created."))
            return redirect(url_for("organiser.series_page", series_id=created.id))
    everything = service.all(Role.ORGANISER)
    return render_template("organiser/series_list.html", all_series=everything,
                           counts={s.id: len(service.sessions(s)) for s in everything},
                           errors=errors, values=request.form), 422 if errors else 200


def _template_trial(series: series_domain.Series) -> Workshop:
    """A session made from the series' template, as the forms show and check it."""
    trial = Workshop(code="", title=series.title)
    apply_spec(trial, series_domain.session_spec(series), partial=False)
    return trial


def _render_series(series, form: SpecForm, trial: Workshop, session_errors=None,
                   session_values=None, status: int = 200):
    text = request.form.get("spec", "") if form.from_yaml and "spec" in request.form \
        else _yaml(editable_spec(trial))
    return render_template(
        "organiser/series.html", series=series, sessions=_series_service().sessions(series),
        yaml_text=text, yaml_digest=_digest(_yaml(editable_spec(trial))),
        session_errors=session_errors or {}, session_values=session_values or {},
        **_form_context(form)), status


@bp.route("/series/<series_id>", methods=["GET", "POST"])
@organiser_required(Action.MANAGE_SERIES)
def series_page(series_id: str):
    """A series: its sessions, a new session, and its template in forms (or as YAML)."""
    series = _series_service().get(Role.ORGANISER, series_id)
    trial = _template_trial(series)
    form = SpecForm(spec=editable_spec(trial), values={})
    if request.method == "POST":
        form = read_spec_form(trial, {}, ())
        if form.to_save is not None:
            try:
                template = {k: v for k, v in form.to_save.items() if k not in PER_SESSION}
                if form.from_yaml:
                    candidate = series_domain.Series.from_dict(
                        {**series.to_dict(), "template": template})
                    trial = _template_trial(candidate)
                else:
                    apply_spec(trial, template, partial=True)
                kept = {k: v for k, v in series.template.items()
                        if k not in FORM_ROWS and k not in PER_SESSION}
                series = _series_service().update_template(
                    Role.ORGANISER, series.id,
                    {**kept, **(template if form.from_yaml else {}), **editable_spec(trial)})
            except DomainError as exc:
                form.errors = {str(exc.params.get("field", "spec")): _message(exc)}
                if form.from_yaml:
                    form.errors = _at_yaml_field(form.errors, ())
                form.status = exc.status
            else:
                flash(_("The template has been saved. New sessions of this series start from it."))
                return redirect(url_for("organiser.series_page", series_id=series.id))
    return _render_series(series, form, trial, status=form.status)


@bp.post("/series/<series_id>/sessions")
@organiser_required(Action.MANAGE_SERIES)
def series_add_session(series_id: str):
    """A new session of the series, from its template, with its own date and place."""
    service = _series_service()
    series = service.get(Role.ORGANISER, series_id)
    values = {k: request.form.get(k, "") for k in ("title", "date", "place", "municipality")}
    try:
        workshop = service.add_session(Role.ORGANISER, series.id, values["date"] or None,
                                       values["place"] or None, values["municipality"] or None,
                                       values["title"] or None)
    except DomainError as exc:
        trial = _template_trial(series)
        return _render_series(series, SpecForm(spec=editable_spec(trial), values={}), trial,
                              session_errors={str(exc.params.get("field", "title")):
                                              _message(exc)},
                              session_values=values, status=exc.status)
    flash(_("The session has been created."))
    return redirect(url_for("organiser.edit", code=workshop.code))


@bp.get("/series/<series_id>/template")
@organiser_required(Action.MANAGE_SERIES)
def series_template_download(series_id: str):
    """The series' template as YAML or JSON."""
    series = _series_service().get(Role.ORGANISER, series_id)
    return _download(editable_spec(_template_trial(series)), f"reeks-{series.id}")


@bp.post("/<code>/rotate")
@organiser_required(Action.ROTATE_LINKS)
def rotate(code: str):
    """New facilitator and screen links; the old ones stop working."""
    workshop = ops().workshop(code)
    _workshop, events = ops().rotate_links(Actor(Role.ORGANISER, workshop.code), "both")
    publish(workshop.code, events)
    flash(_("New links have been made; the old links no longer work."))
    return redirect(url_for("organiser.edit", code=workshop.code))


@bp.post("/<code>/delete")
@organiser_required(Action.DELETE_SESSION)
def delete(code: str):
    """Delete the session and everything in it."""
    workshop = ops().workshop(code)
    if request.form.get("confirm") != workshop.code:
        flash(_("Type the session code to confirm."))
        return redirect(url_for("organiser.edit", code=workshop.code))
    ops().delete_workshop(Actor(Role.ORGANISER, workshop.code))
    flash(_("The session and all its data have been deleted."))
    return redirect(url_for("organiser.index"))


@bp.get("/<code>/export")
@organiser_required(Action.EXPORT)
def export(code: str):
    """Download the session report in a format (names only when asked for)."""
    return export_response(Actor(Role.ORGANISER, ops().workshop(code).code))


# -- registrations ---------------------------------------------------------------------

#: the file types a registration list may come in (what event systems export)
LIST_SUFFIXES = (".csv", ".txt", ".xlsx")


def _registrations() -> registrations_domain.RegistrationService:
    return registrations_domain.RegistrationService(ops(), new_token)


def _render_registrations(code: str, errors: dict[str, str] | None = None,
                          synonym_values: dict[str, str] | None = None,
                          chosen: dict[str, str] | None = None, status: int = 200):
    """The registrations page: upload, what matched, what is left to fix, the synonyms."""
    service = _registrations()
    workshop = ops().workshop(code)
    people = service.listed(Role.ORGANISER, workshop.code)
    labels = {p.id: p.label for p in workshop.perspectives}
    base = base_url()
    for person in people:
        person["claimed"] = registrations_domain.claimed(person)
        person["perspective_label"] = labels.get(person["perspective"], person["perspective"])
        person["join_url"] = base + url_for("participant.personal", code=workshop.code,
                                            token=person["token"])
    table = service.synonyms(Role.ORGANISER, workshop.code)
    synonyms = {pid: ", ".join(phrases) for pid, phrases in table.items()}
    synonyms.update(synonym_values or {})
    return render_template(
        "organiser/registrations.html", workshop=workshop, people=people,
        pending=service.pending(Role.ORGANISER, workshop.code), synonyms=synonyms,
        perspectives=workshop.perspectives, errors=errors or {}, chosen=chosen or {},
        card_parts=name_cards.part_count(len(people)),
        max_megabytes=(current_max_bytes() // (1024 * 1024)) or 1), status


def current_max_bytes() -> int:
    """The largest list the server takes: the file limit or the request limit, the lower."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or registrations_domain.MAX_BYTES
    return min(limit, registrations_domain.MAX_BYTES)


def _uploaded_rows(code: str) -> list[registrations_domain.Row]:
    """The people of the uploaded list, matched with the session's synonym table; a
    clear error at the file field otherwise. Read off the event loop: an Excel file
    takes seconds, and the room's live events keep flowing meanwhile."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid(N_("Choose a file with the registration list."), field="file")
    if not upload.filename.lower().endswith(LIST_SUFFIXES):
        raise Invalid(N_("Choose a CSV file or an Excel workbook (.xlsx)."), field="file")
    data = upload.read(registrations_domain.MAX_BYTES + 1)
    if not data.strip():
        raise Invalid(N_("The list is empty."), field="file")
    workshop = ops().workshop(code)
    ids = [p.id for p in workshop.perspectives]
    synonyms = _registrations().synonyms(Role.ORGANISER, workshop.code)
    return made_off_the_loop(functools.partial(
        registrations_domain.read_rows, data, ids, synonyms, keep_defaults=False),
        starts_processes=False)


@bp.route("/<code>/registrations", methods=["GET", "POST"])
@organiser_required(Action.IMPORT_REGISTRATIONS)
def registrations(code: str):
    """The event's registration list: upload it, see who matched a perspective."""
    workshop = ops().workshop(code)
    if request.method == "POST":
        try:
            result = _registrations().import_rows(Role.ORGANISER, workshop.code,
                                                  _uploaded_rows(workshop.code))
        except DomainError as exc:
            return _render_registrations(workshop.code, {"file": _message(exc)},
                                         status=exc.status)
        flash(_("Matched to a perspective: %(matched)s. Not matched yet: %(unmatched)s.",
                matched=result["matched"], unmatched=len(result["unmatched"])))
        return redirect(url_for("organiser.registrations", code=workshop.code))
    return _render_registrations(workshop.code)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge):
    """A list over the request limit: the message at the file field, for an organiser."""
    code = (request.view_args or {}).get("code")
    if request.endpoint == "organiser.registrations" and code and organiser_logged_in():
        workshop = ops().workshop(code)
        require(Role.ORGANISER, Action.IMPORT_REGISTRATIONS, workshop.current_kind())
        return _render_registrations(workshop.code, {"file": _("The file is too large.")},
                                     status=413)
    return render_template("error.html", message=_("The request is too large."),
                           status=413), 413


@bp.post("/<code>/registrations/fix")
@organiser_required(Action.IMPORT_REGISTRATIONS)
def registrations_fix(code: str):
    """Give the rows that did not match a perspective by hand (a select per row; a row
    left at "choose" stays waiting)."""
    workshop = ops().workshop(code)
    service = _registrations()
    chosen = {key.removeprefix("perspective-"): value for key, value in request.form.items()
              if key.startswith("perspective-") and value}
    errors, fixed = {}, 0
    for pending_id, perspective in chosen.items():
        try:
            service.assign(Role.ORGANISER, workshop.code, pending_id, perspective)
        except DomainError as exc:
            errors[f"perspective-{pending_id}"] = _message(exc)
        else:
            fixed += 1
    if errors:
        return _render_registrations(workshop.code, errors, chosen=chosen, status=422)
    flash(_("Rows given a perspective: %(count)s.", count=fixed) if fixed
          else _("Choose a perspective for at least one row."))
    return redirect(url_for("organiser.registrations", code=workshop.code) + "#unmatched-title")


@bp.post("/<code>/registrations/release")
@organiser_required(Action.IMPORT_REGISTRATIONS)
def registrations_release(code: str):
    """Release a name card (the form's ``registration``): the next phone that opens its
    link continues as that participant, e.g. when someone changed phone."""
    workshop = ops().workshop(code)
    released = _registrations().release(Role.ORGANISER, workshop.code,
                                        request.form.get("registration"))
    flash(_("The card of %(name)s can be used on a new phone now.", name=released["name"]))
    return redirect(url_for("organiser.registrations", code=workshop.code) + "#matched-title")


@bp.post("/<code>/registrations/synonyms")
@organiser_required(Action.IMPORT_REGISTRATIONS)
def registrations_synonyms(code: str):
    """Save the session's synonym table; with "rematch", try it on the waiting rows."""
    workshop = ops().workshop(code)
    service = _registrations()
    ids = [p.id for p in workshop.perspectives]
    texts = {pid: request.form[f"synonyms-{pid}"] for pid in ids
             if f"synonyms-{pid}" in request.form}
    errors = {}
    for pid, text in texts.items():
        try:
            registrations_domain.phrases_from_text(text, f"synonyms-{pid}")
        except DomainError as exc:
            errors[f"synonyms-{pid}"] = _message(exc)
    if errors:
        return _render_registrations(workshop.code, errors, synonym_values=texts, status=422)
    if texts:  # a post without the fields keeps following the built-in table
        service.save_synonyms(Role.ORGANISER, workshop.code, texts)
    message = _("The synonyms have been saved. The next import uses them.")
    if request.form.get("op") == "rematch":
        matched = service.rematch(Role.ORGANISER, workshop.code)
        message = _("The synonyms have been saved. Waiting rows matched now: %(count)s.",
                    count=matched)
    flash(message)
    return redirect(url_for("organiser.registrations", code=workshop.code))
