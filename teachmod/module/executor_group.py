"""Data parallelism: one executor per context, each computing a slice of the batch.

Given contexts ``[cpu(0), cpu(1)]`` and a batch of 32, each executor gets 16 samples. Their
gradients are summed before the update (as MXNet's local kvstore does), so the result equals
one executor over the whole batch. With a single context this is one executor, no copies.

The batch axis of each input is where 'N' is in its ``DataDesc.layout`` (axis 1 for 'TNC'), and
that of each output where 'N' is in the output's ``__layout__`` attribute (axis 0 by default).
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterator

import numpy as np

from ..base import MXNetError
from ..executor import Recording
from ..io import DataDesc
from ..ndarray.ndarray import NDArray, concatenate

__all__ = ["DataParallelExecutorGroup", "split_batch"]


def _batch_axis(layout: str | None) -> int:
    return DataDesc.get_batch_axis(layout)


def _part(values: np.ndarray, axis: int, part: slice) -> np.ndarray:
    """The samples ``part`` of ``values`` along ``axis`` (all of them without a batch axis)."""
    return values if axis < 0 else values[(slice(None),) * axis + (part,)]


def _prepare_group2ctxs(group2ctxs: Any, num_contexts: int) -> list[dict | None]:
    """One ``{group: context}`` per executor, from MXNet's forms: None, a list of dicts (one per
    context), or a dict whose values are a context or a list of one or ``num_contexts``."""
    if group2ctxs is None:
        return [None] * num_contexts
    if isinstance(group2ctxs, list):
        if len(group2ctxs) != num_contexts:
            raise MXNetError(f"group2ctxs: a list needs one dict per context ({num_contexts}), "
                             f"got {len(group2ctxs)}")
        return group2ctxs
    per_exec: list[dict] = [{} for _ in range(num_contexts)]
    for group, ctxs in group2ctxs.items():
        ctxs = ctxs if isinstance(ctxs, list) else [ctxs]
        if len(ctxs) == 1:
            ctxs = ctxs * num_contexts
        if len(ctxs) != num_contexts:
            raise MXNetError(f"group2ctxs: group {group!r} lists {len(ctxs)} contexts; give one "
                             f"or one per context ({num_contexts})")
        for k, ctx in enumerate(ctxs):
            per_exec[k][group] = ctx
    return per_exec


def split_batch(batch_size: int, work_load_list: list[float]) -> list[slice]:
    """Cut ``range(batch_size)`` into one slice per context, proportional to its work load."""
    total = float(sum(work_load_list))
    sizes = [int(round(w * batch_size / total)) for w in work_load_list]
    sizes[-1] = batch_size - sum(sizes[:-1])
    if min(sizes) <= 0:
        raise MXNetError(f"batch size {batch_size} is too small to split over "
                         f"{len(work_load_list)} contexts (work loads {work_load_list})")
    slices, start = [], 0
    for size in sizes:
        slices.append(slice(start, start + size))
        start += size
    return slices


class DataParallelExecutorGroup:
    """The executors of a Module, one per context.

    Parameters
    ----------
    symbol : Symbol
        The network.
    contexts : list of Context
        One executor per context.
    workload : list of float
        Relative share of the batch for each context.
    data_shapes, label_shapes : list of DataDesc
        Input shapes for the whole batch.
    param_names : list of str
        The arguments that are parameters (not data or label).
    for_training, inputs_need_grad : bool
        Whether gradients of parameters (and of the data) are needed.
    shared_group : DataParallelExecutorGroup, optional
        Share parameter arrays with this group (used when rebinding for a new batch shape).
    fixed_param_names : list of str, optional
        Parameters that are not trained (no gradient).
    grad_req : str or dict, default 'write'
        Gradient request for the parameters.
    group2ctxs : dict or list of dict, optional
        Contexts of the symbol's ``ctx_group`` tags, per executor (see ``_prepare_group2ctxs``).
    """

    def __init__(self, symbol: Any, contexts: list, workload: list[float],
                 data_shapes: list[DataDesc], label_shapes: list[DataDesc] | None,
                 param_names: list[str], for_training: bool, inputs_need_grad: bool,
                 shared_group: DataParallelExecutorGroup | None = None,
                 logger: Any = logging, fixed_param_names: list[str] | None = None,
                 grad_req: Any = "write", state_names: list[str] | None = None,
                 group2ctxs: Any = None) -> None:
        self.symbol = symbol
        self.contexts = contexts
        self.workload = workload
        self.param_names = param_names
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.fixed_param_names = set(fixed_param_names or [])
        self.logger = logger
        self.arg_names = symbol.list_arguments()
        self.aux_names = symbol.list_auxiliary_states()
        self.output_names = symbol.list_outputs()
        self._grad_req_param = grad_req
        self.state_names = list(state_names or [])
        self.group2ctxs = _prepare_group2ctxs(group2ctxs, len(contexts))
        self.output_layouts = [_batch_axis(symbol[i].attr("__layout__"))
                               for i in range(len(self.output_names))]
        self.execs: list[Any] = []
        self.bind_exec(data_shapes, label_shapes, shared_group)

    def _grad_reqs(self, data_names: list[str]) -> dict[str, str]:
        """Each argument's grad_req, by MXNet's rules: a string applies to the parameters and,
        with inputs_need_grad, to the data; a dict overrides the defaults ('write' for
        parameters, and for data that needs gradients) name by name."""
        given = self._grad_req_param
        default = "write" if isinstance(given, dict) else given
        reqs = {}
        for name in self.arg_names:
            if not self.for_training:
                reqs[name] = "null"
            elif name in self.param_names:
                reqs[name] = "null" if name in self.fixed_param_names else default
            elif name in data_names:
                reqs[name] = default if self.inputs_need_grad else "null"
            else:
                reqs[name] = "null"
        if isinstance(given, dict) and self.for_training:
            reqs.update((k, v) for k, v in given.items() if k in reqs)
        return reqs

    def bind_exec(self, data_shapes: list[DataDesc], label_shapes: list[DataDesc] | None,
                  shared_group: DataParallelExecutorGroup | None = None) -> None:
        """Create one executor per context for these input shapes. Executors that replace
        this group's own (a reshape) keep what watched them: ``keep_intermediates``, a
        monitor, and the recorder of ``record``."""
        self.data_shapes = list(data_shapes)
        self.label_shapes = list(label_shapes or [])
        self.data_layouts = [_batch_axis(d.layout) for d in self.data_shapes]
        self.label_layouts = [_batch_axis(d.layout) for d in self.label_shapes]
        self.batch_size = self.data_shapes[0].shape[max(self.data_layouts[0], 0)]
        self.has_outputs = False  # the executors' outputs are placeholders until a forward
        self.slices = split_batch(self.batch_size, self.workload)
        data_names = [d.name for d in self.data_shapes]
        self.label_names = [d.name for d in self.label_shapes]
        reqs = self._grad_reqs(data_names)
        old_execs = shared_group.execs if shared_group is not None else self.execs
        execs = [self._bind_one(k, reqs, old_execs[k] if k < len(old_execs) else None)
                 for k in range(len(self.contexts))]
        if shared_group is self:
            for old, new in zip(old_execs, execs):
                _carry_watchers(old, new)
        self.execs = execs
        self._collect_arrays(data_names, reqs)

    def _bind_one(self, k: int, reqs: dict[str, str], shared: Any) -> Any:
        """The executor of context ``k`` for its share of the batch."""
        part = self.slices[k]
        descs = self.data_shapes + self.label_shapes
        shapes = {d.name: _sliced_shape(d.shape, axis, part.stop - part.start)
                  for d, axis in zip(descs, self.data_layouts + self.label_layouts)}
        return self.symbol.simple_bind(self.contexts[k],
                                       grad_req=[reqs[n] for n in self.arg_names],
                                       type_dict={d.name: d.dtype for d in descs},
                                       shared_exec=shared, group2ctx=self.group2ctxs[k],
                                       **shapes)

    def _collect_arrays(self, data_names: list[str], reqs: dict[str, str]) -> None:
        """Each array by name across the executors (one entry per context)."""
        execs = self.execs
        self.param_arrays = [[e.arg_dict[n] for e in execs] for n in self.param_names]
        self.grad_arrays = [[e.grad_dict.get(n) for e in execs] for n in self.param_names]
        self.aux_arrays = [[e.aux_dict[n] for e in execs] for n in self.aux_names]
        self.data_arrays = [[e.arg_dict[n] for e in execs] for n in data_names]
        self.label_arrays = [[e.arg_dict[n] for e in execs] for n in self.label_names
                             if n in self.arg_names]
        self.state_arrays = [[e.arg_dict[n] for e in execs] for n in self.state_names]
        # an input bound with grad_req 'null' has no gradient: None, as MXNet reports it
        self.input_grad_arrays = ([[e.grad_dict[n] if reqs[n] != "null" else None for e in execs]
                                   for n in data_names] if self.inputs_need_grad else [])

    @contextlib.contextmanager
    def record(self) -> Iterator[Recording]:
        """Record the passes of the first context's executor inside the block (see
        ``Executor.record``), also when a batch of another size rebinds it on the way."""
        recording = Recording()
        before = self.execs[0].recorder
        self.execs[0].recorder = recording
        try:
            yield recording
        finally:
            self.execs[0].recorder = before

    def reshape(self, data_shapes: list[DataDesc], label_shapes: list[DataDesc] | None) -> None:
        """Rebind for new input shapes, keeping the parameter arrays."""
        if data_shapes == self.data_shapes and (label_shapes or []) == self.label_shapes:
            return
        self._check_param_shapes(data_shapes, label_shapes or [])
        self.bind_exec(data_shapes, label_shapes, shared_group=self)

    def _check_param_shapes(self, data_shapes: list[DataDesc],
                            label_shapes: list[DataDesc]) -> None:
        """New input shapes must not change a parameter's shape (that would need new weights)."""
        batch_size = data_shapes[0].shape[0]  # as bind_exec does, labels follow the data's size
        known = {d.name: (batch_size, *d.shape[1:]) for d in data_shapes + label_shapes}
        arg_shapes, _, _ = self.symbol.infer_shape_partial(**known)
        for name, shape in zip(self.arg_names, arg_shapes):
            if name not in self.param_names or not shape:
                continue
            old = self.param_arrays[self.param_names.index(name)][0].shape
            if tuple(shape) != old:
                given = ", ".join(f"{n} {s}" for n, s in known.items())
                bound = ", ".join(f"{d.name} {d.shape}" for d in self.data_shapes)
                raise MXNetError(f"the inputs ({given}) do not fit the bound module "
                                 f"({bound}): parameter {name!r} would need shape {tuple(shape)} "
                                 f"but has {old}; only the batch size may change")

    # ---- parameters -----------------------------------------------------------------------
    def set_params(self, arg_params: dict[str, NDArray], aux_params: dict[str, NDArray],
                   allow_extra: bool = False) -> None:
        """Copy parameters into every executor."""
        for executor in self.execs:
            executor.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)

    def get_params(self, arg_params: dict[str, NDArray], aux_params: dict[str, NDArray]) -> None:
        """Copy parameters out of the executors (averaged over contexts) into the given dicts."""
        for name, blocks in zip(self.param_names, self.param_arrays):
            _average_into(blocks, arg_params[name])
        for name, blocks in zip(self.aux_names, self.aux_arrays):
            _average_into(blocks, aux_params[name])

    # ---- computation ------------------------------------------------------------------------
    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Copy the batch's slices into the executors and run them forward."""
        if is_train is None:
            is_train = self.for_training
        _load(data_batch.data, self.data_arrays, self.slices, "data", self.data_shapes,
              self.data_layouts)
        labels = getattr(data_batch, "label", None)  # a batch may be any object with .data
        if self.label_arrays and labels:
            _load(labels, self.label_arrays, self.slices, "label", self.label_shapes,
                  self.label_layouts)
        for executor in self.execs:
            executor.forward(is_train=is_train)
        self.has_outputs = True

    def backward(self, out_grads: list[NDArray] | None = None) -> None:
        """Run every executor backward (head gradients are sliced like the batch)."""
        if not self.for_training:
            raise MXNetError("backward: the module was bound with for_training=False; "
                             "bind(..., for_training=True) to compute gradients")
        for executor, part in zip(self.execs, self.slices):
            grads = None
            if out_grads is not None:
                grads = [NDArray(_part(g._data, axis, part), g.context)
                         if len(self.execs) > 1 else g
                         for g, axis in zip(out_grads, self.output_layouts)]
            executor.backward(out_grads=grads)

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """Outputs, concatenated over contexts unless ``merge_multi_context`` is False."""
        if not self.has_outputs:
            raise MXNetError("get_outputs: no forward pass has run since the module was bound "
                             "(or reshaped); call forward(batch) first")
        outputs = [[e.outputs[i] for e in self.execs] for i in range(len(self.output_names))]
        return _merge(outputs, self.output_layouts) if merge_multi_context else outputs

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Gradients of the data inputs (needs ``inputs_need_grad=True`` at bind)."""
        if not merge_multi_context:
            return self.input_grad_arrays
        return _merge(self.input_grad_arrays, self.data_layouts)

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        """Update ``eval_metric`` with each executor's outputs and its slice of the labels."""
        for k, (executor, part) in enumerate(zip(self.execs, self.slices)):
            if pre_sliced:
                labels_slice = labels[k]
            elif len(self.execs) == 1:
                labels_slice = labels
            else:
                axes = self.label_layouts or [0] * len(labels)
                labels_slice = [NDArray(_part(label._data, axis, part), label.context)
                                for label, axis in zip(labels, axes)]
            eval_metric.update_dict(dict(zip(self.label_names, labels_slice or [])),
                                    executor.output_dict)  # the outputs by name

    def get_states(self, merge_multi_context: bool = True) -> list:
        """The state arrays (e.g. an RNN's hidden state), merged over contexts unless not."""
        if not merge_multi_context:
            return self.state_arrays
        return _merge(self.state_arrays, [0] * len(self.state_arrays))

    def set_states(self, states: list | None = None, value: float | None = None) -> None:
        """Set the states from ``states`` (per state: one array for the whole batch, or a
        list with one array per context) or fill them all with ``value``."""
        if (states is None) == (value is None):
            raise MXNetError("set_states: give either states or value, not both or neither")
        if states is None:
            for blocks in self.state_arrays:
                for block in blocks:
                    block._data[...] = value
            return
        if len(states) != len(self.state_arrays):
            raise MXNetError(f"set_states: {len(states)} states given, the module has "
                             f"{len(self.state_arrays)} ({self.state_names})")
        for source, blocks in zip(states, self.state_arrays):
            if isinstance(source, (list, tuple)):  # one array per context
                for src, block in zip(source, blocks):
                    block._data[...] = src._data if isinstance(src, NDArray) else src
            else:
                values = source._data if isinstance(source, NDArray) else np.asarray(source)
                for block, part in zip(blocks, self.slices):
                    block._data[...] = values if len(blocks) == 1 else values[part]

    def install_monitor(self, monitor: Any) -> None:
        """Let ``monitor`` watch every executor."""
        for executor in self.execs:
            monitor.install(executor)


