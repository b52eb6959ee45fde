"""Look at a network: ``mx.viz.plot_network`` draws it, ``mx.viz.print_summary`` tables it.

Both follow MXNet 1.9.1's ``mxnet.visualization`` exactly (same DOT source, same printed
table), so pictures and summaries in MXNet tutorials look the same here. Nothing heavy is
imported until a function is called: graphviz is imported by ``plot_network`` itself.
"""
from .plot import plot_network
from .summary import print_summary

__all__ = ["plot_network", "print_summary"]
