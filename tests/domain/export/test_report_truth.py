"""The board report's figures are true, tried as its reader would after a real session
of 1, 2, 3 and 4 people per perspective (one circle each): people, perspectives and
circles counted as they were, a shift over the same people as the means beside it, no
figure from fewer people than the rule, words where a dash stood, and the research
workbook's warning on every sheet that holds unshared text."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from facilitator.domain.export import render
from facilitator.domain.export.report import build
from facilitator.domain.model import (
    CircleDef,
    Conclusion,
    Finding,
    Harvest,
    LiveState,
    Participant,
    Perspective,
    Rating,
    Reaction,
    Reflection,
    Step,
    Workshop,
    WorkshopData,
)

START = datetime(2027, 3, 12, 12, 30, tzinfo=UTC)
#: perspective -> (label, people): 1, 2, 3 and 4
SIZES = {"raadslid": ("Raadslid", 1), "bestuurder": ("Burgemeester / wethouder", 2),
         "medewerker": ("Ambtenaar", 3), "burger": ("Burger", 4)}
UNSHARED = "Dit bleef in de kring: niemand durfde het hardop te zeggen"
#: f1 (before, after) per person; None: did not rate in that round. The pooled group
#: (the council member and the two aldermen) goes 3.67 -> 3.33, each of them rated
#: twice: a shift of -0.33. Two citizens rated twice (+1, 0).
F1 = {"raadslid-1": (5, 4), "bestuurder-1": (3, 3), "bestuurder-2": (3, 3),
      "medewerker-1": (4, 4), "medewerker-2": (4, 5), "medewerker-3": (2, 2),
      "burger-1": (2, None), "burger-2": (3, 4), "burger-3": (3, 3), "burger-4": (None, 4)}
#: f2 before: one of the three civil servants has no opinion (0), so their mean would
#: stand on two people
F2 = {"raadslid-1": 3, "bestuurder-1": 2, "medewerker-1": 4, "medewerker-2": 5,
      "medewerker-3": 0, "burger-1": 3, "burger-2": 3, "burger-3": 4, "burger-4": 4}


def _at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def real_session() -> WorkshopData:
    steps = [Step(id="opening", title="Opening", kind="welcome", actual_start=_at(0),
                  actual_end=_at(10)),
             Step(id="presentatie", title="Presentatie", kind="presentation",
                  actual_start=_at(10), actual_end=_at(30)),
             Step(id="kring", title="Reflectie in eigen kring", kind="circle",
                  actual_start=_at(30), actual_end=_at(70)),
             Step(id="dialoog", title="Dialoog", kind="exchange", actual_start=_at(70),
                  actual_end=_at(100)),
             Step(id="conclusies", title="Conclusies", kind="conclusions",
                  actual_start=_at(100), actual_end=_at(120)),
             Step(id="afsluiting", title="Afsluiting", kind="closing", actual_start=_at(120))]
    workshop = Workshop(
        code="TRU123", title="Reflectiesessie Zwolle", date="2027-03-12", place="Zwolle",
        steps=steps,
        perspectives=[Perspective(id=pid, label=label) for pid, (label, _n) in SIZES.items()],
        circles=[CircleDef(id=pid, name=f"Kring {label}", perspectives=[pid], max_size=6)
                 for pid, (label, _n) in SIZES.items()],
        findings=[Finding("f1", "Verandering verloopt zelden volgens plan"),
                  Finding("f2", "Betekenisgeving verschilt per positie")],
        state=LiveState(current_step="afsluiting"), created_at=_at(-60), started_at=_at(0),
        ended_at=_at(130))
    participants = [Participant(id=f"{pid}-{i}", token=f"t-{pid}-{i}", pseudonym=f"Merel {pid}{i}",
                                perspective=pid, circle=pid, circle_name=f"Kring {label}",
                                joined_at=_at(-5))
                    for pid, (label, n) in SIZES.items() for i in range(1, n + 1)]
    reflections, reactions = [], []
    for n, p in enumerate(participants):
        rid = f"r{n}"
        reflections.append(Reflection(
            id=rid, participant=p.id, perspective=p.perspective, circle=p.circle,
            text=f"Vertrouwen en regie in de gemeente, gezien vanuit {p.perspective} ({n})",
            created_at=_at(35 + n), shared=True, shared_at=_at(60), finding="f1"))
        for q in participants:
            if q.circle != p.circle and (n + len(q.id)) % 3 == 0:
                reactions.append(Reaction(id=f"{rid}:{q.id}", reflection=rid, participant=q.id,
                                          perspective=q.perspective, circle=q.circle,
                                          kind="agree", created_at=_at(80),
                                          text="Herkenbaar" if q.perspective == "bestuurder"
                                          else ""))
    reflections.append(Reflection(id="r-unshared", participant="burger-1", perspective="burger",
                                  circle="burger", text=UNSHARED, created_at=_at(50)))
    ratings = []
    for who, (before, after) in F1.items():
        perspective = who.rsplit("-", 1)[0]
        for round_, score in (("before", before), ("after", after)):
            if score is not None:
                ratings.append(Rating(id=f"f1:{round_}:{who}", finding="f1", round=round_,
                                      participant=who, perspective=perspective,
                                      circle=perspective, score=score, created_at=_at(20),
                                      text="Zo gaat het bij ons" if score == 2 else ""))
    for who, score in F2.items():
        perspective = who.rsplit("-", 1)[0]
        ratings.append(Rating(id=f"f2:before:{who}", finding="f2", round="before",
                              participant=who, perspective=perspective, circle=perspective,
                              score=score or None, created_at=_at(20)))
    conclusions = [Conclusion(id="k1", text="Vertrouwen is de voorwaarde voor regie",
                              created_at=_at(105), reflections=["r0", "r5"],
                              perspectives=["medewerker", "burger"])]
    harvests = [Harvest(id="h1", participant="burger-2", perspective="burger",
                        table=1, text="aan onze tafel bleef het stil", created_at=_at(90),
                        shared=False)]
    return WorkshopData(workshop=workshop, participants=participants, reflections=reflections,
                        reactions=reactions, ratings=ratings, conclusions=conclusions,
                        harvests=harvests)


def board(lang: str = "nl"):
    return build(real_session(), lang=lang, preset="bestuur", min_group=3,
                 now=datetime(2027, 3, 13, 9, 0, tzinfo=UTC))


def test_page_one_counts_people_and_perspectives_as_they_were():
    nl, en = board("nl"), board("en")
    # four perspectives took part, not three (the small ones were merged, not absent);
    # the council member and the two aldermen are the three in the merged group
    assert nl.summary.took_part.startswith(
        "10 mensen uit 4 perspectieven namen deel, waarvan 3 in kleine groepen samengevoegd;")
    assert en.summary.took_part.startswith(
        "10 people from 4 perspectives took part, 3 of them in small groups that were merged;")


def test_the_story_and_the_method_count_the_circles_as_they_were():
    report = board()
    told = " ".join(line for entry in report.story for line in _lines(entry))
    assert "4 kringen" in told and "3 kringen" not in told
    assert any("4 kringen" in line for line in report.method)


def _lines(entry) -> list[str]:
    lines = getattr(entry, "lines", None)
    if lines is None and isinstance(entry, dict):
        lines = entry.get("lines", [])
    return [str(x) for x in (lines or [])]


def test_the_pooled_rows_shift_is_over_the_same_people_as_its_means():
    rows = {row[0]: row for row in board().findings[0].ratings}
    pooled = next(row for label, row in rows.items() if label.startswith("Andere perspectieven"))
    # 3.67 -> 3.33 over the same three people: a shift of -0.33, not +0.0 (which was the
    # shift of a different pool, with two citizens who rated twice in it)
    assert pooled[1:] == ["3,7 (3)", "3,3 (3)", "−0,3"]
    # three citizens rated before and three after, two of them twice: the shift would
    # stand on two people (and give the others' scores): a word, not a figure
    assert rows["Burger"][3] == "te weinig deelnemers"
    assert re.search(r"meest verschoven: Andere perspectieven[^,;]* −0,3",
                     " ".join(board().summary.findings))


def test_no_rating_figure_stands_on_fewer_people_than_the_rule():
    report = board()
    for item in report.findings:
        for row in item.ratings:
            for cell in row[1:3]:
                match = re.fullmatch(r"\d,\d \((\d+)\)", cell)
                assert match or cell in ("te weinig deelnemers", "niet beoordeeld"), cell
                if match:
                    assert int(match.group(1)) >= 3, (item.title, row)
    f2 = {row[0]: row for row in report.findings[1].ratings}
    # two civil servants gave a score (the third: no opinion): pooled, not shown alone
    assert "Ambtenaar" not in f2
    for line in report.summary.findings:
        for n in re.findall(r"van (\d+)", line):
            assert int(n) >= 3, line


def test_a_withheld_or_pooled_author_is_named_in_words_not_a_dash():
    for fmt in ("md", "html"):
        text = render(real_session(), fmt, preset="bestuur").content.decode()
        assert "–:" not in text and "– (" not in text, fmt
        assert "andere perspectieven" in text.lower()


def test_every_research_sheet_with_unshared_text_says_not_to_hand_it_on():
    from openpyxl import load_workbook

    content = render(real_session(), "xlsx", preset="onderzoek").content
    book = load_workbook(io.BytesIO(content), read_only=True)
    holding = []
    for sheet in book.worksheets:
        values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row
                  if v is not None]
        if any(UNSHARED in v or "aan onze tafel bleef het stil" in v for v in values):
            holding.append(sheet.title)
            first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
            assert any("niet doorgeven" in str(v) for v in first if v), sheet.title
    assert len(holding) >= 3  # the reflections, their data and the dialogue's harvests


def test_a_conclusion_drafted_from_a_pattern_names_no_small_perspective():
    from facilitator.domain.patterns import PatternEngine, pattern_to_conclusion_draft
    from facilitator.domain.privacy import Viewer
    from facilitator.domain.rules import Role

    data = real_session()
    # the console's analysis (unpooled, small groups marked) is what a draft comes from
    result = PatternEngine().analyse(data, Viewer(Role.FACILITATOR, "closing"), "nl", 3)
    theme = result["themes"][0]
    assert {e["id"] for e in theme["perspectives"] if e.get("small_group")} == {
        "raadslid", "bestuurder"}
    assert pattern_to_conclusion_draft(theme)["perspectives"] == ["medewerker", "burger"]
    # a pattern of the two aldermen, as the console's analysis gives it
    alone = {"title": {"nl": "Kenmerkend voor Burgemeester / wethouder: regie",
                       "en": "Distinctive for Burgemeester / wethouder: regie"},
             "explanation": {"nl": "Vanuit Burgemeester / wethouder wordt “regie” veel vaker "
                                   "genoemd dan vanuit de anderen."},
             "reflections": ["r1", "r2"],
             "perspectives": [{"id": "bestuurder", "label": {"nl": "Burgemeester / wethouder",
                                                             "en": "Burgemeester / wethouder"},
                               "authors_using": 2, "authors": 2, "small_group": True},
                              {"id": "rest", "label": {"nl": "de anderen"},
                               "small_group": False}]}
    for lang in ("nl", "en"):
        draft = pattern_to_conclusion_draft(alone, lang)
        assert "wethouder" not in draft["text"] and draft["perspectives"] == []
        assert ("andere perspectieven" if lang == "nl" else "other perspectives") in draft["text"]
    assert pattern_to_conclusion_draft(alone)["text"].startswith(
        "Kenmerkend voor andere perspectieven: regie.")
