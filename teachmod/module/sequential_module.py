"""SequentialModule: modules in a chain, the outputs of each the data of the next.

``forward`` runs the modules in order, feeding each one's outputs to the next as its data;
``backward`` runs them in reverse, feeding each one's input gradients to the one before as its
output gradients. That is backpropagation by hand, one module at a time: what a single symbol
does inside its executor. ``fit``, ``score`` and ``predict`` come from ``BaseModule`` unchanged.

``add(module, take_labels=True)`` gives a module the batch's labels (usually the last, the
loss); ``add(module, auto_wiring=True)`` renames the previous outputs to this module's
data names.
"""
from __future__ import annotations

import copy
import logging
from typing import Any

from ..base import MXNetError
from .base_module import BaseModule

__all__ = ["SequentialModule"]


class SequentialModule(BaseModule):
    """A chain of modules trained as one.

    Parameters
    ----------
    logger : Logger, default logging
    """

    META_TAKE_LABELS = "take_labels"
    META_AUTO_WIRING = "auto_wiring"

    def __init__(self, logger: Any = logging) -> None:
        super().__init__(logger=logger)
        self._modules: list[BaseModule] = []
        self._metas: list[dict[str, Any]] = []
        self._label_shapes: Any = None
        self._meta_keys = {self.META_TAKE_LABELS, self.META_AUTO_WIRING}

    def add(self, module: BaseModule, **kwargs: Any) -> SequentialModule:
        """Append ``module`` to the chain; returns self, so calls chain.

        Parameters
        ----------
        module : BaseModule
        take_labels : bool, default False
            Give this module the labels of the batch.
        auto_wiring : bool, default False
            Bind this module with the previous outputs renamed to its ``data_names``.
        """
        unknown = sorted(set(kwargs) - self._meta_keys)
        if unknown:
            raise MXNetError(f"SequentialModule.add: unknown meta {unknown}; known: "
                             f"{sorted(self._meta_keys)}")
        self._modules.append(module)
        self._metas.append(kwargs)
        self.binded = self.params_initialized = self.optimizer_initialized = False
        return self

    def _takes_labels(self, index: int) -> bool:
        return bool(self._metas[index].get(self.META_TAKE_LABELS, False))

    # ---- names and shapes -----------------------------------------------------------------
    @property
    def data_names(self) -> list[str]:
        return self._modules[0].data_names if self._modules else []

    @property
    def output_names(self) -> list[str]:
        return self._modules[-1].output_names if self._modules else []

    @property
    def data_shapes(self) -> Any:
        self._require("binded", action="data_shapes")
        return self._modules[0].data_shapes

    @property
    def label_shapes(self) -> Any:
        self._require("binded", action="label_shapes")
        return self._label_shapes

    @property
    def output_shapes(self) -> Any:
        self._require("binded", action="output_shapes")
        return self._modules[-1].output_shapes

    # ---- parameters -----------------------------------------------------------------------
    def get_params(self) -> tuple[dict, dict]:
        """All modules' parameters in one pair of dicts."""
        self._require("binded", "params_initialized", action="get_params")
        arg_params: dict = {}
        aux_params: dict = {}
        for module in self._modules:
            arg, aux = module.get_params()
            arg_params.update(arg)
            aux_params.update(aux)
        return arg_params, aux_params

    def init_params(self, initializer: Any = None, arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Initialise every module; ``arg_params``/``aux_params`` may hold all modules'
        parameters (each module takes its own), and no name may be used by two modules."""
        if self.params_initialized and not force_init:
            return
        self._require("binded", action="init_params")
        owners: dict[str, int] = {}
        for i, module in enumerate(self._modules):
            for name in (list(getattr(module, "_param_names", []))
                         + list(getattr(module, "_aux_names", []))):
                if name in owners:
                    raise MXNetError(f"SequentialModule: parameter {name!r} of module {i} "
                                     f"({type(module).__name__}) is already used by module "
                                     f"{owners[name]}; give the layers different names")
                owners[name] = i
        extra = [n for n in list(arg_params or {}) + list(aux_params or {}) if n not in owners]
        if extra and not allow_extra:
            raise ValueError(f"SequentialModule.init_params: parameters {extra} belong to none "
                             f"of the modules; pass allow_extra=True to ignore them")
        for module in self._modules:
            # each module ignores the other modules' parameters in the shared dicts
            module.init_params(initializer=initializer, arg_params=arg_params,
                               aux_params=aux_params, allow_missing=allow_missing,
                               force_init=force_init, allow_extra=True)
        self.params_initialized = True

    # ---- binding ----------------------------------------------------------------------------
    def bind(self, data_shapes: Any, label_shapes: Any = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False,
             shared_module: Any = None, grad_req: Any = "write") -> None:
        """Bind each module for the outputs of the one before it."""
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if inputs_need_grad and not for_training:
            raise MXNetError("SequentialModule.bind: inputs_need_grad=True needs "
                             "for_training=True")
        if shared_module is not None:
            raise MXNetError("SequentialModule.bind: shared_module is not supported")
        if not self._modules:
            raise MXNetError("SequentialModule.bind: the chain is empty; add() modules first")
        my_data_shapes = data_shapes
        anybody_needs_labels = False
        for i, module in enumerate(self._modules):
            my_label_shapes = label_shapes if self._takes_labels(i) else None
            anybody_needs_labels |= self._takes_labels(i)
            given = [(d[0], tuple(d[1])) for d in my_data_shapes]  # before any renaming
            if self._metas[i].get(self.META_AUTO_WIRING, False):
                names = module.data_names
                if len(names) != len(my_data_shapes):
                    raise MXNetError(
                        f"SequentialModule: module {i} ({type(module).__name__}) takes "
                        f"{len(names)} data inputs {names}, module {i - 1} gives "
                        f"{len(my_data_shapes)} outputs {[d[0] for d in my_data_shapes]}")
                my_data_shapes = [(name, shape) for name, (_, shape)
                                  in zip(names, my_data_shapes)]
            try:
                # every module but the first passes gradients back to the one before it
                module.bind(data_shapes=my_data_shapes, label_shapes=my_label_shapes,
                            for_training=for_training,
                            inputs_need_grad=bool(inputs_need_grad or
                                                  (for_training and i > 0)),
                            force_rebind=force_rebind, grad_req=grad_req)
            except (MXNetError, ValueError) as err:
                if i == 0:
                    raise
                raise MXNetError(f"SequentialModule: module {i} ({type(module).__name__}) "
                                 f"cannot take the outputs of module {i - 1}, {given}: "
                                 f"{err}") from None
            my_data_shapes = module.output_shapes
        self._label_shapes = label_shapes if anybody_needs_labels else None
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.binded = True

    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Give every module the optimizer (each keeps its own state)."""
        self._require("binded", "params_initialized", action="init_optimizer")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        for module in self._modules:
            module.init_optimizer(kvstore=kvstore, optimizer=optimizer,
                                  optimizer_params=optimizer_params, force_init=force_init)
        self.optimizer_initialized = True

    # ---- computation ------------------------------------------------------------------------
    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Run the modules in order, each on the outputs of the one before."""
        self._require("binded", "params_initialized", action="forward")
        data_batch = copy.copy(data_batch)
        for i, module in enumerate(self._modules):
            module.forward(data_batch, is_train=is_train)
            if i + 1 == len(self._modules):
                break
            data_batch.data = module.get_outputs()
            if getattr(data_batch, "provide_data", None) is not None:
                # described under the next module's data names, as it was bound
                names = self._modules[i + 1].data_names
                data_batch.provide_data = [(name, x.shape)
                                           for name, x in zip(names, data_batch.data)]

    def backward(self, out_grads: Any = None) -> None:
        """Run the modules in reverse, each given the input gradients of the one after."""
        self._require("binded", "params_initialized", action="backward")
        for i in reversed(range(len(self._modules))):
            module = self._modules[i]
            module.backward(out_grads=out_grads)
            if i == 0:
                break
            out_grads = module.get_input_grads()

    def update(self) -> None:
        """Update every module's parameters."""
        self._require("binded", "params_initialized", "optimizer_initialized", action="update")
        for module in self._modules:
            module.update()

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """The last module's outputs."""
        self._require("binded", "params_initialized", action="get_outputs")
        return self._modules[-1].get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """The first module's input gradients (bind with ``inputs_need_grad=True``)."""
        self._require("binded", "params_initialized", action="get_input_grads")
        if not self.inputs_need_grad:
            raise MXNetError("get_input_grads: bind the module with inputs_need_grad=True")
        return self._modules[0].get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        """Update ``eval_metric`` with the outputs of the modules that take labels."""
        self._require("binded", "params_initialized", action="update_metric")
        for i, module in enumerate(self._modules):
            if self._takes_labels(i):
                module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon: Any) -> None:
        """Install ``mon`` on every module."""
        self._require("binded", action="install_monitor")
        for module in self._modules:
            module.install_monitor(mon)
