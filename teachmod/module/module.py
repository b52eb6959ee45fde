"""Module: the intermediate API -- bind, init_params, init_optimizer, forward, backward,
update -- for one symbol on one or more contexts."""
from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np

from .. import optimizer as opt
from ..base import MXNetError
from ..context import Context, cpu
from ..initializer import InitDesc, Uniform
from ..io import DataDesc
from ..model import _create_kvstore, _initialize_kvstore, _update_params, load_checkpoint
from ..ndarray.ndarray import NDArray
from .base_module import BaseModule
from .executor_group import DataParallelExecutorGroup

__all__ = ["Module"]


def _check_names(symbol: Any, names: list[str], kind: str, throw: bool) -> None:
    """Data and label names must be arguments of the symbol; suggest the likely ones."""
    args = symbol.list_arguments()
    for name in names:
        if name in args:
            continue
        candidates = [a for a in args if not a.endswith(("_weight", "_bias", "_gamma", "_beta"))]
        message = (f"You created Module with Module(..., {kind}_names={names}) but input with "
                   f"name {name!r} is not found in symbol.list_arguments(). Did you mean one of: "
                   f"{candidates}?")
        if throw:
            raise ValueError(message)
        warnings.warn(message, stacklevel=3)


def _check_labels_are_inputs(symbol: Any, label_shapes: list[DataDesc]) -> None:
    """A label the symbol does not use is almost always a name mismatch: say which name to use."""
    args = symbol.list_arguments()
    for desc in label_shapes:
        if desc.name not in args:
            labels = [a for a in args if a.endswith("_label")]
            fix = (f"name the label {labels[0]!r}: NDArrayIter(..., label_name={labels[0]!r}) and "
                   f"Module(..., label_names=[{labels[0]!r}])" if labels else
                   "give the loss layer a label input, or bind without label_shapes")
            raise MXNetError(f"bind: the label {desc.name!r} is not an input of the symbol "
                             f"(its inputs are {args}); {fix}")


def _parse_shapes(shapes: Any, names: list[str], kind: str) -> list[DataDesc]:
    """Accept ``[DataDesc]`` or ``[('data', (32, 16))]`` and check the names."""
    if shapes is None:
        return []
    descs = []
    for item in shapes:
        if isinstance(item, DataDesc):
            descs.append(item)
        elif (isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str)
              and isinstance(item[1], (tuple, list))):
            descs.append(DataDesc(item[0], tuple(item[1])))
        elif isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
            # a name with something other than a shape (e.g. an NDArray): a TypeError, as MXNet
            raise TypeError(f"bind: the shape of {kind} {item[0]!r} must be a tuple of ints such "
                            f"as (32, 16), got {type(item[1]).__name__}")
        else:
            raise ValueError(f"bind: {kind}_shapes must be a list of (name, shape) pairs or "
                             f"DataDesc, e.g. [('{kind}', (32, 16))]; got {shapes!r}")
    given = [d.name for d in descs]
    if sorted(given) != sorted(names):
        hint = ""
        if kind == "label" and not given:
            hint = ("; the data iterator has no labels: give it one, e.g. "
                    "NDArrayIter(data, label, batch_size)")
        raise ValueError(f"bind: {kind}_shapes names {given} do not match the module's "
                         f"{kind}_names {names}{hint}")
    return descs


