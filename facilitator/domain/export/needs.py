"""Which formats need the ``export`` extra, and a clear refusal where it is missing.

The core install (``pip install facilitator``) makes Markdown, HTML, CSV and the
JSON archive; Word, Excel and PDF need python-docx, openpyxl, WeasyPrint and pypdf
(``pip install "facilitator[export]"``). Without them a download answers with a
message that says so, not with a server error.
"""

from __future__ import annotations

import importlib.util

from ..errors import N_, DomainError

#: The modules each format imports, by format.
MODULES: dict[str, tuple[str, ...]] = {
    "docx": ("docx",),
    "xlsx": ("openpyxl",),
    "pdf": ("weasyprint", "pypdf"),
}


class NotInstalled(DomainError):
    """This server lacks the optional packages a format needs (the ``export`` extra)."""

    status = 501
    code = "not_installed"


def missing(fmt: str) -> list[str]:
    """The modules ``fmt`` needs that cannot be imported here."""
    absent = []
    for module in MODULES.get(fmt, ()):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # ValueError: a module set to None (tests)
            found = False
        if not found:
            absent.append(module)
    return absent


def require(fmt: str) -> None:
    """Raise ``NotInstalled`` when ``fmt``'s packages are missing."""
    if missing(fmt):
        raise NotInstalled(N_("This server cannot make %(format)s files: the export "
                              "extra is not installed (pip install \"facilitator[export]\")."),
                           format=fmt.upper())
