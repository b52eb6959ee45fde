"""Look at a network: ``mx.viz.plot_network`` draws it, ``mx.viz.print_summary`` tables it,
``mx.viz.step_through`` walks one batch through it node by node, forward and backward, and
``mx.viz.plot_distributions`` shows how weights or gradients spread, layer by layer.

The first two follow MXNet 1.9.1's ``mxnet.visualization`` exactly (same DOT source, same
printed table), so pictures and summaries in MXNet tutorials look the same here; the last two
are teachmod's own. Nothing heavy is imported until a function is called: graphviz,
ipywidgets and matplotlib are imported by the functions that draw.
"""
from .distributions import plot_distributions
from .plot import plot_network
from .step_through import StepThrough, step_through
from .summary import print_summary

__all__ = ["plot_network", "print_summary", "step_through", "StepThrough", "plot_distributions"]
