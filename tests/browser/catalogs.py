"""Compile the committed ``.po`` catalogs into ``.mo`` files when they are missing
or older than their ``.po`` (``pybabel compile`` does the same at install time).

Tests import this at collection time, before any app answers a request, so a
checkout without compiled catalogs still tests the real translations.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "facilitator" / "translations"


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Write ``messages.mo`` next to every ``messages.po`` that is newer; return those written."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        fd, tmp = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(tmp, mo_path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        written.append(mo_path)
    return written
