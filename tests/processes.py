"""A child process with its own log file, for the servers tests start, stop,
crash and start again (``redis-server`` in ``tests/redis_fixtures.py``, app
workers in ``tests/scale/harness.py``)."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float, log: Path) -> str | None:
    """Poll ``base``/healthz until it answers 200; None then, else (the process ended
    or ``timeout`` seconds passed: it is killed) the tail of its ``log`` to fail with."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            return log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)


class LoggedProcess:
    """Spawn, wait until ready, stop (SIGTERM) or kill (SIGKILL), read the log.

    Subclasses say where the log goes (``logfile``) and what the process is
    (``describe``); ``proc`` is None while nothing runs.
    """

    describe = "process"

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def logfile(self) -> Path:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _spawn(self, args: list[str], *, cwd: Path, env: dict[str, str] | None = None,
               new_session: bool = False) -> None:
        if self.running:
            raise RuntimeError(f"{self.describe} already running")
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.logfile, "ab")  # closed in _reap
        self._log.write(f"--- start {time.strftime('%H:%M:%S')} ---\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=new_session)

    def _wait_ready(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it holds; raise with the log if the process exits
        or does not get there in ``timeout`` seconds (then it is killed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self._reap()
                raise RuntimeError(f"{self.describe} exited ({code}):\n{self.log_tail()}")
            if ready():
                return
            time.sleep(0.03)
        self.kill()
        raise RuntimeError(f"{self.describe} not ready in {timeout}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL (a crash): no clean-up of any kind in the process."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self._reap()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, as a service manager would; SIGKILL if it lingers."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def _reap(self) -> None:
        if self.proc is not None:
            self.proc.wait()
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
