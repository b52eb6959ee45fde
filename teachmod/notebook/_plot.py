"""The figure of ``LiveMetrics``: one panel per metric, then learning rate and throughput.

The figure is built once with matplotlib's Agg canvas (no pyplot, so nothing is shown by
accident and no GUI is needed); every refresh only moves the data of the existing lines
(``Line2D.set_data``), so a redraw costs the same after 10 batches or after 100,000. Long
histories are thinned to at most ``max_points`` points per line before drawing.

Most of a full draw is text (tick labels, titles, legend). While training, the y limits move
only when the data leave them or shrink to under half of them, and a frame whose axes are as in
the last full draw only draws the data lines again, on a copy of the rest (blitting: the seed
MLP's figure takes about 7 ms with the PNG instead of 40-75 ms).
"""
from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

# Colours of the tab10 cycle, named for what they show.
TRAIN = "#1f77b4"  # training: raw batches (faint), smoothed, epoch markers
VALID = "#ff7f0e"  # validation
OTHER = "#2ca02c"  # learning rate, throughput


class LivePlot:
    """A matplotlib figure of training curves, updated in place.

    Parameters
    ----------
    names : list of str
        Metric names, one panel each.
    show_lr, show_speed : bool
        Add a learning-rate panel and a throughput panel.
    title : str, optional
        Figure title.
    max_points : int, default 800
        Lines with more points are thinned (every k-th point) before drawing.
    dpi : int, default 90
        Resolution of the PNG sent to the notebook.
    """

    def __init__(self, names: list[str], show_lr: bool = True, show_speed: bool = True,
                 title: str | None = None, max_points: int = 800, dpi: int = 90) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import EngFormatter

        self.names = list(names)
        self.max_points = max_points
        panels = [*self.names, *(["learning rate"] if show_lr else []),
                  *(["samples/s"] if show_speed else [])]
        ncols = 2 if len(panels) == 4 else min(3, len(panels))
        nrows = math.ceil(len(panels) / ncols)
        self.figure = Figure(figsize=(3.6 * ncols, 2.9 * nrows + 0.5), dpi=dpi,
                             layout="constrained")
        FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(nrows, ncols, squeeze=False).ravel()
        for ax in axes[len(panels):]:
            ax.set_visible(False)
        self.axes = dict(zip(panels, axes))
        if title:
            self.figure.suptitle(title)

        self.draws = 0
        self.full_draws = 0
        self._background: Any = None  # the last full draw without the data lines, for blitting
        self._background_key: tuple | None = None  # the axes' limits and places in it
        self.lines: dict[str, dict[str, Any]] = {}
        for name in self.names:
            ax = self.axes[name]
            self.lines[name] = {
                "raw": ax.plot([], [], color=TRAIN, alpha=0.25, lw=0.8, label="batch")[0],
                "smooth": ax.plot([], [], color=TRAIN, lw=1.8, label="batch, smoothed")[0],
                "train": ax.plot([], [], color=TRAIN, marker="o", ms=6, lw=0, mfc="white",
                                 mew=1.8, zorder=4, label="train, epoch")[0],
                "val": ax.plot([], [], color=VALID, marker="s", ms=5, lw=1.5,
                               label="validation, epoch")[0],
            }
            self._label(ax, name, name)
        if show_lr:
            ax = self.axes["learning rate"]
            self.lines["learning rate"] = {
                "lr": ax.plot([], [], color=OTHER, lw=1.5, drawstyle="steps-post")[0]}
            self._label(ax, "learning rate", "learning rate")
        if show_speed:
            ax = self.axes["samples/s"]
            self.lines["samples/s"] = {"speed": ax.plot([], [], color=OTHER, lw=1.5)[0]}
            self._label(ax, "throughput", "samples/s")
            ax.yaxis.set_major_formatter(EngFormatter(sep=""))  # 350k, not 350000
        if self.names:
            handles = list(self.lines[self.names[0]].values())
            self.figure.legend(handles=handles, loc="outside lower center", ncols=4,
                               frameon=False, fontsize="small")

    @staticmethod
    def _label(ax: Any, title: str, ylabel: str) -> None:
        ax.set_title(title, fontsize="medium")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)

    def _thin(self, values: list) -> np.ndarray:
        step = max(1, math.ceil(len(values) / self.max_points))
        return np.asarray(values[::step] if step > 1 else values, dtype=float)

    def update(self, series: dict[str, Any], xlim: tuple[float, float],
               steady: bool = False) -> None:
        """Move the lines to the data in ``series`` (see ``LiveMetrics._plot_series``).

        ``steady``: keep each panel's y limits while the data stay inside and fill at least half
        of them (live frames, so that they can be blitted); else fit the limits to the data."""
        bx = self._thin(series["x"])
        ex = np.asarray(series["epoch_x"], dtype=float)
        for name in self.names:
            lines = self.lines[name]
            smooth = self._thin(series["smooth"][name])
            train = np.asarray(series["train"][name], dtype=float)
            val = np.asarray(series["val"].get(name, [np.nan] * len(ex)), dtype=float)
            lines["raw"].set_data(bx, self._thin(series["raw"][name]))
            lines["smooth"].set_data(bx, smooth)
            lines["train"].set_data(ex, train)
            validated = np.isfinite(val)  # epochs without validation leave no gap in the line
            val = val[validated]
            lines["val"].set_data(ex[validated], val)
            # y range from the smoothed and epoch values: the faint raw batches may leave it
            _set_ylim(self.axes[name], smooth, train, val, steady=steady)
        if "learning rate" in self.lines:
            lr = self._thin(series["lr"])
            self.lines["learning rate"]["lr"].set_data(bx, lr)
            _set_ylim(self.axes["learning rate"], lr, low=0.0, steady=steady)
        if "samples/s" in self.lines:
            speed = self._thin(series["speed"])
            self.lines["samples/s"]["speed"].set_data(bx, speed)
            _set_ylim(self.axes["samples/s"], speed, low=0.0, steady=steady)
        for ax in self.axes.values():
            ax.set_xlim(*xlim)

    def draw(self, layout: bool = False) -> None:
        """Render the figure.

        If the axes are where and as they were at the last full draw, and ``layout`` is false,
        only the data lines are drawn, on the saved rest of that draw. Otherwise a full draw;
        the constrained layout (about 40% of one) runs on the first two full draws, every 6th
        one and when ``layout`` is true; in between the panels stay put."""
        self.draws += 1
        canvas = self.figure.canvas
        data_lines = [line for lines in self.lines.values() for line in lines.values()]
        if layout or self._background is None or self._axes_key() != self._background_key:
            self.full_draws += 1
            layout = layout or self.full_draws <= 2 or self.full_draws % 6 == 0
            self.figure.set_layout_engine("constrained" if layout else "none")
            for line in data_lines:  # animated artists are left out of a full draw
                line.set_animated(True)
            canvas.draw()
            for line in data_lines:
                line.set_animated(False)
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = self._axes_key()
        else:
            canvas.restore_region(self._background)
        for line in data_lines:
            line.axes.draw_artist(line)

    def _axes_key(self) -> tuple:
        """What a saved background depends on: each panel's limits and place."""
        return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_position().bounds)
                     for ax in self.axes.values())

    def png(self, layout: bool = False) -> bytes:
        """The figure as PNG bytes (drawn now)."""
        from PIL import Image

        canvas = self.figure.canvas
        self.draw(layout)
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw",
                                 "RGBA", 0, 1)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", compress_level=1)
        return out.getvalue()

    def save(self, path: str, **kwargs: Any) -> None:
        """Write the figure to ``path``; the format follows the suffix (.png, .svg, .pdf)."""
        self.figure.set_layout_engine("constrained")
        self.figure.savefig(path, **kwargs)
        self._background = None  # the canvas may have moved the panels: draw in full next


def _set_ylim(ax: Any, *arrays: np.ndarray, low: float | None = None,
              steady: bool = False) -> None:
    finite = [a[np.isfinite(a)] for a in arrays if len(a)]
    finite = [a for a in finite if len(a)]
    if not finite:
        return
    lo = min(float(a.min()) for a in finite)
    hi = max(float(a.max()) for a in finite)
    if low is not None:
        lo = min(lo, low)
    pad = 0.06 * (hi - lo) if hi > lo else max(abs(hi) * 0.1, 1e-3)
    if steady:
        now_lo, now_hi = ax.get_ylim()
        if now_lo <= lo - pad and hi + pad <= now_hi and hi - lo >= 0.5 * (now_hi - now_lo):
            return  # the data fit: unchanged axes, so the frame can be blitted
        pad *= 2  # room to move before the limits change again
    ax.set_ylim(lo - pad if low is None or lo - pad > low else low, hi + pad)
