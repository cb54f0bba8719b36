"""Rating results in the domain: dividing and uniting findings, the small-group rule
over random rooms, and ratings through the JSON archive and back."""

from __future__ import annotations

import json
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.domain import findings, privacy
from facilitator.domain.export.archive import from_archive, restore, to_archive
from facilitator.domain.model import Finding, Rating, StepKind, Workshop, WorkshopData
from facilitator.domain.programme import default_perspectives
from facilitator.domain.rules import Role
from facilitator.store.sqlite import SQLiteStore

from .conftest import go, member

SCREEN = privacy.Viewer(Role.SCREEN, StepKind.CONCLUSIONS)
FACILITATOR = privacy.Viewer(Role.FACILITATOR, StepKind.CONCLUSIONS)


def data_with(ratings: list[tuple[str, str, str, int | None]]) -> WorkshopData:
    """A workshop with two findings and ratings (participant, perspective, round, score)."""
    workshop = Workshop(code="TEST01", title="t", perspectives=default_perspectives(),
                        findings=[Finding("f1", "Plan"), Finding("f2", "Vertrouwen")])
    out = []
    for participant, perspective, round_, score in ratings:
        for finding in ("f1", "f2"):
            out.append(Rating(id=findings.rating_id(finding, round_, participant),
                              finding=finding, round=round_, participant=participant,
                              perspective=perspective, circle=perspective,
                              score=score if finding == "f1" else 4, created_at="x"))
    return WorkshopData(workshop=workshop, ratings=out)


def test_a_finding_that_divides_and_one_that_unites():
    rows = [(f"r{i}", "raadslid", "before", 5) for i in range(3)]
    rows += [(f"v{i}", "vakbond", "before", 2) for i in range(4)]
    result = findings.results(data_with(rows), FACILITATOR, 3)
    assert result["dividing"] == ["f1"]  # 5 against 2: three points apart
    assert result["uniting"] == ["f2"]    # everyone 4
    f1 = result["findings"][0]["rounds"]["before"]
    assert f1["spread"] == 3.0 and f1["recognise"] == 0.43


@st.composite
def rooms(draw):
    sizes = draw(st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=6))
    min_group = draw(st.integers(min_value=2, max_value=5))
    perspectives = [p.id for p in default_perspectives()]
    rows = []
    for index, size in enumerate(sizes):
        for person in range(size):
            for round_ in ("before", "after"):
                if draw(st.booleans()):
                    rows.append((f"p{index}-{person}", perspectives[index], round_,
                                 draw(st.sampled_from([1, 2, 3, 4, 5, None]))))
    return rows, min_group


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rooms())
def test_the_screen_never_shows_a_group_under_the_minimum(case):
    rows, min_group = case
    data = data_with(rows)
    result = findings.results(data, SCREEN, min_group)
    for finding in result["findings"]:
        for round_ in ("before", "after"):
            raters: dict[str, set[str]] = defaultdict(set)
            for r in data.ratings:
                if r.finding == finding["id"] and r.round == round_:
                    raters[r.perspective].add(r.participant)
            for entry in finding["rounds"][round_]["perspectives"]:
                if entry["id"] == privacy.OTHER:
                    small = [pid for pid, who in raters.items() if len(who) < min_group]
                    assert len(small) >= 2
                    assert sum(len(raters[pid]) for pid in small) >= min_group
                else:
                    assert len(raters[entry["id"]]) >= min_group
        for entry in finding["shift"]["perspectives"]:
            assert entry["n_paired"] >= min_group or entry["id"] == privacy.OTHER
        assert "reasons" not in finding


def test_ratings_go_through_the_archive_and_back(domain_ops, workshop, fac):
    raad = member(domain_ops, workshop.code, "raadslid")
    go(domain_ops, fac, "presentation")
    f1 = workshop.findings[0].id
    domain_ops.rate_finding(raad, f1, "before", 2, "bij ons totaal anders", "c1")
    go(domain_ops, fac, "conclusions")
    domain_ops.rate_finding(raad, f1, "after", 4, None, "c2")
    archive = json.loads(json.dumps(to_archive(domain_ops.load(workshop.code))))
    assert [r["score"] for r in archive["ratings"]] == [2, 4]
    data = from_archive(archive)
    store = SQLiteStore(":memory:")
    tokens = iter(f"token-{i:030d}" for i in range(100))
    restore(store, data, "NEW001", lambda: next(tokens))
    back = [Rating.from_dict(d) for d in store.records("NEW001", "rating")]
    assert [(r.round, r.score, r.text) for r in back] == [
        ("before", 2, "bij ons totaal anders"), ("after", 4, "")]
    # an archive from before ratings existed still reads
    del archive["ratings"]
    assert from_archive(archive).ratings == []


def test_the_research_package_has_one_row_per_rating(domain_ops, workshop, fac):
    import csv
    import io
    import zipfile

    from facilitator.domain.export import render

    raad = member(domain_ops, workshop.code, "raadslid")
    bond = member(domain_ops, workshop.code, "vakbond")
    go(domain_ops, fac, "presentation")
    f1, f2 = (f.id for f in workshop.findings)
    domain_ops.rate_finding(raad, f1, "before", 2, "bij ons ging t heel anders")
    domain_ops.rate_finding(bond, f1, "before", None)
    domain_ops.rate_finding(bond, f2, "before", 5)
    out = render(domain_ops.load(workshop.code), "csv", preset="onderzoek")
    with zipfile.ZipFile(io.BytesIO(out.content)) as archive:
        name = next(n for n in archive.namelist() if "ratings" in n)
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")),
                                   delimiter=";"))
    assert [(r["finding_id"], r["round"], r["score"], r["perspective_id"]) for r in rows] == [
        (f1, "before", "2", "raadslid"), (f1, "before", "", "vakbond"),
        (f2, "before", "5", "vakbond")]
    assert rows[0]["text"] == "bij ons ging t heel anders"
    assert rows[0]["participant_id"].startswith("P")  # pseudonymous, never a name


