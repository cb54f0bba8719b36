"""static/js/live.js on its own, in Node with a stand-in socket: what a page does with
the messages of its streams (issue 13). The browser tests run it against the server;
these feed it the awkward cases directly: a message of another stream with an older
number, the same event on two streams, a jump in one stream, events that arrive while
a snapshot is on its way, and the check of where the streams stand."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

LIVE_JS = Path(__file__).resolve().parents[1] / "static" / "js" / "live.js"

SCRIPT = r"""
const handlers = {};
const calls = [];
const answers = {};
globalThis.window = { io: () => socket, addEventListener: () => {} };
globalThis.navigator = { onLine: true };
globalThis.setInterval = () => 0;
const socket = {
  connected: true,
  io: { on: () => {}, opts: {} },
  on: (name, fn) => { handlers[name] = fn; },
  timeout: () => ({ emit: (name, data, cb) => {
    calls.push(name);
    const answer = answers[name] ? answers[name].shift() : undefined;
    setTimeout(() => cb(null, answer || { ok: false, error: { code: "empty" } }), 0);
  } }),
};
const { Live } = await import(process.argv[2]);
const applied = [];
const snapshots = [];
const live = new Live({ token: "t", onSnapshot: (s, partial) => snapshots.push([s.seq, partial]),
                        onEvent: (e) => applied.push(`${e.stream}#${e.seq}`) });
const tick = () => new Promise((r) => setTimeout(r, 5));
const out = {};

// before the first snapshot: kept, then weighed against it
handlers.event({ seq: 9, stream: "circle:a", n: 5, type: "reflection" });
handlers.snapshot({ seq: 10, streams: { participants: 3, "circle:a": 5, "participant:p": 0 } });
out.early = [...applied];
handlers.event({ seq: 12, stream: "circle:a", n: 6, type: "reflection" });
handlers.event({ seq: 11, stream: "participants", n: 4, type: "state" });
handlers.event({ seq: 12, stream: "participants", n: 5, type: "resync", reason: "step" });
handlers.event({ seq: 12, stream: "circle:a", n: 6, type: "reflection" });
out.in_order = [...applied];
out.calls_in_order = [...calls];
out.positions = { ...live.positions };

// a jump in the circle stream: a snapshot is asked for; what comes meanwhile waits
answers.sync = [{ ok: true, snapshot: { seq: 20, streams: { participants: 5, "circle:a": 9,
                                                            "participant:p": 1 } } }];
handlers.event({ seq: 18, stream: "circle:a", n: 8, type: "reflection" });
handlers.event({ seq: 21, stream: "circle:a", n: 10, type: "reflection" });
await tick();
out.after_gap = [...applied];
out.calls_after_gap = [...calls];
out.snapshots = [...snapshots];

// the periodic check: a stream ahead of the page means a snapshot
answers.seq = [{ ok: true, seq: 30, streams: { participants: 5, "circle:a": 10,
                                               "participant:p": 2 } }];
answers.sync = [{ ok: true, snapshot: { seq: 30, streams: { participants: 5, "circle:a": 10,
                                                            "participant:p": 2 } } }];
await live.checkSeq();
await tick();
out.calls_after_check = [...calls];
answers.seq = [{ ok: true, seq: 31, streams: { participants: 5, "circle:a": 10,
                                               "participant:p": 2 } }];
await live.checkSeq();
await tick();
out.calls_when_current = [...calls];

// a batch of a busy room, in order
handlers.events([{ seq: 32, stream: "participants", n: 6, type: "conclusion" },
                 { seq: 33, stream: "participants", n: 7, type: "conclusion" }]);
out.batch = applied.slice(-2);
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    node = shutil.which("node")
    assert node, "Node is needed for the page code (npm ci installs the browser packages)"
    folder = tmp_path_factory.mktemp("livejs")
    module = folder / "live.mjs"
    module.write_text(LIVE_JS.read_text())
    script = folder / "check.mjs"
    script.write_text(SCRIPT)
    done = subprocess.run([node, str(script), module.as_uri()], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_messages_follow_their_own_stream(run):
    # the event before the snapshot is one it holds (n 5): dropped
    assert run["early"] == []
    # another stream's older number is no gap; the same event on two streams counts once
    assert run["in_order"] == ["circle:a#12", "participants#11"]
    assert run["positions"] == {"participants": 5, "circle:a": 6, "participant:p": 0}
    assert run["calls_in_order"] == []  # nothing missed: no snapshot asked for


def test_a_jump_asks_for_a_snapshot_and_keeps_what_comes_meanwhile(run):
    assert run["calls_after_gap"] == ["sync"]
    assert [20, False] in run["snapshots"]
    # n 10 came while the snapshot (circle:a at 9) was on its way: applied after it
    assert run["after_gap"][-1] == "circle:a#21"
    assert "circle:a#18" not in run["after_gap"]


def test_the_check_reads_a_snapshot_only_when_a_stream_is_ahead(run):
    assert run["calls_after_check"] == ["sync", "seq", "sync"]
    assert run["calls_when_current"] == ["sync", "seq", "sync", "seq"]


def test_a_batch_is_applied_in_order(run):
    assert run["batch"] == ["participants#32", "participants#33"]
