"""``mx.notebook``: teaching helpers for Jupyter -- live training curves.

``LiveMetrics`` (also ``mx.callback.LiveMetrics``) draws the metrics, learning rate and throughput
while ``fit`` runs: a widget in Jupyter, progress lines elsewhere. matplotlib and ipywidgets are
imported only when something is drawn, so importing this package is cheap.
"""
from .live import LiveMetrics

__all__ = ["LiveMetrics"]