def test_page_one_of_the_report_says_how_the_findings_fared(domain_ops, workshop, fac):
    from facilitator.domain.export import render

    raad = [member(domain_ops, workshop.code, "raadslid") for _ in range(3)]
    clerk = member(domain_ops, workshop.code, "gemeentesecretaris")
    go(domain_ops, fac, "presentation")
    f1 = workshop.findings[0].id
    for who, score in zip(raad + [clerk], (2, 3, 2, 5), strict=True):
        domain_ops.rate_finding(who, f1, "before", score)
    go(domain_ops, fac, "conclusions")
    for who, score in zip(raad, (4, 4, 5), strict=True):
        domain_ops.rate_finding(who, f1, "after", score)
    board = render(domain_ops.load(workshop.code), "md", preset="bestuur").content.decode()
    line = next(x for x in board.splitlines() if x.startswith("- “F1”"))
    # three raadsleden shown; the lone town clerk neither named nor counted
    assert "vooraf herkent 0 van 3 beoordelaars dit (gemiddeld 2,3)" in line
    assert "na de dialoog 3 van 3 (gemiddeld 4,3)" in line and "Raadslid +2,0" in line
    assert "ecretaris" not in board
    sections = [i for i, x in enumerate(board.splitlines()) if x.startswith("## ")]
    heading = board.splitlines().index("### Toetsing van de bevindingen")
    assert sections[0] < heading < sections[1]  # on page one, the summary
    english = render(domain_ops.load(workshop.code), "md", preset="bestuur", lang="en")
    assert "The findings put to the test" in english.content.decode()


def test_patterns_from_ratings_blind_spots_and_a_dividing_finding(domain_ops, workshop, fac):
    from facilitator.domain.patterns import analyse_workshop

    raad = [member(domain_ops, workshop.code, "raadslid") for _ in range(3)]
    bond = [member(domain_ops, workshop.code, "vakbond") for _ in range(3)]
    burgers = [member(domain_ops, workshop.code, "burger") for _ in range(3)]
    clerk = member(domain_ops, workshop.code, "gemeentesecretaris")  # alone: never named
    go(domain_ops, fac, "presentation")
    f1, f2 = (f.id for f in workshop.findings)
    for who, score in zip(raad + bond, (5, 5, 4, 2, 1, 2), strict=True):
        domain_ops.rate_finding(who, f1, "before", score)
    domain_ops.rate_finding(clerk, f1, "before", 3)
    go(domain_ops, fac, "exchange")
    data = domain_ops.load(workshop.code)
    for audience in ("facilitator", "screen"):
        result = analyse_workshop(data, audience=audience)
        blind = {b["id"] for b in result["blind_spots"] if b["kind"].startswith("unrated")}
        # F2 nobody rated; the burgers (three present) rated nothing of F1
        assert f"blind:unrated:{f2}" in blind and f"blind:unrated:{f1}:burger" in blind
        assert not any("gemeentesecretaris" in b for b in blind)
        divided = [d for d in result["dividing_lines"] if d["kind"] == "finding"]
        assert [d["finding"] for d in divided] == [f1]
        assert {p["id"] for p in divided[0]["perspectives"]} == {"raadslid", "vakbond"}
        assert "4,7" in divided[0]["explanation"]["nl"]  # raadsleden 4.67, vakbond 1.67
    assert burgers  # present, silent on F1


def test_the_reports_findings_section_has_a_table_per_finding(domain_ops, workshop, fac):
    from facilitator.domain.export import render

    raad = [member(domain_ops, workshop.code, "raadslid") for _ in range(3)]
    clerk = member(domain_ops, workshop.code, "gemeentesecretaris")
    go(domain_ops, fac, "presentation")
    f1 = workshop.findings[0].id
    for who, score in zip(raad, (2, 3, 2), strict=True):
        domain_ops.rate_finding(who, f1, "before", score, "te rooskleurig voor onze gemeente")
    domain_ops.rate_finding(clerk, f1, "before", 5, "Als secretaris herken ik dit volledig")
    go(domain_ops, fac, "conclusions")
    for who in raad:
        domain_ops.rate_finding(who, f1, "after", 4)
    data = domain_ops.load(workshop.code)
    board = render(data, "md", preset="bestuur").content.decode()
    assert "| Raadslid | 2,3 (3) | 4,0 (3) | +1,7 |" in board
    assert "ecretaris" not in board and "rooskleurig" not in board  # no reasons for readers
    research = render(data, "md", preset="onderzoek").content.decode()
    assert "Raadslid (vooraf, 2): te rooskleurig voor onze gemeente" in research
    html = render(data, "html", preset="bestuur").content.decode()
    assert "gemiddelde herkenbaarheid per perspectief" in html and "<svg" in html
    assert render(data, "docx", preset="bestuur").content
