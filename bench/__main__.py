"""`python -m bench [name ...]`: run every benchmark (or the named modules), print each table
with its notes, and write them all to bench/results.md under a line describing the machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
import timeit
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

from bench import (
    barcamp_grid,
    cluster_scale,
    command_path,
    intro_assignment,
    large_workshop,
    live_latency,
    memory,
    network_report,
    workers,
)
from bench.common import Result, Row
from tests.processes import redis_binary

BENCHMARKS: list[ModuleType] = [
    command_path,
    live_latency,
    large_workshop,
    intro_assignment,
    workers,
    memory,
    barcamp_grid,
    network_report,
]
ON_REQUEST: list[ModuleType] = [cluster_scale]  # run only when named (`python -m bench cluster_scale`): minutes more
LIBRARIES = ("litestar", "uvicorn", "redis", "hiredis", "rq", "msgspec", "cryptography", "jinja2", "fpdf2")
LIBRARIES += ("matplotlib",)


def table(rows: list[Row]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(row[column]) for column in header) + " |" for row in rows]
    return "\n".join(lines)


def redis_version() -> str:
    out = subprocess.run([redis_binary(), "--version"], capture_output=True, text=True, check=True).stdout
    return next((part.removeprefix("v=") for part in out.split() if part.startswith("v=")), out.strip())


def python_speed_ms() -> float:
    """A fixed piece of pure Python (dicts, strings, sorting), best of five: the same code on
    two machines differs in speed, often by a factor of several (shared virtual cores), and
    only this says by how much when their results.md are compared."""

    def work() -> int:
        table = {f"key-{n}": n * 7 % 1013 for n in range(20_000)}
        return sum(sorted(table.values())) + len(",".join(sorted(table)[:1000]))

    return min(timeit.repeat(work, number=1, repeat=5)) * 1000


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    libraries = ", ".join(f"{name} {version(name)}" for name in LIBRARIES)
    return (
        f"{os.cpu_count()} cores ({cpu_model()}), {memory_gib:.0f} GiB, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, redis-server {redis_version()}; {libraries}. "
        f"Python speed: {python_speed_ms():.1f} ms for bench/__main__.py's fixed workload (less is faster), "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )


def section(benchmark: ModuleType) -> str:
    started = time.monotonic()
    result: Result = benchmark.run()
    notes = "".join(f"- {note}\n" for note in result.notes)
    took = f"- This benchmark took {time.monotonic() - started:.0f} s.\n"
    return f"## {benchmark.TITLE}\n\n{table(result.rows)}\n\n{notes}{took}"


def main() -> None:
    only = set(sys.argv[1:])
    names = {benchmark.__name__.rsplit(".", 1)[-1] for benchmark in [*BENCHMARKS, *ON_REQUEST]}
    if only - names:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(only - names))}; known: {', '.join(sorted(names))}")
    started, when, described = time.monotonic(), datetime.now(UTC), machine()
    print(f"Machine: {described}\n", flush=True)
    sections = []
    for benchmark in BENCHMARKS if not only else [*BENCHMARKS, *ON_REQUEST]:
        if only and benchmark.__name__.rsplit(".", 1)[-1] not in only:
            continue
        sections.append(section(benchmark))
        print(sections[-1], flush=True)
    ran = ", ".join(sorted(only)) if only else "all"
    header = (
        f"Machine: {described}\n\n# knoten benchmarks\n\n"
        f"`make bench` ({ran}), {when:%Y-%m-%d %H:%M} UTC, {time.monotonic() - started:.0f} s in all.\n"
    )
    regular = {benchmark.__name__.rsplit(".", 1)[-1] for benchmark in BENCHMARKS}
    name = "results.md" if not only or only & regular else f"results-{'-'.join(sorted(only))}.md"
    Path(__file__).with_name(name).write_text("\n".join([header, *sections]))


if __name__ == "__main__":
    main()
