"""LiveMetrics in a real JupyterLab, driven by Debian's headless Chromium through Playwright.

A notebook trains the seed MLP on the UCI letters with the live view. While it trains, two
screenshots of the widget must differ (the figure refreshes in place); the Stop button must end
``fit`` after the current batch; the widget must then be replaced by the final figure as a
static PNG that both curves (training blue, validation orange) are in, and that stays in the
saved notebook. Screenshots are kept in ``tests/browser/artifacts/``.

Skipped only when Chromium is not installed (``apt-get install chromium``); JupyterLab,
ipywidgets and Playwright come with the ``test`` extra. Never runs ``playwright install``.
"""
from __future__ import annotations

import base64
import io
import json
import re
import time
from pathlib import Path

import numpy as np

ARTIFACTS = Path(__file__).parent / "artifacts"
# far more epochs than the test watches (each takes at least 1 s: 500 batches of 2 ms sleep), so
# training cannot end by itself before the Stop button, on however fast a machine
EPOCHS = 100

SETUP = """\
import logging, time
import teachmod as mx
logging.basicConfig(level=logging.INFO, format='%(message)s')

data, label = mx.test_utils.get_letters()
train_iter = mx.io.NDArrayIter(data[:16000], label[:16000], 32, shuffle=True)
val_iter = mx.io.NDArrayIter(data[16000:], label[16000:], 32)
net = mx.sym.Variable('data')
net = mx.sym.FullyConnected(net, name='fc1', num_hidden=64)
net = mx.sym.Activation(net, name='relu1', act_type="relu")
net = mx.sym.FullyConnected(net, name='fc2', num_hidden=26)
net = mx.sym.SoftmaxOutput(net, name='softmax')
"""

TRAIN = f"""\
# teachmod trains this MLP in about 0.05 s per epoch: 2 ms of sleep per batch lets us watch
def slow_down(param):
    time.sleep(0.002)

live = mx.callback.LiveMetrics(max_overhead=0.1, title='seed MLP, UCI letters')
mod = mx.mod.Module(net)
mod.fit(train_iter, eval_data=val_iter, num_epoch={EPOCHS}, eval_metric=['acc', 'ce'],
        optimizer_params={{'learning_rate': 0.1}}, initializer=mx.init.Uniform(0.1),
        batch_end_callback=[slow_down, live], eval_end_callback=live)
"""

CHECK = """\
h = live.history
print('CHECK', len(h['epoch']['epoch']), mod.stop_training, h['epoch']['batches'][-1],
      len(h['batch']['x']), sum(v == v for v in h['epoch']['val-accuracy']))
"""

QUICK = """\
live2 = mx.callback.LiveMetrics()
mx.mod.Module(net).fit(train_iter, eval_data=val_iter, num_epoch=2, batch_end_callback=live2,
                       eval_end_callback=live2, optimizer_params={'learning_rate': 0.1})
"""


def status_epoch(page) -> float:
    """The epoch shown in the widget's status line ('epoch 2.45/12 · ...'), or -1."""
    texts = page.locator(".widget-html").all_inner_texts()
    match = re.search(r"epoch (\d+\.\d+)/", " ".join(texts))
    return float(match.group(1)) if match else -1.0


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


def colours(png: bytes) -> tuple[int, int]:
    """Pixels of the training blue and the validation orange in a PNG."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    near = [np.all(np.abs(pixels - rgb) < 40, axis=-1).sum()
            for rgb in ([31, 119, 180], [255, 127, 14])]
    return int(near[0]), int(near[1])


def test_live_metrics_in_jupyterlab(open_notebook, jupyterlab):
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_notebook("live.ipynb", [SETUP, TRAIN, CHECK, QUICK], timeout=60)
    page.set_viewport_size({"width": 1300, "height": 1100})
    root = jupyterlab.root
    # not awaited: the command's promise resolves only when every cell has run
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

    cells = page.locator(".jp-CodeCell")
    train_cell, check_cell, quick_cell = cells.nth(1), cells.nth(2), cells.nth(3)

    # 1. while training: the widget refreshes in place
    widget = train_cell.locator(".widget-vbox")
    wait_until(lambda: status_epoch(page) >= 1.0, 60, "the first epoch in the widget", page)
    widget.scroll_into_view_if_needed()
    first = widget.screenshot(path=str(ARTIFACTS / "live_training_1.png"))
    epoch_1 = status_epoch(page)
    wait_until(lambda: status_epoch(page) >= epoch_1 + 1.0, 60, "a later refresh", page)
    second = widget.screenshot(path=str(ARTIFACTS / "live_training_2.png"))
    epoch_2 = status_epoch(page)
    assert first != second, "the figure did not change while training"
    assert epoch_2 < EPOCHS, "training ended before the second screenshot"

    # 2. Stop: fit ends after the current batch, the widget becomes the final static figure
    page.get_by_role("button", name="Stop").click()
    final = train_cell.locator(".jp-RenderedImage img")
    final.wait_for(timeout=60_000)
    src = final.get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    png = base64.b64decode(src.partition(",")[2])
    (ARTIFACTS / "live_final_figure.png").write_bytes(png)
    blue, orange = colours(png)
    assert blue > 500 and orange > 100, (blue, orange)  # training and validation curves
    assert widget.count() == 0  # replaced, in place, by the static figure

    check = check_cell.locator(".jp-OutputArea-output", has_text="CHECK")
    check.wait_for(timeout=60_000)
    numbers = check.inner_text().split()
    epochs, stopped, last_batches = int(numbers[1]), numbers[2], int(numbers[3])
    assert stopped == "True"
    assert int(epoch_2) + 1 <= epochs < EPOCHS  # stopped early, after the screenshots
    assert 0 < last_batches <= 500
    assert int(numbers[5]) == epochs  # every epoch, the cut one too, was validated
    outputs = train_cell.locator(".jp-OutputArea-output")
    texts = outputs.all_inner_texts()
    assert outputs.first.locator("img").count() == 1  # the figure stays first, where it was
    assert "Epoch[0] Train-accuracy=" in texts[1]  # fit's log lines are left alone
    assert any(re.match(r"LiveMetrics: epoch .* stopped$", t.strip()) for t in texts), texts

    # 3. a run that ends by itself also leaves its figure; the saved notebook keeps both
    quick_cell.locator(".jp-RenderedImage img").wait_for(timeout=60_000)
    assert quick_cell.locator(".widget-vbox").count() == 0
    final.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "live_final_page.png"), full_page=False)
    final.screenshot(path=str(ARTIFACTS / "live_final.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")

    def saved_images() -> list[list[str]]:
        cells = json.loads((root / "live.ipynb").read_text())["cells"]
        return [[key for out in cell.get("outputs", []) for key in out.get("data", {})]
                for cell in cells]

    mimes = wait_until(lambda: (lambda m: m if "image/png" in m[3] else None)(saved_images()),
                       30, "the saved notebook")
    for cell in (1, 3):
        assert "image/png" in mimes[cell]
        assert "application/vnd.jupyter.widget-view+json" not in mimes[cell]
