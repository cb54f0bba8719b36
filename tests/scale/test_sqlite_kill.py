"""SQLite commits wait for the disk in a thread of eventlet's pool (the worker's loop
goes on meanwhile): a post is still acknowledged only once it is committed. Phones
post at the same time (their commits overlap the loop's other work), the worker is
killed (SIGKILL) right after the last acknowledgement, and the restarted worker has
every acknowledged post exactly once; the same client ids sent again store nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.scale.harness import Api, wait_until

pytestmark = pytest.mark.slow

TEXTS = ["Ik mis de jongeren in dit gesprek", "wijkraad luistert nie echt",
         "Meer groen in de Schilderswijk graag", "de bus rijd te weinig na 8en",
         "Fijn dat we hier samen zitten", "parkeerplekken vs speeltuin?"]


def test_sigkill_after_ack_sqlite_eventlet(tmp_path, spawn, live):
    store = f"sqlite:///{tmp_path / 'kill.db'}"
    worker = spawn("w", store=store, mode="eventlet")
    api = Api(worker.url)
    session = api.create_session()
    code, fac_token = session["code"], session["facilitator_token"]
    people = [api.join(code, p) for p in ("raadslid", "burger", "vakbond", "burger")]
    api.step(code, fac_token, "eigen-kring")
    phones = [live(worker, p["participant_token"], code, name=f"phone{i}")
              for i, p in enumerate(people)]

    def post_all(index: int) -> list[tuple[str, str, str]]:
        phone, done = phones[index], []
        for n, text in enumerate(TEXTS):
            client_id = f"p{index}-{n}"
            answer = phone.call("post", {"text": f"{text} ({index})", "client_id": client_id})
            assert answer["ok"] and answer["created"], answer
            done.append((client_id, answer["reflection"]["id"], answer["reflection"]["text"]))
        return done

    with ThreadPoolExecutor(len(phones)) as pool:
        acked = [item for items in pool.map(post_all, range(len(phones))) for item in items]
    worker.kill()  # right after the last acknowledgement: no clean shutdown
    worker.start()

    stored = api.reflections(code, fac_token)
    assert sorted(r["id"] for r in stored) == sorted(rid for _c, rid, _t in acked)
    assert sorted(r["text"] for r in stored) == sorted(text for _c, _r, text in acked)

    # an outbox that never saw its answers sends the same client ids again
    phone = phones[0]
    wait_until(lambda: phone.connected and phone.connects >= 2, 15,
               message="the phone to reconnect to the restarted worker")
    for client_id, rid, text in acked[:3]:
        if not client_id.startswith("p0-"):
            continue
        again = phone.call("post", {"text": text, "client_id": client_id})
        assert again["ok"] and not again["created"] and again["reflection"]["id"] == rid
    assert len(api.reflections(code, fac_token)) == len(acked)
