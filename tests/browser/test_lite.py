"""Every lesson of the JupyterLite site runs in headless Chromium with no network.

The site is the one ``python -m teachmod.lite build`` wrote to ``$TEACHMOD_LITE_SITE`` (CI
builds it first); without it the tests are skipped. ``$TEACHMOD_LITE_LESSONS`` (comma-separated
patterns such as ``en/01_*``) runs only the lessons that match; by default all of them run,
``$TEACHMOD_LITE_WORKERS`` (default 2) at a time.
The server and Chromium run inside a network namespace that has only loopback, so a request
for anything outside the site could not succeed even if it were made; every URL requested is
recorded and must be 127.0.0.1's. Needs root (``ip netns``); the kernel-ready and run times
are printed, not asserted. Last, with nothing else running beside it, the live-curves notebook
of the JupyterLab test runs in the site and meets the same criteria.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import uuid
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
from live_notebook import check_training

pytest.importorskip("playwright")

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
SITE = os.environ.get("TEACHMOD_LITE_SITE")
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
PATTERNS = [p for p in os.environ.get("TEACHMOD_LITE_LESSONS", "*").split(",") if p]
MAX_SITE_BYTES = 60 * 10**6
PORT = 8000
WORKERS = int(os.environ.get("TEACHMOD_LITE_WORKERS", "2"))


def _site() -> Path:
    if not SITE:
        pytest.skip("no JupyterLite site: build one with `python -m teachmod.lite build "
                    "--output DIR` and set TEACHMOD_LITE_SITE=DIR")
    site = Path(SITE)
    if not (site / "teachmod-lite.json").is_file():
        pytest.skip(f"TEACHMOD_LITE_SITE={SITE} is not a built site (no teachmod-lite.json)")
    return site


@pytest.fixture(scope="module")
def namespace() -> Iterator[str]:
    """A network namespace with only loopback, removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("the offline browser test needs root for `ip netns`")
    if shutil.which("ip") is None:
        pytest.skip("no `ip` command (apt-get install iproute2)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    name = f"teachmod-lite-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"],
                       check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=True)


@pytest.fixture(scope="module")
def runs(namespace: str) -> list[dict[str, Any]]:
    """Every lesson of the site, run by lite_driver.py inside the namespace."""
    site = _site()
    lessons = [lesson for lesson in json.loads((site / "teachmod-lite.json").read_text())["lessons"]
               if any(fnmatch(lesson, p) for p in PATTERNS)]
    if not lessons:
        pytest.skip(f"no lesson matches TEACHMOD_LITE_LESSONS={','.join(PATTERNS)}")
    # WORKERS browsers, each with its own server and its share of the lessons: a lesson's
    # kernel is one Python in one web worker, so CI's two cores can run two lessons at a time
    groups = [lessons[i::WORKERS] for i in range(WORKERS) if lessons[i::WORKERS]]
    drivers = [subprocess.Popen(["ip", "netns", "exec", namespace, sys.executable,
                                 str(HERE / "lite_driver.py"), str(site), str(PORT + i), *group],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "CHROMIUM": CHROMIUM})
               for i, group in enumerate(groups)]
    results = []
    for driver in drivers:
        out, err = driver.communicate()
        assert driver.returncode == 0, err
        results += json.loads(out)
    for r in results:
        print(f"{r['lesson']}: kernel ready {r.get('kernel_ready_s', float('nan')):.1f} s, "
              f"all cells {r.get('run_s', float('nan')):.1f} s")
    return results


def _run_live(namespace: str) -> dict[str, Any]:
    """The live-curves notebook (``live_notebook.py``), run by ``lite_driver.py --live``."""
    site = _site()
    driver = subprocess.run(["ip", "netns", "exec", namespace, sys.executable,
                             str(HERE / "lite_driver.py"), str(site), str(PORT), "--live"],
                            capture_output=True, text=True,
                            env={**os.environ, "CHROMIUM": CHROMIUM})
    assert driver.returncode == 0, driver.stderr
    return json.loads(driver.stdout)[0]


@pytest.fixture(scope="module")
def live_run(namespace: str) -> dict[str, Any]:
    return _run_live(namespace)


def test_the_namespace_reaches_nothing_but_loopback(namespace: str) -> None:
    links = subprocess.run(["ip", "netns", "exec", namespace, "ip", "-o", "link"],
                           capture_output=True, text=True, check=True).stdout
    assert [line.split(":")[1].strip() for line in links.splitlines()] == ["lo"]


def test_site_is_at_most_60_mb() -> None:
    site = _site()
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert size <= MAX_SITE_BYTES, f"{size / 1e6:.1f} MB"


def test_every_lesson_is_in_the_site() -> None:
    site = _site()
    lessons = json.loads((site / "teachmod-lite.json").read_text())["lessons"]
    repo = HERE.parents[1] / "notebooks"
    expected = sorted(f"{lang}/{p.name}" for lang in ("en", "zh")
                      for p in (repo / lang).glob("[0-9][0-9]_*.ipynb"))
    assert sorted(lessons) == expected
    assert all((site / "files" / lesson).is_file() for lesson in lessons)


def test_every_cell_of_every_lesson_runs_without_error(runs: list[dict[str, Any]]) -> None:
    problems = {r["lesson"]: r["failure"] for r in runs if "failure" in r}
    assert not problems
    for r in runs:
        assert r["cells"] and all(c["count"] is not None for c in r["cells"]), r["lesson"]
    errors = {(r["lesson"], c["index"]): c["errors"] for r in runs for c in r["cells"]
              if c["errors"]}
    assert not errors


def test_no_request_leaves_127_0_0_1(runs: list[dict[str, Any]]) -> None:
    outside = {u for r in runs for u in r["requests"]
               if urlsplit(u).scheme not in ("data", "blob")
               and urlsplit(u).hostname not in ("127.0.0.1", "localhost")}
    assert not outside
    assert all(r["requests"] for r in runs)


def test_plot_network_draws_svg_in_the_page(runs: list[dict[str, Any]]) -> None:
    # lesson 01 draws its network with mx.viz.plot_network: viz-js, not a `dot` program
    first = [r for r in runs if r["lesson"].endswith("01_symbols.ipynb")]
    if not first:
        pytest.skip("lesson 01 is not among TEACHMOD_LITE_LESSONS")
    assert all(any(c["svg"] for c in r["cells"]) for r in first)


def test_live_metrics_draws_while_training(live_run: dict[str, Any], namespace: str) -> None:
    """The JupyterLab criteria (test_jupyterlab_live.py), in JupyterLite: at least 2 frames a
    second, data within 1 s, Epoch[0] within 1.5x of the median epoch, the final figure."""
    png = base64.b64decode(live_run["png"])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "lite_live_final_figure.png").write_bytes(png)
    slow = check_training(live_run["frames"], live_run["check"], live_run["texts"], png)
    assert live_run["widgets_left"] == 0  # replaced, in place, by the static figure
    if slow:  # once more, in a new page (live_notebook.first_epoch_slow says why)
        again = _run_live(namespace)
        second = check_training(again["frames"], again["check"], again["texts"],
                                base64.b64decode(again["png"]))
        assert not second, f"{slow}; and in a second run: {second}"
