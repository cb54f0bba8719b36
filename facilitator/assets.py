"""Where the files the app serves live: inside the package, or in the checkout.

A wheel carries its templates, static files, browser packages from npm and
compiled translation catalogs in ``facilitator/_assets/`` (``setup.py`` copies
them there at build time).  A git checkout (``./dev``, an editable install)
has no ``_assets``: it serves ``templates/``, ``static/`` and ``node_modules/``
beside the package, and the catalogs ``./dev`` compiled in
``facilitator/translations``.  No Flask import here: ``setup.py`` reads
``VENDOR_FILES`` from this file by path, without importing the package.
"""

from __future__ import annotations

import os

PACKAGE = os.path.dirname(os.path.abspath(__file__))
#: The checkout (the folder holding this package) when running from source.
ROOT = os.path.dirname(PACKAGE)
BUNDLE = os.path.join(PACKAGE, "_assets")

#: Browser packages served at /vendor/<name>: name -> path under node_modules
#: (installed from npm, pinned in package-lock.json; never a CDN).
VENDOR_FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "axe.min.js": "axe-core/axe.min.js",
    # NL Design System: the neutral "voorbeeld" theme and component CSS (see templates/base.html)
    "voorbeeld-theme.css": "@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css",
    "nl-heading.css": "@nl-design-system-candidate/heading-css/dist/heading.css",
    "utrecht-document.css": "@utrecht/document-css/dist/index.min.css",
    "utrecht-button.css": "@utrecht/button-css/dist/index.min.css",
    "utrecht-link.css": "@utrecht/link-css/dist/index.min.css",
    "utrecht-alert.css": "@utrecht/alert-css/dist/index.min.css",
    "utrecht-skip-link.css": "@utrecht/skip-link-css/dist/index.min.css",
    "utrecht-form-field.css": "@utrecht/form-field-css/dist/index.min.css",
    "utrecht-form-label.css": "@utrecht/form-label-css/dist/index.min.css",
    "utrecht-form-field-description.css": "@utrecht/form-field-description-css/dist/index.min.css",
    "utrecht-form-field-error-message.css":
        "@utrecht/form-field-error-message-css/dist/index.min.css",
    "utrecht-form-fieldset.css": "@utrecht/form-fieldset-css/dist/index.min.css",
    "utrecht-textbox.css": "@utrecht/textbox-css/dist/index.min.css",
    "utrecht-textarea.css": "@utrecht/textarea-css/dist/index.min.css",
    "utrecht-select.css": "@utrecht/select-css/dist/index.min.css",
    "utrecht-radio-button.css": "@utrecht/radio-button-css/dist/index.min.css",
    "utrecht-checkbox.css": "@utrecht/checkbox-css/dist/index.min.css",
    "utrecht-table.css": "@utrecht/table-css/dist/index.min.css",
}


def bundled() -> bool:
    """True in an installed wheel, which carries its own files."""
    return os.path.isdir(os.path.join(BUNDLE, "templates"))


def templates_dir() -> str:
    return os.path.join(BUNDLE if bundled() else ROOT, "templates")


def static_dir() -> str:
    return os.path.join(BUNDLE if bundled() else ROOT, "static")


def translations_dir() -> str:
    if bundled():
        return os.path.join(BUNDLE, "translations")
    return os.path.join(PACKAGE, "translations")


def vendor_file(name: str) -> tuple[str, str] | None:
    """(folder, path inside it) of a browser package file, or None for an unknown name."""
    if name not in VENDOR_FILES:
        return None
    if bundled():
        return os.path.join(BUNDLE, "vendor"), name
    return os.path.join(ROOT, "node_modules"), VENDOR_FILES[name]


def instance_path(configured: str | None = None) -> str | None:
    """The instance folder (SQLite file by default), or None for Flask's default.

    From a checkout it stays ``instance/`` beside the package; an installed app
    must never write into site-packages, so there Flask's own default for
    installed packages applies (``<venv>/var/facilitator-instance``) unless
    ``FACILITATOR_INSTANCE_PATH`` names one.
    """
    chosen = configured or os.environ.get("FACILITATOR_INSTANCE_PATH")
    if chosen:
        return os.path.abspath(chosen)
    if bundled():
        return None
    return os.path.join(ROOT, "instance")
