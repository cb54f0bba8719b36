"""Laptop mode as a facilitator starts it (``python -m facilitator room``), a real server
process: the links it prints, the projector's QR code and join text use the address
phones reach; an address only the laptop reaches gets a warning; and a restart (an
update, a crash, a closed lid) keeps every phone its participant, with nothing typed
while the server was away lost and nothing stored twice.

The laptop's address is given with ``--address`` from the documentation range
(RFC 5737): it is printed and encoded only. The server listens on 127.0.0.1 and every
request goes there; nothing is sent to another address."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
import requests
import segno

from tests.processes import LoggedProcess
from tests.redis_fixtures import free_port
from tests.scale.harness import REPO, Api, LiveClient, wait_until

pytestmark = pytest.mark.slow

LAPTOP_ADDRESS = "192.0.2.10"
WARNING_NL = "Telefoons kunnen dit adres niet bereiken"


class Room(LoggedProcess):
    """``python -m facilitator room`` with its own instance folder and nothing else
    configured: the secrets and the SQLite file are laptop mode's own."""

    describe = "laptop mode"

    def __init__(self, instance: Path, logdir: Path, address: str) -> None:
        super().__init__()
        self.instance = instance
        self.logdir = logdir
        self.address = address
        self.port = free_port()

    @property
    def logfile(self) -> Path:
        return self.logdir / "room.log"

    @property
    def local(self) -> str:
        """Where the test reaches the server: the loopback interface it listens on."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def printed_base(self) -> str:
        return f"http://{self.address}:{self.port}"

    def start(self, timeout: float = 30.0) -> Room:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
        env.update({"FACILITATOR_INSTANCE_PATH": str(self.instance),
                    "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore"})
        # --host 127.0.0.1: laptop mode listens on every interface by default; the test
        # keeps to loopback and only prints the laptop's address
        self._spawn([sys.executable, "-m", "facilitator", "room", "--host", "127.0.0.1",
                     "--port", str(self.port), "--address", self.address],
                    cwd=REPO, env=env, new_session=True)

        def healthy() -> bool:
            try:
                return requests.get(f"{self.local}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        self._wait_ready(healthy, timeout)
        return self

    def printed(self) -> str:
        """What the latest start printed."""
        return self.logfile.read_text(errors="replace").rsplit("--- start", 1)[-1]

    def links(self) -> dict[str, str]:
        text = self.printed()
        found = {}
        for label, key in (("Phone (join)", "join_url"), ("Facilitator", "facilitator_url"),
                           ("Screen", "screen_url"), ("Organiser", "organiser_url")):
            match = re.search(rf"^\s*{re.escape(label)}:\s+(\S+)", text, re.M)
            assert match, f"no {label} link in:\n{text}"
            found[key] = match.group(1)
        match = re.search(r"\(code (\w+)\)", text)
        assert match, text
        found["code"] = match.group(1)
        return found

    def to_local(self, url: str) -> str:
        """A printed link, for a request to where the server listens in this test."""
        assert url.startswith(self.printed_base), url
        return self.local + url[len(self.printed_base):]


@pytest.fixture
def rooms(tmp_path, request):
    started: list[Room] = []

    def make(address: str = LAPTOP_ADDRESS) -> Room:
        room = Room(tmp_path / "instance", tmp_path / "logs", address)
        started.append(room)
        return room.start()

    yield make
    for room in started:
        room.kill()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for room in started:
            print(f"\n===== log of laptop mode =====\n{room.log_tail(80)}")


def open_secret_link(room: Room, url: str) -> tuple[requests.Session, str]:
    """Open a printed secret link as the browser would; (its session, the page)."""
    browser = requests.Session()
    entered = browser.get(room.to_local(url), allow_redirects=False, timeout=10)
    assert entered.status_code in (302, 303), entered.text
    page = browser.get(local_location(room, entered), timeout=10, allow_redirects=False)
    assert page.status_code == 200, page.text
    return browser, page.text


def join_as_phone(room: Room, join_url: str, perspective: str) -> tuple[requests.Session, str]:
    """Pick a perspective on the printed join link; (the phone's session, its page token)."""
    phone = requests.Session()
    pick = phone.get(room.to_local(join_url), timeout=10, allow_redirects=False)
    assert pick.status_code == 200, pick.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', pick.text).group(1)
    joined = phone.post(room.to_local(join_url), timeout=10, allow_redirects=False,
                        data={"perspective": perspective, "csrf_token": csrf})
    assert joined.status_code in (302, 303), joined.text
    page = phone.get(local_location(room, joined), timeout=10, allow_redirects=False)
    assert page.status_code == 200 and "/p/" in page.url, (page.status_code, page.url)
    return phone, page_token(page.text)


def local_location(room: Room, response: requests.Response) -> str:
    """Where a redirect goes, on the server's loopback address (a redirect is followed
    by hand: nothing may be sent to the printed address)."""
    location = response.headers["Location"]
    if location.startswith("/"):
        return room.local + location
    assert location.startswith(room.local), location
    return location


def page_token(page: str) -> str:
    data = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page,
                     re.S).group(1)
    return json.loads(data)["token"]


