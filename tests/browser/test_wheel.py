"""Installed like any Python web app: the sdist and the wheel built from it, installed
into a fresh virtualenv outside the checkout, ``facilitator serve`` started there in
production mode by a real Procfile runner (honcho) from the Procfile, as on a PaaS
that only pip-installs, and the phone, console and screen pages opened in Chromium:
every page in Dutch with its CSS and scripts, and no console error; on SIGTERM the
runner stops the app cleanly.

The browser packages come from the checkout's node_modules when it is there
(FACILITATOR_NODE_MODULES, an offline build); otherwise the build runs ``npm ci``.
pip reuses its cache for the dependencies, so the run takes about half a minute.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

from tests.processes import wait_healthy

from .conftest import CHROMIUM_ARGS, ROOT, _free_port  # noqa: F401
from .helpers import DESKTOP, PHONE, PROJECTOR, Api

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 15_000


def _run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert out.returncode == 0, f"{cmd} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(base URL, organiser token, venv) of the wheel installed and served outside the checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    assert not str(tmp).startswith(str(ROOT))
    dist = tmp / "dist"
    env = {**os.environ}
    if (ROOT / "node_modules").is_dir():
        env["FACILITATOR_NODE_MODULES"] = str(ROOT / "node_modules")
    # sdist first, then the wheel built from the unpacked sdist (what `python -m build` does)
    _run([sys.executable, "-m", "build", "-q", "--outdir", str(dist), str(ROOT)], env=env)
    wheel = next(dist.glob("facilitator-*.whl"))
    sdist = next(dist.glob("facilitator-*.tar.gz"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    for needed in ("facilitator/_assets/templates/error.html",
                   "facilitator/_assets/static/js/outbox.js",
                   "facilitator/_assets/vendor/socket.io.min.js",
                   "facilitator/_assets/vendor/voorbeeld-theme.css",
                   "facilitator/_assets/translations/nl/LC_MESSAGES/messages.mo"):
        assert needed in names, needed
    with tarfile.open(sdist) as t:
        members = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for needed in ("package.json", "package-lock.json", "setup.py", "templates/error.html",
                   "static/css/app.css", "facilitator/translations/nl/LC_MESSAGES/messages.po"):
        assert needed in members, needed
    assert not any(m.startswith("node_modules") for m in members)

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
          "--disable-pip-version-check", str(wheel)])
    run = tmp / "run"
    run.mkdir()
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("FACILITATOR_", "PYTHON", "VIRTUAL_ENV"))}
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import facilitator.assets as a; print(a.PACKAGE, a.bundled())"],
                           cwd=run, env=clean, capture_output=True, text=True, check=True)
    assert str(venv) in where.stdout and where.stdout.strip().endswith("True"), where.stdout

    port = _free_port()
    organiser = secrets.token_urlsafe(24)
    env = {**clean, "FACILITATOR_ENV": "production",
           "FACILITATOR_SECRET_KEY": secrets.token_hex(32),
           "FACILITATOR_ORGANISER_TOKEN": organiser,
           "FACILITATOR_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    # started as a PaaS would: a Procfile runner (honcho, a Python Foreman) reads the
    # Procfile in the app's folder and runs its web process with PORT set, with only the
    # venv's bin on PATH (the runner itself is the test environment's, not in the venv)
    shutil.copy(ROOT / "Procfile", run / "Procfile")
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "honcho", "start", "--no-colour",
                                 "-d", str(run), "-p", str(port), "web"], cwd=run, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    failed = wait_healthy(base, proc, 60, log_path)
    if failed is not None:
        pytest.fail("the installed app did not start:\n" + failed)
    # `facilitator check` passes with what the service runs with
    checked = subprocess.run([str(venv / "bin" / "facilitator"), "check"], cwd=run, env=env,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("ok: facilitator 0."), checked.stdout
    yield {"base": base, "organiser": organiser, "venv": venv, "log": log_path, "wheel": wheel}
    proc.terminate()  # honcho passes the SIGTERM on to the web process
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the Procfile's web process did not stop on SIGTERM")
    stopped = _app_lines(log_path)
    assert stopped[-1] == "facilitator: stopped", stopped
    assert "web.1 stopped (rc=0)" in log_path.read_text(), log_path.read_text()[-2000:]


def _app_lines(log_path) -> list[str]:
    """What the web process printed, without honcho's "HH:MM:SS web.1 | " prefix and
    without honcho's own lines ("system | web.1 started ...")."""
    lines = []
    for line in log_path.read_text().splitlines():
        source, bar, text = line.partition(" | ")
        if bar and source.split()[-1] == "web.1" and text.strip():
            lines.append(text.rstrip())
    return lines


