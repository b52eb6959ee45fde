"""How a step of ``step_through`` looks in Jupyter: HTML (graph, tensors with a histogram and
a small heat map each, numpy code) and the ipywidgets control around it.

Imported only when a step is shown, so ``import teachmod`` never imports ipywidgets or
matplotlib.
"""
from __future__ import annotations

import base64
import html
import io
import re
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .step_through import Step, StepThrough, Tensor

COLORS = {"forward": "#d62728", "backward": "#1f77b4"}
GRAPH_HEIGHT = 640  # px; taller drawings are scaled down to fit beside the values


# ---- small pictures of a tensor -------------------------------------------------------------
def histogram_svg(value: np.ndarray, color: str, width: int = 120, height: int = 34,
                  bins: int = 24) -> str:
    """An inline SVG histogram of the finite values (a grey line marks zero)."""
    flat = np.asarray(value, dtype=np.float64).ravel()
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return ""
    low, high = float(flat.min()), float(flat.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts, _ = np.histogram(flat, bins=bins, range=(low, high))
    bar = width / bins
    parts = [f'<svg class="tm-hist" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>{flat.size} values in '
             f'[{low:.4g}, {high:.4g}]</title>']
    for i, count in enumerate(counts):
        if count:
            h = max(1.0, (height - 2) * count / counts.max())
            parts.append(f'<rect x="{i * bar:.1f}" y="{height - h:.1f}" width="{bar - 0.5:.1f}" '
                         f'height="{h:.1f}" fill="{color}"/>')
    if low < 0 < high:
        x = width * (0 - low) / (high - low)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height}" stroke="#888" '
                     f'stroke-dasharray="2,2"/>')
    parts.append("</svg>")
    return "".join(parts)


def picture(value: np.ndarray) -> tuple[np.ndarray, str] | None:
    """A 2-D view of a tensor to draw as a heat map, and what it shows."""
    if value.ndim == 0 or value.size < 2:
        return None
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 1:
        return value[None, :256], "all values" if value.size <= 256 else "first 256 values"
    if value.ndim == 4:  # (batch, channels, height, width): example 0, first 8 channels
        maps = value[0, :8]
        gap = np.full((maps.shape[1], 1), np.nan)
        tiled = np.concatenate([part for m in maps for part in (m, gap)][:-1], axis=1)
        return tiled, f"example 0, channels 0-{len(maps) - 1}"
    if value.ndim == 3:
        value, what = value[0], "example 0, "
    else:
        value, what = value.reshape(value.shape[0], -1), ""
    rows, cols = min(value.shape[0], 32), min(value.shape[1], 128)
    return value[:rows, :cols], f"{what}{rows} rows x {cols} columns"


def heatmap_img(value: np.ndarray, max_width: int = 200, max_height: int = 48) -> str:
    """An ``<img>`` heat map (blue negative, white zero, red positive), or '' if none fits."""
    from matplotlib import colormaps
    from matplotlib.image import imsave

    seen = picture(value)
    if seen is None:
        return ""
    image, what = seen
    finite = image[np.isfinite(image)]
    bound = float(np.abs(finite).max()) if finite.size else 1.0
    bound = bound or 1.0
    cmap = colormaps["RdBu_r"].with_extremes(bad=(1, 1, 1, 0))
    buffer = io.BytesIO()
    imsave(buffer, image, cmap=cmap, vmin=-bound, vmax=bound, format="png")
    scale = min(max_height / image.shape[0], max_width / image.shape[1], 12.0)
    # a tall, narrow tensor (a batch of 32 rows of 10 scores) would be a sliver at the common
    # scale: its columns get up to 6 pixels each, where the width allows, even if cells stretch
    scale_x = max(scale, min(max_width / image.shape[1], 6.0))
    w, h = max(1, round(image.shape[1] * scale_x)), max(1, round(image.shape[0] * scale))
    h = max(h, 10)  # a single row (a bias) still gets a visible stripe
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<img class="tm-heat" src="data:image/png;base64,{data}" width="{w}" '
            f'height="{h}" style="image-rendering:pixelated" title="{html.escape(what)}; '
            f'colour scale +-{bound:.3g}">')


# ---- one step as HTML ------------------------------------------------------------------------
def _fit(svg: str) -> str:
    """The SVG element only, scaled down to GRAPH_HEIGHT if taller (the viewBox keeps the
    proportions)."""
    svg = svg[svg.index("<svg"):]
    match = re.search(r'height="([\d.]+)pt"', svg)
    if match and float(match.group(1)) * 4 / 3 > GRAPH_HEIGHT:
        svg = re.sub(r'width="[\d.]+pt" height="[\d.]+pt"', f'height="{GRAPH_HEIGHT}px"', svg,
                     count=1)
    return svg


def _stats(value: np.ndarray) -> str:
    flat = np.asarray(value, dtype=np.float64).ravel()
    finite = flat[np.isfinite(flat)]
    if not finite.size:
        return f"{flat.size} values, none finite"
    text = (f"mean {finite.mean():.3g} &plusmn; {finite.std():.3g}<br>"
            f"[{finite.min():.3g}, {finite.max():.3g}]")
    zeros = np.count_nonzero(flat == 0)
    if zeros:
        text += f"<br>zeros {100 * zeros / flat.size:.0f}%"
    if finite.size < flat.size:
        text += f"<br><b>non-finite {flat.size - finite.size}</b>"
    return text