def test_laptop_mode_prints_and_projects_the_address_phones_reach(rooms):
    room = rooms()
    text = room.printed()
    links = room.links()
    for key in ("join_url", "facilitator_url", "screen_url", "organiser_url"):
        assert links[key].startswith(room.printed_base + "/"), links
    assert f"{room.printed_base}/join  ->  {links['code']}" in text
    printed_links = text.split("Laptop mode", 1)[1].split("facilitator: serving", 1)[0]
    assert "localhost" not in printed_links and "127.0.0.1" not in printed_links, text
    assert "WARNING" not in text

    _, screen = open_secret_link(room, links["screen_url"])
    # the QR code encodes the printed join link (segno draws the same code for the same data)
    qr = segno.make(links["join_url"], error="m").svg_inline(scale=8, dark="#000",
                                                             light="#fff", omitsize=True)
    assert qr in screen
    assert f"QR-code om deel te nemen: {links['join_url']}" in screen
    assert f"data-join-text>{LAPTOP_ADDRESS}:{room.port}/join<" in screen
    assert WARNING_NL not in screen and "127.0.0.1" not in screen
    _, console = open_secret_link(room, links["facilitator_url"])
    assert f"{LAPTOP_ADDRESS}:{room.port}/join" in console and WARNING_NL not in console


def test_laptop_mode_on_a_loopback_address_warns_on_the_screen_and_the_console(rooms):
    room = rooms(address="127.0.0.1")
    assert "WARNING: phones cannot reach this address" in room.printed()
    links = room.links()
    _, screen = open_secret_link(room, links["screen_url"])
    assert WARNING_NL in screen and 'class="segno"' not in screen
    assert "data-join-text" not in screen
    _, console = open_secret_link(room, links["facilitator_url"])
    assert WARNING_NL in console and "data-join-text" not in console


def test_a_restart_keeps_every_phone_its_participant_and_loses_nothing_typed(rooms):
    room = rooms()
    links = room.links()
    code = links["code"]
    facilitator_token = links["facilitator_url"].rsplit("/", 1)[1]
    organiser_key = re.search(r"\(key: (\S+)\)", room.printed()).group(1)
    api = Api(room.local)
    api.step(code, facilitator_token, "eigen-kring")

    phones = []
    for index, perspective in enumerate(("raadslid", "raadslid")):
        browser, token = join_as_phone(room, links["join_url"], perspective)
        client = LiveClient(room.local, token, code, name=f"phone{index}",
                            check_interval=0.3).connect()
        phones.append((browser, token, client))
    me_before = [client.snapshot["me"]["id"] for _, _, client in phones]
    # the console, as the facilitator's browser opened it (a page token, not the secret)
    _, console_page = open_secret_link(room, links["facilitator_url"])
    console = LiveClient(room.local, page_token(console_page), code, name="console",
                         check_interval=0.3).connect()
    assert len(set(me_before)) == 2

    first, second = phones[0][2], phones[1][2]
    first.post("Voor de herstart getypt", client_id="typed-before")
    wait_until(lambda: first.pending == 0, 10, message="the post before the restart")
    reflection_id = first.answers["typed-before"]["reflection"]["id"]

    room.stop()  # SIGTERM: the pages lose their connection
    wait_until(lambda: not first.connected and not second.connected, 10,
               message="the phones to notice")
    # typed while the laptop is away: it waits in the outbox
    second.post("Getypt zonder verbinding", client_id="typed-offline")
    assert second.pending == 1

    room.start()
    assert room.links()["facilitator_url"] == links["facilitator_url"]
    assert re.search(r"\(key: (\S+)\)", room.printed()).group(1) == organiser_key
    for _, _, client in phones:
        # the page's signed token still holds: the secret key was kept
        wait_until(lambda c=client: c.connects >= 2 and c.connected and c.snapshot, 20,
                   message=f"{client.name} to reconnect")
    wait_until(lambda: all(c.snapshot["me"]["id"] == me
                           for (_, _, c), me in zip(phones, me_before, strict=True)), 10,
               message="each phone's own participant after the restart")
    wait_until(lambda: second.pending == 0, 10, message="the outbox after the restart")
    wait_until(lambda: console.connects >= 2 and "Getypt zonder verbinding" in console.texts(),
               20, message="the console to reconnect and see the post from the outbox")
    # the answer to the first post was lost (say): the page sends it again, same client id
    first.post("Voor de herstart getypt", client_id="typed-before")
    wait_until(lambda: first.pending == 0, 10, message="the retried post")
    assert first.error is None and second.error is None

    stored = [r["text"] for r in api.reflections(code, facilitator_token)]
    assert stored.count("Voor de herstart getypt") == 1, stored
    assert stored.count("Getypt zonder verbinding") == 1, stored
    # the retry is answered with the reflection stored before the restart
    assert first.answers["typed-before"]["reflection"]["id"] == reflection_id
    # the phone's cookie still names its participant: a reload stays on the phone page,
    # and the page it gets connects as the same participant
    reloads = []
    for index, ((browser, _, _), me) in enumerate(zip(phones, me_before, strict=True)):
        reloaded = browser.get(f"{room.local}/p/{code}", allow_redirects=False, timeout=10)
        assert reloaded.status_code == 200, reloaded.status_code
        again = LiveClient(room.local, page_token(reloaded.text), code,
                           name=f"reloaded{index}").connect()
        assert again.snapshot["me"]["id"] == me
        reloads.append(again)
    for client in [c for _, _, c in phones] + reloads + [console]:
        client.close()
    api.close()
