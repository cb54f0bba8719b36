"""The series report (Word, HTML/PDF, Markdown, JSON) and the research dataset (CSV,
Excel) over the API: pooled and pseudonymous reports, a dataset with one row per
reflection, reaction, rating and endorsement that reads back with its types."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from datetime import datetime

import pytest

from facilitator.domain.export.series_dataset import COLUMNS
from tests.conftest import ORGANISER

TEMPLATE = {"findings": [{"id": "plan", "title": "Verandering verloopt zelden volgens plan"}]}


def _steps(api, code):
    return {s["kind"]: s["id"] for s in api.get(f"/sessions/{code}").json["steps"]}


@pytest.fixture
def series(api):
    """Zwolle: 3 raadsleden and 3 inwoners rate, write, share, react and endorse;
    Deventer: 3 raadsleden write without sharing, one reflection is hidden."""
    sid = api.post("/series", ORGANISER, {"title": "DVG Reflectiesessies 2027",
                                          "template": TEMPLATE}).json["id"]
    zwolle = api.post(f"/series/{sid}/sessions", ORGANISER,
                      {"date": "2027-03-04", "place": "Stadhuis Zwolle",
                       "municipality": "Zwolle"}).json
    deventer = api.post(f"/series/{sid}/sessions", ORGANISER,
                        {"date": "2027-04-08", "place": "Burgerweeshuis",
                         "municipality": "Deventer"}).json
    code, fac = zwolle["code"], zwolle["facilitator_token"]
    steps = _steps(api, code)
    people = []
    for perspective, name in (("raadslid", "Anna de Vries"), ("raadslid", None),
                              ("raadslid", None), ("burger", "Henk Jansen"), ("burger", None),
                              ("burger", None)):
        body = {"perspective": perspective, **({"name": name} if name else {})}
        people.append((perspective, api.post(f"/sessions/{code}/participants",
                                             json=body).json["participant_token"]))
    api.post(f"/sessions/{code}/steps/current", fac, {"step": steps["presentation"]})
    for (_p, token), score in zip(people, (4, 5, 4, 2, 1, 2), strict=True):
        assert api.post(f"/sessions/{code}/findings/plan/ratings", token,
                        {"round": "before", "score": score}).status_code == 201
    api.post(f"/sessions/{code}/steps/current", fac, {"step": steps["circle"]})
    texts = ["De werkdruk bij de griffie is echt te hoog", "werkdruk!! stukken komen te laat",
             "Hoge werkdruk, de raad merkt het", '=HYPERLINK("http://x.nl","klik")',
             "de werkdruk merk je aan het loket", "Werkdruk is zichtbaar, balie vaak dicht"]
    written = {}
    for (perspective, token), text in zip(people, texts, strict=True):
        extra = {"finding": "plan"} if text.startswith("De werkdruk") else {}
        rid = api.post(f"/sessions/{code}/reflections", token, {"text": text, **extra}).json["id"]
        assert api.post(f"/sessions/{code}/reflections/{rid}/share", token).status_code == 200
        written.setdefault(perspective, []).append(rid)
    api.post(f"/sessions/{code}/steps/current", fac, {"step": steps["exchange"]})
    for _perspective, token in people[:3]:
        for rid in written["burger"]:
            assert api.post(f"/sessions/{code}/reflections/{rid}/reactions", token,
                            {"kind": "agree"}).status_code == 201
    api.post(f"/sessions/{code}/steps/current", fac, {"step": steps["conclusions"]})
    conclusion = api.post(f"/sessions/{code}/conclusions", fac,
                          {"text": "Werkdruk is een gedeelde zorg"}).json["id"]
    for _p, token in people:
        assert api.post(f"/sessions/{code}/conclusions/{conclusion}/endorsements", token,
                        {"kind": "support"}).status_code == 201
    code2, fac2 = deventer["code"], deventer["facilitator_token"]
    tokens = [api.post(f"/sessions/{code2}/participants",
                       json={"perspective": "raadslid"}).json["participant_token"]
              for _ in range(3)]
    api.post(f"/sessions/{code2}/steps/current", fac2, {"step": _steps(api, code2)["circle"]})
    ids = [api.post(f"/sessions/{code2}/reflections", t, {"text": f"kaderstelling {i}"}).json["id"]
           for i, t in enumerate(tokens)]
    assert api.post(f"/sessions/{code2}/reflections/{ids[0]}/hide", fac2,
                    {"hidden": True}).status_code == 200
    return {"id": sid, "zwolle": code, "deventer": code2}


def test_the_research_dataset_as_csv_reads_back_with_its_types(api, series):
    r = api.get(f"/series/{series['id']}/export?format=csv", ORGANISER)
    assert r.status_code == 200 and r.content_type.startswith("text/csv")
    assert 'filename="dvg-reflectiesessies-2027-dataset.csv"' in r.headers["Content-Disposition"]
    assert not r.data.startswith(b"\xef\xbb\xbf")  # no BOM: pandas and R read the header as is
    text = r.data.decode("utf-8")
    assert "Anna" not in text and "Henk" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == COLUMNS
    count = {}
    for row in rows:
        key = (row["session_id"], row["record_type"])
        count[key] = count.get(key, 0) + 1
    z, d = series["zwolle"], series["deventer"]
    assert count == {(z, "reflection"): 6, (z, "reaction"): 9, (z, "rating"): 6,
                     (z, "endorsement"): 6, (d, "reflection"): 2}
    # each column has one type: what pandas would infer without help
    for row in rows:
        assert re.fullmatch(r"[A-Z0-9]+-P\d{3}", row["participant_id"])
        datetime.strptime(row["created_at"], "%Y-%m-%d %H:%M:%S")
        datetime.strptime(row["date"], "%Y-%m-%d")
        assert row["score"] == "" or row["score"] in {"1", "2", "3", "4", "5"}
        assert row["shared"] in ("", "0", "1")
        assert row["kind"] in ("", "agree", "disagree", "pass", "support", "concern")
        assert row["round"] in ("", "before", "after")
    by_type = {t: [r for r in rows if r["record_type"] == t]
               for t in ("reflection", "rating", "reaction")}
    assert sorted(int(r["score"]) for r in by_type["rating"]) == [1, 2, 2, 4, 4, 5]
    assert {r["municipality"] for r in rows} == {"Zwolle", "Deventer"}
    assert [r["finding_id"] for r in by_type["reflection"] if r["finding_id"]] == ["plan"]
    assert {r["shared"] for r in by_type["reflection"] if r["session_id"] == d} == {"0"}
    # the same person has one id in every row; a formula stays text
    anna = by_type["rating"][0]["participant_id"]
    assert {r["record_type"] for r in rows if r["participant_id"] == anna} == {
        "reflection", "rating", "reaction", "endorsement"}
    assert "'=HYPERLINK(\"http://x.nl\",\"klik\")" in [r["text"] for r in rows]
    assert all(r["target_id"] for r in by_type["reaction"])
    # a filter by municipality keeps one session
    only = api.get(f"/series/{series['id']}/export?format=csv&municipality=Deventer", ORGANISER)
    assert {r["session_id"] for r in csv.DictReader(io.StringIO(only.data.decode()))} == {d}


def test_the_research_dataset_as_excel(api, series):
    from openpyxl import load_workbook

    r = api.get(f"/series/{series['id']}/export?format=xlsx&lang=en", ORGANISER)
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.data))
    assert book.sheetnames == ["data", "codebook"]
    values = list(book["data"].iter_rows(values_only=True))
    # Deventer's reflections were not shared: the sheet says not to hand it on, first
    assert "do not hand on" in values[0][0] and book["data"].freeze_panes == "A3"
    values = values[1:]
    assert values[0] == COLUMNS and len(values) == 1 + 29
    column = {name: i for i, name in enumerate(COLUMNS)}
    for row in values[1:]:
        assert isinstance(row[column["created_at"]], datetime)
        assert row[column["date"]] in (datetime(2027, 3, 4), datetime(2027, 4, 8))
        assert row[column["score"]] is None or isinstance(row[column["score"]], int)
    texts = [row[column["text"]] for row in values[1:]]
    assert '=HYPERLINK("http://x.nl","klik")' in texts  # stored as text, not a formula
    meaning = dict(book["codebook"].iter_rows(min_row=2, values_only=True))
    assert set(meaning) == set(COLUMNS) and meaning["record_type"].startswith("Stable code")


def test_the_series_report_is_pooled_and_pseudonymous(api, series):
    sid = series["id"]
    md = api.get(f"/series/{sid}/export?format=md", ORGANISER)
    assert md.status_code == 200 and md.content_type.startswith("text/markdown")
    text = md.data.decode()
    assert text.startswith("# Reeksverslag: DVG Reflectiesessies 2027")
    assert "Anna" not in text and "Henk" not in text
    assert "Stadhuis Zwolle" in text and "Burgerweeshuis" in text
    # the finding per perspective: three raadsleden (4,33) and three inwoners (1,67)
    assert "| Raadslid | 3 | 4,33 | Stadhuis Zwolle: 4,33 |" in text
    assert "| Alle getoonde perspectieven | 6 | 3 |" in text
    assert "werkdruk" in text.lower()
    english = api.get(f"/series/{sid}/export?format=md&lang=en", ORGANISER).data.decode()
    assert english.startswith("# Series report:") and "4.33" in english
    html = api.get(f"/series/{sid}/export?format=html", ORGANISER)
    assert html.data.startswith(b"<!DOCTYPE html>") and b'lang="nl"' in html.data
    assert b"Anna" not in html.data and b"<th" in html.data
    doc = api.get(f"/series/{sid}/export?format=docx", ORGANISER)
    body = zipfile.ZipFile(io.BytesIO(doc.data)).read("word/document.xml").decode()
    assert "Reeksverslag: DVG Reflectiesessies 2027" in body and "Anna" not in body
    data = api.get(f"/series/{sid}/export?format=json", ORGANISER)
    assert data.json["findings"] == api.get(f"/series/{sid}/synthesis",
                                            ORGANISER).json["findings"]


def test_the_series_report_as_pdf(api, series):
    r = api.get(f"/series/{series['id']}/export?format=pdf", ORGANISER)
    assert r.status_code == 200 and r.content_type == "application/pdf"
    assert r.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=r.data, capture_output=True,
                          check=True).stdout.decode()
    assert "Reeksverslag" in text and "Stadhuis Zwolle" in text and "Anna" not in text


def test_series_export_errors(api, series, make_session):
    s = make_session()
    assert api.get(f"/series/{series['id']}/export?format=csv", s.fac).status_code == 403
    assert api.get(f"/series/{series['id']}/export?format=csv").status_code == 403
    bad = api.get(f"/series/{series['id']}/export?format=exe", ORGANISER)
    assert bad.status_code == 422 and bad.json["error"]["message"]
    assert api.get("/series/bestaat-niet/export?format=md", ORGANISER).status_code == 404