def _rows(tensors: list[Tensor], color: str) -> str:
    rows = []
    for t in tensors:
        cells = [f'<td class="tm-role">{html.escape(t.role)}</td>',
                 f'<td class="tm-name"><code>{html.escape(t.name)}</code></td>']
        if t.value is None:
            cells.append(f'<td colspan="4" class="tm-note"><i>{html.escape(t.note)}</i></td>')
        else:
            shape = "&times;".join(str(d) for d in t.value.shape) or "scalar"
            note = f'<br><i>{html.escape(t.note)}</i>' if t.note else ""
            cells += [f'<td class="tm-shape">{shape}<br><small>{t.value.dtype.name}</small></td>',
                      f'<td class="tm-stats"><small>{_stats(t.value)}</small>{note}</td>',
                      f"<td>{histogram_svg(t.value, color)}</td>",
                      f"<td>{heatmap_img(t.value)}</td>"]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(rows)


STYLE = """<style>
.tm-step{display:flex;gap:18px;align-items:flex-start;font-size:13px;line-height:1.35}
.tm-step .tm-graph{flex:0 0 auto}
.tm-step .tm-info{flex:1 1 auto;min-width:0;overflow-x:auto}
.tm-step table{border-collapse:collapse;margin:2px 0 8px 0}
.tm-step td{padding:3px 8px;border-bottom:1px solid #e4e4e4;vertical-align:middle;
 text-align:left;white-space:nowrap;line-height:1.35}
.tm-step h4{margin:8px 0 2px 0;font-size:13px}
.tm-step pre{font-size:11.5px;max-height:320px;overflow:auto;background:#f7f7f7;padding:6px}
.tm-badge{color:white;padding:1px 7px;border-radius:3px;font-weight:bold}
</style>"""


def _names(tensors: list[Tensor]) -> str:
    return ", ".join(f"<code>{html.escape(t.name)}</code>" for t in tensors
                     if t.value is not None) or "nothing"


def _what_happens(step: Step) -> str:
    """One sentence saying what this step does."""
    if step.direction == "forward":
        return f"Reads {_names(step.inputs)}; computes {_names(step.outputs)}."
    if step.outputs and step.outputs[0].value is None and "loss" in step.outputs[0].note:
        arriving = "Starts the backward pass from the label (a loss layer)"
    else:
        arriving = f"Receives the gradient of the loss with respect to {_names(step.outputs)}"
    return f"{arriving}; sends gradients to {_names(step.inputs)}."


def step_html(walk: StepThrough, index: int) -> str:
    """The whole view of step ``index``: graph on the left, the step on the right."""
    step: Step = walk.steps[index]
    color = COLORS[step.direction]
    attrs = ", ".join(f"{k}={html.escape(v)}" for k, v in step.attrs.items())
    if step.direction == "forward":
        groups = (("inputs", step.inputs), ("output", step.outputs))
    else:
        groups = (("gradient arriving at the output", step.outputs),
                  ("gradient sent to each input", step.inputs))
    tables = "".join(f"<h4>{heading}</h4><table>{_rows(tensors, color)}</table>"
                     for heading, tensors in groups)
    note = f"<p><i>{html.escape(step.note)}</i></p>" if step.note else ""
    note = f"<p>{_what_happens(step)}</p>{note}"
    file, line = step.code
    return (
        f'{STYLE}<div class="tm-step" data-node="{html.escape(step.node)}" '
        f'data-direction="{step.direction}" data-index="{index}">'
        f'<div class="tm-graph">{_fit(walk.svg(index))}</div><div class="tm-info">'
        f'<div class="tm-title"><span class="tm-badge" style="background:{color}">'
        f"{step.direction} {step.number}/{step.count}</span> "
        f'<b class="tm-node">{html.escape(step.node)}</b> = {html.escape(step.op)}({attrs})</div>'
        f"{note}{tables}"
        f"<details><summary>numpy code of this {step.direction}: <code>{html.escape(file)}"
        f"</code> line {line}</summary><pre>{html.escape(step.source)}</pre></details>"
        f"</div></div>"
    )


# ---- the control ----------------------------------------------------------------------------
class StepWidget:
    """Previous/next buttons, a play button, a slider and the view of the current step.

    ``prev_button``, ``next_button``, ``play``, ``slider`` and ``view`` are the ipywidgets;
    ``box`` holds them all and is what Jupyter shows.
    """

    def __init__(self, walk: StepThrough) -> None:
        import ipywidgets as w

        self.walk = walk
        last = len(walk) - 1
        self.prev_button = w.Button(description="Prev", icon="arrow-left",
                                    tooltip="previous step", layout=w.Layout(width="80px"))
        self.next_button = w.Button(description="Next", icon="arrow-right",
                                    tooltip="next step", layout=w.Layout(width="80px"))
        self.play = w.Play(value=walk.position, min=0, max=last, interval=1500,
                           tooltip="play the steps")
        self.slider = w.IntSlider(value=walk.position, min=0, max=last, description="step",
                                  continuous_update=False)
        w.jslink((self.play, "value"), (self.slider, "value"))
        self.title = w.HTML()
        self.view = w.HTML()
        self.prev_button.on_click(lambda _: self._move(-1))
        self.next_button.on_click(lambda _: self._move(1))
        self.slider.observe(lambda _: self.show(), names="value")
        controls = w.HBox([self.prev_button, self.next_button, self.play, self.slider,
                           self.title], layout=w.Layout(align_items="center"))
        self.box = w.VBox([controls, self.view])
        self.box.add_class("tm-step-through")
        self.show()

    def _move(self, by: int) -> None:
        self.slider.value = min(max(self.slider.value + by, 0), len(self.walk) - 1)

    def show(self) -> None:
        """Draw the step the slider points at."""
        step = self.walk.go(self.slider.value)
        self.title.value = (f'<span class="tm-widget-title">{step.direction} {step.number}/'
                            f"{step.count}: <b>{html.escape(step.node)}</b></span>")
        self.view.value = step_html(self.walk, self.slider.value)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return self.box._repr_mimebundle_(**kwargs)
