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
    assert plan == [{"id": "raadslid", "label": "Raadslid", "n": 3, "people": 3, "mean": 4.33,
                     "sessions": {zwolle["code"]: {"n": 3, "people": 3, "mean": 4.33}}}]
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
