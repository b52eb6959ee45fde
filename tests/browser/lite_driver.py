"""Run lessons of a built JupyterLite site in headless Chromium; print what happened as JSON.

``python lite_driver.py SITE PORT LESSON...`` serves SITE with ``python -m http.server`` on
127.0.0.1:PORT, opens each lesson in a fresh browser context, runs every cell and reports, per
lesson: the seconds until the kernel answered, the seconds to run all cells, the cells that
ended in an error, and every URL the page and its workers requested. ``test_lite.py`` runs it
inside a network namespace that has only loopback.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-domain-reliability", "--no-pings",
        "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication"]
KERNEL_S = 120
LESSON_S = 900

# the notebook's kernel has answered: Pyodide, the kernel's packages and IPython are loaded
KERNEL_READY = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.ready;
  await panel.sessionContext.session.kernel.info;
}"""
RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await app.commands.execute('notebook:clear-all-cell-outputs');
  await app.commands.execute('notebook:run-all-cells');
  const kernel = panel.sessionContext.session.kernel;
  while (kernel.status !== 'idle') { await new Promise(r => setTimeout(r, 200)); }
  const cells = [];
  const model = panel.content.model;
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type !== 'code') continue;
    const outputs = cell.outputs.toJSON();
    cells.push({index: i, count: cell.executionCount,
                errors: outputs.filter(o => o.output_type === 'error')
                               .map(o => o.ename + ': ' + o.evalue),
                stderr: outputs.filter(o => o.output_type === 'stream' && o.name === 'stderr')
                               .map(o => [].concat(o.text).join('')),
                svg: outputs.some(o => o.data && o.data['image/svg+xml'])});
  }
  return cells;
}"""


def _wait_for_port(port: int, timeout_s: float = 30) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"http.server did not listen on 127.0.0.1:{port}")


def run_lesson(browser: Any, base: str, lesson: str) -> dict[str, Any]:
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    start = time.monotonic()
    result: dict[str, Any] = {"lesson": lesson, "requests": requests}
    try:
        page.goto(f"{base}/notebooks/index.html?path={lesson}")
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext",
                               timeout=KERNEL_S * 1000)
        page.evaluate(KERNEL_READY)
        result["kernel_ready_s"] = time.monotonic() - start
        page.set_default_timeout(LESSON_S * 1000)
        started = time.monotonic()
        result["cells"] = page.evaluate(RUN_ALL)
        result["run_s"] = time.monotonic() - started
    except Exception as err:  # reported with the lesson, so the other lessons still run
        result["failure"] = f"{type(err).__name__}: {err}"
    finally:
        context.close()
    return result


def main(site: str, port: int, lessons: list[str]) -> list[dict[str, Any]]:
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                               "--directory", site, str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                return [run_lesson(browser, f"http://127.0.0.1:{port}", lesson)
                        for lesson in lessons]
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])))
