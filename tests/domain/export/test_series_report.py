"""The series report drawn from the hand-computed small series of test_series: the
reactions where a session did not rate, concerns, what recurs and what came once."""

from __future__ import annotations

from datetime import datetime

from facilitator.domain.export import series_report
from facilitator.domain.series import new_series, synthesis
from tests.domain.test_series import small_series


def test_the_report_shows_what_the_synthesis_found_and_nothing_withheld():
    out = synthesis(new_series("s1", "DVG 2027", {}, "now"), small_series(),
                    patterns_of=lambda d: d.patterns)
    report = series_report.build(out, "nl", generated=datetime(2027, 5, 1, 10, 0))
    text = series_report.markdown(report)
    assert text.startswith("# Reeksverslag: DVG 2027\n")
    assert "3 sessies van 1 maart 2027 tot en met 1 maart 2027, in Zwolle, Deventer, Ede." in text
    assert "Beoordeeld in: Zwolle, Deventer." in text
    assert "Niet beoordeeld, wel reacties op reflecties erover in: Ede." in text
    # Ede's reactions: three raadsleden; the single burger and clerk are withheld
    assert "| Raadslid | 3 | 2 | 1 | 0 |" in text
    assert "| Alle getoonde perspectieven | 3 | 2 | 1 | 0 |" in text
    assert "Een deel van de reacties is weggelaten: te kleine groepen." in text
    assert "| Raadslid | kaderstelling | 1 | Zwolle | 3 van 4 |" in text
    assert "parkeren" not in text  # two burgers in Deventer: under the minimum there
    assert "- vertrouwen (thema): 3 sessies, 9 deelnemers — Zwolle, Deventer, Ede" in text
    assert "- hybride werken (thema): 3 deelnemers — Zwolle" in text
    english = series_report.markdown(series_report.build(out, "en"))
    assert "- concern" not in english
    assert "- kaderstelling (concern of Raadslid): 3 participants — Zwolle" in english
    for fmt in ("docx", "html", "md", "json"):
        content, mimetype, name = series_report.render(out, fmt)
        assert content and name == f"dvg-2027-reeksverslag.{fmt}" and mimetype


def _text_of(fmt: str, content: bytes) -> str:
    """What a reader of ``content`` can find in it: the text, the Word file's XML parts
    (document, properties) and the PDF's text."""
    import io
    import subprocess
    import zipfile

    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace")
                             for name in archive.namelist())
    if fmt == "pdf":
        return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True,
                              check=True).stdout.decode("utf-8", "replace")
    return content.decode("utf-8")


def test_no_format_of_the_series_report_carries_a_session_code():
    """The series report is handed on: a session's code is its join code (a reader could
    join an upcoming session with it), so every format names sessions by date, place and
    municipality."""
    from facilitator.domain.joincode import display, new_code
    from facilitator.domain.model import Workshop, WorkshopData
    from facilitator.domain.programme import default_perspectives

    sessions = small_series()
    codes = []
    for data in sessions:
        data.workshop.code = new_code()
        codes.append(data.workshop.code)
    upcoming = Workshop(code=new_code(), title="Reflectiesessie", place="Ede", date="2027-09-01",
                        municipality="Ede", perspectives=default_perspectives())
    sessions.append(WorkshopData(workshop=upcoming))
    codes.append(upcoming.code)
    out = synthesis(new_series("s1", "DVG 2027", {}, "now"), sessions,
                    patterns_of=lambda d: getattr(d, "patterns", {}) or {})
    for lang in ("nl", "en"):
        for fmt in series_report.FORMATS:
            content, _mimetype, _name = series_report.render(out, fmt, lang)
            text = _text_of(fmt, content)
            assert "Deventer" in text
            for code in codes:
                assert code not in text and display(code) not in text, (fmt, lang, code)
    markdown = series_report.markdown(series_report.build(out, "nl"))
    # two sessions in Ede: the date tells them apart
    assert "Ede (1 september 2027)" in markdown and "Ede (1 maart 2027)" in markdown


def test_the_series_dataset_sheet_with_unshared_text_says_not_to_hand_it_on():
    import io

    from openpyxl import load_workbook

    from facilitator.domain.export import series_dataset
    from tests.domain.test_series import reflection

    sessions = small_series()
    table = series_dataset.rows("s1", sessions)
    book = load_workbook(io.BytesIO(series_dataset.to_xlsx(table)), read_only=True)
    first = next(book["data"].iter_rows(max_row=1, values_only=True))
    assert first == series_dataset.COLUMNS  # every reflection shared: the header first
    reflection(sessions[1], "d9", "b1", "raadslid", None, shared=False)
    table = series_dataset.rows("s1", sessions)
    book = load_workbook(io.BytesIO(series_dataset.to_xlsx(table)), read_only=True)
    rows = list(book["data"].iter_rows(max_row=2, values_only=True))
    assert "niet doorgeven" in rows[0][0] and rows[1] == series_dataset.COLUMNS
