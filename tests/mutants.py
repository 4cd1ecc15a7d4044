"""Hand-written mutants of the store and the workers' effect paths, each tried against its tests.

`python -m tests.mutants` (part of `make mutation`) applies one mutant at a time to the work
tree, runs the tests that should notice it, puts the file back, and prints killed/survived.
`python -m tests.mutants NAME ...` tries only those. A mutant whose code is no longer there is
reported as stale (and fails the run): move it along with the code it mutates.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    stays: str = ""  # why a mutant that survives may: no test can tell it from the code


MUTANTS = (
    Mutant(
        "append.lua skips the idempotency check",
        "service/store/append.lua",
        "  if record then return {'taken', r, record} end",
        "  if false then return {'taken', r, record} end",
        (
            "tests/contract/test_event_store.py",
            "tests/integration/test_retries_and_concurrency.py",
            "tests/integration/test_two_processes.py",
        ),
    ),
    Mutant(
        "append.lua keeps an erased person's key",
        "service/store/append.lua",
        "  redis.call('HDEL', ring, ARGV[i])",
        "  redis.call('HEXISTS', ring, ARGV[i])",
        ("tests/contract/test_event_store.py",),
    ),
    Mutant(
        "the ledger forgets which effects are done (no ledger guard)",
        "service/store/ledger.py",
        "        return None if raw is None else datetime.fromisoformat(raw.decode())",
        "        return None",
        ("tests/integration/test_mails.py", "tests/integration/test_two_processes.py"),
    ),
    Mutant(
        "the ledger does not claim an effect while it runs",
        "service/store/ledger.py",
        '        return bool(self._sync.set(keys.claim_key(workshop_id, effect), "1", nx=True, ex=lease_seconds))',
        "        return True",
        ("tests/integration/test_mails.py", "tests/integration/test_two_processes.py"),
    ),
    Mutant(
        "the stream sends an event again that it read from the log",
        "service/api/stream.py",
        "                if encoded.position > last:",
        "                if encoded.position > 0:",
        ("tests/integration/test_stream.py",),
    ),
    Mutant(
        "the stream sends every field of an event",
        "service/domain/views.py",
        '    return {"type": data["type"], "v": event.v} | {name: data[name] for name in fields}',
        '    return {"type": data["type"], "v": event.v} | data | {name: data[name] for name in fields}',
        ("tests/unit/test_event_catalogue.py", "tests/integration/test_stream.py"),
    ),
    Mutant(
        "a confirmation job raises for a sign-up without an address",
        "workers/mail_jobs.py",
        "    if signup is None or signup.person.erased or not signup.person.email:",
        "    if signup is None or signup.person.erased:",
        ("tests/integration/test_mails.py",),
    ),
    Mutant(
        "a dead-letter retry does not requeue",
        "service/store/jobs.py",
        "            registry.requeue(job_id)",
        "            registry.get_job_ids()",
        ("tests/integration/test_faults.py::test_a_job_that_fails_for_good_is_listed_and_can_be_retried",),
    ),
    Mutant(
        "the service ignores a recalled reply",
        "service/application/command_path.py",
        "            if record is not None and idempotency is not None:",
        "            if record is not None and idempotency is None:",
        (
            "tests/integration/test_retries_and_concurrency.py",
            "tests/integration/test_two_processes.py",
        ),
        stays=(
            "the append script refuses a used key ('taken') and the service then replays that reply, "
            "so a caller gets the same answer; the early recall saves a decide and a round trip"
        ),
    ),
)


def run_tests(tests: tuple[str, ...]) -> tuple[bool, str]:
    """True when the tests pass; the tail of their output."""
    existing = [test for test in tests if (ROOT / test.split("::")[0]).exists()]
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *existing]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return False, "timed out"
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode == 0, lines[-1] if lines else ""


def try_mutant(mutant: Mutant) -> str:
    """'killed', 'survived' or 'stale'; the file is as it was afterwards, whatever happens."""
    path = ROOT / mutant.path
    original = path.read_text(encoding="utf-8")
    if original.count(mutant.old) != 1:
        return "stale"
    try:
        path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
        passed, _ = run_tests(mutant.tests)
    finally:
        path.write_text(original, encoding="utf-8")
    return "survived" if passed else "killed"


def main(names: list[str]) -> int:
    chosen = [m for m in MUTANTS if not names or m.name in names]
    baseline, tail = run_tests(tuple(sorted({test for m in chosen for test in m.tests})))
    if not baseline:
        print(f"the tests fail without a mutant, so no mutant can be judged: {tail}")
        return 2
    outcomes: dict[str, list[str]] = {"killed": [], "survived": [], "stale": []}
    for mutant in chosen:
        started = time.monotonic()
        outcome = try_mutant(mutant)
        outcomes[outcome].append(mutant.name)
        why = f": stays, {mutant.stays}" if outcome == "survived" and mutant.stays else ""
        print(f"{outcome:8}  {mutant.name}  ({time.monotonic() - started:.0f} s){why}", flush=True)
    print(f"killed {len(outcomes['killed'])} of {len(chosen)}; survived {len(outcomes['survived'])}", end="")
    print(f"; stale {len(outcomes['stale'])}" if outcomes["stale"] else "")
    unexplained = [m for m in chosen if m.name in outcomes["survived"] and not m.stays]
    return 1 if unexplained or outcomes["stale"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
