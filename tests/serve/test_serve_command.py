"""`gettimes serve` as a shell runs it: the real console script, stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conftest import SiteFactory, article
from serve.support import DEADLINE, fetch

FIXED_EPOCH = "1751252400"  # conftest.FIXED_NOW
SERVING = re.compile(r"Serving (http://127\.0\.0\.1:(\d+)/)")


@dataclass
class Command:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def read_until(self, pattern: re.Pattern[str]) -> re.Match[str]:
        """Read output lines until one matches; fail if the command ends first (bounded)."""
        while True:
            try:
                line = self._queue.get(timeout=DEADLINE)
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern.pattern!r} in {self.lines!r}") from None
            if line is None:
                raise AssertionError(f"the command ended without {pattern.pattern!r}: {self.lines!r}")
            self.lines.append(line)
            if match := pattern.search(line):
                return match

    def rest(self) -> str:
        """Everything printed after the command has ended."""
        while (line := self._queue.get(timeout=DEADLINE)) is not None:
            self.lines.append(line)
        return "".join(self.lines)


def _script() -> list[str]:
    found = shutil.which("gettimes")
    return [found] if found else [sys.executable, "-m", "gettimes.cli"]


@contextmanager
def gettimes_serve(site: Path, *args: str, tmpdir: Path) -> Iterator[Command]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1"}
    # Ctrl-C reaches the server as from a terminal even when this suite runs with SIGINT ignored
    # (a background job of a script), which the server would inherit.
    process = subprocess.Popen([*_script(), "serve", *args], cwd=site, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    command = Command(process)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            command._queue.put(line)
        command._queue.put(None)

    reader = threading.Thread(target=pump)
    reader.start()
    try:
        yield command
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=DEADLINE)
        reader.join(timeout=DEADLINE)
        assert process.stdout is not None
        process.stdout.close()


def test_serve_runs_until_ctrl_c_and_cleans_up(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site({"content/articles/2025/06/story.md": article("Opening Story", slug="story")})
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with gettimes_serve(site, "--port", "0", tmpdir=scratch) as command:
        url, port = command.read_until(SERVING).groups()
        assert "Opening Story" in fetch(int(port), "/article/story/").body.decode()
        assert list(scratch.iterdir()), "the preview is built in a private temporary folder"
        command.process.send_signal(signal.SIGINT)
        assert command.process.wait(timeout=DEADLINE) == 0
        output = command.rest()
    assert output.rstrip().endswith("Stopped."), output
    assert "Traceback" not in output
    assert list(scratch.iterdir()) == [], "the private folder is removed on exit"
    assert not (site / "public").exists(), "the deploy folder is never written"


def test_serve_reports_a_busy_port_and_moves_on(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site({"content/articles/2025/06/story.md": article("Opening Story", slug="story")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with gettimes_serve(site, "--port", str(busy), tmpdir=tmp_path) as command:
            moved = command.read_until(re.compile(rf"Port {busy} is in use; serving on port (\d+) instead\."))
            assert command.read_until(SERVING).group(2) == moved.group(1)
            command.process.send_signal(signal.SIGTERM)
            assert command.process.wait(timeout=DEADLINE) == 0


def test_serve_outside_a_site_exits_with_the_usual_message(tmp_path: Path) -> None:
    with gettimes_serve(tmp_path, "--port", "0", tmpdir=tmp_path) as command:
        assert command.process.wait(timeout=DEADLINE) == 1
        output = command.rest()
    assert "gettimes.yaml: no gettimes.yaml here" in output
    assert "Traceback" not in output


def test_serve_refuses_a_bad_port(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site({})
    with gettimes_serve(site, "--port", "70000", tmpdir=tmp_path) as command:
        assert command.process.wait(timeout=DEADLINE) == 2
        assert "--port" in command.rest()
