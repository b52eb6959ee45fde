"""Modules written in Python: ``PythonModule`` (no parameters) and ``PythonLossModule``.

A ``PythonModule`` has the module interface but no symbol: binding only records shapes, it has
no parameters and nothing to update. ``PythonLossModule`` is the useful one: put it last in a
``SequentialModule`` and it turns the scores of the module before it into a gradient with any
numpy function, ``grad_func(scores, labels)``, as a loss layer would::

    seq = mx.mod.SequentialModule()
    seq.add(mx.mod.Module(net, label_names=None))
    seq.add(mx.mod.PythonLossModule(grad_func=softmax_minus_one_hot), take_labels=True)
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from ..base import MXNetError
from ..ndarray.ndarray import NDArray, array
from .base_module import BaseModule

__all__ = ["PythonModule", "PythonLossModule"]


class PythonModule(BaseModule):
    """A module without parameters whose computation subclasses write in Python.

    Parameters
    ----------
    data_names, label_names, output_names : list of str
    logger : Logger, default logging
    """

    def __init__(self, data_names: Any, label_names: Any, output_names: Any,
                 logger: Any = logging) -> None:
        super().__init__(logger=logger)
        self._data_names = list(data_names)
        self._label_names = list(label_names) if label_names is not None else None
        self._output_names = list(output_names)
        self._data_shapes: list | None = None
        self._label_shapes: list | None = None
        self._output_shapes: list | None = None

    @property
    def data_names(self) -> list[str]:
        return self._data_names

    @property
    def output_names(self) -> list[str]:
        return self._output_names

    @property
    def data_shapes(self) -> list | None:
        return self._data_shapes

    @property
    def label_shapes(self) -> list | None:
        return self._label_shapes

    @property
    def output_shapes(self) -> list | None:
        return self._output_shapes

    def get_params(self) -> tuple[dict, dict]:
        """No parameters: two empty dicts."""
        return {}, {}

    def init_params(self, initializer: Any = None, arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Nothing to initialise."""
        self.params_initialized = True

    def update(self) -> None:
        """Nothing to update."""

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        """Update ``eval_metric`` with ``labels`` and the outputs (if bound with labels)."""
        if self._label_shapes is None:
            return
        if pre_sliced:
            raise MXNetError(f"{type(self).__name__}.update_metric: pre-sliced labels need "
                             f"several contexts, and a Python module runs on one")
        eval_metric.update(labels, self.get_outputs())

    def bind(self, data_shapes: Any, label_shapes: Any = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False,
             shared_module: Any = None, grad_req: str = "write") -> None:
        """Record the shapes; the output shapes come from ``_compute_output_shapes``. In a
        SequentialModule add it with ``auto_wiring=True`` to take the previous outputs."""
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if label_shapes is not None:
            given = [d[0] for d in label_shapes]
            if self._label_names is None or given != self._label_names:
                raise MXNetError(f"{type(self).__name__}.bind: label_shapes names {given}, the "
                                 f"module's label_names are {self._label_names}")
        given = [d[0] for d in data_shapes]
        if given != self._data_names:
            raise MXNetError(f"{type(self).__name__}.bind: data_shapes names {given}, the "
                             f"module's data_names are {self._data_names} (in a "
                             f"SequentialModule, add it with auto_wiring=True)")
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._data_shapes = list(data_shapes)
        self._label_shapes = list(label_shapes) if label_shapes is not None else None
        self.binded = True
        self._output_shapes = self._compute_output_shapes()

    def _compute_output_shapes(self) -> list:
        """``[(name, shape)]`` of the outputs, from ``self._data_shapes``; subclasses say."""
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  f"_compute_output_shapes")

    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """No parameters, so no optimizer; only the state flag is set."""
        self.optimizer_initialized = True


class PythonLossModule(PythonModule):
    """A loss written in Python: the output is the input (the scores), and backward gives
    ``grad_func(scores, labels)`` as the gradient of the scores.

    Parameters
    ----------
    name : str, default 'pyloss'
        The output is named ``name + '_output'``.
    data_names, label_names : one name each, default ('data',), ('softmax_label',)
    logger : Logger, default logging
    grad_func : callable, optional
        ``grad_func(scores, labels) -> NDArray or numpy array``, the gradient of the loss with
        respect to the scores.
    """

    def __init__(self, name: str = "pyloss", data_names: Any = ("data",),
                 label_names: Any = ("softmax_label",), logger: Any = logging,
                 grad_func: Callable[[NDArray, NDArray], Any] | None = None) -> None:
        super().__init__(data_names, label_names, [name + "_output"], logger=logger)
        if len(self._data_names) != 1 or len(self._label_names or []) != 1:
            raise MXNetError(f"PythonLossModule {name!r}: needs one data name and one label "
                             f"name, got {self._data_names} and {self._label_names}")
        if grad_func is not None and not callable(grad_func):
            raise TypeError(f"PythonLossModule {name!r}: grad_func must be callable, got "
                            f"{type(grad_func).__name__}")
        self._name = name
        self._scores: NDArray | None = None
        self._labels: NDArray | None = None
        self._scores_grad: NDArray | None = None
        self._grad_func = grad_func

    def _compute_output_shapes(self) -> list:
        return [(self._name + "_output", tuple(self._data_shapes[0][1]))]

    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Keep the scores (and, in training, the labels) for backward."""
        if is_train is None:
            is_train = self.for_training
        self._scores = data_batch.data[0]
        if is_train:
            self._labels = data_batch.label[0]

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """The scores, unchanged."""
        return [self._scores] if merge_multi_context else [[self._scores]]

    def backward(self, out_grads: Any = None) -> None:
        """The gradient of the scores: ``grad_func(scores, labels)``."""
        if out_grads is not None:
            raise MXNetError(f"PythonLossModule {self._name!r}: a loss computes its own "
                             f"gradient, so backward takes no out_grads")
        if not self.for_training:
            raise MXNetError(f"PythonLossModule {self._name!r}: bind with for_training=True "
                             f"to compute gradients")
        if self._grad_func is None:
            raise MXNetError(f"PythonLossModule {self._name!r}: no grad_func was given, so "
                             f"there is no gradient; pass grad_func=f(scores, labels)")
        grad = self._grad_func(self._scores, self._labels)
        self._scores_grad = grad if isinstance(grad, NDArray) else array(grad)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """The gradient of the scores from the last backward."""
        return [self._scores_grad]

    def install_monitor(self, mon: Any) -> None:
        """Nothing to watch: a Python loss runs no executor."""
