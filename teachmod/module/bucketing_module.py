"""BucketingModule: one network per input length, all sharing one set of parameters.

A recurrent network unrolled over 10 steps is a different graph from the same network over 20
steps. ``sym_gen(bucket_key)`` builds the graph for one key (usually the sequence length);
the BucketingModule keeps one ``Module`` per key it has seen, binds each new one with
``shared_module=`` the default bucket's module so that every bucket reads and updates the same
parameter arrays, and before each batch switches to the module of ``batch.bucket_key``.
``fit``, ``score`` and ``predict`` come unchanged from ``BaseModule``.
"""
from __future__ import annotations

import logging
import warnings
from typing import Any, Callable

import numpy as np

from .. import ndarray as nd
from .. import symbol as sym
from ..context import cpu
from ..model import load_params
from ..name import NameManager
from .base_module import BaseModule
from .module import Module, _check_names

__all__ = ["BucketingModule"]


def _borrow_optimizer(module: Module, owner: Module) -> None:
    """Let ``module`` update its (shared) parameters with ``owner``'s optimizer and state."""
    module.borrow_optimizer(owner)
    module.optimizer_initialized = True


class BucketingModule(BaseModule):
    """A module that switches between networks by the ``bucket_key`` of each batch.

    Parameters
    ----------
    sym_gen : callable
        ``sym_gen(bucket_key)`` returns ``(symbol, data_names, label_names)``.
    default_bucket_key : object
        The key of the largest bucket, bound first; its module owns the parameters.
    logger : Logger, default logging
    context : Context or list of Context, default cpu()
    work_load_list, fixed_param_names, state_names, group2ctxs, compression_params
        Passed to each bucket's ``Module``.
    """

    def __init__(self, sym_gen: Callable[[Any], tuple], default_bucket_key: Any = None,
                 logger: Any = logging, context: Any = None,
                 work_load_list: list[float] | None = None,
                 fixed_param_names: list[str] | None = None,
                 state_names: list[str] | None = None, group2ctxs: Any = None,
                 compression_params: Any = None) -> None:
        super().__init__(logger=logger)
        if default_bucket_key is None:
            raise ValueError("BucketingModule: default_bucket_key is required (the key of the "
                             "largest bucket, e.g. train_iter.default_bucket_key)")
        self._default_bucket_key = default_bucket_key
        self._sym_gen = sym_gen
        symbol, data_names, label_names = self._call_sym_gen(default_bucket_key)
        self._fixed_param_names = list(fixed_param_names or [])
        self._state_names = list(state_names or [])
        _check_names(symbol, list(data_names or []), "data", True)
        _check_names(symbol, list(label_names or []), "label", False)
        _check_names(symbol, self._state_names, "state", True)
        _check_names(symbol, self._fixed_param_names, "fixed_param", True)
        self._module_kwargs = dict(
            logger=logger, context=context if context is not None else cpu(),
            work_load_list=work_load_list, fixed_param_names=self._fixed_param_names,
            state_names=self._state_names, group2ctxs=group2ctxs,
            compression_params=compression_params)
        self._buckets: dict[Any, Module] = {}
        self._curr_module: Module | None = None
        self._curr_bucket_key: Any = None
        self._params_dirty = False
        self._monitor: Any = None
        self._grad_req: Any = None

    def _reset_bind(self) -> None:
        self.binded = False
        self._buckets = {}
        self._curr_module = None
        self._curr_bucket_key = None

    def _call_sym_gen(self, bucket_key: Any) -> tuple:
        # a fresh NameManager per call, so every bucket's graph gets the same automatic names
        with NameManager():
            return self._sym_gen(bucket_key)

    def _new_module(self, bucket_key: Any) -> Module:
        symbol, data_names, label_names = self._call_sym_gen(bucket_key)
        return Module(symbol, data_names, label_names, **self._module_kwargs)

    def _current(self, action: str, *states: str) -> Module:
        self._require("binded", *states, action=action)
        assert self._curr_module is not None
        return self._curr_module

    @property
    def _optimizer(self) -> Any:
        """The optimizer all buckets share (LiveMetrics reads the learning rate from it)."""
        return self._curr_module._optimizer if self._curr_module is not None else None

    # ---- names and shapes: those of the current bucket ------------------------------------
    @property
    def data_names(self) -> list[str]:
        if self.binded:
            return self._curr_module.data_names
        return list(self._call_sym_gen(self._default_bucket_key)[1])

    @property
    def output_names(self) -> list[str]:
        if self.binded:
            return self._curr_module.output_names
        return self._call_sym_gen(self._default_bucket_key)[0].list_outputs()

    @property
    def data_shapes(self) -> list:
        return self._current("data_shapes").data_shapes

    @property
    def label_shapes(self) -> list:
        return self._current("label_shapes").label_shapes

    @property
    def output_shapes(self) -> list:
        return self._current("output_shapes").output_shapes

    @property
    def symbol(self) -> Any:
        return self._current("symbol").symbol

    # ---- parameters -------------------------------------------------------------------------
    def get_params(self) -> tuple[dict, dict]:
        self._require("params_initialized", action="get_params")
        module = self._curr_module
        if not module.binded:  # loaded by ``load`` and not bound yet: the values read
            return module._arg_params, module._aux_params
        module._params_dirty = self._params_dirty  # an update in any bucket changed them
        params = module.get_params()
        self._params_dirty = False
        return params

    def set_params(self, arg_params: dict, aux_params: dict, allow_missing: bool = False,
                   force_init: bool = True, allow_extra: bool = False) -> None:
        if not allow_missing:
            self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                             allow_missing=allow_missing, force_init=force_init,
                             allow_extra=allow_extra)
            return
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. "
                          "set_params call ignored.", stacklevel=2)
            return
        self._current("set_params").set_params(arg_params, aux_params,
                                               allow_missing=allow_missing,
                                               force_init=force_init, allow_extra=allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    def init_params(self, initializer: Any = None, arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Initialize the parameters (``Uniform(0.01)`` when neither ``initializer`` nor
        ``arg_params`` is given); once done, later calls are ignored unless ``force_init``."""
        if self.params_initialized and not force_init:
            return
        self._current("init_params").init_params(
            initializer=initializer, arg_params=arg_params, aux_params=aux_params,
            allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)
        self._params_dirty = False
        self.params_initialized = True

    def get_states(self, merge_multi_context: bool = True) -> list:
        """The current bucket's state arrays (see ``state_names``)."""
        return self._current("get_states", "params_initialized").get_states(
            merge_multi_context=merge_multi_context)

    def set_states(self, states: Any = None, value: Any = None) -> None:
        """Set the current bucket's state arrays from ``states`` or to one ``value``."""
        self._current("set_states", "params_initialized").set_states(states, value)

    # ---- binding and switching ----------------------------------------------------------------
    def bind(self, data_shapes: Any, label_shapes: Any = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False,
             shared_module: Any = None, grad_req: Any = "write") -> None:
        """Bind the default bucket's module (the others are bound as batches need them)."""
        if self.params_initialized:
            arg_params, aux_params = self.get_params()
        if force_rebind:
            self._reset_bind()
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if shared_module is not None:
            raise ValueError("BucketingModule.bind: shared_module is not supported")
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.binded = True
        self._grad_req = grad_req
        key = self._default_bucket_key
        module = self._buckets.get(key) or self._new_module(key)
        module.bind(data_shapes, label_shapes, for_training, inputs_need_grad,
                    force_rebind=False, shared_module=None, grad_req=grad_req)
        self._curr_module, self._curr_bucket_key = module, key
        self._buckets[key] = module
        if self.params_initialized:
            self.set_params(arg_params, aux_params)

    def switch_bucket(self, bucket_key: Any, data_shapes: Any, label_shapes: Any = None) -> None:
        """Make ``bucket_key``'s module current, building and binding it on first use with
        the default bucket's parameters."""
        current = self._current("switch_bucket")
        module = self._buckets.get(bucket_key)
        if module is None:
            module = self._buckets[bucket_key] = self._new_module(bucket_key)
            if self._monitor is not None:
                module.install_monitor(self._monitor)
        if not module.binded:
            module.bind(data_shapes, label_shapes, current.for_training,
                        current.inputs_need_grad, force_rebind=False,
                        shared_module=self._buckets[self._default_bucket_key],
                        grad_req=self._grad_req)
            if current.optimizer_initialized:  # a bucket first seen during training
                _borrow_optimizer(module, current)
        self._curr_module, self._curr_bucket_key = module, bucket_key

    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Install the optimizer on the current bucket; the others borrow it."""
        module = self._current("init_optimizer", "params_initialized")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        module.init_optimizer(kvstore, optimizer, optimizer_params, force_init=force_init)
        for other in self._buckets.values():
            if other is not module:
                _borrow_optimizer(other, module)
        self.optimizer_initialized = True

    # ---- computation: on the batch's bucket -------------------------------------------------
    def prepare(self, data_batch: Any, sparse_row_id_fn: Any = None) -> None:
        self._current("prepare", "params_initialized")
        original = self._curr_bucket_key
        self.switch_bucket(data_batch.bucket_key, data_batch.provide_data,
                           data_batch.provide_label)
        self._curr_module.prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)
        self.switch_bucket(original, None, None)

    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        self._current("forward", "params_initialized")
        self.switch_bucket(data_batch.bucket_key, data_batch.provide_data,
                           data_batch.provide_label)
        self._curr_module.forward(data_batch, is_train=is_train)

    def backward(self, out_grads: Any = None) -> None:
        self._current("backward", "params_initialized").backward(out_grads=out_grads)

    def update(self) -> None:
        module = self._current("update", "params_initialized", "optimizer_initialized")
        self._params_dirty = True
        module.update()

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        return self._current("get_outputs", "params_initialized").get_outputs(
            merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        module = self._current("get_input_grads", "params_initialized", "inputs_need_grad")
        return module.get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        self._current("update_metric", "params_initialized").update_metric(
            eval_metric, labels, pre_sliced)

    def install_monitor(self, mon: Any) -> None:
        self._require("binded", action="install_monitor")
        self._monitor = mon
        for module in self._buckets.values():
            module.install_monitor(mon)

    # ---- checkpoints ------------------------------------------------------------------------
    def save_checkpoint(self, prefix: str, epoch: int, remove_amp_cast: bool = False) -> None:
        """Save ``prefix-%04d.params``, one ``prefix-<key>-symbol.json`` per bucket and the
        list of keys in ``prefix.buckets``."""
        if not self._buckets:
            raise ValueError("Empty BucketingModule cannot be saved")
        self.save_params(f"{prefix}-{epoch:04d}.params")
        for bucket_key in self._buckets:
            symbol, _, _ = self._call_sym_gen(bucket_key)
            symbol.save(f"{prefix}-{bucket_key}-symbol.json")
        nd.save(f"{prefix}.buckets", nd.array(list(self._buckets), dtype=np.int32))

    @staticmethod
    def load(prefix: str, epoch: int, sym_gen: Callable | None = None,
             default_bucket_key: Any = None, **kwargs: Any) -> BucketingModule:
        """A BucketingModule from ``save_checkpoint``'s files; bind it before use."""
        if sym_gen is None or default_bucket_key is None:
            raise ValueError("BucketingModule.load needs sym_gen and default_bucket_key")
        keys = [int(k) for k in nd.load(f"{prefix}.buckets")[0].asnumpy().astype("int32")]
        symbols = {key: sym.load(f"{prefix}-{key}-symbol.json") for key in keys}
        arg_params, aux_params = load_params(prefix, epoch)
        return BucketingModule.load_dict(symbols, sym_gen, default_bucket_key, arg_params,
                                         aux_params, **kwargs)

    @staticmethod
    def load_dict(sym_dict: dict | None = None, sym_gen: Callable | None = None,
                  default_bucket_key: Any = None, arg_params: dict | None = None,
                  aux_params: dict | None = None, **kwargs: Any) -> BucketingModule:
        """A BucketingModule from ``{bucket_key: symbol}`` and parameters; bind it before use."""
        if sym_dict is None or arg_params is None or aux_params is None or (
                default_bucket_key is None):
            raise ValueError("BucketingModule.load_dict needs sym_dict, arg_params, aux_params "
                             "and default_bucket_key")
        module = BucketingModule(sym_gen, default_bucket_key, **kwargs)
        for bucket_key, loaded in sym_dict.items():
            _, data_names, label_names = sym_gen(bucket_key)
            module._buckets[bucket_key] = Module(loaded, data_names, label_names,
                                                 **module._module_kwargs)
        default = module._buckets[default_bucket_key]
        default._arg_params, default._aux_params = arg_params, aux_params
        default.params_initialized = True
        module._curr_module = default
        module.params_initialized = True
        return module
