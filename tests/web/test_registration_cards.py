"""Name cards as a PDF: A4 sheets of eight cards with a personal QR code each."""

from __future__ import annotations

import subprocess

from tests.conftest import ORGANISER

FUNCTIONS = ["raadslid", "Wethouder Sociaal Domein", "beleidsmedewerker wonen", "HR-adviseur",
             "gemeentesecretaris", "OR-lid", "Raadslid (fractievoorzitter)", "burgemeester",
             "senior beleidsadviseur", "teamleider Burgerzaken"]


def test_name_cards_as_pdf(api, make_session):
    s = make_session()
    rows = [{"naam": f"Deelnemer {i} Özdemir", "organisatie": "Gemeente Zwolle",
             "functie": f} for i, f in enumerate(FUNCTIONS, start=1)]
    imported = api.post(f"/sessions/{s.code}/registrations", ORGANISER, {"rows": rows})
    assert imported.json["matched"] == 10, imported.json
    r = api.get(f"/sessions/{s.code}/registrations/cards?format=pdf", ORGANISER)
    assert r.status_code == 200 and r.content_type == "application/pdf"
    assert r.data.startswith(b"%PDF") and "naamkaartjes.pdf" in r.headers["Content-Disposition"]
    info = subprocess.run(["pdfinfo", "-"], input=r.data, capture_output=True,
                          check=True).stdout.decode()
    pages = int(info.split("Pages:", 1)[1].split()[0])
    assert pages == 2 and "(A4)" in info, info  # ten cards: eight and two
    text = subprocess.run(["pdftotext", "-", "-"], input=r.data, capture_output=True,
                          check=True).stdout.decode()
    words = " ".join(text.split())
    assert "Deelnemer 1 Özdemir" in words and "Deelnemer 10 Özdemir" in words
    assert "Raadslid" in text and "Gemeente Zwolle" in text
    # the HTML sheet stays the default; a wrong format is a clear 422, a facilitator 403
    assert api.get(f"/sessions/{s.code}/registrations/cards",
                   ORGANISER).content_type.startswith("text/html")
    bad = api.get(f"/sessions/{s.code}/registrations/cards?format=png", ORGANISER)
    assert bad.status_code == 422 and bad.json["error"]["message"]
    assert api.get(f"/sessions/{s.code}/registrations/cards?format=pdf",
                   s.fac).status_code == 403