class Module(BaseModule):
    """A module computing one symbol.

    Parameters
    ----------
    symbol : Symbol
        The network.
    data_names : list of str, default ('data',)
        Inputs that receive data.
    label_names : list of str, default ('softmax_label',)
        Inputs that receive labels.
    logger : Logger, default logging
    context : Context or list of Context, default cpu()
        With a list, each batch is split across the contexts.
    work_load_list : list of float, optional
        Relative share of the batch for each context.
    fixed_param_names : list of str, optional
        Parameters kept fixed during training.
    state_names : list of str, optional
        Inputs that carry state between batches (neither data nor parameters).
    """

    def __init__(self, symbol: Any, data_names: Any = ("data",),
                 label_names: Any = ("softmax_label",), logger: Any = logging,
                 context: Context | list[Context] | None = None,
                 work_load_list: list[float] | None = None,
                 fixed_param_names: list[str] | None = None, state_names: list[str] | None = None,
                 group2ctxs: Any = None, compression_params: Any = None) -> None:
        super().__init__(logger=logger)
        if not hasattr(symbol, "list_arguments"):
            raise TypeError(f"Module: symbol must be an mx.sym Symbol (the network's output, e.g. "
                            f"mx.sym.SoftmaxOutput(...)), got {type(symbol).__name__}")
        context = context if context is not None else cpu()
        self._context = list(context) if isinstance(context, (list, tuple)) else [context]
        self._work_load_list = work_load_list or [1] * len(self._context)
        if len(self._work_load_list) != len(self._context):
            raise ValueError(f"Module: work_load_list has {len(self._work_load_list)} entries "
                             f"for {len(self._context)} contexts")
        self._symbol = symbol
        self._group2ctxs = group2ctxs
        self._data_names = list(data_names or [])
        self._label_names = list(label_names or [])
        self._state_names = list(state_names or [])
        self._fixed_param_names = list(fixed_param_names or [])
        _check_names(symbol, self._data_names, "data", True)
        _check_names(symbol, self._label_names, "label", False)
        _check_names(symbol, self._state_names, "state", True)
        _check_names(symbol, self._fixed_param_names, "fixed_param", True)
        inputs = set(self._data_names + self._label_names + self._state_names)
        self._param_names = [a for a in symbol.list_arguments() if a not in inputs]
        self._aux_names = symbol.list_auxiliary_states()
        self._output_names = symbol.list_outputs()
        self._arg_params: dict[str, NDArray] | None = None
        self._aux_params: dict[str, NDArray] | None = None
        self._params_dirty = False
        self._optimizer = None
        self._updater = None
        self._kvstore = None
        self._update_on_kvstore = False
        self._preload_opt_states: str | None = None
        self._fresh_gradients = False  # backward ran since the last update
        self._forward_without_backward = False  # a training forward awaits its backward
        self._exec_group: DataParallelExecutorGroup | None = None
        self._data_shapes: list[DataDesc] = []
        self._label_shapes: list[DataDesc] = []

    @staticmethod
    def load(prefix: str, epoch: int, load_optimizer_states: bool = False,
             **kwargs: Any) -> Module:
        """A module from a checkpoint (``prefix-symbol.json`` and ``prefix-%04d.params``);
        bind it before use. With ``load_optimizer_states``, ``prefix-%04d.states`` too."""
        symbol, arg_params, aux_params = load_checkpoint(prefix, epoch)
        module = Module(symbol=symbol, **kwargs)
        module._arg_params = arg_params
        module._aux_params = aux_params
        module.params_initialized = True
        if load_optimizer_states:
            module._preload_opt_states = f"{prefix}-{epoch:04d}.states"
        return module

    def save_checkpoint(self, prefix: str, epoch: int, save_optimizer_states: bool = False,
                        remove_amp_cast: bool = True) -> None:
        """Save ``prefix-symbol.json``, ``prefix-%04d.params`` (and ``.states``)."""
        self._symbol.save(f"{prefix}-symbol.json")
        param_name = f"{prefix}-{epoch:04d}.params"
        self.save_params(param_name)
        logging.info('Saved checkpoint to "%s"', param_name)
        if save_optimizer_states:
            state_name = f"{prefix}-{epoch:04d}.states"
            self.save_optimizer_states(state_name)
            logging.info('Saved optimizer state to "%s"', state_name)

    # ---- names and shapes -----------------------------------------------------------------
    @property
    def data_names(self) -> list[str]:
        """Names of the data inputs."""
        return self._data_names

    @property
    def label_names(self) -> list[str]:
        """Names of the label inputs."""
        return self._label_names

    @property
    def output_names(self) -> list[str]:
        """Names of the outputs."""
        return self._output_names

    @property
    def data_shapes(self) -> list[DataDesc]:
        """Shapes of the data inputs, as bound."""
        self._require("binded", action="data_shapes")
        return self._data_shapes

    @property
    def label_shapes(self) -> list[DataDesc]:
        """Shapes of the label inputs, as bound."""
        self._require("binded", action="label_shapes")
        return self._label_shapes

    @property
    def output_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """``[(name, shape)]`` of the outputs for the bound batch."""
        self._require("binded", action="output_shapes")
        shapes = {d.name: d.shape for d in self._data_shapes + self._label_shapes}
        _, out_shapes, _ = self._symbol.infer_shape(**shapes)
        return list(zip(self._output_names, out_shapes))

    # ---- parameters -------------------------------------------------------------------------
    def get_params(self) -> tuple[dict[str, NDArray], dict[str, NDArray]]:
        """Copies of the current parameters: ``(arg_params, aux_params)``."""
        self._require("binded", "params_initialized", action="get_params")
        if self._params_dirty:
            self._exec_group.get_params(self._arg_params, self._aux_params)
            self._params_dirty = False
        return self._arg_params, self._aux_params

    def init_params(self, initializer: Any = None, arg_params: dict | None = None,
                    aux_params: dict | None = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Give every parameter a value: from ``arg_params``/``aux_params`` when given there,
        otherwise from ``initializer`` (default ``Uniform(0.01)``).

        Parameters
        ----------
        initializer : Initializer, optional
        arg_params, aux_params : dict of str to NDArray, optional
        allow_missing : bool, default False
            Initialise parameters missing from ``arg_params`` instead of failing.
        force_init : bool, default False
            Re-initialise even if already initialised.
        allow_extra : bool, default False
            Ignore names in ``arg_params`` that the symbol does not have.
        """
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. "
                          "init_params call ignored.", stacklevel=2)
            return
        self._require("binded", action="init_params")
        if initializer is None and arg_params is None and aux_params is None:
            initializer = Uniform(0.01)
        if initializer is not None and not callable(initializer):
            raise TypeError(f"init_params: initializer must be an Initializer such as "
                            f"mx.init.Xavier(), got {initializer!r}; to make one from a name use "
                            f"mx.init.create({initializer!r})")
        group = self._exec_group
        if self._arg_params is None:
            self._arg_params = {n: NDArray(np.zeros(b[0].shape, b[0]._data.dtype), cpu())
                                for n, b in zip(group.param_names, group.param_arrays)}
        if self._aux_params is None:
            self._aux_params = {n: NDArray(np.zeros(b[0].shape, b[0]._data.dtype), cpu())
                                for n, b in zip(group.aux_names, group.aux_arrays)}
        self._check_param_names(arg_params, aux_params, initializer, allow_missing, allow_extra)
        attrs = self._symbol.attr_dict()
        for targets, given in ((self._arg_params, arg_params), (self._aux_params, aux_params)):
            for name in sorted(targets):
                target = targets[name]
                if given is not None and name in given:
                    source = given[name]
                    values = source._data if isinstance(source, NDArray) else np.asarray(source)
                    if values.shape != target.shape:
                        raise MXNetError(f"init_params: parameter {name!r} has shape "
                                         f"{values.shape}, the network needs {target.shape}")
                    if source is not target:
                        np.copyto(target._data, values, casting="unsafe")
                else:
                    initializer(InitDesc(name, attrs.get(name, None)), target)
        self.params_initialized = True
        self._params_dirty = False
        group.set_params(self._arg_params, self._aux_params, allow_extra=allow_extra)

    def _check_param_names(self, arg_params: dict | None, aux_params: dict | None,
                           initializer: Any, allow_missing: bool, allow_extra: bool) -> None:
        missing, extra = self._missing_and_extra(arg_params, aux_params, initializer)
        # (missing names come from a given dict, or from no initializer at all)
        if missing and (initializer is None or not allow_missing):
            raise MXNetError(
                f"parameters missing: {missing} (the symbol needs them; given "
                f"{sorted(arg_params or {})} {sorted(aux_params or {})}). Pass "
                f"allow_missing=True to initialise the missing ones.")
        if extra and not allow_extra:
            raise MXNetError(f"parameters {extra} are not in the symbol (its parameters are "
                             f"{self._param_names + self._aux_names}). Pass allow_extra=True "
                             f"to ignore them.")

    def _missing_and_extra(self, arg_params: dict | None, aux_params: dict | None,
                           initializer: Any) -> tuple[list[str], list[str]]:
        """The parameter names neither given nor initialisable, and the given names that the
        symbol does not have. A dict that is not given (None) is missing only without an
        initializer."""
        missing, extra = [], []
        for names, given in ((self._param_names, arg_params), (self._aux_names, aux_params)):
            if given is None:
                if initializer is None:
                    missing.extend(names)
                continue
            missing.extend(n for n in names if n not in given)
            extra.extend(n for n in given if n not in names)
        return missing, extra

    def set_params(self, arg_params: dict, aux_params: dict, allow_missing: bool = False,
                   force_init: bool = True, allow_extra: bool = False) -> None:
        """Assign parameter values (all must be given unless ``allow_missing``)."""
        if not allow_missing:
            self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                             allow_missing=False, force_init=force_init,
                             allow_extra=allow_extra)
            return
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. "
                          "set_params call ignored.", stacklevel=2)
            return
        self._exec_group.set_params(arg_params, aux_params, allow_extra=allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    # ---- binding ----------------------------------------------------------------------------
    def bind(self, data_shapes: Any, label_shapes: Any = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False,
             shared_module: Module | None = None, grad_req: Any = "write") -> None:
        """Allocate the executors for these input shapes.

        Parameters
        ----------
        data_shapes : list of DataDesc or (name, shape)
            E.g. ``train_iter.provide_data``.
        label_shapes : list of DataDesc or (name, shape), optional
            E.g. ``train_iter.provide_label``; None for prediction only.
        for_training : bool, default True
            Whether gradients will be computed.
        inputs_need_grad : bool, default False
            Also compute gradients of the data.
        force_rebind : bool, default False
            Rebind even if already bound.
        shared_module : Module, optional
            Share parameters with this bound module.
        grad_req : str or dict, default 'write'
        """
        if force_rebind:
            self.binded = False
            self._exec_group = None
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._grad_req = grad_req  # as MXNet keeps it (BucketingModule binds buckets with it)
        self._data_shapes = _parse_shapes(data_shapes, self._data_names, "data")
        label_names = self._label_names if label_shapes is not None else []
        self._label_shapes = _parse_shapes(label_shapes, label_names, "label")
        _check_labels_are_inputs(self._symbol, self._label_shapes)
        if for_training and label_shapes is None and self._label_names:
            labels_needed = [n for n in self._label_names if n in self._symbol.list_arguments()]
            if labels_needed:
                raise ValueError(f"bind: for_training=True needs label_shapes for "
                                 f"{labels_needed}")
        shared_group = shared_module._exec_group if shared_module is not None else None
        self._exec_group = DataParallelExecutorGroup(
            self._symbol, self._context, self._work_load_list, self._data_shapes,
            self._label_shapes, self._param_names, for_training, inputs_need_grad,
            shared_group, logger=self.logger, fixed_param_names=self._fixed_param_names,
            grad_req=grad_req, state_names=self._state_names, group2ctxs=self._group2ctxs)
        self.binded = True
        if shared_module is not None:
            self.params_initialized = True
            self._arg_params = shared_module._arg_params
            self._aux_params = shared_module._aux_params
        elif self.params_initialized:
            # parameters loaded before binding (Module.load) go into the new executors
            self._exec_group.set_params(self._arg_params, self._aux_params)

    def reshape(self, data_shapes: Any, label_shapes: Any = None) -> None:
        """Rebind the executors for new input shapes, keeping the parameters."""
        self._require("binded", action="reshape")
        self._data_shapes = _parse_shapes(data_shapes, self._data_names, "data")
        label_names = self._label_names if label_shapes is not None else []
        self._label_shapes = _parse_shapes(label_shapes, label_names, "label")
        self._exec_group.reshape(self._data_shapes, self._label_shapes)

    # ---- optimizer --------------------------------------------------------------------------
    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Create the optimizer; gradients are scaled by ``1 / batch_size`` as in MXNet.

        Parameters
        ----------
        kvstore : str, KVStore or None, default 'local'
            Where the gradients of several contexts are summed (``mx.kv``); with one
            context a name gives no store, as in MXNet.
        optimizer : str or Optimizer, default 'sgd'
        optimizer_params : dict or tuple of pairs, default (('learning_rate', 0.01),)
        force_init : bool, default False
            Recreate the optimizer even if one exists.
        """
        self._require("binded", "params_initialized", action="init_optimizer")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring...")
            return
        if self._params_dirty:
            self.get_params()
        kvstore, update_on_kvstore = _create_kvstore(kvstore, len(self._context),
                                                     self._arg_params)
        rescale_grad = 1.0 / self._exec_group.batch_size
        idx2name = dict(enumerate(self._exec_group.param_names))
        if isinstance(optimizer, str):
            try:
                params = dict(optimizer_params)
            except (TypeError, ValueError):
                raise TypeError(f"init_optimizer: optimizer_params must be a dict such as "
                                f"{{'learning_rate': 0.1}}, got {optimizer_params!r}") from None
            params.setdefault("rescale_grad", rescale_grad)
            optimizer = opt.create(optimizer, sym=self._symbol, param_idx2name=idx2name,
                                   **params)
        elif isinstance(optimizer, opt.Optimizer):
            if optimizer.rescale_grad != rescale_grad:
                warnings.warn(
                    f"Optimizer created manually outside Module but rescale_grad is not "
                    f"normalized to 1.0/batch_size ({optimizer.rescale_grad} vs. "
                    f"{rescale_grad}). Is this intended?", stacklevel=2)
            if not optimizer.idx2name:
                optimizer.idx2name = idx2name.copy()
        else:
            raise TypeError(f"init_optimizer: optimizer must be a name or an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self._optimizer = optimizer
        self._kvstore = kvstore
        self._update_on_kvstore = update_on_kvstore
        self._updater = None
        if kvstore is not None:
            if update_on_kvstore:
                kvstore.set_optimizer(optimizer)
            _initialize_kvstore(kvstore, self._exec_group.param_arrays, self._arg_params,
                                self._param_names, update_on_kvstore)
        if not update_on_kvstore:
            self._updater = opt.get_updater(optimizer)
        self.optimizer_initialized = True
        if self._preload_opt_states is not None:
            self.load_optimizer_states(self._preload_opt_states)
            self._preload_opt_states = None

    def save_optimizer_states(self, fname: str) -> None:
        """Save the optimizer's state (e.g. momentum) to ``fname`` (no pickle)."""
        from ..ndarray.utils import write_atomic

        self._require("optimizer_initialized", action="save_optimizer_states")
        if self._update_on_kvstore:
            self._kvstore.save_optimizer_states(fname)
            return
        write_atomic(fname, self._updater.get_states(dump_optimizer=False))

    def load_optimizer_states(self, fname: str) -> None:
        """Load optimizer state saved by ``save_optimizer_states``."""
        self._require("optimizer_initialized", action="load_optimizer_states")
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            return
        try:
            with open(fname, "rb") as handle:
                payload = handle.read()
        except FileNotFoundError:
            raise MXNetError(f"load_optimizer_states: no such file {fname!r}") from None
        try:
            self._updater.set_states(payload)
        except MXNetError as err:
            raise MXNetError(f"load_optimizer_states: cannot read {fname!r}: {err}") from None

    # ---- computation ------------------------------------------------------------------------
    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Run the network on ``data_batch``; a batch of another shape rebinds first.

        Parameters
        ----------
        data_batch : DataBatch
            ``data`` (and ``label``) lists of arrays.
        is_train : bool, optional
            Defaults to ``for_training`` of ``bind``.
        """
        self._require("binded", "params_initialized", action="forward")
        if not isinstance(getattr(data_batch, "data", None), (list, tuple)):
            raise TypeError(f"forward: expected a DataBatch such as mx.io.DataBatch(data=[x], "
                            f"label=[y]) with lists of NDArrays, got {type(data_batch).__name__}")
        new_shapes = [d.shape for d in data_batch.data]
        if new_shapes != [d.shape for d in self._data_shapes]:
            provided = getattr(data_batch, "provide_data", None)
            data_shapes = provided or [DataDesc(d.name, s, d.dtype, d.layout)
                                       for d, s in zip(self._data_shapes, new_shapes)]
            label_shapes = getattr(data_batch, "provide_label", None)
            labels = getattr(data_batch, "label", None)
            if not label_shapes and labels and self._label_shapes:
                label_shapes = [DataDesc(d.name, lab.shape, d.dtype, d.layout)
                                for d, lab in zip(self._label_shapes, labels)]
            self.reshape(data_shapes, label_shapes or (self._label_shapes or None))
        self._exec_group.forward(data_batch, is_train)
        self._forward_without_backward = bool(is_train or (is_train is None
                                                           and self.for_training))

    def backward(self, out_grads: Any = None) -> None:
        """Compute gradients (after a training forward)."""
        self._require("binded", "params_initialized", action="backward")
        self._exec_group.backward(out_grads=out_grads)
        self._fresh_gradients = True
        self._forward_without_backward = False

    def update(self) -> None:
        """Apply the optimizer to every parameter (see ``model._update_params`` for where)."""
        self._require("binded", "params_initialized", "optimizer_initialized", action="update")
        if not self._fresh_gradients and self._forward_without_backward:
            raise MXNetError("update: no gradients since the last update; call forward(batch, "
                             "is_train=True) and backward() (or forward_backward(batch)) first")
        if not self._fresh_gradients:
            # MXNet applies whatever the gradient arrays hold (zeros before any backward)
            warnings.warn("update: no backward() since the last update, so the optimizer "
                          "applies the previous (or, before any backward, zero) gradients "
                          "again; call forward(batch, is_train=True) and backward() (or "
                          "forward_backward(batch)) first", stacklevel=2)
        self._fresh_gradients = False
        self._params_dirty = True
        group = self._exec_group
        _update_params(group.param_arrays, group.grad_arrays, self._updater,
                       len(self._context), self._kvstore, group.param_names,
                       self._update_on_kvstore)

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        """Accumulate ``eval_metric`` on the last forward's outputs and ``labels``."""
        self._exec_group.update_metric(eval_metric, labels, pre_sliced)

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """Outputs of the last forward."""
        self._require("binded", "params_initialized", action="get_outputs")
        return self._exec_group.get_outputs(merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Gradients of the data inputs (bind with ``inputs_need_grad=True``)."""
        self._require("binded", "params_initialized", action="get_input_grads")
        if not self.inputs_need_grad:
            raise MXNetError("get_input_grads: bind the module with inputs_need_grad=True")
        return self._exec_group.get_input_grads(merge_multi_context)

    def get_states(self, merge_multi_context: bool = True) -> list:
        """The values of the ``state_names`` inputs (e.g. an RNN's state between batches)."""
        self._require("binded", "params_initialized", action="get_states")
        return self._exec_group.get_states(merge_multi_context)

    def set_states(self, states: list | None = None, value: float | None = None) -> None:
        """Set the ``state_names`` inputs from ``states`` or fill them with ``value``."""
        self._require("binded", "params_initialized", action="set_states")
        self._exec_group.set_states(states, value)

    def install_monitor(self, mon: Any) -> None:
        """Install a ``mx.monitor.Monitor`` on the executors."""
        self._require("binded", action="install_monitor")
        self._exec_group.install_monitor(mon)

    def borrow_optimizer(self, shared_module: Module) -> None:
        """Use another module's optimizer (as MXNet's bucketing does)."""
        self._optimizer = shared_module._optimizer
        self._updater = shared_module._updater
        self._kvstore = shared_module._kvstore
        self._update_on_kvstore = shared_module._update_on_kvstore
        self.optimizer_initialized = True
