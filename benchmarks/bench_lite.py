"""The JupyterLite site: seconds until a lesson's kernel answers, and to run all its cells.

    python benchmarks/bench_lite.py SITE [LESSON ...]     # default: every lesson of the site

SITE is a folder written by ``python -m teachmod.lite build --output SITE``. The lessons run one
after another in one headless Chromium (tests/browser/lite_driver.py), so the first one starts
with an empty browser cache and the others with the files already cached, as in a classroom.
Printed per lesson: the page (JupyterLite itself) loaded, the kernel ready (Pyodide and IPython
started; the target is 20 s on 2 cores), and every cell run (this includes loading numpy,
matplotlib and teachmod at ``import teachmod``).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

import lite_driver  # noqa: E402


def main(site: Path, lessons: list[str]) -> None:
    lessons = lessons or json.loads((site / "teachmod-lite.json").read_text())["lessons"]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{'lesson':38} {'page s':>7} {'kernel s':>9} {'cells s':>8}")
    for r in lite_driver.main(str(site), 8123, lessons):
        print(f"{r['lesson']:38} {r.get('page_s', float('nan')):7.1f} "
              f"{r.get('kernel_ready_s', float('nan')):9.1f} {r.get('run_s', float('nan')):8.1f}"
              f" {r.get('failure', '')}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
