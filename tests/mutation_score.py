"""The score of `mutmut run` over service/domain (part of `make mutation`): killed of all mutants.

Mutants that no unit test reaches count as survivors: the domain is pure, so a unit test can
reach every line of it. Exits non-zero below the target.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

TARGET = 0.90
STATS = Path("mutants") / "mutmut-cicd-stats.json"


def main() -> int:
    subprocess.run([sys.executable, "-m", "mutmut", "export-cicd-stats"], check=True, capture_output=True)
    stats = json.loads(STATS.read_text(encoding="utf-8"))
    killed, total = stats["killed"], stats["total"]
    reached = total - stats["no_tests"]
    print(f"service/domain: killed {killed} of {total} mutants ({killed / total:.0%}; target {TARGET:.0%})")
    print(f"of the {reached} that the unit tests reach: {killed / reached:.0%} killed")
    listed = subprocess.run(
        [sys.executable, "-m", "mutmut", "results"], check=True, capture_output=True, text=True
    ).stdout
    by_module = Counter(re.split(r"\.xǁ|\.x_", line.strip())[0] for line in listed.splitlines() if line.strip())
    for module, count in by_module.most_common():
        print(f"  {count:5}  survived or not reached in {module}")
    return 0 if killed / total >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
