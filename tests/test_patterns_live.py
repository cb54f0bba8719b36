"""The patterns panel live: the analysis over Socket.IO and the API, pinning a
pattern to the projector (small groups merged), grouping by hand, and turning
a pattern into a draft conclusion."""

from __future__ import annotations

THEME_TEXTS = {
    "raadslid": "Vertrouwen tussen raad en organisatie is de basis van verandering",
    "vakbond": "Zonder vertrouwen van medewerkers lukt geen enkele reorganisatie",
    "burger": "Als burger heb ik weinig vertrouwen in de communicatie van de gemeente",
    "medewerker": "Vertrouwen groeit als je op tijd wordt betrokken",
}


def build(make_session, sio, per_perspective=3):
    s = make_session()
    phones = []
    for perspective in THEME_TEXTS:
        for _ in range(per_perspective):
            p = s.join(perspective)
            phones.append((perspective, p, sio(p["participant_token"], s.code)))
    s.goto("circle")
    ids = []
    for perspective, _p, phone in phones:
        answer = phone.emit("post", {"text": THEME_TEXTS[perspective]}, callback=True)
        ids.append(answer["reflection"]["id"])
        phone.emit("share", {"reflection": answer["reflection"]["id"], "shared": True},
                   callback=True)
    s.goto("exchange")
    return s, phones, ids


def test_patterns_over_socket_and_api(make_session, sio, api):
    s, phones, ids = build(make_session, sio)
    fac = sio(s.fac, s.code)
    answer = fac.emit("patterns", {}, callback=True)
    assert answer["ok"], answer
    themes = answer["patterns"]["themes"]
    assert any("vertrouw" in t["id"] for t in themes), [t["id"] for t in themes]
    phone = phones[0][2]
    assert phone.emit("patterns", {}, callback=True)["error"]["code"] == "forbidden"
    r = api.get(f"/sessions/{s.code}/patterns", s.fac)
    assert r.status_code == 200 and r.json["facilitator_only"] is True
    r = api.get(f"/sessions/{s.code}/patterns?audience=screen", s.fac)
    assert r.json["facilitator_only"] is False
    assert api.get(f"/sessions/{s.code}/patterns", s.screen).status_code == 403
    assert api.get(f"/sessions/{s.code}/patterns?audience=evil", s.fac).status_code == 422


def test_pin_group_and_conclude(make_session, sio):
    s, phones, ids = build(make_session, sio)
    fac = sio(s.fac, s.code)
    screen = sio(s.screen, s.code)
    theme = next(t for t in fac.emit("patterns", {}, callback=True)["patterns"]["themes"]
                 if "vertrouw" in t["id"])
    screen.get_received()
    assert fac.emit("pin_pattern", {"pattern": theme["id"]}, callback=True)["pinned"]
    pinned = [m["args"][0] for m in screen.get_received() if m["name"] == "event"][-1]
    assert pinned["type"] == "state" and pinned["state"]["pinned_pattern"]["id"] == theme["id"]
    assert fac.emit("pin_pattern", {"pattern": "theme:nonsense"}, callback=True)["ok"] is False
    group = fac.emit("group", {"name": "Betrokkenheid", "reflections": ids[:4]}, callback=True)
    assert group["ok"], group
    manual = fac.emit("patterns", {}, callback=True)["patterns"]["manual"]
    assert manual[0]["id"] == group["pattern"]["id"]
    draft = fac.emit("pattern_conclusion", {"pattern": theme["id"]}, callback=True)
    assert draft["ok"], draft
    conclusion = draft["conclusion"]
    assert conclusion["draft"] is True and conclusion["reflections"]
    assert set(conclusion["perspectives"]) <= set(THEME_TEXTS)
    assert fac.emit("group", {"name": "", "reflections": ids[:1]}, callback=True)["ok"] is False
    assert fac.emit("group", {"name": "x", "reflections": ["nope"]}, callback=True)["ok"] is False


