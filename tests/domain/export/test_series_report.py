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
    assert "| Raadslid | kaderstelling | 2 | Zwolle, Deventer | 5 van 6 |" in text
    assert "parkeren" not in text  # two burgers over the series: under the minimum
    assert "- vertrouwen (thema): 3 sessies, 9 deelnemers — Zwolle, Deventer, Ede" in text
    assert "- hybride werken (thema): 3 deelnemers — Zwolle" in text
    english = series_report.markdown(series_report.build(out, "en"))
    assert "- concern" not in english and "(concern of Raadslid): 2 sessions" in english
    for fmt in ("docx", "html", "md", "json"):
        content, mimetype, name = series_report.render(out, fmt)
        assert content and name == f"dvg-2027-reeksverslag.{fmt}" and mimetype
