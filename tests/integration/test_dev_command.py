"""`knoten dev` (what `make run` starts): embedded Redis, API, demo workshop, printed links."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rq import Queue

from service import cli
from service.store.jobs import QUEUE_NAME, SERIALIZER
from tests.integration.conftest import knoten_env
from tests.processes import RedisProcess, descendants, free_port
from workers.handlers import Handler

DEMO_SIGNUPS = 4


def _start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    """`knoten dev` in a session of its own, as a shell in a terminal starts it; a deprecation
    warning in it or its worker is an error."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOTEN_")}
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "dev", *args],
        cwd=cwd,
        env={
            **env,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "PYTHONWARNINGS": "error::DeprecationWarning",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _read_until(process: subprocess.Popen[str], done: str, times: int = 1) -> str:
    """What `knoten dev` printed until `times` lines contained `done`."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if sum(done in seen for seen in lines) >= times:
            return "".join(lines)
    raise AssertionError(f"knoten dev did not print {done!r} {times} times:\n" + "".join(lines))


def _until_running(process: subprocess.Popen[str]) -> str:
    return _read_until(process, "Stop with Ctrl+C")


def _ctrl_c(process: subprocess.Popen[str]) -> str:
    """Ctrl+C in the terminal: SIGINT to every process of the foreground group; the rest of the output."""
    os.killpg(process.pid, signal.SIGINT)
    rest, _ = process.communicate(timeout=40)
    return rest


def test_knoten_dev_starts_everything_and_keeps_the_demo_across_restarts(tmp_path: Path) -> None:
    port = free_port()
    process = _start(tmp_path, "--port", str(port))
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
        assert sum(s["confirmed"] for s in workshop["sessions"]) >= DEMO_SIGNUPS
        network = re.search(rf"Network page:\s+http://127.0.0.1:{port}/admin/networks/(\S+) ", printed)
        assert network and workshop["network_id"] == network.group(1), printed
        admin = {"Authorization": f"Bearer {(tmp_path / '.knoten' / 'admin_token').read_text().strip()}"}
        page = httpx.get(f"{base}/admin/networks/{network.group(1)}", headers=admin).text
        assert "Barcamp Engagierte Stadt" in page and "AG Nachbarschaft" in page and "Sportverein Nord" in page
    finally:
        _ctrl_c(process)
    assert (tmp_path / ".knoten" / "redis" / "appendonlydir").is_dir()

    other_port = free_port()
    again = _start(tmp_path, "--port", str(other_port))
    try:
        printed_again = _until_running(again)
        assert f"({workshop_id.group(1)})" in printed_again
        console = re.search(r"Console \(tablet\):\s+(\S+)", printed_again)
        assert console and console.group(1).startswith(f"http://127.0.0.1:{other_port}/w/"), printed_again
        assert httpx.get(console.group(1), follow_redirects=True).status_code == 200
    finally:
        _ctrl_c(again)


def test_the_banner_says_where_the_organiser_signs_in_and_where_mails_go(tmp_path: Path) -> None:
    port = free_port()
    process = _start(tmp_path, "--port", str(port))
    try:
        printed = _until_running(process)
    finally:
        _ctrl_c(process)
    admin_token = (tmp_path / ".knoten" / "admin_token").read_text().strip()
    assert re.search(rf"Organiser page:\s+http://127.0.0.1:{port}/admin\b", printed), printed
    assert re.search(rf"Organiser token:\s+{re.escape(admin_token)}\s", printed), printed
    assert re.search(rf"Outbox \(mails\):\s+http://127.0.0.1:{port}/dev/outbox\b", printed), printed
    assert str((tmp_path / ".knoten" / "outbox").resolve()) in printed


def test_the_worker_logs_one_line_per_job_and_ctrl_c_stops_everything_without_a_traceback(tmp_path: Path) -> None:
    process = _start(tmp_path, "--port", str(free_port()))
    try:
        printed = _read_until(process, "send_signup_confirmation", times=DEMO_SIGNUPS)
        if "Stop with Ctrl+C" not in printed:  # the worker may finish the demo's mails before the banner is out
            printed += _until_running(process)
        children = descendants(process.pid)
        assert len(children) >= 2, "no Redis and worker below knoten dev"
    finally:
        rest = _ctrl_c(process)
    lines = (printed + rest).splitlines()
    banner = lines[lines.index(next(line for line in lines if line.startswith("knoten is running"))) :]
    banner = banner[: next(i for i, line in enumerate(banner) if line.startswith("Stop with Ctrl+C")) + 1]
    assert not [line for line in banner if " worker: " in line], "worker lines inside the banner"
    worker_lines = [line for line in lines if " worker: " in line]
    assert len([line for line in worker_lines if "send_signup_confirmation" in line]) == DEMO_SIGNUPS, lines
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d worker: done .+ \(\d+\.\d\d s\)", line) for line in worker_lines)
    others = [line for line in lines if line not in banner and line not in worker_lines]
    assert others == ["Stopping knoten ...", "knoten stopped."], lines
    assert "Traceback" not in rest
    assert process.returncode == 0
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "a process outlived knoten dev"


def test_a_port_asked_for_that_is_taken_ends_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _start(tmp_path, "--port", str(port))
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 1
    assert output.strip() == f"knoten dev: port {port} is in use (another knoten dev?); choose another --port."


def test_without_a_port_knoten_dev_takes_the_next_free_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        monkeypatch.setattr(cli, "DEFAULT_DEV_PORT", busy)
        with cli.dev_socket("127.0.0.1", None) as chosen:
            assert chosen.getsockname()[1] > busy


def test_the_quiet_worker_gives_a_failed_job_one_line_with_its_cause(tmp_path: Path) -> None:
    own_redis = RedisProcess(tmp_path / "redis").start()
    worker = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker", "--quiet"],
        env={**os.environ, **knoten_env(own_redis.url), "KNOTEN_OUTBOX_DIR": str(tmp_path / "outbox")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        jobs = Queue(QUEUE_NAME, connection=own_redis.client(), serializer=SERIALIZER)
        jobs.enqueue(Handler.SEND_SIGNUP_CONFIRMATION.value, "no-workshop", "no-signup", job_id="parses")
        jobs.enqueue("json.loads", "{", job_id="breaks")  # no registered handler: it fails, and says why
        printed = _read_until(worker, "breaks")
    finally:
        worker.terminate()
        rest, _ = worker.communicate(timeout=30)
        own_redis.stop()
    lines = (printed + rest).splitlines()
    done = r"\d\d:\d\d:\d\d worker: done workers\.mail_jobs\.send_signup_confirmation\(.*\) \(\d+\.\d\d s\)"
    assert any(re.fullmatch(done, line) for line in lines), lines
    failed = [line for line in lines if "breaks" in line]
    assert len(failed) == 1, lines
    cause = r"workers\.registry\.UnregisteredJob: .+"
    assert re.fullmatch(rf"\d\d:\d\d:\d\d worker: failed breaks: {cause} \(see /admin\)", failed[0])
    assert "Traceback" not in printed + rest


def test_the_banners_sign_in_link_opens_the_outbox_for_the_demo_organiser(tmp_path: Path) -> None:
    port = free_port()
    process = _start(tmp_path, "--port", str(port))
    try:
        printed = _until_running(process)
        found = re.search(
            rf"Sign-in link:\s+(http://127.0.0.1:{port}/admin/signin/\S+)\s+\(as orga@example.org", printed
        )
        assert found, printed
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
            assert browser.get("/dev/outbox").status_code == 401
            page = browser.get(found.group(1))
            csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
            assert page.status_code == 200 and csrf
            assert browser.post(found.group(1), data={"_csrf_token": csrf.group(1)}).status_code == 303
            assert browser.get("/dev/outbox").status_code == 200
    finally:
        _ctrl_c(process)
