"""Look at a network: ``mx.viz.plot_network`` draws it, ``mx.viz.print_summary`` tables it,
``mx.viz.step_through`` walks one batch through it node by node, forward and backward,
``mx.viz.plot_distributions`` shows how weights or gradients spread, layer by layer, and
``mx.viz.chinese_fonts`` names fonts for figures with Chinese labels (one comes with teachmod).

The first two follow MXNet 1.9.1's ``mxnet.visualization`` exactly (same DOT source, same
printed table), so pictures and summaries in MXNet tutorials look the same here; the others
are teachmod's own. Nothing heavy is imported until a function is called: graphviz,
ipywidgets and matplotlib are imported by the functions that draw.
"""
from .distributions import plot_distributions
from .fonts import chinese_fonts
from .plot import plot_network
from .step_through import StepThrough, step_through
from .summary import print_summary

__all__ = ["plot_network", "print_summary", "step_through", "StepThrough", "plot_distributions",
           "chinese_fonts"]
