"""A long export is made off the event loop: while the organiser downloads the research
PDF or Excel file of a 600-reflection session, the worker keeps answering the room
within a fraction of the export's time. In eventlet mode the export is made in a thread
of eventlet's pool (made on the loop itself, the Excel file kept the worker silent for
over a second), in every mode a PDF's parts are laid out by child processes; in gevent
mode (children are watched only from its main loop) the PDF is made on the loop and
waits for its children cooperatively."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from facilitator.domain.export.archive import restore
from facilitator.domain.joincode import new_code
from facilitator.domain.operations import new_token
from facilitator.store.sqlite import SQLiteStore
from tests.domain.export import make_session

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
    assert took > 1 and len(waits) > 5, (took, len(waits))  # the export did take a while
    assert max(waits) < took / 4, (max(waits), took)
