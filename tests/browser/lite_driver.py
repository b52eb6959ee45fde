"""Run lessons of a built JupyterLite site in headless Chromium; print what happened as JSON.

``python lite_driver.py SITE PORT LESSON...`` serves SITE with ``python -m http.server`` on
127.0.0.1:PORT, opens each lesson in a page of its own, runs every cell and reports, per
lesson: the seconds until the kernel answered, the seconds to run all cells, the cells that
ended in an error, and every URL the page and its workers requested. ``python lite_driver.py
SITE PORT --live`` runs the live-curves notebook instead (``run_live``). ``test_lite.py`` runs
it inside a network namespace that has only loopback.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

import live_notebook
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-domain-reliability", "--no-pings",
        "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication"]
SCREENSHOTS = os.environ.get("LITE_SCREENSHOTS")  # a folder for a picture of each lesson
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


def run_lesson(context: Any, base: str, lesson: str) -> dict[str, Any]:
    """One lesson in a new page of ``context`` (whose cache the lessons share, as a class's
    browser would); the requests are those made while it ran."""
    requests: list[str] = []

    def record(request: Any) -> None:
        requests.append(request.url)

    context.on("request", record)
    page = context.new_page()
    start = time.monotonic()
    result: dict[str, Any] = {"lesson": lesson, "requests": requests}
    try:
        page.goto(f"{base}/notebooks/index.html?path={lesson}")
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext",
                               timeout=KERNEL_S * 1000)
        result["page_s"] = time.monotonic() - start
        page.evaluate(KERNEL_READY)
        result["kernel_ready_s"] = time.monotonic() - start
        page.set_default_timeout(LESSON_S * 1000)
        started = time.monotonic()
        result["cells"] = page.evaluate(RUN_ALL)
        result["run_s"] = time.monotonic() - started
        if SCREENSHOTS:  # to look at: the page after its last cell ran
            page.screenshot(path=os.path.join(SCREENSHOTS, lesson.replace("/", "_") + ".png"))
    except Exception as err:  # reported with the lesson, so the other lessons still run
        result["failure"] = f"{type(err).__name__}: {err}"
    finally:
        page.close()
        context.remove_listener("request", record)
    return result


def run_live(context: Any, base: str) -> dict[str, Any]:
    """The live-curves notebook of ``live_notebook.py`` (with its warm-up epoch), saved into
    the page's browser storage as a student's new notebook would be, then opened and run;
    returns what ``live_notebook.check_training`` checks, the final figure as base64."""
    page = context.new_page()
    page.set_viewport_size({"width": 1300, "height": 1100})
    page.set_default_timeout(LESSON_S * 1000)
    try:
        page.goto(f"{base}/notebooks/index.html")
        page.wait_for_function("window.jupyterapp && window.jupyterapp.serviceManager",
                               timeout=KERNEL_S * 1000)
        cells = [live_notebook.SETUP + live_notebook.WARM_UP, live_notebook.TRAIN,
                 live_notebook.CHECK]
        page.evaluate("(nb) => window.jupyterapp.serviceManager.contents.save('live.ipynb',"
                      " {type: 'notebook', format: 'json', content: nb})",
                      live_notebook.notebook(cells, kernel="python"))
        page.goto(f"{base}/notebooks/index.html?path=live.ipynb")
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext",
                               timeout=KERNEL_S * 1000)
        page.evaluate(KERNEL_READY)
        page.evaluate(live_notebook.OBSERVE)
        page.evaluate("() => window.jupyterapp.commands.execute("
                      "'notebook:run-cell-and-select-next')")
        code = page.locator(".jp-CodeCell")
        page.wait_for_function("(cell) => /\\[\\d+\\]/.test(cell.textContent)",
                               arg=code.nth(0).locator(".jp-InputPrompt").element_handle())
        time.sleep(1.5)  # the page settles before training starts, as in the JupyterLab test
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-below'); }")
        check = code.nth(2).locator(".jp-OutputArea-output", has_text="CHECK")
        check.wait_for()
        final = code.nth(1).locator(".jp-RenderedImage img")
        final.wait_for()
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "live.png"), full_page=True)
        return {"frames": page.evaluate("() => window.liveFrames"),
                "check": check.text_content(),
                "texts": " ".join(code.nth(1).locator(".jp-OutputArea-output")
                                  .all_text_contents()),
                "png": final.get_attribute("src").partition(",")[2],
                "widgets_left": code.nth(1).locator(".teachmod-live").count()}
    finally:
        page.close()


def main(site: str, port: int, lessons: list[str]) -> list[dict[str, Any]]:
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                               "--directory", site, str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            context = browser.new_context()
            try:
                if lessons == ["--live"]:
                    return [run_live(context, f"http://127.0.0.1:{port}")]
                results = []
                for lesson in lessons:
                    results.append(run_lesson(context, f"http://127.0.0.1:{port}", lesson))
                    r = results[-1]
                    print(f"{lesson}: page {r.get('page_s', -1):.1f} s, kernel "
                          f"{r.get('kernel_ready_s', -1):.1f} s, cells "
                          f"{r.get('run_s', -1):.1f} s {r.get('failure', '')}",
                          [(c["index"], c["errors"]) for c in r.get("cells", []) if c["errors"]],
                          file=sys.stderr, flush=True)
                return results
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])))
