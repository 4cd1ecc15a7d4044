"""Metrics of several API processes in one container (prometheus_client's multiprocess mode,
`PROMETHEUS_MULTIPROC_DIR`): a scrape in any of them sums what all of them counted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

COUNT = """
from service import metrics
metrics.appended([])
metrics.SIGNUPS.inc()
"""
SCRAPE = """
from service import metrics
print(metrics.exposition(metrics.scrape_registry(None)).decode())
"""


def _run(code: str, directory: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_a_scrape_sums_the_counters_of_every_process_in_multiprocess_mode(tmp_path: Path) -> None:
    for _ in range(3):  # three API processes, one sign-up each
        _run(COUNT, tmp_path)
    text = _run(SCRAPE, tmp_path)
    assert "knoten_appends_total 3.0" in text
    assert "knoten_signups_total 3.0" in text
