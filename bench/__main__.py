"""`python -m bench`: run every benchmark, print its table, write bench/results.md."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench import intro_assignment

BENCHMARKS = [intro_assignment]


def table(rows: list[dict[str, object]]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(row[column]) for column in header) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
        f"redis-py {version('redis')}, litestar {version('litestar')}, rq {version('rq')}"
    )


def main() -> None:
    only = set(sys.argv[1:])
    sections = [f"# knoten benchmarks\n\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {machine()}\n"]
    for benchmark in BENCHMARKS:
        name = benchmark.__name__.rsplit(".", 1)[-1]
        if only and name not in only:
            continue
        rows = benchmark.run()
        section = f"## {benchmark.TITLE}\n\n{table(rows)}\n"
        print(section, flush=True)
        sections.append(section)
    Path(__file__).with_name("results.md").write_text("\n".join(sections))


if __name__ == "__main__":
    main()
