"""A table's harvest belongs to the tables as they were composed when it was written: after
the facilitator recomposes, the new table N does not read what the old table N noted (in a
snapshot, a replay or a live event), while the console keeps every harvest, marked by its
composition; on SQLite and on Redis."""

from __future__ import annotations

import pytest

from facilitator import create_app
from tests.conftest import ORGANISER, UNLIMITED


@pytest.fixture(params=["sqlite", "redis"])
def app(request, tmp_path):
    """The app on each store (overrides the suite's one app for this module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tables.db'}"
    else:
        url = request.getfixturevalue("clean_redis_url")
    application = create_app({"STORE": url, "TESTING": True, "ASYNC_MODE": "threading",
                              "ORGANISER_TOKEN": ORGANISER, "SECRET_KEY": "tables-secret",
                              "RATE_LIMITS": UNLIMITED})
    yield application
    application.extensions["facilitator.store"].close()


OLD_NOTE = "aan onze tafel zei de wethouder dat het budget al op is"
NEW_NOTE = "de nieuwe tafel vond vooral de werkdruk opvallend"


def _seating(api, s, people) -> dict[str, int]:
    return {p["participant_id"]: api.get(f"/sessions/{s.code}/snapshot",
                                         p["participant_token"]).json["table"] for p in people}


def _compose(api, s, seed):
    r = api.post(f"/sessions/{s.code}/tables", s.fac, {"size": 3, "seed": seed})
    assert r.status_code == 200, r.json


def test_the_new_table_does_not_read_the_old_tables_harvest(api, make_session, sio):
    s = make_session()
    people = [s.join(p) for p in ("raadslid", "vakbond", "burger") * 3]
    s.goto("exchange")
    _compose(api, s, 1)
    before = _seating(api, s, people)
    writer = next(p for p in people if before[p["participant_id"]] == 1)
    r = api.post(f"/sessions/{s.code}/tables/1/harvest", writer["participant_token"],
                 {"text": OLD_NOTE})
    assert r.status_code == 201, r.json
    old_id = r.json["id"]
    # recompose until someone who was not at table 1 sits there now
    for seed in range(2, 60):
        _compose(api, s, seed)
        after = _seating(api, s, people)
        newcomers = [p for p in people if after[p["participant_id"]] == 1
                     and before[p["participant_id"]] != 1]
        if newcomers:
            break
    assert newcomers
    newcomer = newcomers[0]
    token = newcomer["participant_token"]
    phone = sio(token, s.code)
    phone.get_received()
    mate = next(p for p in people if after[p["participant_id"]] == 1 and p is not newcomer)
    # the facilitator puts the old note on the screen and takes it off again; the new
    # table 1 writes its own
    for shared in (True, False):
        r = api.post(f"/sessions/{s.code}/harvests/{old_id}/share", s.fac, {"shared": shared})
        assert r.status_code == 200, r.json
    r = api.post(f"/sessions/{s.code}/tables/1/harvest", mate["participant_token"],
                 {"text": NEW_NOTE})
    assert r.status_code == 201, r.json
    live = str([m["args"][0] for m in phone.get_received() if m["name"] == "event"])
    assert OLD_NOTE not in live and NEW_NOTE in live
    snapshot = api.get(f"/sessions/{s.code}/snapshot", token).json
    assert [h["text"] for h in snapshot["harvests"]] == [NEW_NOTE]
    synced = sio(token, s.code).emit("sync", {}, callback=True)["snapshot"]
    assert [h["text"] for h in synced["harvests"]] == [NEW_NOTE]
    replay = api.get(f"/sessions/{s.code}/events?since=0", token)
    assert replay.status_code == 200
    assert OLD_NOTE not in str(replay.json) and NEW_NOTE in str(replay.json)
    # the console keeps both, each marked with the composition it was written in
    console = api.get(f"/sessions/{s.code}/snapshot", s.fac).json
    marks = {h["text"]: h["composition"] for h in console["harvests"]}
    assert set(marks) == {OLD_NOTE, NEW_NOTE} and marks[OLD_NOTE] < marks[NEW_NOTE]
    assert console["workshop"]["state"]["tables"]["composition"] == marks[NEW_NOTE]


def test_composing_the_same_tables_again_keeps_their_harvests(api, make_session):
    s = make_session()
    people = [s.join(p) for p in ("raadslid", "vakbond", "burger") * 2]
    s.goto("exchange")
    _compose(api, s, 7)
    seating = _seating(api, s, people)
    writer = next(p for p in people if seating[p["participant_id"]] == 1)
    mate = next(p for p in people if seating[p["participant_id"]] == 1 and p is not writer)
    assert api.post(f"/sessions/{s.code}/tables/1/harvest", writer["participant_token"],
                    {"text": OLD_NOTE}).status_code == 201
    _compose(api, s, 7)  # the same seed and people: nobody moves
    assert _seating(api, s, people) == seating
    snapshot = api.get(f"/sessions/{s.code}/snapshot", mate["participant_token"]).json
    assert [h["text"] for h in snapshot["harvests"]] == [OLD_NOTE]
