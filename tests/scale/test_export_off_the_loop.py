"""A long export is made off the event loop: while the organiser downloads the research
PDF or Excel file of a 600-reflection session, the worker keeps answering the room
within a fraction of the export's time. In eventlet mode the export is made in a thread
of eventlet's pool (made on the loop itself, the Excel file kept the worker silent for
over a second), in every mode a PDF's parts are laid out by child processes; in gevent
mode (children are watched only from its main loop) the PDF is made on the loop and
waits for its children cooperatively. After a long PDF, children wait ready for the
next one, and go with their worker."""

from __future__ import annotations

import io
import re
import threading
import time
from pathlib import Path

import pytest
import requests

from facilitator.domain import registrations
from facilitator.domain.export import name_cards
from facilitator.domain.export.archive import restore
from facilitator.domain.joincode import new_code
from facilitator.domain.operations import new_token
from facilitator.store.sqlite import SQLiteStore
from tests.domain.export import make_session
from tests.scale.harness import ORGANISER

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("mode", "fmt"), [("eventlet", "pdf"), ("eventlet", "xlsx"),
                                           ("gevent", "pdf"), ("threading", "pdf")])
def test_a_long_export_leaves_the_worker_answering(tmp_path, spawn, mode, fmt):
    path = tmp_path / "long.db"
    store, code = SQLiteStore(str(path)), new_code()
    workshop = restore(store, make_session(reflections=600, per_perspective=8, reactions=(3, 12)),
            code, new_token)
    store.close()
    worker = spawn("w", store=f"sqlite:///{path}", mode=mode)

    answer: dict[str, requests.Response] = {}

    def download() -> None:
        answer["pdf"] = requests.get(
            f"{worker.url}/api/sessions/{code}/export?format={fmt}&preset=onderzoek",
            headers={"Authorization": f"Bearer {workshop.facilitator_token}"}, timeout=300)

    started = time.perf_counter()
    thread = threading.Thread(target=download)
    thread.start()
    waits = []
    while thread.is_alive():
        before = time.perf_counter()
        assert requests.get(f"{worker.url}/healthz", timeout=30).status_code == 200
        waits.append(time.perf_counter() - before)
        time.sleep(0.05)
    took = time.perf_counter() - started
    response = answer["pdf"]
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"%PDF-" if fmt == "pdf" else b"PK")
    # the export took a while (0.8-2 s, by machine and format): the room asked meanwhile
    assert len(waits) > 5, (took, len(waits))
    assert max(waits) < took / 4, (max(waits), took)


def _long_registration_list() -> bytes:
    """A workbook of the most people a list may have, each with an event system's 40
    answers: about 300 kB, seconds for openpyxl to read."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Naam", "Organisatie", "Functie"] + [f"Vraag {i}" for i in range(40)])
    for i in range(registrations.MAX_ROWS):
        sheet.append([f"Deelnemer {i}", f"Gemeente {i % 40}", "raadslid"]
                     + [f"antwoord {i}-{j}" for j in range(40)])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


@pytest.mark.parametrize(("mode", "what", "kind"), [
    ("eventlet", "registrations", "sqlite"), ("eventlet", "cards", "sqlite"),
    ("threading", "registrations", "sqlite"), ("gevent", "registrations", "redis")])
def test_a_long_upload_or_name_cards_leave_the_worker_answering(tmp_path, spawn, request,
                                                                mode, what, kind):
    """The registration list is read and the name cards (QR codes and PDF) are made off
    the event loop: the room's requests are answered meanwhile. In gevent mode the list
    is read off the loop too (on Redis: there SQLite commits inline, 2,000 of them hold
    the loop for seconds), and the PDF is made on the loop, as every PDF there (see
    ``made_off_the_loop``)."""
    code = new_code()
    if kind == "redis":
        from facilitator.store.redis import RedisStore

        url = request.getfixturevalue("redis_server").url
        store = RedisStore.from_url(url)
    else:
        url = f"sqlite:///{tmp_path / 'cards.db'}"
        store = SQLiteStore(str(tmp_path / "cards.db"))
    restore(store, make_session(reflections=10, per_perspective=2), code, new_token)
    store.close()
    worker = spawn("w", store=url, mode=mode)
    organiser = {"Authorization": f"Bearer {ORGANISER}"}
    url = f"{worker.url}/api/sessions/{code}/registrations"
    if what == "cards":
        rows = [{"naam": f"Deelnemer {i}", "functie": "raadslid"}
                for i in range(name_cards.MAX_CARDS)]
        imported = requests.post(url, json={"rows": rows}, headers=organiser, timeout=120)
        assert imported.json()["matched"] == name_cards.MAX_CARDS, imported.text[:300]
    else:
        workbook = _long_registration_list()

    answer: dict[str, requests.Response] = {}

    def ask() -> None:
        if what == "cards":
            answer["r"] = requests.get(f"{url}/cards?format=pdf", headers=organiser,
                                       timeout=300)
        else:
            answer["r"] = requests.post(url, headers=organiser, timeout=300, files={
                "file": ("aanmeldingen.xlsx", workbook)})

    started = time.perf_counter()
    thread = threading.Thread(target=ask)
    thread.start()
    waits = []
    while thread.is_alive():
        before = time.perf_counter()
        assert requests.get(f"{worker.url}/healthz", timeout=30).status_code == 200
        waits.append(time.perf_counter() - before)
        time.sleep(0.05)
    took = time.perf_counter() - started
    response = answer["r"]
    assert response.status_code == 200, response.text[:300]
    if what == "cards":
        assert response.content.startswith(b"%PDF-")
    else:
        assert response.json()["matched"] == registrations.MAX_ROWS
    assert len(waits) > 5, (took, len(waits))
    # made on the loop, the list held the worker silent for a third of the time or more
    assert max(waits) < took / 8, (max(waits), took)


def _stat(pid: int | str) -> list[str]:
    """``/proc/PID/stat`` after the command's name: state, parent pid, ...; a process
    that is gone reads as a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return ["Z", "0"]


