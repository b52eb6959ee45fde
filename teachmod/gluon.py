"""``mx.gluon`` exists so that code importing it loads; teachmod has no Gluon.

Gluon is MXNet's imperative API (``Block``, ``Trainer``, autograd). teachmod teaches the symbolic
API, where a graph is built with ``mx.sym`` and trained with ``mx.mod.Module``; every name asked
of this module raises an AttributeError saying so.
"""
from __future__ import annotations


def __getattr__(attr: str) -> None:
    if attr.startswith("__"):
        raise AttributeError(attr)
    raise AttributeError(f"mx.gluon.{attr}: teachmod implements MXNet's symbolic API (mx.sym, "
                         f"mx.mod.Module), not Gluon; build the network with mx.sym and train it "
                         f"with mx.mod.Module")
