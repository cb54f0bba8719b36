"""Build step: the wheel carries everything the app serves.

All metadata is in pyproject.toml; this file only adds to ``build_py`` the
copying of ``templates/``, ``static/``, the browser packages the app serves
from npm (``VENDOR_FILES`` in facilitator/assets.py, from ``node_modules``
installed with ``npm ci`` from the pinned package-lock.json) and the Dutch
catalogs compiled from their ``.po`` files into ``facilitator/_assets/``.
A server then needs neither Node nor a checkout.

``FACILITATOR_NODE_MODULES`` may name an existing ``node_modules`` folder to
take the browser packages from (an offline build); otherwise ``./node_modules``
is used, and ``npm ci`` installs it first when it is missing.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.join("facilitator", "_assets")


def vendor_files() -> dict[str, str]:
    """VENDOR_FILES from facilitator/assets.py, read without importing the package."""
    with open(os.path.join(HERE, "facilitator", "assets.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "VENDOR_FILES" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("setup.py: VENDOR_FILES not found in facilitator/assets.py")


def node_modules() -> str:
    """The node_modules folder to copy browser packages from; ``npm ci`` when missing."""
    given = os.environ.get("FACILITATOR_NODE_MODULES")
    if given:
        return given
    folder = os.path.join(HERE, "node_modules")
    if not os.path.isdir(folder):
        if shutil.which("npm") is None:
            raise SystemExit(
                "facilitator build: the browser packages (package-lock.json) are not installed "
                "and npm is not available: install Node.js/npm, or run `npm ci` first, or set "
                "FACILITATOR_NODE_MODULES to an existing node_modules folder")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE,
                       check=True)
    return folder


def compile_catalogs(target: str) -> None:
    """Every ``<lang>/LC_MESSAGES/messages.po`` compiled to ``.mo`` under ``target``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = os.path.join(HERE, "facilitator", "translations")
    for lang in sorted(os.listdir(source)):
        po = os.path.join(source, lang, "LC_MESSAGES", "messages.po")
        if not os.path.isfile(po):
            continue
        with open(po, "rb") as f:
            catalog = read_po(f, locale=lang)
        out = os.path.join(target, lang, "LC_MESSAGES")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "messages.mo"), "wb") as f:
            write_mo(f, catalog)


class BuildWithAssets(build_py):
    """build_py, plus the served files copied into facilitator/_assets."""

    def run(self) -> None:
        super().run()
        # An editable install serves the checkout itself (facilitator/assets.py).
        if getattr(self, "editable_mode", False):
            return
        bundle = os.path.join(self.build_lib, BUNDLE)
        if os.path.isdir(bundle):
            shutil.rmtree(bundle)
        for name in ("templates", "static"):
            shutil.copytree(os.path.join(HERE, name), os.path.join(bundle, name),
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
        modules = node_modules()
        vendor = os.path.join(bundle, "vendor")
        os.makedirs(vendor)
        for name, path in vendor_files().items():
            source = os.path.join(modules, path)
            if not os.path.isfile(source):
                raise SystemExit(f"facilitator build: {source} is missing (run `npm ci`)")
            shutil.copyfile(source, os.path.join(vendor, name))
        compile_catalogs(os.path.join(bundle, "translations"))


setup(cmdclass={"build_py": BuildWithAssets})
