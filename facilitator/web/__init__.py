"""HTTP adapters: one blueprint per audience, plus shared error handling,
translations (Flask-Babel) and security headers."""

from __future__ import annotations

import gzip

from flask import Flask, jsonify, render_template, request, send_from_directory
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, NotFound

from .. import assets
from ..assets import VENDOR_FILES  # noqa: F401  (tests and benches import it from here)
from ..domain.errors import DomainError
from ..store.base import StoreUnavailable, as_outage
from .i18n import LANGUAGES, error_body, gettext, select_locale

babel = Babel()
csrf = CSRFProtect()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'self'")


COMPRESSIBLE = {"text/html", "text/css", "application/javascript", "text/javascript",
                "application/json", "image/svg+xml", "text/markdown", "text/plain"}
#: (path, ETag) -> gzipped bytes of static files, which never change under one ETag.
_gzip_cache: dict[tuple[str, str], bytes] = {}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def outage_error() -> dict:
    """The error body of a store outage, in the user's language (HTTP and Socket.IO)."""
    return {"code": StoreUnavailable.code, "retry_after": StoreUnavailable.retry_after,
            "message": gettext("One moment please, we are trying again.")}


def init_app(app: Flask) -> None:
    """Register translations, CSRF protection, blueprints and error handlers."""
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=assets.translations_dir())
    csrf.init_app(app)

    from . import api, facilitator, observe, organiser, participant, screen

    observe.init_app(app)  # first: request ids and timing wrap everything else

    app.register_blueprint(participant.bp)
    app.register_blueprint(facilitator.bp)
    app.register_blueprint(screen.bp)
    app.register_blueprint(organiser.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer tokens only: no cookie, so no cross-site request to forge

    @app.context_processor
    def inject_language():
        from flask_babel import get_locale

        return {"lang": str(get_locale() or "nl"), "languages": LANGUAGES}

    @app.template_global()
    def can_export(fmt: str) -> bool:
        """Whether this install makes ``fmt`` (Word, Excel, PDF need the export extra)."""
        from ..domain.export import needs

        return not needs.missing(fmt)

    @app.route("/vendor/<name>")
    def vendor(name: str):
        """Third-party browser code from npm, bundled in the wheel (never a CDN)."""
        found = assets.vendor_file(name)
        if found is None:
            raise NotFound()
        return send_from_directory(*found, max_age=86400)

    @app.route("/healthz")
    def healthz():
        """Liveness and store reachability, for load balancers."""
        store = app.extensions["facilitator.store"]
        try:
            ok = store.ping()
        except Exception:  # the store's driver error is the answer here
            ok = False
        return jsonify({"ok": ok}), 200 if ok else 503

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if _wants_json():
            return jsonify(error_body(exc)), exc.status
        return render_template("error.html", message=error_body(exc)["error"]["message"],
                               status=exc.status), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = gettext("The form has expired. Please try again.")
        if _wants_json():
            return jsonify({"error": {"code": "csrf", "message": message}}), 400
        return render_template("error.html", message=message, status=400), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {404: gettext("This page does not exist."),
                    403: gettext("You do not have access to this page. Open the link you were "
                                 "given for it."),
                    405: gettext("This method is not allowed here."),
                    413: gettext("The request is too large."),
                    400: gettext("The request could not be understood.")}
        message = messages.get(exc.code or 400, exc.description or "")
        code = (exc.name or "error").lower().replace(" ", "_")
        if _wants_json():
            return jsonify({"error": {"code": code, "message": message}}), exc.code
        return render_template("error.html", message=message, status=exc.code), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if as_outage(exc) is not None:
            # the store logs the outage once when it starts; no traceback per request
            return outage(exc)
        app.logger.exception("unexpected error")
        message = gettext("Something went wrong on our side. Please try again.")
        if _wants_json():
            return jsonify({"error": {"code": "server_error", "message": message}}), 500
        return render_template("error.html", message=message, status=500), 500

    def outage(exc: Exception):
        """503 with Retry-After: the store is away for a moment; nothing was decided."""
        error = outage_error()
        headers = {"Retry-After": str(StoreUnavailable.retry_after)}
        if _wants_json():
            return jsonify({"error": error}), 503, headers
        return render_template("error.html", message=error["message"], status=503), 503, \
            headers

    @app.after_request
    def compress(response):
        """Gzip text answers, static files included (phones on venue Wi-Fi)."""
        if (response.status_code != 200 or response.mimetype not in COMPRESSIBLE
                or "gzip" not in request.headers.get("Accept-Encoding", "")
                or "Content-Encoding" in response.headers):
            return response
        response.direct_passthrough = False
        data = response.get_data()
        if len(data) < 512:
            return response
        key = (request.path, response.headers.get("ETag")) if response.headers.get("ETag") \
            else None
        body = _gzip_cache.get(key) if key else None
        if body is None:
            body = gzip.compress(data, compresslevel=6)
            if key:
                if len(_gzip_cache) > 256:
                    _gzip_cache.clear()
                _gzip_cache[key] = body
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(body))
        response.vary.add("Accept-Encoding")
        return response

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Permissions-Policy",
                                    "camera=(), microphone=(), geolocation=()")
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax",
                                httponly=True, secure=app.config["SESSION_COOKIE_SECURE"])
        return response