def _carry_watchers(old: Any, new: Any) -> None:
    """Give the executor that replaces ``old`` for a new batch shape what watched ``old``."""
    new.keep_intermediates = old.keep_intermediates
    new.recorder = old.recorder
    if old._monitor is not None:
        new.set_monitor_callback(old._monitor, old._monitor_all)


def _sliced_shape(shape: tuple, axis: int, size: int) -> tuple:
    """``shape`` with ``size`` samples along the batch ``axis`` (unchanged without one)."""
    return shape if axis < 0 else (*shape[:axis], size, *shape[axis + 1:])


def _load(sources: list, targets: list[list[NDArray]], slices: list[slice], what: str,
          descs: list[DataDesc], axes: list[int]) -> None:
    if len(sources) != len(targets):
        names = [d.name for d in descs]
        raise MXNetError(f"forward: the batch has {len(sources)} {what} arrays, the module was "
                         f"bound with {len(targets)} ({names})")
    for source, blocks, desc, axis in zip(sources, targets, descs, axes):
        values = source._data if isinstance(source, NDArray) else np.asarray(source)
        if len(blocks) == 1 and values.shape == blocks[0].shape:  # one context, as bound
            blocks[0]._data[...] = values  # casts like np.copyto(casting="unsafe"), but quicker
            continue
        if axis >= 0 and (values.ndim <= axis or values.shape[axis] != slices[-1].stop):
            raise MXNetError(f"forward: {what} {desc.name!r} has shape {values.shape} but the "
                             f"batch size is {slices[-1].stop}; every data and label array of a "
                             f"batch needs that many samples along axis {axis} (where its "
                             f"layout has 'N')")
        for block, part in zip(blocks, slices):
            piece = values if len(blocks) == 1 else _part(values, axis, part)
            if piece.shape != block.shape:
                raise MXNetError(f"forward: {what} {desc.name!r} has shape {values.shape}, "
                                 f"the module was bound with {desc.shape}")
            block._data[...] = piece  # casts like np.copyto(casting="unsafe"), but quicker


def _merge(per_context: list[list[NDArray]], axes: list[int]) -> list[NDArray]:
    """Each output joined over the contexts along its batch axis (the first copy without)."""
    return [blocks[0] if len(blocks) == 1 or axis < 0 or blocks[0] is None
            else concatenate(blocks, axis=axis) for blocks, axis in zip(per_context, axes)]


def _average_into(blocks: list[NDArray], target: NDArray) -> None:
    if len(blocks) == 1:
        np.copyto(target._data, blocks[0]._data)
    else:
        np.copyto(target._data, sum(b._data for b in blocks) / len(blocks))
