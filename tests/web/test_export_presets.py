"""The organiser page offers the report per audience (issue 16), and each link works."""

from __future__ import annotations

from tests.conftest import ORGANISER


def test_organiser_page_has_three_audiences_and_each_link_downloads(client, make_session):
    s = make_session()
    client.post("/organiser/login", data={"token": ORGANISER})
    page = client.get(f"/organiser/{s.code}", headers={"Accept-Language": "nl"})
    html = page.get_data(as_text=True)
    for title in ("Verslag voor het bestuur", "Verslag voor de deelnemers", "Onderzoeksgegevens"):
        assert title in html
    for preset, fmt in (("bestuur", "docx"), ("deelnemers", "md"), ("onderzoek", "xlsx")):
        href = f"/organiser/{s.code}/export?format={fmt}"
        assert href in html and f"preset={preset}" in html
        response = client.get(f"{href}&preset={preset}")
        assert response.status_code == 200, (preset, fmt)


def test_pdf_over_the_api_is_a_pdf(api, make_session):
    s = make_session()
    response = api.get(f"/sessions/{s.code}/export?format=pdf", s.fac)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert 'filename="' in response.headers["Content-Disposition"]