def _ready_children(pid: int) -> set[int]:
    """The pids of ``pid``'s live children waiting for a PDF part (``--ready``)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        state, parent = _stat(entry.name)[:2]
        if state == "Z" or int(parent) != pid:
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile
            continue
        if b"--ready" in command:
            found.add(int(entry.name))
    return found


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_the_next_long_pdf_takes_the_workers_ready_children(tmp_path, spawn, mode):
    """After a long PDF the worker keeps children waiting with WeasyPrint imported; the
    next long PDF takes them, and they never outlive the worker."""
    path = tmp_path / "long.db"
    store, code = SQLiteStore(str(path)), new_code()
    workshop = restore(store, make_session(reflections=600, per_perspective=8,
                                           reactions=(3, 12)), code, new_token)
    store.close()
    worker = spawn("w", store=f"sqlite:///{path}", mode=mode,
                   env={"FACILITATOR_PDF_PROCESSES": "2"})

    def pdf() -> bytes:
        response = requests.get(
            f"{worker.url}/api/sessions/{code}/export?format=pdf&preset=onderzoek",
            headers={"Authorization": f"Bearer {workshop.facilitator_token}"}, timeout=300)
        assert response.status_code == 200, response.text[:300]
        return response.content

    assert not _ready_children(worker.proc.pid)
    # the organiser opens the session's page: the children its download takes get ready
    browser = requests.Session()
    form = browser.get(f"{worker.url}/organiser/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    browser.post(f"{worker.url}/organiser/login",
                 data={"token": ORGANISER, "csrf_token": csrf}, timeout=30)
    assert browser.get(f"{worker.url}/organiser/{code}", timeout=30).status_code == 200
    opened = _ready_children(worker.proc.pid)
    assert len(opened) == 2, opened
    first = pdf()
    assert not opened & _ready_children(worker.proc.pid)  # taken by the first PDF
    waiting = _ready_children(worker.proc.pid)
    assert len(waiting) == 2, waiting
    second = pdf()
    assert second.startswith(b"%PDF-") and abs(len(second) - len(first)) < len(first) / 50
    now = _ready_children(worker.proc.pid)
    assert len(now) == 2 and not now & waiting, (waiting, now)  # taken, and two new ones
    process = worker.proc
    stopping = time.monotonic()
    worker.stop()
    # a stop within the SIGTERM's time, not the SIGKILL after 10 s of lingering: the
    # ready children hold nothing up (eventlet stops gracefully and exits 0; in gevent
    # mode a SIGTERM simply ends the process, docs/deploy.md)
    assert time.monotonic() - stopping < 8, time.monotonic() - stopping
    assert process.returncode == (0 if mode == "eventlet" else -15), process.returncode
    deadline = time.monotonic() + 20
    while any(_stat(pid)[0] != "Z" for pid in now):
        assert time.monotonic() < deadline, "a ready child outlived its worker"
        time.sleep(0.2)