def _watch(page, problems: list[str]) -> None:
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400
            and problems.append(f"HTTP {r.status} {r.url}"))


#: Every stylesheet parsed and every script that the page links to present as an element.
_LOADED = """() => ({
  sheets: [...document.querySelectorAll('link[rel=stylesheet]')].map(
    (l) => [l.getAttribute('href'), !!l.sheet && l.sheet.cssRules.length > 0]),
  scripts: [...document.querySelectorAll('script[src]')].map((s) => s.getAttribute('src')),
  font: getComputedStyle(document.body).fontFamily,
  io: typeof window.io,
})"""


def _check_loaded(page, label: str) -> None:
    state = page.evaluate(_LOADED)
    assert state["sheets"], f"{label}: no stylesheets"
    assert all(ok for _, ok in state["sheets"]), f"{label}: {state['sheets']}"
    assert any("/vendor/" in href for href, _ in state["sheets"]), state["sheets"]
    assert any("socket.io" in src for src in state["scripts"]), state["scripts"]
    assert state["io"] == "function", f"{label}: socket.io client not loaded"
    assert "system-ui" in state["font"], f"{label}: app.css not applied ({state['font']})"


def test_installed_wheel_serves_every_page_in_dutch(installed, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    api = Api(installed["base"], installed["organiser"])
    session = api.create_session()
    problems: list[str] = []
    contexts = []
    try:
        def page_for(options):
            ctx = browser.new_context(locale="nl-NL", reduced_motion="reduce", **options)
            ctx.set_default_timeout(TIMEOUT)
            contexts.append(ctx)
            page = ctx.new_page()
            _watch(page, problems)
            return page

        phone = page_for(PHONE)
        phone.goto(session["join_url"])
        expect(phone.locator("html")).to_have_attribute("lang", "nl")
        phone.locator("input[name=perspective]").first.check()
        phone.get_by_role("button", name="Deelnemen").click()
        expect(phone.locator("[data-connection]")).to_have_attribute("data-state", "connected")
        _check_loaded(phone, "phone")

        console = page_for(DESKTOP)
        console.goto(session["facilitator_url"])
        expect(console.locator("html")).to_have_attribute("lang", "nl")
        expect(console.locator("[data-connection]")).to_have_text("Verbonden")
        _check_loaded(console, "console")

        screen = page_for(PROJECTOR)
        screen.goto(session["screen_url"])
        expect(screen.locator("html")).to_have_attribute("lang", "nl")
        expect(screen.locator("[data-joined-total]")).to_have_text(re.compile("1 deelnemer"))
        _check_loaded(screen, "screen")
    finally:
        for ctx in contexts:
            ctx.close()
    assert not problems, "\n".join(problems)
    # the instance folder (SQLite) is the virtualenv's, never site-packages
    assert list((installed["venv"] / "var" / "facilitator-instance").glob("*.db"))
    log = installed["log"].read_text()
    assert "Traceback" not in log and "deprecated" not in log.lower(), log
    assert "system" in log and "web.1 started" in log, log  # run by honcho
    # one line of what it runs with, and nothing else at start
    [line] = _app_lines(installed["log"])
    for part in ("serving on http://0.0.0.0:", "(eventlet)", "store sqlite (default",
                 "message queue none", "async mode eventlet", "public URL http://127.0.0.1:",
                 "env production", "facilitator 0.",
                 # installed without the export extra: it says so, and a PDF is refused
                 "exports without docx, xlsx, pdf"):
        assert part in line, (part, line)
    status, body = api.call("GET", f"/sessions/{session['code']}/export?format=pdf",
                            session["facilitator_token"])
    assert status == 501 and body["error"]["code"] == "not_installed", (status, body)
