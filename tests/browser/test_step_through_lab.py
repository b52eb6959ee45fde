"""mx.viz.step_through as a widget in a real JupyterLab, driven by headless Chromium: clicking
Next three times reaches the loss layer, highlights it in the drawing and shows its shape."""
from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).parent / "artifacts"  # screenshots (git-ignored)

MLP_CELL = """\
import numpy as np
import teachmod as mx
rng = np.random.default_rng(0)
net = mx.sym.Variable('data')
net = mx.sym.FullyConnected(net, name='fc1', num_hidden=64)
net = mx.sym.Activation(net, name='relu1', act_type="relu")
net = mx.sym.FullyConnected(net, name='fc2', num_hidden=26)
net = mx.sym.SoftmaxOutput(net, name='softmax')
mod = mx.mod.Module(net)
mod.bind(data_shapes=[('data', (8, 16))], label_shapes=[('softmax_label', (8,))])
mod.init_params(mx.init.Xavier())
batch = mx.io.DataBatch([mx.nd.array(rng.standard_normal((8, 16)))],
                        [mx.nd.array(rng.integers(0, 26, 8))])
walk = mx.viz.step_through(mod, batch)
walk
"""


def highlighted(page, node: str) -> dict[str, str | None]:
    """The outline of ``node`` in the shown drawing."""
    return page.evaluate(
        """(node) => {
            for (const g of document.querySelectorAll('.tm-graph svg g.node')) {
                if (g.querySelector('title').textContent !== node) continue;
                const shape = g.querySelector('polygon, ellipse');
                return {stroke: shape.getAttribute('stroke'),
                        width: shape.getAttribute('stroke-width')};
            }
            return null;
        }""", node)


def test_next_three_times_in_jupyterlab(run_notebook):
    page = run_notebook("step_through.ipynb", [MLP_CELL])
    step = page.locator(".tm-step")
    try:
        step.wait_for(timeout=90_000)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "step_through_failed.png"), full_page=True)
        raise
    assert step.get_attribute("data-node") == "fc1"
    assert highlighted(page, "fc1") == {"stroke": "#d62728", "width": "4"}
    next_button = page.locator(".tm-step-through button", has_text="Next")
    for index in (1, 2, 3):
        next_button.click()
        page.locator(f'.tm-step[data-index="{index}"]').wait_for(timeout=30_000)
    assert step.get_attribute("data-node") == "softmax"
    assert step.get_attribute("data-direction") == "forward"
    assert highlighted(page, "softmax") == {"stroke": "#d62728", "width": "4"}
    assert highlighted(page, "fc2")["width"] is None  # only the current node is outlined
    shapes = step.locator(".tm-shape").all_inner_texts()
    assert any(s.startswith("8×26") for s in shapes), shapes
    assert "forward 4/4" in page.locator(".tm-widget-title").inner_text()
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "step_through_next3.png"
    page.locator(".tm-step-through").screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000
