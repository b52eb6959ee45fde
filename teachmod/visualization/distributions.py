"""``plot_distributions``: how weights, gradients or activations spread, layer by layer.

The picture of the "vanishing gradients" lesson (Glorot and Bengio, 2010): one histogram per
layer on shared axes, and each layer's standard deviation on a log scale, so gradients that
shrink on their way back to the first layers show as narrowing spikes and falling bars.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .step_through import StepThrough

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KINDS = ("weight", "gradient", "output", "output_gradient")


def _from_walk(walk: StepThrough, kind: str) -> dict[str, np.ndarray]:
    """The arrays of one kind recorded by ``step_through``, in forward order."""
    order = [s.node for s in walk.forward_steps()]
    steps = walk.forward_steps() if kind in ("weight", "output") else sorted(
        walk.backward_steps(), key=lambda s: order.index(s.node))
    arrays: dict[str, np.ndarray | None] = {}
    for step in steps:
        if kind in ("weight", "gradient"):
            arrays.update((t.name, t.value) for t in step.inputs if t.role == "weight")
        else:
            arrays.update((t.name, t.value) for t in step.outputs[:1])
    return {k: v for k, v in arrays.items() if v is not None}


def _from_executor(executor: Any, kind: str) -> dict[str, np.ndarray]:
    """The arrays of one kind in an executor: its weights and their gradients, or the
    operator outputs of its last forward and the gradients that reached them."""
    if kind == "weight":
        return {k: v.asnumpy() for k, v in executor.arg_dict.items() if k.endswith("_weight")}
    if kind == "gradient":
        return {k: v.asnumpy() for k, v in executor.grad_dict.items() if k.endswith("_weight")}
    outputs = {step.output_names[0] for step in executor.plan}
    executor._require_kept(f"plot_distributions(kind={kind!r})")
    found = executor.values_by_name() if kind == "output" else executor.gradients_by_name()
    return {k: v.asnumpy() for k, v in found.items() if k in outputs}


def layer_arrays(source: Any, kind: str) -> dict[str, np.ndarray]:
    """``{name: array}`` of one kind from a Module, a StepThrough, an Executor or a dict."""
    if kind not in KINDS:
        raise ValueError(f"plot_distributions: kind must be one of {KINDS}, got {kind!r}")
    if isinstance(source, dict):
        return {str(k): np.asarray(getattr(v, "asnumpy", lambda v=v: v)()) for k, v in
                source.items()}
    if isinstance(source, StepThrough):
        return _from_walk(source, kind)
    if hasattr(source, "_exec_group") and hasattr(source, "_require"):
        source._require("binded", "params_initialized", action="plot_distributions")
        return _from_executor(source._exec_group.execs[0], kind)
    if hasattr(source, "values_by_name"):
        return _from_executor(source, kind)
    raise TypeError(f"plot_distributions: source must be a Module, a StepThrough, an "
                    f"Executor or a dict of arrays, got {type(source).__name__}")


def plot_distributions(source: Any, kind: str = "gradient", bins: int = 60,
                       figsize: tuple[float, float] = (10.0, 3.6)) -> Figure:
    """Histograms of each layer's weights, gradients or outputs, and their spread.

    Parameters
    ----------
    source : Module, StepThrough, Executor or dict of str to array
        Where the arrays come from: a bound Module (its weights, and the gradients of its
        last backward), the record of ``mx.viz.step_through``, or arrays by name.
    kind : {'gradient', 'weight', 'output', 'output_gradient'}, default 'gradient'
        The gradients of the ``*_weight`` parameters, those parameters, each operator's
        output, or the gradient that reached each operator's output in the backward pass.
        Ignored for a dict. The last two need every tensor of a pass: take them from
        ``mx.viz.step_through(mod, batch)``, or set ``keep_intermediates = True`` on the
        Module's executor before its forward and backward.
    bins : int, default 60
        Histogram bins, shared by all layers.
    figsize : (float, float)
        Size of the figure in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Left, one histogram per layer (the share of values per bin, first layer darkest);
        right, each layer's standard deviation on a log scale. Shown inline in Jupyter;
        ``fig.savefig('grads.png')`` writes it.

    Examples
    --------
    >>> mod.forward_backward(batch)
    >>> mx.viz.plot_distributions(mod, 'gradient')
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    arrays = {k: np.asarray(v, np.float64).ravel() for k, v in layer_arrays(source, kind).items()}
    arrays = {k: v[np.isfinite(v)] for k, v in arrays.items()}
    arrays = {k: v for k, v in arrays.items() if v.size}
    if not arrays:
        raise ValueError(f"plot_distributions: no finite {kind} values to plot (for gradients, "
                         f"run forward and backward first)")
    everything = np.concatenate(list(arrays.values()))
    bound = float(np.percentile(np.abs(everything), 99.5)) or float(np.abs(everything).max())
    bound = bound or 1.0
    edges = np.linspace(-bound, bound, bins + 1)
    if everything.min() >= 0:
        edges = np.linspace(0, bound, bins + 1)
    fig = Figure(figsize=figsize, layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    cmap = colormaps["viridis"]
    colors = [cmap(i / max(1, len(arrays) - 1) * 0.9) for i in range(len(arrays))]
    stds = []
    for (name, values), color in zip(arrays.items(), colors):
        clipped = np.clip(values, edges[0], edges[-1])
        left.hist(clipped, bins=edges, weights=np.full(values.size, 1 / values.size),
                  histtype="step", linewidth=1.6, color=color, label=name)
        stds.append(values.std())
    label = kind.replace("_", " ")
    left.set_title(f"{label} per layer (values beyond the axis are counted at its ends)",
                   fontsize=9)
    left.set_xlabel(label)
    left.set_ylabel("share of values")
    left.legend(fontsize=8, frameon=False)
    positions = np.arange(len(arrays))
    right.bar(positions, [max(s, 1e-30) for s in stds], color=colors)
    right.set_yscale("log")
    right.set_xticks(positions, list(arrays), rotation=45, ha="right", fontsize=8)
    right.set_title("standard deviation per layer", fontsize=9)
    return fig