def test_pinned_pattern_hides_small_groups(make_session, sio):
    s, phones, ids = build(make_session, sio, per_perspective=1)
    fac = sio(s.fac, s.code)
    full = fac.emit("patterns", {}, callback=True)["patterns"]
    theme = next(t for t in full["themes"] if "vertrouw" in t["id"])
    assert any(p.get("small_group") for p in theme["perspectives"])  # marked for the console
    # one person per perspective: the projector's version has no such theme to pin
    answer = fac.emit("pin_pattern", {"pattern": theme["id"]}, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "not_found"
    assert "scherm" in answer["error"]["message"]  # Dutch by default
    screen = sio(s.screen, s.code)
    snap = [m["args"][0] for m in screen.get_received() if m["name"] == "snapshot"][0]
    assert snap["workshop"]["state"]["pinned_pattern"] is None


def test_perspective_map_on_the_screen(make_session, sio):
    s, phones, ids = build(make_session, sio)
    fac = sio(s.fac, s.code)
    assert fac.emit("pin_pattern", {"pattern": "map:themes"}, callback=True)["pinned"]
    screen = sio(s.screen, s.code)
    snap = [m["args"][0] for m in screen.get_received() if m["name"] == "snapshot"][0]
    pinned = snap["workshop"]["state"]["pinned_pattern"]
    assert pinned["kind"] == "map" and pinned["rows"]
    theme = next(r for r in pinned["rows"] if "vertrouw" in r["id"])
    assert set(theme["cells"]) == set(THEME_TEXTS)  # three people each: all shown
    assert all(0 < cell["share"] <= 1 for cell in theme["cells"].values())


def test_pinned_pattern_follows_the_data_under_it(make_session, sio):
    """Live means live (issue 14): a pattern pinned on the screen is recomputed when the
    data under it changes (here: the facilitator shares one more reflection that uses
    the theme), and the screen gets the new figures without pinning again."""
    s = make_session()
    phones = []
    for perspective in THEME_TEXTS:
        for _ in range(3):
            p = s.join(perspective)
            phones.append((perspective, sio(p["participant_token"], s.code)))
    s.goto("circle")
    held = None
    for i, (perspective, phone) in enumerate(phones):
        answer = phone.emit("post", {"text": THEME_TEXTS[perspective]}, callback=True)
        if i == 0:
            held = answer["reflection"]["id"]          # written, not shared yet
            continue
        phone.emit("share", {"reflection": answer["reflection"]["id"], "shared": True},
                   callback=True)
    s.goto("exchange")
    fac = sio(s.fac, s.code)
    screen = sio(s.screen, s.code)
    theme = next(t for t in fac.emit("patterns", {"audience": "screen"},
                                     callback=True)["patterns"]["themes"]
                 if "vertrouw" in t["id"])
    assert fac.emit("pin_pattern", {"pattern": theme["id"]}, callback=True)["pinned"]
    before = theme["counts"]["authors_using"]
    screen.get_received()
    assert fac.emit("share", {"reflection": held, "shared": True}, callback=True)["ok"]
    states = [m["args"][0] for m in screen.get_received()
              if m["name"] == "event" and m["args"][0]["type"] == "state"]
    assert states, "the screen heard nothing of the changed figures"
    pinned = states[-1]["state"]["pinned_pattern"]
    # before, two raadsleden had shared: a lone small group, withheld from the screen (9);
    # now three have, and the perspective counts under its own name (12)
    assert before == 9 and "raadslid" not in [p["id"] for p in theme["perspectives"]]
    assert pinned["id"] == theme["id"] and pinned["counts"]["authors_using"] == 12
    assert "raadslid" in [p["id"] for p in pinned["perspectives"]]
    assert held in pinned["reflections"]
    # asking again changes nothing: no event without a change
    snap = fac.emit("patterns", {"audience": "screen"}, callback=True)["patterns"]
    assert next(t for t in snap["themes"] if t["id"] == theme["id"])["counts"] == pinned["counts"]


def test_a_circle_summary_can_be_pinned(make_session, sio):
    s, phones, ids = build(make_session, sio)
    fac = sio(s.fac, s.code)
    circles = fac.emit("patterns", {"audience": "screen"}, callback=True)["patterns"]["circles"]
    assert circles, "no circle summary for the screen"
    answer = fac.emit("pin_pattern", {"pattern": circles[0]["id"]}, callback=True)
    assert answer["ok"] and answer["pinned"], answer


def test_questions_and_answers_reach_the_console_analysis_at_once(make_session, sio, api):
    """Issue 17, item 4, live: a question nobody answered is a blind spot in the console's
    next analysis; the answer takes it away; the screen only counts."""
    s, phones, _ids = build(make_session, sio)
    raad = next(p for perspective, p, _phone in phones if perspective == "raadslid")
    vak = next(p for perspective, p, _phone in phones if perspective == "vakbond")
    fac = sio(s.fac, s.code)

    def unanswered():
        result = fac.emit("patterns", {}, callback=True)["patterns"]
        return [b for b in result["blind_spots"] if b["kind"] == "unanswered_questions"]

    assert unanswered() == []
    q = api.post(f"/sessions/{s.code}/questions", raad["participant_token"],
                 {"to": "vakbond", "text": "Hoe merken jullie de werkdruk op de werkvloer?"})
    assert q.status_code == 201, q.json
    items = unanswered()
    assert [i["perspective"] for i in items] == ["vakbond"]
    assert items[0]["questions"][0]["text"].startswith("Hoe merken jullie")
    screen = api.get(f"/sessions/{s.code}/patterns?audience=screen", s.fac).json
    listed = [b for b in screen["blind_spots"] if b["kind"] == "unanswered_questions"]
    assert listed and "questions" not in listed[0]
    r = api.post(f"/sessions/{s.code}/questions/{q.json['id']}/answers",
                 vak["participant_token"], {"text": "Vooral aan het ziekteverzuim"})
    assert r.status_code == 201, r.json
    assert unanswered() == []
