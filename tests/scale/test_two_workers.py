"""Two real worker processes on different ports, sharing one Redis (store and message queue).

What a participant does on one worker reaches the facilitator and the screen
on the other, through Flask-SocketIO's Redis message queue; the durable store
and its per-session sequence are the source of truth, so a Redis outage, a
killed worker or a reconnect loses and duplicates nothing.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.scale.harness import Api, LiveClient, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(params=["eventlet", "threading"])
def mode(request):
    return request.param


@pytest.fixture
def pair(redis_server, spawn, mode):
    """Workers ``a`` and ``b`` on their own ports, one Redis as store and message queue."""
    url = redis_server.url
    return (spawn("a", store=url, message_queue=url, mode=mode),
            spawn("b", store=url, message_queue=url, mode=mode))


def test_post_and_step_cross_workers(pair, live):
    a, b = pair
    api_a, api_b = Api(a.url), Api(b.url)
    session = api_a.create_session()
    code, fac_token = session["code"], session["facilitator_token"]
    author, mate = api_a.join(code, "raadslid"), api_b.join(code, "raadslid")
    other = api_b.join(code, "vakbond")
    api_a.step(code, fac_token, "eigen-kring")

    # the pages on b check their streams only when told: a periodic check that runs
    # between the server's write and the message queue's delivery would fetch the
    # snapshot itself (right for a page, but not the live delivery this test is about)
    quiet = 600
    fac_b = live(b, fac_token, code, name="facilitator@b", check_interval=quiet)
    screen_b = live(b, session["screen_token"], code, name="screen@b", check_interval=quiet)
    phone_a = live(a, author["participant_token"], code, name="author@a")
    mate_b = live(b, mate["participant_token"], code, name="mate@b", check_interval=quiet)
    other_b = live(b, other["participant_token"], code, name="other@b", check_interval=quiet)

    # a participant on worker a posts; facilitator, screen and circle mate on b receive it
    text = "Gepost op worker a"
    answer = phone_a.call("post", {"text": text, "client_id": "x-1"})
    assert answer["ok"] and answer["created"], answer
    wait_until(lambda: text in fac_b.texts(), 10, message="the facilitator on b")
    wait_until(lambda: text in mate_b.texts(), 10, message="the circle mate on b")
    wait_until(lambda: screen_b.reflection_count == 1, 10, message="the screen on b")
    assert text not in other_b.texts()
    assert other_b.check_heads() == {}  # its streams did not move: nothing to miss
    assert fac_b.resyncs == 0, "live delivery, not a catch-up"

    # shared, then the facilitator on a opens the dialogue: pages on b follow
    share = phone_a.call("share", {"reflection": answer["reflection"]["id"]})
    assert share["ok"], share
    fac_a = live(a, fac_token, code, name="facilitator@a")
    assert fac_a.call("step", {"step": "next"}) == {"ok": True, "current_step": "dialoog",
                                                    "kind": "exchange"}
    for client in (screen_b, mate_b, other_b, fac_b):
        wait_until(lambda c=client: c.current_step() == "dialoog", 10,
                   message=f"{client.name} to follow the step")
    assert text in screen_b.texts() and text in other_b.texts()
    # the step change brought each page its snapshot over the message queue: no round trip
    assert [c.pushed_snapshots for c in (screen_b, mate_b, other_b)] == [1, 1, 1]

    # and the other way round: a reaction on b reaches the screen on b and the facilitator on a
    react = other_b.call("react", {"reflection": answer["reflection"]["id"], "kind": "agree"})
    assert react["ok"], react
    wait_until(lambda: any(e["type"] == "reaction" for e in fac_a.events), 10,
               message="the reaction on a")
    wait_until(lambda: any(e["type"] == "reaction" for e in screen_b.events), 10,
               message="the reaction on the screen")


def test_redis_outage_loses_and_duplicates_nothing(pair, redis_server, live):
    """Redis stops for a few seconds while phones post; everything acknowledged arrives once."""
    a, b = pair
    api = Api(a.url)
    session = api.create_session()
    code, fac_token = session["code"], session["facilitator_token"]
    perspectives = ["raadslid", "vakbond", "burger", "manager"]
    joined = [api.join(code, perspectives[i % 4]) for i in range(8)]
    api.step(code, fac_token, "eigen-kring")
    fac = live(b, fac_token, code, name="facilitator@b", check_interval=0.5)
    screen = live(b, session["screen_token"], code, name="screen@b", check_interval=0.5)
    phones = [live(a, p["participant_token"], code, name=f"phone{i}@a", check_interval=0.3)
              for i, p in enumerate(joined)]

    per_phone = 6  # the post limit allows 10 a minute per participant
    sent: list[str] = []

    def post_all(i: int, phone: LiveClient) -> None:
        for n in range(per_phone):
            sent.append(phone.post(f"phone {i} reflectie {n}", client_id=f"p{i}-{n}"))
            time.sleep(0.9)

    posters = [threading.Thread(target=post_all, args=(i, p)) for i, p in enumerate(phones)]
    for t in posters:
        t.start()
    time.sleep(1.5)
    redis_server.stop()  # SIGTERM: a restart by the service manager
    assert not requests.get(f"{a.url}/healthz", timeout=5).ok
    # HTTP while Redis is away: an honest 503 with Retry-After, never a 500
    answers = []
    probe = requests.Session()
    until = time.monotonic() + 3.0
    while time.monotonic() < until:
        for path, token in ((f"/api/sessions/{code}", None),
                            (f"/api/sessions/{code}/reflections", fac_token)):
            r = probe.get(f"{a.url}{path}", timeout=10,
                          headers={"Authorization": f"Bearer {token}"} if token else {})
            answers.append((r.status_code, r.headers.get("Retry-After"),
                            r.json()["error"]["code"] if r.status_code >= 400 else None))
        time.sleep(0.2)
    probe.close()
    redis_server.start()
    back = time.monotonic()
    for t in posters:
        t.join()
    assert answers and all(a_ == (503, "5", "store_unavailable") for a_ in answers), answers
    expected = {f"phone {i} reflectie {n}" for i in range(len(phones)) for n in range(per_phone)}

    wait_until(lambda: all(p.pending == 0 for p in phones), 20,
               message=lambda: f"outboxes to drain: {[p.pending for p in phones]}")
    assert all(p.error is None for p in phones), [p.error for p in phones]
    assert sum(p.transient_failures for p in phones) > 0, "the outage hit some posts"
    codes = {c for p in phones for c in p.failure_codes}
    assert "server_error" not in codes and "store_unavailable" in codes, codes
    acked = {cid for p in phones for cid in p.answers}
    assert acked == set(sent) and len(sent) == len(expected)

    stored = api.reflections(code, fac_token)
    texts = [r["text"] for r in stored]
    assert sorted(texts) == sorted(expected), "each acknowledged reflection stored exactly once"

    wait_until(lambda: fac.texts() == expected, 15,
               message=lambda: f"the facilitator on b ({len(fac.texts())}/{len(expected)})")
    wait_until(lambda: screen.reflection_count == len(expected), 15,
               message=lambda: f"the screen on b ({screen.reflection_count}/{len(expected)})")
    caught_up = time.monotonic() - back
    assert caught_up < 15
    # logged once when the outage began (and once when it ended), not per request
    log = a.logfile.read_text(errors="replace")
    assert log.count("store unavailable (") == 1, log[-3000:]
    assert "store reachable again" in log, log[-3000:]
    assert "unexpected error" not in log and "socket event" not in log, log[-3000:]
    print(f"facilitator and screen complete {caught_up:.1f}s after Redis returned; "
          f"resyncs: facilitator {fac.resyncs}, screen {screen.resyncs}")


def test_sigkill_after_ack_and_same_client_id_after_reconnect(pair, redis_server, live):
    """An acknowledged post survives SIGKILL of its worker (and of Redis: the AOF)."""
    a, b = pair
    api = Api(b.url)
    session = api.create_session()
    code, fac_token = session["code"], session["facilitator_token"]
    author = api.join(code, "burger")
    api.step(code, fac_token, "eigen-kring")
    phone = live(a, author["participant_token"], code, name="phone@a")
    fac = live(b, fac_token, code, name="facilitator@b")

    first = phone.call("post", {"text": "Net op tijd", "client_id": "kill-1"})
    assert first["ok"] and first["created"]
    a.kill()  # right after the acknowledgement
    redis_server.kill()  # and Redis too: appendfsync always keeps what was acknowledged
    redis_server.start()
    a.start()
    wait_until(lambda: phone.connected and phone.connects >= 2, 15,
               message="the phone to reconnect to the restarted worker")

    # the outbox sends the same client id again (it never saw the first answer, say)
    again = phone.call("post", {"text": "Net op tijd", "client_id": "kill-1"})
    assert again["ok"] and not again["created"], again
    assert again["reflection"]["id"] == first["reflection"]["id"]
    stored = api.reflections(code, fac_token)
    assert [r["text"] for r in stored] == ["Net op tijd"]
    wait_until(lambda: fac.texts() == {"Net op tijd"}, 10, message="the facilitator on b")
