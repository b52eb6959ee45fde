"""The final figure of ``LiveMetrics`` with matplotlib: one panel per metric, then the learning
rate and the throughput. Built with the Agg canvas (no pyplot: nothing is shown by accident and
no GUI is needed); the browser's live view (``_live.js``) draws the same panels.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..visualization.fonts import chinese_fonts

# Colours of the tab10 cycle, named for what they show (the same in _live.js).
TRAIN = "#1f77b4"
VALID = "#ff7f0e"
OTHER = "#2ca02c"
MAX_POINTS = 2000  # per line; longer histories are thinned (every k-th batch)


def epoch_lengths(epochs: list[int], batches: list[int]) -> dict[int, int]:
    """Batches per epoch for the x axis. The last epoch (running, or cut short by Stop) counts
    as at least as long as the one before it, so that its points do not stretch to its end."""
    lengths = dict(zip(epochs, batches))
    if len(epochs) >= 2:
        lengths[epochs[-1]] = max(batches[-1], batches[-2])
    return lengths


def draw(history: dict, names: list[str], labels: dict[str, str], titles: list[str],
         show_speed: bool, title: str | None = None) -> Any:
    """The figure of ``history`` (``LiveMetrics.history``): a matplotlib ``Figure``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import EngFormatter

    b, e = history["batch"], history["epoch"]
    lr = np.asarray(b["lr"], dtype=float)
    panels = [*titles, *([labels["lr"]] if np.isfinite(lr).any() else []),
              *([labels["speed"]] if show_speed else [])]
    ncols = 2 if len(panels) == 4 else max(1, min(3, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    figure = Figure(figsize=(3.6 * ncols, 2.8 * nrows + 0.6), dpi=90, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if title:
        figure.suptitle(title)

    lengths = epoch_lengths(e["epoch"], e["batches"])
    epoch = np.asarray(b["epoch"], dtype=float)
    count = np.array([lengths.get(k, 1) for k in b["epoch"]], dtype=float)
    x = epoch + (np.asarray(b["nbatch"]) + 1) / np.maximum(count, np.asarray(b["nbatch"]) + 1)
    ex = np.asarray(e["epoch"], dtype=float) + np.asarray(e["batches"]) / np.asarray(
        [lengths[k] for k in e["epoch"]], dtype=float) if e["epoch"] else np.array([])
    step = max(1, math.ceil(len(x) / MAX_POINTS))
    handles = []
    for ax, name, panel in zip(axes, names, titles):
        handles = [ax.plot(*_by_epoch(x, np.asarray(b[name], dtype=float), epoch, step),
                           color=TRAIN, lw=1.2, alpha=0.7, label=labels["batch"])[0],
                   ax.plot(ex, e["train-" + name], color=TRAIN, marker="o", ms=5, lw=0,
                           mfc="white", mew=1.6, zorder=4, label=labels["train"])[0]]
        val = np.asarray(e.get("val-" + name, [math.nan] * len(ex)), dtype=float)
        if np.isfinite(val).any():
            done = np.isfinite(val)
            handles.append(ax.plot(ex[done], val[done], color=VALID, marker="s", ms=4.5,
                                   lw=1.4, label=labels["val"])[0])
        _label(ax, panel, labels["epoch"])
    rest = iter(axes[len(names):])
    if np.isfinite(lr).any():
        ax = next(rest)
        ax.plot(*_by_epoch(x, lr, epoch, step), color=OTHER, lw=1.5, drawstyle="steps-post")
        ax.set_ylim(bottom=0)
        _label(ax, labels["lr"], labels["epoch"])
    if show_speed:
        ax = next(rest)
        speed = np.asarray(b["samples_per_sec"], dtype=float)
        known = np.isfinite(speed)  # not at an epoch's first batch
        # a moving average: one entry covers only about 10 ms of training
        width = max(1, int(known.sum()) // 150)
        smooth = np.convolve(speed[known], np.ones(width) / width, mode="valid")
        ax.plot(x[known][width - 1:], smooth, color=OTHER, lw=1.5)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(EngFormatter(sep=""))  # 350k, not 350000
        _label(ax, labels["speed"], labels["epoch"])
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles),
                      frameon=False, fontsize="small")
    return figure


def _by_epoch(x: np.ndarray, y: np.ndarray, epoch: np.ndarray, step: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Every ``step``-th point, with a NaN between epochs so that each epoch is a line."""
    x, y, epoch = x[::step], y[::step], epoch[::step]
    cuts = np.flatnonzero(np.diff(epoch)) + 1
    return np.insert(x, cuts, np.nan), np.insert(y, cuts, np.nan)


def save(figure: Any, target: Any, language: str, **kwargs: Any) -> None:
    """``figure.savefig(target)``; Chinese labels are drawn with a CJK font, the system's or the
    one bundled with teachmod (fonts are looked up when the figure is drawn, so the setting
    applies here)."""
    from matplotlib import rc_context, rcParams

    fonts = chinese_fonts() if language == "zh" else rcParams["font.sans-serif"]
    with rc_context({"font.sans-serif": fonts, "axes.unicode_minus": language != "zh"}):
        figure.savefig(target, **kwargs)


def _label(ax: Any, title: str, xlabel: str) -> None:
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel(xlabel)
    ax.grid(True, alpha=0.3)
