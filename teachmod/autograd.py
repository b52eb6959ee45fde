"""``mx.autograd``: the recording and training flags, without imperative differentiation.

MXNet can record ``mx.nd`` calls and differentiate them (``with autograd.record(): ...;
y.backward()``). teachmod teaches the symbolic API instead: gradients come from a bound graph,
``mx.sym`` -> ``simple_bind`` (or ``mx.mod.Module``) -> ``executor.backward()``. The two flags
and their scopes are real, so code that sets or reads them runs; ``backward`` and ``grad`` raise
``NotImplementedError`` saying what to use.
"""
from __future__ import annotations

from typing import Any

__all__ = [
    "is_recording", "is_training", "set_recording", "set_training", "record", "pause",
    "train_mode", "predict_mode", "backward", "grad", "mark_variables",
]

_state = {"recording": False, "training": False}

_USE_SYMBOLS = (
    "teachmod computes gradients from symbolic graphs only, not from recorded mx.nd calls: "
    "build the network with mx.sym, bind it (sym.simple_bind(ctx, data=shape) or "
    "mx.mod.Module(sym)) and call executor.backward(out_grads) or module.backward()"
)


def is_recording() -> bool:
    """Whether ``mx.nd`` calls are being recorded (set by ``record``; False by default)."""
    return _state["recording"]


def is_training() -> bool:
    """Whether operators such as Dropout run in training mode (False by default)."""
    return _state["training"]


def set_recording(is_recording: bool) -> bool:  # noqa: A002 - MXNet's parameter name
    """Set the recording flag; returns its previous value."""
    previous = _state["recording"]
    _state["recording"] = bool(is_recording)
    return previous


def set_training(train_mode: bool) -> bool:
    """Set the training flag; returns its previous value."""
    previous = _state["training"]
    _state["training"] = bool(train_mode)
    return previous


class _RecordingStateScope:
    """Sets the flags on entry (None leaves one alone) and restores them on exit."""

    def __init__(self, recording: bool | None, training: bool | None) -> None:
        self._enter = (recording, training)
        self._previous: tuple[bool | None, bool | None] = (None, None)

    def __enter__(self) -> _RecordingStateScope:
        recording, training = self._enter
        self._previous = (None if recording is None else set_recording(recording),
                          None if training is None else set_training(training))
        return self

    def __exit__(self, *exc: Any) -> None:
        recording, training = self._previous
        if recording is not None:
            set_recording(recording)
        if training is not None:
            set_training(training)


def record(train_mode: bool = True) -> _RecordingStateScope:  # noqa: A002
    """Scope that switches recording on, and training to ``train_mode``."""
    return _RecordingStateScope(True, train_mode)


def pause(train_mode: bool = False) -> _RecordingStateScope:  # noqa: A002
    """Scope that switches recording off, and training to ``train_mode``."""
    return _RecordingStateScope(False, train_mode)


def train_mode() -> _RecordingStateScope:
    """Scope that switches training on, leaving recording alone."""
    return _RecordingStateScope(None, True)


def predict_mode() -> _RecordingStateScope:
    """Scope that switches training off, leaving recording alone."""
    return _RecordingStateScope(None, False)


def _unsupported(name: str) -> NotImplementedError:
    qualified = name if "." in name else f"autograd.{name}"
    return NotImplementedError(f"{qualified}: {_USE_SYMBOLS}")


def backward(heads: Any, head_grads: Any = None, retain_graph: bool = False,
             train_mode: bool = True) -> None:  # noqa: A002
    """Not available: raises NotImplementedError (use a bound symbol's ``backward``)."""
    raise _unsupported("backward")


def grad(heads: Any, variables: Any, head_grads: Any = None, retain_graph: Any = None,
         create_graph: bool = False, train_mode: bool = True) -> None:  # noqa: A002
    """Not available: raises NotImplementedError (use a bound symbol's ``backward``)."""
    raise _unsupported("grad")


def mark_variables(variables: Any, gradients: Any, grad_reqs: Any = "write") -> None:
    """Not available: raises NotImplementedError (bind gradients with ``args_grad`` instead)."""
    raise _unsupported("mark_variables")
