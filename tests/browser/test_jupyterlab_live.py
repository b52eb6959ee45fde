"""LiveMetrics in a real JupyterLab, driven by Debian's headless Chromium through Playwright.

A notebook trains the seed MLP for 40 epochs on the UCI letters with the live view
(``live_notebook.py``: the cells and the criteria, shared with the JupyterLite test):

- while training, at least 2 distinct frames a second on average, and never a second without;
- the first data on screen within 1 s of the first batch;
- ``Epoch[0] Time cost`` within 1.5x of the median epoch (showing the view costs the first
  epoch nothing much; the set-up cell and a warm-up epoch run, and JupyterLab settles, before
  training starts; ``live_notebook.first_epoch_slow`` says how the host's noise is allowed for);
- when the cell ends, the widget is replaced by the final figure (a PNG with the training blue
  and the validation orange), which stays in the saved notebook.

A second run is ended by the Stop button. Screenshots are kept in ``tests/browser/artifacts/``.
Skipped when Chromium is not installed; never runs ``playwright install``.
"""
from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

from live_notebook import CHECK, OBSERVE, SETUP, TRAIN, WARM_UP, check_training

ARTIFACTS = Path(__file__).parent / "artifacts"

STOPPED = """\
def slow_down(param):
    time.sleep(0.002)  # so that the run outlasts the test's click on however fast a machine

mod2 = mx.mod.Module(net)
live2 = mx.callback.LiveMetrics(mod2)
mod2.fit(train_iter, eval_data=val_iter, num_epoch=200, batch_end_callback=[slow_down, live2],
         eval_end_callback=live2.eval_end, optimizer_params={'learning_rate': 0.1})
print('STOPPED', mod2.stop_training, len(live2.history['epoch']['epoch']))
"""


def wait_until(predicate, timeout: float, what: str, page=None, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    if page is not None:
        page.screenshot(path=str(ARTIFACTS / "live_failure.png"), full_page=True)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def train(open_notebook, name: str, extra_cells: list[str]) -> tuple:
    """Open a notebook of the set-up (with a warm-up epoch), TRAIN and CHECK cells and
    ``extra_cells``, run the set-up, let the page settle, run the rest; returns the page, the
    cells and the first-epoch verdict of ``check_training`` once the TRAIN cell has ended."""
    page = open_notebook(name, [SETUP + WARM_UP, TRAIN, CHECK, *extra_cells], timeout=60)
    page.set_viewport_size({"width": 1300, "height": 1100})
    page.evaluate(OBSERVE)
    cells = page.locator(".jp-CodeCell")
    # The set-up cell runs first and JupyterLab is left a moment to settle (the kernel's first
    # cell, the page's first outputs): the criterion measures the live view's cost to the first
    # epoch, not JupyterLab's start-up competing for the same two cores.
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell-and-select-next')")
    wait_until(lambda: re.search(r"\[\d+\]", cells.nth(0).locator(".jp-InputPrompt")
                                 .text_content() or ""), 120, "the set-up cell", page)
    time.sleep(1.5)
    # not awaited: the command's promise resolves only when every cell has run
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-below'); }")
    train_cell, check_cell = cells.nth(1), cells.nth(2)

    # while training: a look at the widget half way
    widget = train_cell.locator(".teachmod-live")
    widget.wait_for(timeout=120_000)
    wait_until(lambda: page.evaluate("() => window.liveFrames.length") >= 8, 120,
               "frames of the live view", page)
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=str(ARTIFACTS / "live_training.png"))

    # the cell ends: the widget becomes the final figure, as a static PNG
    final = train_cell.locator(".jp-RenderedImage img")
    final.wait_for(timeout=300_000)
    check = check_cell.locator(".jp-OutputArea-output", has_text="CHECK")
    check.wait_for(timeout=60_000)
    src = final.get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    png = base64.b64decode(src.partition(",")[2])
    (ARTIFACTS / "live_final_figure.png").write_bytes(png)
    texts = " ".join(train_cell.locator(".jp-OutputArea-output").all_text_contents())
    slow = check_training(page.evaluate("() => window.liveFrames"), check.text_content(),
                          texts, png)
    assert widget.count() == 0  # replaced, in place, by the static figure
    return page, cells, slow


def test_live_metrics_in_jupyterlab(open_notebook, jupyterlab):
    ARTIFACTS.mkdir(exist_ok=True)
    # 1-2. training with the live view, then its final figure; and the Stop button's run
    page, cells, slow = train(open_notebook, "live.ipynb", [STOPPED])
    final, stop_cell = cells.nth(1).locator(".jp-RenderedImage img"), cells.nth(3)

    # 3. Stop: fit ends after the current batch, and the figure is left as well
    stop_widget = stop_cell.locator(".teachmod-live")
    stop_widget.wait_for(timeout=120_000)
    wait_until(lambda: "Epoch[1]" in stop_widget.text_content(), 120, "the second epoch", page)
    stop_widget.get_by_role("button").click()
    stopped = stop_cell.locator(".jp-OutputArea-output", has_text="STOPPED")
    stopped.wait_for(timeout=120_000)
    _, flag, stop_epochs = stopped.text_content().split()
    assert flag == "True" and 2 <= int(stop_epochs) < 200
    stop_cell.locator(".jp-RenderedImage img").wait_for(timeout=60_000)
    final.scroll_into_view_if_needed()
    final.screenshot(path=str(ARTIFACTS / "live_final.png"))

    # 4. the saved notebook keeps the figures, not the widgets
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")

    def saved_mimes() -> list[list[str]]:
        cells = json.loads((jupyterlab.root / "live.ipynb").read_text())["cells"]
        return [[key for out in cell.get("outputs", []) for key in out.get("data", {})]
                for cell in cells]

    mimes = wait_until(lambda: (lambda m: m if "image/png" in m[3] else None)(saved_mimes()),
                       30, "the saved notebook")
    for cell in (1, 3):
        assert "image/png" in mimes[cell]
        assert "application/vnd.jupyter.widget-view+json" not in mimes[cell]
    if slow:  # once more, on its own (live_notebook.first_epoch_slow says why)
        _, _, again = train(open_notebook, "live_again.ipynb", [])
        assert not again, f"{slow}; and in a second run: {again}"
