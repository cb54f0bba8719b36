"""facilitator: a realtime toolkit for the 'dialoog tussen perspectieven'.

``create_app`` builds the Flask app with its store, operations, translations,
blueprints and the Socket.IO server.  An installed wheel serves the
templates, static files, browser packages and catalogs it carries; a checkout
serves ``templates/``, ``static/`` and ``node_modules/`` beside this package
(see ``facilitator/assets.py``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

from .assets import ROOT  # noqa: F401  (the checkout; kept for callers that import it)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``overrides`` replace settings (tests use them, deploys use env vars)."""
    # Imported here, not at the top: ``python -m facilitator serve`` imports this
    # package before the CLI can monkey-patch the standard library for eventlet
    # or gevent, and nothing that creates locks or sockets may load before that.
    from flask import Flask

    from . import assets
    from . import config as config_module
    from .domain.operations import Operations
    from .patterns_service import PatternsService
    from .ratelimit import open_limiter
    from .safejson import SafeJSONProvider
    from .store import open_store

    settings = config_module.load(overrides)
    app = Flask(__name__, static_folder=assets.static_dir(),
                template_folder=assets.templates_dir(),
                instance_path=assets.instance_path(settings.get("INSTANCE_PATH")))
    app.json = SafeJSONProvider(app)
    app.config["FACILITATOR"] = settings
    app.config["SECRET_KEY"] = settings["SECRET_KEY"]
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = settings["SECURE_COOKIES"]
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # a form left open through a long afternoon
    app.config["TESTING"] = bool(settings.get("TESTING"))
    if settings.get("TESTING"):
        app.config["WTF_CSRF_ENABLED"] = bool(settings.get("CSRF_IN_TESTS", False))

    url = settings["STORE"] or f"sqlite:///{os.path.join(app.instance_path, 'facilitator.db')}"
    store = open_store(url)
    app.extensions["facilitator.store"] = store
    app.extensions["facilitator.ops"] = Operations(store)
    app.extensions["facilitator.limiter"] = open_limiter(url, settings.get("RATE_LIMITS"))
    app.extensions["facilitator.patterns"] = PatternsService()

    from . import realtime, web
    from .live import Live

    web.init_app(app)
    realtime.init_app(app)
    if settings["PROXY_FIX"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings["PROXY_FIX"]
        # Outermost, so Socket.IO (its connect's address, the wrong-code limit) sees the
        # client's address too, not the proxy's. X-Forwarded-Host is not trusted unless
        # FACILITATOR_PROXY_FIX_HOST says the proxy sets it: a client could send its own
        # and have the app build links to another host; links come from PUBLIC_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,
                                x_host=hops if settings["PROXY_FIX_HOST"] else 0)
    app.extensions["facilitator.live"] = Live(app.extensions["facilitator.ops"],
                                              realtime.socketio, settings["MIN_GROUP"])
    return app
