"""A series of sessions over the API: template inheritance, sessions with their own
place and municipality, the synthesis across them, and who may do it."""

from __future__ import annotations

from tests.conftest import ORGANISER

TEMPLATE = {"findings": [{"id": "plan", "title": "Verandering verloopt zelden volgens plan"},
                         {"id": "vertrouwen", "title": "Vertrouwen als voorwaarde"}]}


def test_series_sessions_and_synthesis(api):
    r = api.post("/series", ORGANISER, {"title": "DVG Reflectiesessies 2027",
                                        "template": TEMPLATE})
    assert r.status_code == 201
    sid = r.json["id"]
    made = {}
    for place, municipality in (("Stadhuis Zwolle", "Zwolle"), ("Het Burgerweeshuis",
                                                                  "Deventer")):
        s = api.post(f"/series/{sid}/sessions", ORGANISER,
                     {"date": "2027-03-01", "place": place, "municipality": municipality})
        assert s.status_code == 201 and s.json["municipality"] == municipality
        made[municipality] = s.json
    zwolle = made["Zwolle"]
    public = api.get(f"/sessions/{zwolle['code']}").json
    assert [f["id"] for f in public["findings"]] == ["plan", "vertrouwen"]  # from the template
    assert public["place"] == "Stadhuis Zwolle"
    # three raadsleden rate in Zwolle
    steps = {s["kind"]: s["id"] for s in public["steps"]}
    tokens = [api.post(f"/sessions/{zwolle['code']}/participants", json={
        "perspective": "raadslid"}).json["participant_token"] for _ in range(3)]
    api.post(f"/sessions/{zwolle['code']}/steps/current", zwolle["facilitator_token"],
             {"step": steps["presentation"]})
    for token, score in zip(tokens, (4, 5, 4), strict=True):
        assert api.post(f"/sessions/{zwolle['code']}/findings/plan/ratings", token,
                        {"round": "before", "score": score}).status_code == 201
    listed = api.get(f"/series/{sid}", ORGANISER).json
    assert sorted(s["municipality"] for s in listed["sessions"]) == ["Deventer", "Zwolle"]
    out = api.get(f"/series/{sid}/synthesis", ORGANISER).json
    assert len(out["sessions"]) == 2
    plan = out["findings"][0]["rounds"]["before"]["perspectives"]
    key = next(s["id"] for s in out["sessions"] if s["municipality"] == "Zwolle")
    assert plan == [{"id": "raadslid", "label": "Raadslid", "n": 3, "people": 3, "mean": 4.33,
                     "sessions": {key: {"n": 3, "people": 3, "mean": 4.33}}}]
    # the synthesis and every series report name sessions by date and place: the join
    # codes (the upcoming Deventer session's too) appear nowhere
    codes = [m["code"] for m in made.values()]
    shown = [api.get(f"/series/{sid}/synthesis", ORGANISER).data.decode()]
    shown += [api.get(f"/series/{sid}/export?format={fmt}", ORGANISER).data.decode()
              for fmt in ("md", "html", "json")]
    assert all(code not in text for code in codes for text in shown)
    assert all("Zwolle" in text for text in shown)
    only = api.get(f"/series/{sid}/synthesis?municipality=Deventer", ORGANISER).json
    assert [s["municipality"] for s in only["sessions"]] == ["Deventer"]
    assert only["findings"][0]["rounds"]["before"]["n"] == 0


def test_only_organisers_and_clear_errors(api, make_session):
    s = make_session()
    assert api.post("/series", s.fac, {"title": "x"}).status_code == 403
    assert api.post("/series", None, {"title": "x"}).status_code == 403
    assert api.post("/series", ORGANISER, {"title": ""}).status_code == 422
    assert api.post("/series", ORGANISER, {"title": "x", "template": [1]}).status_code == 422
    bad = api.post("/series", ORGANISER, {"title": "x", "template": {"steps": "nee"}})
    assert bad.status_code == 422 and bad.json["error"]["message"]
    assert api.get("/series/bestaat-niet", ORGANISER).status_code == 404
    assert api.get("/series/<script>", ORGANISER).status_code == 422
    sid = api.post("/series", ORGANISER, {"title": "x"}).json["id"]
    assert api.post(f"/series/{sid}/sessions", ORGANISER,
                    {"date": "2027-13-45"}).status_code in (201, 422)
    assert api.get(f"/series/{sid}/synthesis", s.fac).status_code == 403


