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


def test_the_page_of_a_long_session_gets_pdf_children_ready(client, make_session, monkeypatch,
                                                             app):
    """Opening a long session's page starts the PDF children its download will take; a
    short session's, or with FACILITATOR_PDF_READY_SECONDS=0, starts none."""
    from facilitator.domain.export import pdf

    started = []
    monkeypatch.setattr(pdf, "keep_ready", lambda count, seconds: started.append((count,
                                                                                    seconds)))
    monkeypatch.setattr(pdf, "LONG_AT", 2)
    s = make_session()
    client.post("/organiser/login", data={"token": ORGANISER})
    assert client.get(f"/organiser/{s.code}").status_code == 200
    assert started == []  # no reflections yet
    s.goto("circle")
    for perspective, text in (("raadslid", "We praten te weinig mét elkaar, vooral óver elkaar"),
                              ("vakbond", "werkdruk!! niemand vraagt ons wat we nodig hebben")):
        assert s.post(s.join(perspective)["participant_token"], text).status_code == 201
    assert client.get(f"/organiser/{s.code}").status_code == 200
    assert started == [(pdf.available_processes(), 900)]
    app.config["FACILITATOR"]["PDF_READY_SECONDS"] = 0
    try:
        assert client.get(f"/organiser/{s.code}").status_code == 200
    finally:
        app.config["FACILITATOR"]["PDF_READY_SECONDS"] = 900
    assert len(started) == 1


def test_a_long_sessions_pdf_download_starts_its_children_before_loading(api, make_session,
                                                                         monkeypatch):
    """The API's PDF download of a long session starts the children first, so their
    import of WeasyPrint overlaps with loading the session and computing its patterns;
    another format starts none."""
    from facilitator import patterns_service
    from facilitator.domain.export import pdf

    order = []
    monkeypatch.setattr(pdf, "keep_ready", lambda count, seconds: order.append("children"))
    patterns_for = patterns_service.patterns_for
    monkeypatch.setattr(patterns_service, "patterns_for",
                        lambda *a, **kw: order.append("patterns") or patterns_for(*a, **kw))
    monkeypatch.setattr(pdf, "LONG_AT", 2)
    s = make_session()
    s.goto("circle")
    for perspective, text in (("burger", "als inwoner merk je er weinig van eerlijk gezegd"),
                              ("manager", "herkenbaar, al gaat t bij ons team wel beter")):
        assert s.post(s.join(perspective)["participant_token"], text).status_code == 201
    assert api.get(f"/sessions/{s.code}/export?format=docx", s.fac).status_code == 200
    assert order == ["patterns"]
    order.clear()
    response = api.get(f"/sessions/{s.code}/export?format=pdf", s.fac)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert order[:2] == ["children", "patterns"]
