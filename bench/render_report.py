"""Render a sample session's reports to page images, to look at the layout.

    python bench/render_report.py                      # into build/report-pages/
    python bench/render_report.py --out docs/img --pages 2 --preset bestuur

Writes the Word and PDF reports of the tests' sample session (uneven groups,
Dutch as people type it) and turns their first pages into PNG images:
the PDF with ``pdftoppm`` (Debian: poppler-utils), the Word file first to PDF
with LibreOffice (``soffice --headless --convert-to pdf``; Debian:
libreoffice-writer-nogui). Neither is needed by the app or by CI; this is a
tool for people who change the report's layout.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator.domain.export import render  # noqa: E402
from tests.domain.export import make_session  # noqa: E402


def pages(pdf: Path, out: Path, stem: str, count: int, dpi: int) -> list[Path]:
    """The first ``count`` pages of ``pdf`` as ``<stem>-<n>.png`` in ``out``."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(count),
                    str(pdf), str(out / stem)], check=True)
    return sorted(out.glob(f"{stem}-*.png"))


def main(argv: list[str] | None = None) -> int:
    """Render and print the paths of the page images; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/report-pages")
    parser.add_argument("--preset", default="bestuur",
                        choices=["bestuur", "deelnemers", "onderzoek"])
    parser.add_argument("--lang", default="nl", choices=["nl", "en"])
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)
    if not shutil.which("pdftoppm"):
        print("needs pdftoppm (Debian: poppler-utils)", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = make_session(reflections=60, per_perspective=4)
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pdf = work / "report.pdf"
        pdf.write_bytes(render(data, "pdf", preset=args.preset, lang=args.lang).content)
        made += pages(pdf, out, f"report-pdf-{args.preset}", args.pages, args.dpi)
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice:
            word = work / "report.docx"
            word.write_bytes(render(data, "docx", preset=args.preset, lang=args.lang).content)
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work}/lo",
                            "--convert-to", "pdf", "--outdir", str(work / "word"), str(word)],
                           check=True, capture_output=True, timeout=180)
            made += pages(work / "word" / "report.pdf", out, f"report-docx-{args.preset}",
                          args.pages, args.dpi)
        else:
            print("no LibreOffice (soffice): the Word pages are skipped", file=sys.stderr)
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