REGISTRATIONS = ("\ufeffNaam;Organisatie;Functie;E-mail\r\n"
                 "Anna de Vries;Gemeente Zwolle;Raadslid;anna@example.nl\r\n"
                 "Pieter Bakker;Gemeente Zwolle;wethouder Financiën;\r\n"
                 ";;;\r\n"
                 "Henk;Dorpsraad Wijhe;voorzitter;\r\n"
                 "Anna de Vries;Gemeente Zwolle;raadslid;\r\n")


def test_registrations_personal_links_and_name_cards(api, client, make_session, app):
    import io

    s = make_session()
    upload = api.call("POST", f"/sessions/{s.code}/registrations", ORGANISER,
                      data={"file": (io.BytesIO(REGISTRATIONS.encode()), "aanmeldingen.csv")},
                      content_type="multipart/form-data")
    assert upload.status_code == 200, upload.json
    assert upload.json["matched"] == 2
    assert [r["name"] for r in upload.json["unmatched"]] == ["Henk"]
    people = {p["name"]: p for p in upload.json["participants"]}
    assert people["Pieter Bakker"]["perspective"] == "bestuurder"
    # Henk fixed by hand, as JSON rows; importing Anna again changes nothing
    again = api.post(f"/sessions/{s.code}/registrations", ORGANISER, {"rows": [
        {"naam": "Henk", "organisatie": "Dorpsraad Wijhe", "perspectief": "belangengroep"},
        {"naam": "Anna de Vries", "organisatie": "Gemeente Zwolle", "functie": "raadslid"}]})
    assert again.json["matched"] == 2 and again.json["unmatched"] == []
    anna = {p["name"]: p for p in again.json["participants"]}["Anna de Vries"]
    assert anna["join_url"] == people["Anna de Vries"]["join_url"]
    # the personal link joins as Anna, as a raadslid, the same participant twice in the
    # browser that claimed it; another browser gets a raadslid of its own, without her name
    path = anna["join_url"].split("://", 1)[1].split("/", 1)[1]
    first = client.get("/" + path)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/p/{s.code}")
    cookie = f"fac_p_{s.code}"
    again = client.get("/" + path)
    assert again.status_code == 302
    assert client.get_cookie(cookie).value == first.headers["Set-Cookie"].split(
        f"{cookie}=", 1)[1].split(";")[0]
    other = app.test_client()
    assert other.get("/" + path).status_code == 302
    assert other.get_cookie(cookie).value != client.get_cookie(cookie).value
    snap = api.get(f"/sessions/{s.code}/snapshot", s.fac).json
    assert [(p["name"], p["perspective"]) for p in snap["participants"]] == [
        ("Anna de Vries", "raadslid"), ("", "raadslid")]
    # name cards: one per person, a QR code each; names never reach a pooled export
    cards = api.get(f"/sessions/{s.code}/registrations/cards", ORGANISER)
    assert cards.status_code == 200 and cards.data.count(b"<svg") == 3
    assert b"Henk" in cards.data
    md = api.get(f"/sessions/{s.code}/export?format=md", ORGANISER).data.decode()
    assert "Anna de Vries" not in md
    # only the organiser; a wrong link is a clear 404
    assert api.post(f"/sessions/{s.code}/registrations", s.fac, {"rows": []}).status_code == 403
    assert client.get(f"/r/{s.code}/niet-een-echte-link-1234").status_code == 404
    bad = api.call("POST", f"/sessions/{s.code}/registrations", ORGANISER,
                   data={"file": (io.BytesIO(b"Organisatie;Functie\nx;y\n"), "x.csv")},
                   content_type="multipart/form-data")
    assert bad.status_code == 422 and "naam" in bad.json["error"]["message"]


