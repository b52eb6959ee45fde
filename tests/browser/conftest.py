"""A real JupyterLab and a headless Chromium for widget tests.

``jupyterlab`` starts one JupyterLab server for the test session (offline: no news, no update
check, no extension manager; its own config, data and workspace folders) with the repository
on the kernel's path. ``lab_page`` opens Debian's Chromium through Playwright (never
``playwright install``). ``run_notebook(name, cells)`` writes a notebook, opens it and runs
every cell. Tests are skipped when JupyterLab, Playwright or Chromium are missing.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from live_notebook import notebook

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TOKEN = "teachmod-browser-test"


class Lab:
    """A running JupyterLab: its root folder and the address of a file in it."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port

    def url(self, path: str = "") -> str:
        # reset: a fresh workspace, without the notebooks an earlier test left open
        return f"http://127.0.0.1:{self.port}/lab/tree/{path}?reset&token={TOKEN}"

    def api(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/api/{path}?token={TOKEN}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    pytest.importorskip("jupyterlab")
    pytest.importorskip("ipywidgets")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    root.mkdir()
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_RUNTIME_DIR": str(base / "run"),
           "IPYTHONDIR": str(base / "ipython"), "JUPYTER_PLATFORM_DIRS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                       os.environ.get("PYTHONPATH")])),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    # no "get notified about Jupyter news?" pop-up over the page
    news = base / "settings" / "@jupyterlab" / "apputils-extension"
    news = news / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port = _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
               f"--ServerApp.root_dir={root}", "--ServerApp.disable_check_xsrf=True",
               f"--LabApp.workspaces_dir={base / 'workspaces'}",
               f"--LabApp.user_settings_dir={base / 'settings'}",
               "--LabApp.news_url=None", "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    log = open(base / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    lab = Lab(root, port)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(lab.api("status"), timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start:\n" +
                                   (base / "server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        yield lab
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def lab_page(jupyterlab: Lab) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            yield page
        finally:
            browser.close()


def _shut_down_kernels(lab: Lab) -> None:
    """End every session of the lab, so that a test that failed half way leaves no kernel
    training beside the tests after it."""
    with urllib.request.urlopen(lab.api("sessions"), timeout=10) as reply:
        sessions = json.load(reply)
    for session in sessions:
        request = urllib.request.Request(lab.api(f"sessions/{session['id']}"), method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


@pytest.fixture
def open_notebook(lab_page: Any, jupyterlab: Lab) -> Iterator[Callable[..., Any]]:
    """``open_notebook(name, cells)``: write the cells as a notebook in the lab's root, open it
    in ``lab_page`` and wait until its kernel is idle; returns the page. The kernels are shut
    down after the test."""

    def open_(name: str, cells: list[str], timeout: float = 120) -> Any:
        (jupyterlab.root / name).write_text(json.dumps(notebook(cells)), encoding="utf-8")
        lab_page.goto(jupyterlab.url(name))
        # wait for this notebook (not one the lab restored) and its kernel
        lab_page.wait_for_function(
            "(name) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " const k = w && w.context && w.context.path === name && w.sessionContext.session"
            " && w.sessionContext.session.kernel; return k && k.status === 'idle'; }",
            arg=name, timeout=timeout * 1000)
        return lab_page

    try:
        yield open_
    finally:
        _shut_down_kernels(jupyterlab)


@pytest.fixture
def run_notebook(open_notebook: Callable[..., Any]) -> Callable[..., Any]:
    """``run_notebook(name, cells)``: ``open_notebook``, then run all cells and wait for them;
    returns the page."""

    def run(name: str, cells: list[str], timeout: float = 120) -> Any:
        page = open_notebook(name, cells, timeout)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        return page

    return run
