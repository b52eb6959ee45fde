"""The executor: runs a bound symbol forward and backward.

At bind time the graph is turned into a *plan*: a flat list of steps in topological order,
where every tensor lives in a numbered slot. ``forward`` walks the plan once calling each
operator's ``forward``; ``backward`` walks it in reverse calling ``backward`` and summing the
gradients that meet at a slot. The executor never looks at an operator's name: all it knows
is the interface in ``teachmod/ops/registry.py``.

Memory: each operator says which of its tensors its backward reads (``backward_reads``). From
that, the plan lists after which step every intermediate tensor can be let go -- in forward once
no later operator and no backward needs it, in backward once the last backward that reads it has
run -- and a gradient is let go as soon as the operator that produced it has consumed it. So a
training batch holds about what backward must keep, as in MXNet's memory planner. Set
``keep_intermediates = True`` to keep every tensor and gradient of the last pass for inspection
(``values_by_name``, ``gradients_by_name``; ``mx.viz.step_through`` does this for you).
"""
from __future__ import annotations

import copy
import ctypes
import math
import os
import platform
import warnings
from operator import itemgetter
from typing import Any, Callable

import numpy as np

from .base import MXNetError, dtype_np
from .ndarray.ndarray import NDArray
from .ops.registry import Operator, shape_is_known

__all__ = ["Executor"]

GRAD_REQS = ("write", "add", "null")


_MALLOC_TUNED = False