def test_synthesis_themes_come_from_each_sessions_shared_reflections(api):
    """Two sessions of a series where raadsleden and inwoners write about werkdruk; the
    theme is listed with both session codes, from shared reflections only."""
    sid = api.post("/series", ORGANISER, {"title": "DVG 2027", "template": TEMPLATE}).json["id"]
    texts = {"raadslid": ["De werkdruk bij de griffie is echt te hoog",
                          "werkdruk!! stukken komen altijd te laat",
                          "Hoge werkdruk, en de raad merkt dat aan de kwaliteit"],
             "burger": ["de werkdruk bij de gemeente merk je aan het loket",
                        "Door de werkdruk duurt een vergunning maanden",
                        "Werkdruk is zichtbaar, de balie is vaak dicht"]}
    codes = []
    for place in ("Zwolle", "Deventer"):
        made = api.post(f"/series/{sid}/sessions", ORGANISER,
                        {"date": "2027-04-02", "place": place, "municipality": place}).json
        code, fac = made["code"], made["facilitator_token"]
        codes.append(code)
        steps = {s["kind"]: s["id"] for s in api.get(f"/sessions/{code}").json["steps"]}
        people = [(p, api.post(f"/sessions/{code}/participants",
                               json={"perspective": p}).json["participant_token"])
                  for p in texts for _ in range(3)]
        api.post(f"/sessions/{code}/steps/current", fac, {"step": steps["circle"]})
        seen = {p: 0 for p in texts}
        for perspective, token in people:
            text = texts[perspective][seen[perspective]]
            seen[perspective] += 1
            posted = api.post(f"/sessions/{code}/reflections", token, {"text": text})
            assert posted.status_code == 201, posted.json
            shared = api.post(f"/sessions/{code}/reflections/{posted.json['id']}/share", token)
            assert shared.status_code == 200, shared.json
        # one unshared reflection on a word nobody else uses stays out
        api.post(f"/sessions/{code}/reflections", people[0][1],
                 {"text": "parkeerbeleid parkeerbeleid parkeerbeleid"})
        api.post(f"/sessions/{code}/steps/current", fac, {"step": steps["exchange"]})
    out = api.get(f"/series/{sid}/synthesis", ORGANISER).json
    themes = {t["term"].lower(): t for t in out["themes"]}
    assert "werkdruk" in themes, out["themes"]
    assert sorted(themes["werkdruk"]["sessions"]) == ["S1", "S2"]  # never their codes
    assert themes["werkdruk"]["count"] == 2 and themes["werkdruk"]["spread"] == "most"
    assert "werkdruk" in [e["term"].lower() for e in out["recurring"]]
    assert not [t for t in out["themes"] if "parkeer" in t["term"].lower()]
    assert set(out) >= {"sessions", "themes", "concerns", "recurring", "once", "findings"}


def test_the_series_page_links_the_synthesis_and_the_exports(api, app):
    sid = api.post("/series", ORGANISER, {"title": "DVG 2027", "template": TEMPLATE}).json["id"]
    api.post(f"/series/{sid}/sessions", ORGANISER, {"date": "2027-05-12", "place": "Ede"})
    browser = app.test_client()
    browser.post("/organiser/login", data={"token": ORGANISER})
    page = browser.get(f"/organiser/series/{sid}").data.decode()
    for href in (f"/api/series/{sid}/synthesis", f"/api/series/{sid}/export?format=docx",
                 f"/api/series/{sid}/export?format=pdf", f"/api/series/{sid}/export?format=xlsx",
                 f"/api/series/{sid}/export?format=csv"):
        assert f'href="{href}"' in page, href
    assert "Onderzoeksdata, niet samengevoegd" in page
    # the links work with the organiser's page session, without a token
    assert browser.get(f"/api/series/{sid}/synthesis").status_code == 200
    md = browser.get(f"/api/series/{sid}/export?format=md")
    assert md.status_code == 200 and md.data.startswith(b"# Reeksverslag: DVG 2027")
