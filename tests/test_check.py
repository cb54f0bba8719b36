"""``facilitator check``: each misconfiguration gives its own line and a non-zero exit;
a sound production configuration passes."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from facilitator.check import problems

GOOD_SECRET = secrets.token_hex(32)
GOOD_TOKEN = secrets.token_urlsafe(24)


def good(tmp_path, **changes: str) -> dict[str, str]:
    env = {"FACILITATOR_ENV": "production", "FACILITATOR_SECRET_KEY": GOOD_SECRET,
           "FACILITATOR_ORGANISER_TOKEN": GOOD_TOKEN,
           "FACILITATOR_STORE": f"sqlite:///{tmp_path / 'ok.db'}",
           "FACILITATOR_PUBLIC_URL": "https://dialoog.example.nl"}
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def test_a_sound_configuration_passes(tmp_path):
    found, cfg = problems(good(tmp_path))
    assert found == [] and cfg["ENV"] == "production"


def test_a_sound_redis_configuration_passes(tmp_path, redis_url):
    found, _ = problems(good(tmp_path, FACILITATOR_STORE=redis_url,
                             FACILITATOR_MESSAGE_QUEUE=redis_url,
                             FACILITATOR_ASYNC_MODE="threading"))  # a documented choice
    assert found == []


@pytest.mark.parametrize("changes, expected", [
    ({"FACILITATOR_SECRET_KEY": ""}, "FACILITATOR_SECRET_KEY is not set"),
    ({"FACILITATOR_SECRET_KEY": "short"}, "FACILITATOR_SECRET_KEY is shorter than 32"),
    ({"FACILITATOR_SECRET_KEY": "a" * 40}, "FACILITATOR_SECRET_KEY is too guessable"),
    ({"FACILITATOR_ORGANISER_TOKEN": ""}, "FACILITATOR_ORGANISER_TOKEN is not set"),
    ({"FACILITATOR_ORGANISER_TOKEN": "organiser"}, "FACILITATOR_ORGANISER_TOKEN is shorter"),
    ({"FACILITATOR_ENV": "development"}, "FACILITATOR_ENV is not 'production'"),
    ({"FACILITATOR_PUBLIC_URL": ""}, "FACILITATOR_PUBLIC_URL is not set"),
    ({"FACILITATOR_PUBLIC_URL": "dialoog.example.nl"}, "is not a base URL"),
    ({"FACILITATOR_PUBLIC_URL": "https://x.nl/pad?q=1"}, "is not a base URL"),
    ({"FACILITATOR_PUBLIC_URL": "http://dialoog.example.nl"}, "is not https"),
    ({"FACILITATOR_STORE": "redis://127.0.0.1:1/0"}, "FACILITATOR_STORE redis://127.0.0.1:1/0"),
    ({"FACILITATOR_STORE": "mysql://x"}, "FACILITATOR_STORE mysql://x cannot be opened"),
    ({"FACILITATOR_MESSAGE_QUEUE": "redis://:pw@127.0.0.1:1/0"},
     "FACILITATOR_MESSAGE_QUEUE redis://:***@127.0.0.1:1/0 does not answer"),
    ({"FACILITATOR_ASYNC_MODE": "twisted"}, "FACILITATOR_ASYNC_MODE must be"),
    ({"FACILITATOR_MESSAGE_QUEUE": "redis://:pw@127.0.0.1:notaport/0"},
     "FACILITATOR_MESSAGE_QUEUE redis://:***@127.0.0.1:notaport/0 is not a valid URL: Port"),
    ({"FACILITATOR_MESSAGE_QUEUE": "redis://:pw@[::1/0"},
     "FACILITATOR_MESSAGE_QUEUE redis://:***@[::1/0 is not a valid URL"),
    ({"FACILITATOR_STORE": "redis://127.0.0.1:99999/0"},
     "FACILITATOR_STORE redis://127.0.0.1:99999/0 is not a valid URL: Port out of range"),
    ({"FACILITATOR_STORE": "redis://127.0.0.1:6379/0?socket_timeout=soon"},
     "is not a valid URL: Invalid value for 'socket_timeout'"),
    ({"FACILITATOR_METRICS_ADDRESS": "0.0.0.0:9100"},
     "FACILITATOR_METRICS_ADDRESS 0.0.0.0:9100 is not a loopback address and "
     "FACILITATOR_METRICS_TOKEN is not set"),
    ({"FACILITATOR_METRICS_ADDRESS": "10.0.0.5:9100"}, "is not a loopback address"),
    ({"FACILITATOR_METRICS_ADDRESS": "[::]:9100"}, "is not a loopback address"),
    ({"FACILITATOR_METRICS_ADDRESS": "metrics.internal:9100"}, "is not a loopback address"),
    ({"FACILITATOR_METRICS_TOKEN": "x"},
     "FACILITATOR_METRICS_TOKEN is shorter than 16 characters"),
    ({"FACILITATOR_METRICS_TOKEN": "x", "FACILITATOR_METRICS_ADDRESS": "0.0.0.0:9100"},
     "FACILITATOR_METRICS_TOKEN is shorter than 16 characters"),
    ({"FACILITATOR_METRICS_TOKEN": "abc" * 8},
     "FACILITATOR_METRICS_TOKEN is too guessable"),
])
def test_each_problem_is_one_line(tmp_path, changes, expected):
    found, _ = problems(good(tmp_path, **changes))
    assert len([line for line in found if expected in line]) == 1, found
    assert all("\n" not in line for line in found)
    assert "pw" not in " ".join(found)  # no password in the output


@pytest.mark.parametrize("address", ["127.0.0.1:9100", "127.0.0.2:9100", "[::1]:9100",
                                     "localhost:9100"])
def test_a_loopback_metrics_address_needs_no_token(tmp_path, address):
    assert problems(good(tmp_path, FACILITATOR_METRICS_ADDRESS=address))[0] == []


def test_a_public_metrics_address_passes_with_a_sound_token(tmp_path):
    found, _ = problems(good(tmp_path, FACILITATOR_METRICS_ADDRESS="0.0.0.0:9100",
                             FACILITATOR_METRICS_TOKEN=secrets.token_urlsafe(24)))
    assert found == []


def test_several_problems_several_lines(tmp_path):
    found, _ = problems(good(tmp_path, FACILITATOR_SECRET_KEY="",
                             FACILITATOR_ORGANISER_TOKEN="", FACILITATOR_PUBLIC_URL="ftp://x"))
    assert [line.split()[0] for line in found] == [
        "FACILITATOR_SECRET_KEY", "FACILITATOR_ORGANISER_TOKEN", "FACILITATOR_PUBLIC_URL"], found


def _cli(args, env, cwd):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    root = Path(__file__).resolve().parents[1]
    return subprocess.run([sys.executable, "-m", "facilitator", *args], cwd=root,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_the_command_exits_non_zero_with_one_line_per_problem(tmp_path):
    bad = _cli(["check"], good(tmp_path, FACILITATOR_SECRET_KEY="short",
                               FACILITATOR_PUBLIC_URL="http://dialoog.example.nl"), tmp_path)
    assert bad.returncode == 1
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 2 and all(x.startswith("problem: FACILITATOR_") for x in lines), lines
    ok = _cli(["check"], good(tmp_path), tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: facilitator ") and "Eventlet" not in ok.stdout + ok.stderr


def test_a_malformed_url_is_one_line_for_check_and_for_serve(tmp_path):
    bad_queue = good(tmp_path, FACILITATOR_MESSAGE_QUEUE="redis://:pw@127.0.0.1:notaport/0")
    checked = _cli(["check"], bad_queue, tmp_path)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr
    assert checked.stderr.strip().splitlines() == [
        "problem: FACILITATOR_MESSAGE_QUEUE redis://:***@127.0.0.1:notaport/0 is not a valid "
        "URL: Port could not be cast to integer value as 'notaport'"], checked.stderr
    for name in ("FACILITATOR_MESSAGE_QUEUE", "FACILITATOR_STORE"):
        served = _cli(["serve", "--port", "1"], {**good(tmp_path),
                                                 name: "redis://:pw@127.0.0.1:notaport/0"},
                      tmp_path)
        assert served.returncode == 2, (name, served)
        assert served.stderr.strip() == (
            f"facilitator: {name} redis://:***@127.0.0.1:notaport/0 is not a valid URL: "
            "Port could not be cast to integer value as 'notaport'"), served.stderr
        assert "serving on" not in served.stdout


def test_backup_and_restore_commands(tmp_path):
    env = good(tmp_path)
    created = _cli(["backup", str(tmp_path / "b.db")], env, tmp_path)
    assert created.returncode == 0 and "backed up 0 session(s)" in created.stdout, created
    env["FACILITATOR_STORE"] = f"sqlite:///{tmp_path / 'other.db'}"
    restored = _cli(["restore", str(tmp_path / "b.db")], env, tmp_path)
    assert restored.returncode == 0, restored.stderr
    missing = _cli(["restore", str(tmp_path / "nothing.json")], env, tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
