"""`knoten dev` (what `make run` starts): embedded Redis, API, demo workshop, printed links."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.processes import free_port


def _start(cwd: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOTEN_")}
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "dev", "--port", str(port)],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _until_running(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if line.startswith("Stop with Ctrl+C"):
            return "".join(lines)
    raise AssertionError("knoten dev did not come up:\n" + "".join(lines))


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
    if process.stdout is not None:
        process.stdout.close()


def test_knoten_dev_starts_everything_and_keeps_the_demo_across_restarts(tmp_path: Path) -> None:
    port = free_port()
    process = _start(tmp_path, port)
    try:
        printed = _until_running(process)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/health").json()["redis"] == "ok"
        assert httpx.get(f"{base}/schema").status_code == 200
        token = re.search(r"Facilitator token:\s+(\S+)", printed)
        workshop_id = re.search(r"Demo workshop:.*\((\w+)\)", printed)
        assert token and workshop_id, printed
        workshop = httpx.get(
            f"{base}/api/workshops/{workshop_id.group(1)}", headers={"Authorization": f"Bearer {token.group(1)}"}
        ).json()
        formats = {s["format"] for s in workshop["sessions"]}
        assert formats == {"thementisch", "runder_tisch", "zukunftswerkstatt", "barcamp", "marktplatz"}
        assert sum(s["confirmed"] for s in workshop["sessions"]) >= 4
    finally:
        _stop(process)
    assert (tmp_path / ".knoten" / "redis" / "appendonlydir").is_dir()

    again = _start(tmp_path, port)
    try:
        printed_again = _until_running(again)
        assert f"({workshop_id.group(1)})" in printed_again
    finally:
        _stop(again)
