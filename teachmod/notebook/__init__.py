"""``mx.notebook``: teaching helpers for Jupyter -- live training curves.

``LiveMetrics`` (also ``mx.callback.LiveMetrics``) draws the metrics, learning rate and throughput
while ``fit`` runs: a widget that draws in the browser in Jupyter, progress lines elsewhere.
anywidget and matplotlib are imported only when something is shown, so importing this package
is cheap.
"""
from .live import LiveMetrics

__all__ = ["LiveMetrics"]