def _reuse_freed_memory() -> None:
    """Let the C allocator keep large freed arrays for reuse (glibc only; once per process).

    By default glibc hands large freed blocks back to the kernel (blocks above its mmap
    threshold, and free memory at the top of the heap), so every batch's activations -- hundreds
    of MB for the book's 224 x 224 CNN -- are page-faulted in and zero-filled by the kernel
    again, batch after batch: a third of the time of a training step. Here blocks of up to
    1 GiB come from the heap, and the heap is never shrunk, so the next batch's arrays, of the
    same sizes, reuse the memory the last batch freed: the buffer reuse between batches that a
    framework's memory pool gives (and, as with a pool, the process keeps its peak memory),
    without changing any operator. ``TEACHMOD_KEEP_HEAP=0`` in the environment leaves the
    allocator as it is (the process then hands memory back between batches).
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if os.environ.get("TEACHMOD_KEEP_HEAP", "").strip().lower() in ("0", "false", "no", "off"):
        return
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    try:
        libc = ctypes.CDLL(None)
        m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's <malloc.h>
        libc.mallopt(m_mmap_threshold, 1 << 30)
        libc.mallopt(m_trim_threshold, -1)  # never give the heap's free top back
    except (OSError, AttributeError):
        pass


def _gatherer(slots: tuple[int, ...]) -> Callable[[list], tuple]:
    """A function ``values -> tuple(values[s] for s in slots)``, made once at bind time: the
    per-batch loops call one for every step, and an ``operator.itemgetter`` is the quickest."""
    if len(slots) == 1:
        (slot,) = slots
        return lambda values: (values[slot],)
    if not slots:
        return lambda values: ()
    return itemgetter(*slots)


class _Step:
    """One operator application: where its inputs and outputs live in the slot table."""

    __slots__ = ("op", "name", "inputs", "outputs", "aux", "needs_backward", "output_names",
                 "gather_inputs", "gather_outputs", "free_after_train", "free_after_inference",
                 "free_after_backward", "output_kinds")

    def __init__(self, op: Any, name: str, inputs: list[int], outputs: list[int],
                 aux: list[NDArray], output_names: list[str]) -> None:
        self.op = op
        self.name = name
        self.inputs = tuple(inputs)  # tuples: the per-batch loops only read them
        self.outputs = tuple(outputs)
        self.aux = tuple(aux)
        self.needs_backward = False
        self.output_names = output_names
        self.gather_inputs = _gatherer(self.inputs)
        self.gather_outputs = _gatherer(self.outputs)
        # slots whose tensors can be let go after this step (filled in by _plan_memory)
        self.free_after_train: tuple[int, ...] = ()
        self.free_after_inference: tuple[int, ...] = ()
        self.free_after_backward: tuple[int, ...] = ()
        # shape and dtype of each output of a multi-output step, recorded by forward: an output
        # nothing used gets a zero gradient, even after its tensor was let go
        self.output_kinds: list[tuple[tuple[int, ...], np.dtype]] = []


def _by_name(arrays: Any, names: list[str], what: str, required: bool) -> list[NDArray | None]:
    """Arrays given as a list (in ``names`` order) or a dict, as a list in ``names`` order.

    A dict may hold arrays for names the symbol does not use: as in MXNet they are ignored, so
    one dict of parameters can bind several symbols.
    """
    if arrays is None:
        if required and names:
            raise MXNetError(f"bind: {what} are required for {names}")
        return [None] * len(names)
    if isinstance(arrays, dict):
        result = [arrays.get(n) for n in names]
    else:
        result = list(arrays)
        if len(result) != len(names):
            raise MXNetError(
                f"bind: {what} has {len(result)} arrays but the symbol has {len(names)}: {names}"
            )
    if required:
        missing = [n for n, a in zip(names, result) if a is None]
        if missing:
            unused = sorted(set(arrays) - set(names)) if isinstance(arrays, dict) else []
            hint = f" (it has {unused}, which the symbol does not use)" if unused else ""
            raise MXNetError(f"bind: {what} is missing {missing}{hint}")
    for name, array in zip(names, result):
        if array is not None and not isinstance(array, NDArray):
            raise TypeError(f"bind: {what}[{name!r}] must be an NDArray, got "
                            f"{type(array).__name__}")
    return result


def _grad_reqs(grad_req: Any, names: list[str]) -> list[str]:
    if isinstance(grad_req, str):
        reqs = [grad_req] * len(names)
    elif isinstance(grad_req, dict):
        reqs = [grad_req.get(n, "null") for n in names]
    else:
        reqs = list(grad_req)
        if len(reqs) != len(names):
            raise MXNetError(f"bind: grad_req has {len(reqs)} entries for {len(names)} arguments")
    for name, req in zip(names, reqs):
        if req not in GRAD_REQS:
            raise MXNetError(f"bind: grad_req for {name!r} must be one of {GRAD_REQS}, got {req!r}")
    return reqs


class Executor:
    """A symbol bound to arrays: ``forward``, ``backward``, and the arrays by name.

    Create it with ``Symbol.bind`` or ``Symbol.simple_bind``.

    Attributes
    ----------
    keep_intermediates : bool, default False
        Keep every tensor and gradient of a pass, to look at them with ``values_by_name``,
        ``gradients_by_name`` and ``gradients_sent`` (and to call ``backward`` twice). Off, a
        pass lets go of each intermediate tensor once nothing will read it again.
    """

    def __init__(self, symbol: Any, ctx: Any, args: Any, args_grad: Any = None,
                 grad_req: Any = "write", aux_states: Any = None) -> None:
        self._symbol = symbol
        self._ctx = ctx
        arg_names = symbol.list_arguments()
        aux_names = symbol.list_auxiliary_states()
        self.arg_arrays: list[NDArray] = _by_name(args, arg_names, "args", True)
        self.aux_arrays: list[NDArray] = _by_name(aux_states, aux_names, "aux_states", True)
        self.grad_arrays: list[NDArray | None] = _by_name(args_grad, arg_names, "args_grad", False)
        reqs = _grad_reqs(grad_req, arg_names)
        self._grad_req = [r if g is not None else "null" for r, g in zip(reqs, self.grad_arrays)]
        self._check_shapes(arg_names, aux_names)
        self.arg_dict = dict(zip(arg_names, self.arg_arrays))
        self.aux_dict = dict(zip(aux_names, self.aux_arrays))
        self.grad_dict = {n: g for n, g in zip(arg_names, self.grad_arrays) if g is not None}
        self._monitor: Callable[[str, NDArray], None] | None = None
        self._monitor_all = False
        _reuse_freed_memory()
        self.keep_intermediates = False
        self._lean_pass = False  # the last pass let go of tensors (keep_intermediates was off)
        self._backward_ready = False  # the last forward kept what backward reads
        self._build_plan()
        self._plan_memory()
        self.outputs = self._allocate_outputs()
        self.output_dict = dict(zip(symbol.list_outputs(), self.outputs))

    # ---- bind time ------------------------------------------------------------------------
    def _check_shapes(self, arg_names: list[str], aux_names: list[str]) -> None:
        given = {n: a.shape for n, a in zip(arg_names, self.arg_arrays)}
        given.update({n: a.shape for n, a in zip(aux_names, self.aux_arrays)})
        arg_shapes, _, aux_shapes = self._symbol.infer_shape_partial(**given)
        for name, array, needed in zip(arg_names + aux_names,
                                       self.arg_arrays + self.aux_arrays,
                                       list(arg_shapes) + list(aux_shapes)):
            if needed and tuple(needed) != array.shape:
                raise MXNetError(f"bind: argument {name!r} has shape {array.shape}, "
                                 f"the graph needs {tuple(needed)}")
        for name, array, grad in zip(arg_names, self.arg_arrays, self.grad_arrays):
            if grad is not None and grad.shape != array.shape:
                raise MXNetError(f"bind: gradient array of {name!r} has shape {grad.shape}, "
                                 f"the argument has {array.shape}")

    def _allocate_outputs(self) -> list[NDArray]:
        """The output arrays, allocated once at bind time as in MXNet (``forward`` writes into
        them); an output whose shape or type inference cannot tell starts empty."""
        given = {n: a.shape for n, a in zip(self._symbol.list_arguments(), self.arg_arrays)}
        given.update({n: a.shape for n, a in zip(self._symbol.list_auxiliary_states(),
                                                 self.aux_arrays)})
        types = {n: a._data.dtype for n, a in zip(self._symbol.list_arguments(), self.arg_arrays)}
        _, shapes, _ = self._symbol.infer_shape_partial(**given)
        _, dtypes, _ = self._symbol.infer_type_partial(**types)
        return [NDArray(np.zeros(shape if shape_is_known(shape) else 0, dtype or np.float32),
                        self._ctx) for shape, dtype in zip(shapes, dtypes)]

    def _build_plan(self) -> None:
        """Number every tensor (slot) and list the operator steps in execution order."""
        nodes = self._symbol._nodes()
        arrays = {**self.arg_dict, **self.aux_dict}
        slot_of: dict[tuple[int, int], int] = {}
        self._var_slots: list[tuple[int, NDArray]] = []
        self._steps: list[_Step] = []
        num_slots = 0
        for node in nodes:
            if node.is_variable:
                slot_of[(id(node), 0)] = num_slots
                self._var_slots.append((num_slots, arrays[node.name]))
                num_slots += 1
                continue
            op = copy.copy(node.op)  # per-executor copy: state saved in forward stays ours
            num_args = len(op.list_arguments())
            inputs = [slot_of[(id(n), i)] for n, i, _ in node.inputs[:num_args]]
            aux = [arrays[n.name] for n, _, _ in node.inputs[num_args:]]
            outputs = list(range(num_slots, num_slots + len(op.list_outputs())))
            for i, slot in enumerate(outputs):
                slot_of[(id(node), i)] = slot
            num_slots += len(outputs)
            self._steps.append(_Step(op, node.name, inputs, outputs, aux, node.output_names()))
        self._values: list[np.ndarray | None] = [None] * num_slots
        self._slot_of = slot_of  # (id(node), output index) -> slot
        self._head_slots = [slot_of[(id(n), i)] for n, i in self._symbol._outputs]
        self._head_is_loss = [(n.op is not None and n.op.is_loss) for n, _ in self._symbol._outputs]
        # which slots need a gradient: those on a path to an argument whose grad_req isn't null
        needs = [False] * num_slots
        self._arg_slots = []
        var_slot = {id(n): slot_of[(id(n), 0)] for n in nodes if n.is_variable}
        names_to_node = {n.name: n for n in nodes if n.is_variable}
        for name, req in zip(self._symbol.list_arguments(), self._grad_req):
            slot = var_slot[id(names_to_node[name])]
            self._arg_slots.append(slot)
            needs[slot] = req != "null"
        for step in self._steps:
            step.needs_backward = any(needs[s] for s in step.inputs)
            step.op.grad_mask = tuple(needs[s] for s in step.inputs)
            for s in step.outputs:
                needs[s] = step.needs_backward
        # and those a gradient reaches from the outputs: none passes an operator that blocks
        # gradients (BlockGrad), so what only feeds one needs no backward, as in MXNet
        reached = [False] * num_slots
        for slot in self._head_slots:
            reached[slot] = True
        for step in reversed(self._steps):
            step.needs_backward = (step.needs_backward and not step.op.blocks_gradient
                                   and any(reached[s] for s in step.outputs))
            for s in step.inputs:
                reached[s] = reached[s] or step.needs_backward
        self._slot_needs_grad = needs
        self._backward_steps = [s for s in reversed(self._steps) if s.needs_backward]
        for step in self._backward_steps:  # refuse at bind time, as MXNet does
            if type(step.op).backward is Operator.backward:
                raise MXNetError(
                    f"bind: {step.op.where()} is not differentiable (it has no backward), but "
                    f"a gradient is asked for through it; use grad_req='null' for the "
                    f"arguments below it, or put a BlockGrad (mx.sym.stop_gradient) after it")
        self._grads: list[np.ndarray | None] = []
        self._sent: dict[str, list[np.ndarray | None]] = {}
        self._slot_names = {slot: n.name for slot, n in zip(
            (slot for slot, _ in self._var_slots), (n for n in nodes if n.is_variable))}
        for step in self._steps:
            self._slot_names.update(zip(step.outputs, step.output_names))
        self._grad_targets = [(slot, target, req == "add") for slot, req, target
                              in zip(self._arg_slots, self._grad_req, self.grad_arrays)
                              if req != "null"]
        self._head_ones: list[np.ndarray | None] = [None] * len(self._head_slots)

    def _backward_read_slots(self, step: _Step) -> set[int]:
        """The slots whose values ``step``'s backward reads (from its ``backward_reads``)."""
        op = step.op
        slots = step.inputs + step.outputs
        if op.backward_reads is None:
            return set(slots)
        names = op.list_arguments() + op.list_outputs()
        unknown = sorted(set(op.backward_reads) - set(names))
        if unknown:
            raise MXNetError(f"{op.where()}: backward_reads names {unknown}, which are not "
                             f"among its inputs and outputs {names}")
        return {slot for name, slot in zip(names, slots) if name in op.backward_reads}

    def _plan_memory(self) -> None:
        """Note on every step which intermediate tensors can be let go after it runs."""
        produced = {slot for step in self._steps for slot in step.outputs}
        never_freed = set(self._head_slots)  # the outputs, which ``outputs`` hands out
        last_forward_use = {slot: i for i, step in enumerate(self._steps)
                            for slot in step.outputs}
        for i, step in enumerate(self._steps):
            for slot in step.inputs:
                if slot in produced:
                    last_forward_use[slot] = i
        last_backward_use: dict[int, int] = {}
        for j, step in enumerate(self._backward_steps):
            for slot in self._backward_read_slots(step):
                if slot in produced:
                    last_backward_use[slot] = j  # the loop leaves the last backward reader
        after_forward: dict[int, list[int]] = {i: [] for i in range(len(self._steps))}
        for slot, last in last_forward_use.items():
            if slot not in never_freed:
                after_forward[last].append(slot)
        after_backward: dict[int, list[int]] = {j: [] for j in range(len(self._backward_steps))}
        for slot, last in last_backward_use.items():
            if slot not in never_freed:
                after_backward[last].append(slot)
        for i, step in enumerate(self._steps):
            step.free_after_inference = tuple(after_forward[i])
            step.free_after_train = tuple(s for s in after_forward[i] if s not in last_backward_use)
        for j, step in enumerate(self._backward_steps):
            step.free_after_backward = tuple(after_backward[j])

    @classmethod
    def allocate(cls, symbol: Any, ctx: Any, grad_req: Any, type_dict: dict, shapes: dict,
                 shared_buffer: dict | None = None, shared_exec: Executor | None = None,
                 group2ctx: dict | None = None) -> Executor:
        """``simple_bind``: infer every shape from the given input shapes and allocate arrays.

        With ``group2ctx``, a variable tagged ``ctx_group='g'`` (``mx.AttrScope``) gets its
        arrays on ``group2ctx['g']``; numpy computes everything alike, so this only labels them.
        """
        arg_names = symbol.list_arguments()
        attrs = symbol.attr_dict() if group2ctx else {}

        def ctx_of(name: str) -> Any:
            return (group2ctx or {}).get(attrs.get(name, {}).get("__ctx_group__"), ctx)

        arg_shapes, _, aux_shapes = symbol.infer_shape_partial(**shapes)
        missing = [n for n, s in zip(arg_names, arg_shapes) if not s]
        missing += [n for n, s in zip(symbol.list_auxiliary_states(), aux_shapes) if not s]
        if missing:
            raise MXNetError(f"simple_bind: cannot infer the shapes of {missing}; "
                             f"given shapes {shapes}. Provide them as keyword arguments.")
        known_types = {n: dtype_np(t) for n, t in type_dict.items()}
        arg_types, _, aux_types = symbol.infer_type(**{n: t for n, t in known_types.items()
                                                       if n in symbol.list_inputs()})
        if arg_types is None:
            arg_types = [np.float32] * len(arg_names)
            aux_types = [np.float32] * len(aux_shapes)
        reqs = _grad_reqs(grad_req, arg_names)
        shared = dict(shared_buffer or {})
        if shared_exec is not None:
            shared.update(shared_exec.arg_dict)

        def reuse_or_new(name: str, shape: tuple, dtype: Any) -> NDArray:
            old = shared.get(name)
            if old is not None and old.shape == tuple(shape) and name not in shapes:
                return old
            array = NDArray(np.zeros(shape, dtype), ctx_of(name))
            if shared_buffer is not None:
                shared_buffer[name] = array
            return array

        args = [reuse_or_new(n, s, t) for n, s, t in zip(arg_names, arg_shapes, arg_types)]
        grads = []
        for name, array, req in zip(arg_names, args, reqs):
            old = shared_exec.grad_dict.get(name) if shared_exec is not None else None
            if req == "null":
                grads.append(None)
            elif old is not None and old.shape == array.shape and name not in shapes:
                grads.append(old)
            else:
                grads.append(NDArray(np.zeros(array.shape, array._data.dtype), ctx_of(name)))
        aux_old = shared_exec.aux_dict if shared_exec is not None else {}
        aux = []
        for name, shape, dtype in zip(symbol.list_auxiliary_states(), aux_shapes, aux_types):
            old = aux_old.get(name)
            aux.append(old if old is not None and old.shape == tuple(shape)
                       else NDArray(np.zeros(shape, dtype), ctx_of(name)))
        return cls(symbol, ctx, args, grads, reqs, aux)

    # ---- running ----------------------------------------------------------------------------
    def forward(self, is_train: bool = False, **kwargs: Any) -> list[NDArray]:
        """Compute the outputs.

        Parameters
        ----------
        is_train : bool, default False
            Training mode (Dropout drops, BatchNorm uses batch statistics and updates its
            moving averages) and keep what backward needs.
        **kwargs : NDArray or numpy array
            New values for arguments, copied in before computing, e.g. ``data=batch``.
        """
        for name, value in kwargs.items():
            if name not in self.arg_dict:
                raise MXNetError(f"forward: {name!r} is not an argument; arguments are "
                                 f"{list(self.arg_dict)}")
            target = self.arg_dict[name]
            source = value._data if isinstance(value, NDArray) else np.asarray(value)
            if source.shape != target.shape:
                raise MXNetError(f"forward: {name!r} has shape {source.shape}, the executor "
                                 f"was bound with {target.shape}")
            np.copyto(target._data, source, casting="unsafe")
        # let the last pass's tensors and gradients go before computing new ones, so that a
        # batch never holds two sets of activations
        values = self._values = [None] * len(self._values)
        self._grads, self._sent = [], {}
        for slot, array in self._var_slots:
            values[slot] = array._data
        monitor = self._monitor
        lean = self._lean_pass = not self.keep_intermediates
        # as in MXNet, backward may follow an inference forward too (is_train only changes what
        # operators such as Dropout compute), so an executor with gradients keeps what it reads
        keep = is_train or bool(self._backward_steps)
        self._backward_ready = keep or not lean
        for step in self._steps:
            outputs = step.op.forward(is_train, step.gather_inputs(values),
                                      [a._data for a in step.aux] if step.aux else [])
            slots = step.outputs
            if len(slots) == 1:
                values[slots[0]] = outputs[0]
            else:
                for slot, out in zip(slots, outputs):
                    values[slot] = out
                step.output_kinds = [(out.shape, out.dtype) for out in outputs]
            if monitor is not None:
                self._report(step)
            if lean:  # let go of what no later step and no backward will read
                for slot in step.free_after_train if keep else step.free_after_inference:
                    values[slot] = None
        for array, slot in zip(self.outputs, self._head_slots):
            value = values[slot]
            if array._data.shape == value.shape and array._data.dtype == value.dtype:
                array._data[...] = value  # the memory bind gave the output (reshape shares it)
            else:
                array._data = value
        return self.outputs

    def backward(self, out_grads: Any = None, is_train: bool = True) -> None:
        """Compute gradients of the arguments and store them by each argument's grad_req.

        Parameters
        ----------
        out_grads : NDArray or list of NDArray, optional
            Gradients of the outputs; loss layers ignore them, others default to ones.
        """
        values = self._values
        if values[self._head_slots[0]] is None:
            # MXNet runs backward on whatever its buffers hold; teachmod has none yet, so it
            # runs the forward pass the gradients belong to, and says so
            warnings.warn("backward: no forward pass has run on this executor; teachmod runs "
                          "forward(is_train=True) first", stacklevel=2)
            self.forward(is_train=True)
            values = self._values
        if not self._backward_ready:
            raise MXNetError("backward: the last forward let go of the tensors backward reads "
                             "(it ran with is_train=False, or a backward already used them); "
                             "run forward(is_train=True) again, or set keep_intermediates = True "
                             "on the executor to keep every tensor")
        if isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        grads: list[np.ndarray | None] = [None] * len(values)
        for i, slot in enumerate(self._head_slots):
            given = out_grads[i] if out_grads is not None and i < len(out_grads) else None
            if given is not None:
                grads[slot] = given._data if isinstance(given, NDArray) else np.asarray(given)
            else:
                # the default head gradient is ones (loss layers ignore it); keep one array
                ones = self._head_ones[i]
                if ones is None or ones.shape != values[slot].shape:
                    ones = self._head_ones[i] = np.ones_like(values[slot])
                grads[slot] = ones
        self._grads = grads  # kept for inspection (gradients_by_name)
        self._sent = sent = {}  # and what each step's backward returned (gradients_sent)
        needs = self._slot_needs_grad
        lean = self._lean_pass
        self._backward_ready = not lean  # a lean backward lets go of what it read
        for step in self._backward_steps:
            outputs = step.outputs
            if len(outputs) == 1:
                out_grad = grads[outputs[0]]
                if out_grad is None:
                    continue  # nothing downstream of this step needs a gradient
                out_grads_step = [out_grad]
            else:
                out_grads_step = [grads[s] for s in outputs]
                missing = [i for i, g in enumerate(out_grads_step) if g is None]
                if len(missing) == len(out_grads_step):
                    continue
                kinds = step.output_kinds  # (an operator may compute fewer than it lists)
                for i in missing:  # an unused output of a multi-output operator
                    out_grads_step[i] = np.zeros(*kinds[i]) if i < len(kinds) else None
            inputs = step.inputs
            in_grads = step.op.backward(out_grads_step, step.gather_inputs(values),
                                        step.gather_outputs(values),
                                        [a._data for a in step.aux] if step.aux else [])
            if self._monitor is not None:
                self._report_backward(step, in_grads)
            for slot, grad in zip(inputs, in_grads):
                if grad is None or not needs[slot]:
                    continue
                # gradients of a tensor used by several operators add up
                have = grads[slot]
                grads[slot] = grad if have is None else have + grad
            if lean:  # the step's output gradients are consumed; its last readers are done
                for slot in outputs:
                    grads[slot] = None
                for slot in step.free_after_backward:
                    values[slot] = None
            else:
                sent[step.name] = in_grads
        for slot, target, add in self._grad_targets:
            grad = grads[slot]
            if grad is None:
                if not add:
                    target._data[...] = 0
            elif add:
                target._data += grad
            else:
                target._data[...] = grad  # casts like np.copyto(casting="unsafe"), but quicker

    # ---- inspection --------------------------------------------------------------------------
    def set_monitor_callback(self, callback: Callable[[str, NDArray], None],
                             monitor_all: bool = False) -> None:
        """Call ``callback(name, array)`` for every operator output (and input, with
        ``monitor_all``) during forward, and for every gradient a backward step computes."""
        self._monitor = callback
        self._monitor_all = monitor_all

    def _report(self, step: _Step) -> None:
        if self._monitor_all:
            for slot, arg in zip(step.inputs, step.op.list_arguments()):
                self._monitor(f"{step.name}_{arg}", NDArray(self._values[slot], self._ctx))
        for slot, name in zip(step.outputs, step.output_names):
            self._monitor(name, NDArray(self._values[slot], self._ctx))

    def _report_backward(self, step: _Step, in_grads: list) -> None:
        """Report a backward step's gradients under MXNet's names, ``<node>_backward_output``
        (``..._output0``, ``..._output1``... for several inputs); zeros where none is needed."""
        several = len(step.inputs) > 1
        for i, (slot, grad) in enumerate(zip(step.inputs, in_grads)):
            if grad is None:
                value = self._values[slot]
                grad = np.zeros(value.shape if value is not None else (0,), np.float32)
            name = f"{step.name}_backward_output{i if several else ''}"
            self._monitor(name, NDArray(np.asarray(grad), self._ctx))

    def _require_kept(self, what: str) -> None:
        if self._lean_pass:
            raise MXNetError(
                f"{what}: the last pass kept only the tensors backward reads and let go of the "
                f"others as soon as they were used, to save memory. Set "
                f"keep_intermediates = True on this executor (with a Module: "
                f"mod._exec_group.execs[0]) and run forward/backward again to keep every tensor "
                f"and gradient; mx.viz.step_through(mod, batch) does that for you")

    def values_by_name(self) -> dict[str, NDArray]:
        """Every tensor of the last forward pass, by name: inputs (``data``, ``fc1_weight``)
        and operator outputs (``fc1_output``), in execution order. For teaching and debugging;
        needs ``keep_intermediates = True`` during the pass."""
        self._require_kept("values_by_name")
        return {self._slot_names[slot]: NDArray(value, self._ctx)
                for slot, value in enumerate(self._values) if value is not None}

    def gradients_by_name(self) -> dict[str, NDArray]:
        """The gradient reaching every tensor in the last backward pass, by name (tensors that
        needed no gradient are left out); needs ``keep_intermediates = True`` during the pass."""
        self._require_kept("gradients_by_name")
        return {self._slot_names[slot]: NDArray(grad, self._ctx)
                for slot, grad in enumerate(self._grads) if grad is not None}

    def gradients_sent(self) -> dict[str, list[NDArray | None]]:
        """What each operator's backward returned in the last backward pass, by node name: one
        gradient per input (None where it computed none), before the gradients that meet at a
        tensor used twice are summed. Nodes whose backward did not run are left out. Needs
        ``keep_intermediates = True`` during the pass."""
        self._require_kept("gradients_sent")
        return {name: [None if g is None else NDArray(g, self._ctx) for g in grads]
                for name, grads in self._sent.items()}

    def copy_params_from(self, arg_params: dict[str, NDArray],
                         aux_params: dict[str, NDArray] | None = None,
                         allow_extra_params: bool = False) -> None:
        """Copy parameter values into this executor's arrays, by name."""
        for params, targets, what in ((arg_params, self.arg_dict, "argument"),
                                      (aux_params or {}, self.aux_dict, "auxiliary state")):
            for name, value in params.items():
                if name in targets:
                    source = value._data if isinstance(value, NDArray) else np.asarray(value)
                    if source.shape != targets[name].shape:
                        raise MXNetError(f"copy_params_from: {what} {name!r} has shape "
                                         f"{source.shape}, expected {targets[name].shape}")
                    np.copyto(targets[name]._data, source, casting="unsafe")
                elif not allow_extra_params:
                    raise ValueError(f"copy_params_from: {name!r} is not an {what} of the "
                                     f"symbol (pass allow_extra_params=True to skip it)")

    def reshape(self, partial_shaping: bool = False, allow_up_sizing: bool = False,
                **kwargs: Any) -> Executor:
        """A new executor for new input shapes that shares memory with this one, as in MXNet.

        An array whose shape stays is the same array; one that gets smaller is a view of the
        first elements of the old one (outputs too), so the two executors must not run at the
        same time; one that gets larger is new, which needs ``allow_up_sizing=True``.

        Parameters
        ----------
        partial_shaping : bool, default False
            Allow the shape of an argument not named in ``kwargs`` to change.
        allow_up_sizing : bool, default False
            Allow new, larger arrays.
        **kwargs : tuple of int
            New shapes of arguments, e.g. ``data=(16, 10)``.
        """
        symbol = self._symbol
        arg_names, aux_names = symbol.list_arguments(), symbol.list_auxiliary_states()
        arg_shapes, _, aux_shapes = symbol.infer_shape_partial(**kwargs)
        unknown = [n for n, s in zip(arg_names + aux_names, arg_shapes + aux_shapes)
                   if not shape_is_known(s)]
        if unknown:
            raise MXNetError(f"reshape: the shapes {kwargs} leave the shapes of {unknown} "
                             f"undecided; give them too")

        def resized(old: NDArray, shape: tuple[int, ...], what: str) -> NDArray:
            if old.shape == shape:
                return old
            size = math.prod(shape)
            if size > old._data.size:
                if not allow_up_sizing:
                    raise MXNetError(f"reshape: the new shape {shape} of {what} is larger than "
                                     f"its old shape {old.shape}; pass allow_up_sizing=True to "
                                     f"allocate new arrays (binding the largest shapes first "
                                     f"and reshaping to smaller ones avoids that)")
                return NDArray(np.zeros(shape, old._data.dtype), self._ctx)
            return NDArray(old._data.reshape(-1)[:size].reshape(shape), self._ctx)

        args, grads = [], []
        for name, shape, old, grad in zip(arg_names, arg_shapes, self.arg_arrays,
                                          self.grad_arrays):
            if shape != old.shape and name not in kwargs and not partial_shaping:
                raise MXNetError(f"reshape: the shape of {name!r} changes from {old.shape} to "
                                 f"{shape}, so the new executor would not share it; pass "
                                 f"partial_shaping=True if that is intended")
            args.append(resized(old, shape, repr(name)))
            grads.append(None if grad is None else resized(grad, shape, f"the gradient of "
                                                                        f"{name!r}"))
        aux = [resized(old, shape, repr(name))
               for name, shape, old in zip(aux_names, aux_shapes, self.aux_arrays)]
        executor = Executor(symbol, self._ctx, args, grads, self._grad_req, aux)
        for old, new in zip(self.outputs, executor.outputs):  # outputs that fit share memory
            if 0 < new._data.size <= old._data.size and new._data.dtype == old._data.dtype:
                new._data = resized(old, new.shape, "an output")._data
        executor.output_dict = dict(zip(symbol.list_outputs(), executor.outputs))
        return executor

    def _peak_bytes(self) -> int:
        """The most memory the operators' outputs and their gradients hold at one time in a
        pass -- forward, then backward if this executor runs one -- when each tensor is let
        go as the memory plan says (arguments, their gradients and auxiliary states are not
        counted: the caller owns them)."""
        given = {n: a.shape for n, a in zip(self._symbol.list_arguments(), self.arg_arrays)}
        given.update({n: a.shape for n, a in zip(self._symbol.list_auxiliary_states(),
                                                 self.aux_arrays)})
        types = {n: a._data.dtype for n, a in zip(self._symbol.list_arguments(), self.arg_arrays)}
        shapes, dtypes = self._symbol._infer(given, "shape"), self._symbol._infer(types, "type")
        size = {slot: math.prod(shapes.get(entry, ()))
                * np.dtype(dtypes.get(entry, "float32")).itemsize
                for entry, slot in self._slot_of.items()}
        training = bool(self._backward_steps)
        live: dict[int, int] = {}  # slot -> bytes of the tensors held now
        peak = 0
        for step in self._steps:
            live.update({slot: size[slot] for slot in step.outputs})
            peak = max(peak, sum(live.values()))
            for slot in step.free_after_train if training else step.free_after_inference:
                live.pop(slot, None)
        grads = {slot: size[slot] for slot in self._head_slots if training}
        produced = {slot for step in self._steps for slot in step.outputs}
        for step in self._backward_steps:
            grads.update({s: size[s] for s in step.inputs if s in produced})
            peak = max(peak, sum(live.values()) + sum(grads.values()))
            for slot in step.outputs:
                grads.pop(slot, None)
            for slot in step.free_after_backward:
                live.pop(slot, None)
        return peak

    def debug_str(self) -> str:
        """The execution plan, one operator per line, and the memory it needs at most, in
        MXNet's words ``Total N MB allocated``."""
        lines = [f"Symbol outputs: {self._symbol.list_outputs()}"]
        for step in self._steps:
            lines.append(f"Op:{step.op.name}, Name={step.name}, inputs={step.inputs}, "
                         f"outputs={step.outputs}")
        lines.append(f"Total {self._peak_bytes() >> 20} MB allocated")
        return "\n".join(lines)
