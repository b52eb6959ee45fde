"""The executor: runs a bound symbol forward and backward.

Bind time reads the graph once and writes a *plan*: a list of steps in topological order,
each naming the numbered slots its inputs and outputs live in, whether it runs backward, and
which tensors can be let go after it. Everything particular to an operator or a graph is
settled there; ``forward`` and ``backward`` are two short loops over the plan that call each
operator's ``forward`` and ``backward`` (the interface in ``teachmod/ops/registry.py``) and
never look at an operator's name.

Memory: each operator says which of its tensors its backward reads (``backward_reads``). From
that, the plan lists after which step every intermediate tensor can be let go -- in forward once
no later operator and no backward needs it, in backward once the last backward that reads it has
run -- and a gradient is let go as soon as the operator that produced it has consumed it. So a
training batch holds about what backward must keep, as in MXNet's memory planner. Set
``keep_intermediates = True`` to keep every tensor and gradient of the last pass
(``values_by_name``, ``gradients_by_name``, ``gradients_sent``). As MXNet's planner does, the
plan also lets an operator with an in-place option (relu) write over an array that nothing else
holds (a fast path, ``_plan_in_place``; ``TEACHMOD_REFERENCE=1`` switches it off).

Watching a pass: ``executor.record()`` (or any callable put in ``executor.recorder``) receives
one :class:`StepRecord` per step, forward and backward, with the values and gradients of that
step; ``mx.viz.step_through`` is built on it.
"""
from __future__ import annotations

import contextlib
import copy
import ctypes
import math
import os
import platform
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Literal

import numpy as np

from .base import MXNetError, dtype_np
from .ndarray.ndarray import NDArray
from .ops.registry import Operator, shape_is_known
from .reference import fast_paths

__all__ = ["Executor", "PlanStep", "StepRecord", "Recording"]

GRAD_REQS = ("write", "add", "null")


_MALLOC_TUNED = False


def _reuse_freed_memory() -> None:
    """Let the C allocator keep large freed arrays for reuse (glibc only; once per process).

    By default glibc hands large freed blocks back to the kernel (blocks above its mmap
    threshold, and free memory at the top of the heap), so the next batch's arrays are
    page-faulted in and zero-filled again. Here blocks of up to 1 GiB come from the heap and the
    heap is never shrunk, so the next batch reuses the memory the last one freed, as a
    framework's memory pool would (and, as with a pool, the process keeps its peak memory).
    It is opt-in: ``TEACHMOD_KEEP_HEAP=1`` makes every bind call it, and the benchmarks call it
    themselves; what it gains is measured in ``docs/performance.md``.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    try:
        libc = ctypes.CDLL(None)
        m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's <malloc.h>
        libc.mallopt(m_mmap_threshold, 1 << 30)
        libc.mallopt(m_trim_threshold, -1)  # never give the heap's free top back
    except (OSError, AttributeError):
        pass


def _keep_heap_asked() -> bool:
    return os.environ.get("TEACHMOD_KEEP_HEAP", "").strip().lower() in ("1", "true", "yes", "on")


class PlanStep:
    """One operator application in an executor's plan (``Executor.plan``), fixed at bind time.

    ``inputs`` and ``outputs`` are slot numbers in the executor's table of tensors, and
    ``input_names``, ``output_names``, ``aux_names`` the names of those tensors in the graph
    (``fc1_weight``, ``fc1_output``). ``needs_backward`` says whether the backward loop runs the
    step. The rest is for the loops: what can be let go after the step, and the shape and type
    of every output (None for one the operator lists but never computes, such as Pooling's
    workspace), from which an output nothing read gets a zero gradient.
    """

    __slots__ = ("index", "op", "name", "inputs", "outputs", "aux", "input_names",
                 "output_names", "aux_names", "needs_backward", "output_kinds",
                 "free_after_forward", "free_after_backward", "overwrites_input",
                 "overwrites_gradient")

    def __init__(self, index: int, op: Operator, name: str, inputs: list[int],
                 outputs: list[int], aux: list[NDArray]) -> None:
        self.index = index
        self.op = op
        self.name = name
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self.aux = tuple(aux)
        self.input_names: tuple[str, ...] = ()
        self.output_names: tuple[str, ...] = ()
        self.aux_names: tuple[str, ...] = ()
        self.needs_backward = False
        self.output_kinds: tuple[tuple[tuple[int, ...], np.dtype] | None, ...] = ()
        self.free_after_forward: tuple[int, ...] = ()
        self.free_after_backward: tuple[int, ...] = ()
        self.overwrites_input = False  # see Executor._plan_in_place
        self.overwrites_gradient = False

    def aux_values(self) -> list[np.ndarray]:
        """The auxiliary states' arrays (read each pass: an NDArray may be given new memory)."""
        return [a._data for a in self.aux] if self.aux else []

    def __repr__(self) -> str:
        return f"<PlanStep {self.index}: {self.name} = {self.op.name}{self.input_names}>"


@dataclass
class StepRecord:
    """What one step of a pass read and computed, given to ``Executor.recorder``.

    Forward: ``inputs`` are the values the operator read and ``outputs`` what it returned
    (shorter than ``step.outputs`` when the operator computes fewer than it lists). Backward:
    ``outputs`` are the gradients arriving at the step's outputs (None at an output no
    gradient came to) and ``inputs`` those its ``backward`` sent to each input (None where it
    computed none). The arrays are the
    executor's own, valid during the call only: keep a copy (as :class:`Recording` does).
    """

    direction: Literal["forward", "backward"]
    step: PlanStep
    inputs: list[np.ndarray | None]
    outputs: list[np.ndarray | None]


class Recording:
    """A recorder that keeps copies of the last pass: ``forward`` and ``backward`` records.

    Use it through ``with executor.record() as rec: ...``, or put one in ``executor.recorder``.
    """

    def __init__(self) -> None:
        self.forward: list[StepRecord] = []
        self.backward: list[StepRecord] = []

    def __call__(self, record: StepRecord) -> None:
        if record.direction == "forward" and record.step.index == 0:
            self.forward, self.backward = [], []  # a new pass begins
        kept = StepRecord(record.direction, record.step, _copies(record.inputs),
                          _copies(record.outputs))
        (self.forward if record.direction == "forward" else self.backward).append(kept)


def _copies(arrays: list[np.ndarray | None]) -> list[np.ndarray | None]:
    return [None if a is None else np.array(a, copy=True) for a in arrays]


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
    recorder : callable or None, default None
        Called with a :class:`StepRecord` after every step of ``forward`` and ``backward``
        (see ``record``).
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
        self.recorder: Callable[[StepRecord], None] | None = None
        if _keep_heap_asked():
            _reuse_freed_memory()
        self.keep_intermediates = False
        self._lean_pass = False  # the last pass let go of tensors (keep_intermediates was off)
        self._backward_ready = False  # the last forward kept what backward reads
        self._read_graph()
        self._mark_backward()
        self._plan_memory()
        self._plan_in_place()
        self._grads: list[np.ndarray | None] = []
        self._sent: dict[str, list[np.ndarray | None]] = {}
        self.outputs = self._allocate_outputs()
        self.output_dict = dict(zip(symbol.list_outputs(), self.outputs))

    # ---- bind time ------------------------------------------------------------------------
    def _given(self, kind: str) -> dict[str, Any]:
        """The shapes (``kind='shape'``) or types of the bound arguments (and aux states)."""
        if kind == "type":
            return {n: a._data.dtype for n, a in zip(self._symbol.list_arguments(),
                                                     self.arg_arrays)}
        names = self._symbol.list_arguments() + self._symbol.list_auxiliary_states()
        return {n: a.shape for n, a in zip(names, self.arg_arrays + self.aux_arrays)}

    def _check_shapes(self, arg_names: list[str], aux_names: list[str]) -> None:
        arg_shapes, _, aux_shapes = self._symbol.infer_shape_partial(**self._given("shape"))
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
        _, shapes, _ = self._symbol.infer_shape_partial(**self._given("shape"))
        _, dtypes, _ = self._symbol.infer_type_partial(**self._given("type"))
        return [NDArray(np.zeros(shape if shape_is_known(shape) else 0, dtype or np.float32),
                        self._ctx) for shape, dtype in zip(shapes, dtypes)]

    def _read_graph(self) -> None:
        """Number every tensor (slot), list the operator steps in execution order, and note
        each output's shape and type. Whatever is particular to a graph is settled here."""
        nodes = self._symbol._nodes()
        arrays = {**self.arg_dict, **self.aux_dict}
        shapes = self._symbol._infer(self._given("shape"), "shape")
        dtypes = self._symbol._infer(self._given("type"), "type")
        slot_of: dict[tuple[int, int], int] = {}  # (id(node), output index) -> slot
        self._slot_names: dict[int, str] = {}
        self._var_slots: list[tuple[int, NDArray]] = []
        self._steps: list[PlanStep] = []
        for node in nodes:
            if node.is_variable:
                slot_of[(id(node), 0)] = len(slot_of)
                self._slot_names[len(slot_of) - 1] = node.name
                self._var_slots.append((len(slot_of) - 1, arrays[node.name]))
                continue
            op = copy.copy(node.op)  # per-executor copy: state saved in forward stays ours
            num_args = len(op.list_arguments())
            step = PlanStep(len(self._steps), op, node.name,
                            [slot_of[(id(n), i)] for n, i, _ in node.inputs[:num_args]],
                            list(range(len(slot_of), len(slot_of) + len(op.list_outputs()))),
                            [arrays[n.name] for n, _, _ in node.inputs[num_args:]])
            entries = [(id(node), i) for i in range(len(step.outputs))]
            slot_of.update(zip(entries, step.outputs))
            self._slot_names.update(zip(step.outputs, node.output_names()))
            step.input_names = tuple(self._slot_names[s] for s in step.inputs)
            step.output_names = tuple(node.output_names())
            step.aux_names = tuple(n.name for n, _, _ in node.inputs[num_args:])
            # an output shape inference gives no shape is never computed (Pooling's workspace)
            step.output_kinds = tuple((shapes[e], np.dtype(dtypes.get(e, np.float32)))
                                      if e in shapes else None for e in entries)
            self._steps.append(step)
        self._num_slots = len(slot_of)
        self._slot_of = slot_of
        self._slot_bytes = {slot: math.prod(shapes.get(entry, ()))
                            * np.dtype(dtypes.get(entry, np.float32)).itemsize
                            for entry, slot in slot_of.items()}
        self._head_slots = [slot_of[(id(n), i)] for n, i in self._symbol._outputs]
        heads = [(id(n), i) for n, i in self._symbol._outputs]
        self._ones = [np.ones(shapes.get(e, 0), dtypes.get(e, np.float32)) for e in heads]
        self._values: list[np.ndarray | None] = [None] * self._num_slots

    def _mark_backward(self) -> None:
        """Which slots need a gradient and which steps run backward."""
        # a slot needs a gradient if it is on a path to an argument whose grad_req isn't null
        arg_slot = {self._slot_names[slot]: slot for slot, _ in self._var_slots}
        self._arg_slots = [arg_slot[n] for n in self._symbol.list_arguments()]
        needs = [False] * self._num_slots
        for slot, req in zip(self._arg_slots, self._grad_req):
            needs[slot] = req != "null"
        for step in self._steps:
            step.op.grad_mask = tuple(needs[s] for s in step.inputs)
            step.needs_backward = any(step.op.grad_mask)
            for s in step.outputs:
                needs[s] = step.needs_backward
        # and a step runs backward only if a gradient reaches it from the outputs: none passes
        # an operator that blocks gradients (BlockGrad), so what only feeds one needs none
        reached = [False] * self._num_slots
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
        self._grad_targets = [(slot, target, req == "add") for slot, req, target
                              in zip(self._arg_slots, self._grad_req, self.grad_arrays)
                              if req != "null"]

    def _backward_read_slots(self, step: PlanStep) -> set[int]:
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

    def _last_uses(self) -> tuple[dict[int, int], dict[int, int]]:
        """For every intermediate tensor, the last forward step that reads it (or makes it)
        and the last backward step that reads it, by position in each loop."""
        produced = {slot for step in self._steps for slot in step.outputs}
        last_forward = {}
        for i, step in enumerate(self._steps):
            last_forward.update((slot, i) for slot in step.inputs + step.outputs
                                if slot in produced)
        last_backward = {}
        for j, step in enumerate(self._backward_steps):
            last_backward.update((slot, j) for slot in self._backward_read_slots(step)
                                 if slot in produced)
        return last_forward, last_backward

    def _plan_memory(self) -> None:
        """Note on every step which intermediate tensors can be let go after it runs: in
        forward what no later step reads and no backward will; in backward what was read by
        its last reader. The outputs, which ``outputs`` hands out, are never let go."""
        last_forward, last_backward = self._last_uses()
        heads = set(self._head_slots)
        after_forward: list[list[int]] = [[] for _ in self._steps]
        for slot, i in last_forward.items():
            if slot not in heads and slot not in last_backward:
                after_forward[i].append(slot)
        after_backward: list[list[int]] = [[] for _ in self._backward_steps]
        for slot, j in last_backward.items():
            if slot not in heads:
                after_backward[j].append(slot)
        for step, slots in zip(self._steps, after_forward):
            step.free_after_forward = tuple(slots)
        for step, slots in zip(self._backward_steps, after_backward):
            step.free_after_backward = tuple(slots)

    # --- fast path (TEACHMOD_REFERENCE=1 switches it off) ------------------------------------
    # MXNet's memory planner lets an operator with an in-place option (relu) write its result
    # over an array that nothing else holds. The plan marks where that is safe; a lean pass
    # that nobody watches uses it. The same numbers, fewer new arrays (docs/fast_paths.md).
    def _plan_in_place(self) -> None:
        """Mark the steps whose forward may overwrite their input, and those whose backward
        may overwrite the gradient arriving at their output."""
        made_by = {slot: step for step in self._steps for slot in step.outputs}
        readers: dict[int, list[PlanStep]] = {}
        for step in self._steps:
            for slot in step.inputs:
                readers.setdefault(slot, []).append(step)
        heads = set(self._head_slots)
        for step in self._steps:
            if not step.op.in_place:
                continue
            # the input: a new array its maker holds no longer, read by this step alone, and
            # by no backward (so let go after this step)
            source = step.inputs[0]
            maker = made_by.get(source)
            step.overwrites_input = (maker is not None and maker.op.fresh_outputs
                                     and readers[source] == [step]
                                     and source in step.free_after_forward)
            # the gradient: a new array from the one step that reads the output
            target, users = step.outputs[0], readers.get(step.outputs[0], [])
            step.overwrites_gradient = (target not in heads and len(users) == 1
                                        and users[0].op.fresh_gradients
                                        and users[0].inputs.count(target) == 1)

    @classmethod
    def allocate(cls, symbol: Any, ctx: Any, grad_req: Any, type_dict: dict, shapes: dict,
                 shared_buffer: dict | None = None, shared_exec: Executor | None = None,
                 group2ctx: dict | None = None) -> Executor:
        """``simple_bind``: infer every shape from the given input shapes and allocate arrays.

        An array of ``shared_exec`` (or ``shared_buffer``) of the right shape is reused, unless
        its shape is among the given ``shapes``. With ``group2ctx``, a variable tagged
        ``ctx_group='g'`` (``mx.AttrScope``) gets its arrays on ``group2ctx['g']``; numpy
        computes everything alike, so this only labels them.
        """
        arg_names, aux_names = symbol.list_arguments(), symbol.list_auxiliary_states()
        arg_shapes, aux_shapes = _simple_bind_shapes(symbol, shapes)
        arg_types, aux_types = _simple_bind_types(symbol, type_dict, len(aux_names))
        reqs = _grad_reqs(grad_req, arg_names)
        attrs = symbol.attr_dict() if group2ctx else {}

        def new(name: str, shape: tuple, dtype: Any) -> NDArray:
            group = attrs.get(name, {}).get("__ctx_group__")
            return NDArray(np.zeros(shape, dtype), (group2ctx or {}).get(group, ctx))

        old_args = {**(shared_buffer or {}), **(shared_exec.arg_dict if shared_exec else {})}
        old_grads = shared_exec.grad_dict if shared_exec is not None else {}
        args, grads = [], []
        for name, shape, dtype, req in zip(arg_names, arg_shapes, arg_types, reqs):
            arg = _reusable(old_args.get(name), shape, name in shapes)
            if arg is None:
                arg = new(name, shape, dtype)
                if shared_buffer is not None:
                    shared_buffer[name] = arg
            grad = _reusable(old_grads.get(name), shape, name in shapes)
            if grad is None and req != "null":
                grad = new(name, shape, arg._data.dtype)
            args.append(arg)
            grads.append(grad if req != "null" else None)
        old_aux = shared_exec.aux_dict if shared_exec is not None else {}
        aux = []
        for name, shape, dtype in zip(aux_names, aux_shapes, aux_types):
            old = _reusable(old_aux.get(name), shape, False)
            aux.append(new(name, shape, dtype) if old is None else old)
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
        self._copy_in(kwargs)
        # let the last pass's tensors and gradients go before computing new ones, so that a
        # batch never holds two sets of activations
        values = self._values = [None] * self._num_slots
        self._grads, self._sent = [], {}
        for slot, array in self._var_slots:
            values[slot] = array._data
        lean = self._lean_pass = not self.keep_intermediates
        # as in MXNet, backward may follow an inference forward too (is_train only changes what
        # operators such as Dropout compute), so an executor with gradients keeps what it reads
        self._backward_ready = is_train or bool(self._backward_steps) or not lean
        watched = self._monitor is not None or self.recorder is not None
        in_place = lean and not watched and fast_paths()
        for step in self._steps:
            inputs = [values[s] for s in step.inputs]
            if in_place and step.overwrites_input:  # fast path, see _plan_in_place
                outputs = step.op.forward(is_train, inputs, step.aux_values(), in_place=True)
            else:
                outputs = step.op.forward(is_train, inputs, step.aux_values())
            for slot, value in zip(step.outputs, outputs):
                values[slot] = value
            if watched:
                self._watch_forward(step, inputs, outputs)
            if lean:
                for slot in step.free_after_forward:
                    values[slot] = None
        self._write_outputs(values)
        return self.outputs

    def backward(self, out_grads: Any = None, is_train: bool = True) -> None:
        """Compute gradients of the arguments and store them by each argument's grad_req.

        Parameters
        ----------
        out_grads : NDArray or list of NDArray, optional
            Gradients of the outputs; loss layers ignore them, others default to ones.
        """
        values = self._values_for_backward()
        grads = self._grads = self._head_gradients(out_grads, values)
        self._sent = sent = {}  # what each step's backward returned (gradients_sent)
        needs = self._slot_needs_grad
        lean = self._lean_pass
        self._backward_ready = not lean  # a lean backward lets go of what it read
        watched = self._monitor is not None or self.recorder is not None
        in_place = lean and not watched and fast_paths()
        for step in self._backward_steps:
            arriving = [grads[s] for s in step.outputs]
            if len(arriving) > 1:
                arriving = _with_zeros(step, arriving)
            if arriving is None or arriving[0] is None:
                continue  # nothing downstream of this step needs a gradient
            read = ([values[s] for s in step.inputs], [values[s] for s in step.outputs],
                    step.aux_values())
            if in_place and step.overwrites_gradient:  # fast path, see _plan_in_place
                in_grads = step.op.backward(arriving, *read, in_place=True)
            else:
                in_grads = step.op.backward(arriving, *read)
            if watched:
                self._watch_backward(step, in_grads, [grads[s] for s in step.outputs])
            _add_gradients(grads, step.inputs, in_grads, needs)
            if lean:  # the step's output gradients are consumed; its last readers are done
                for slot in step.outputs:
                    grads[slot] = None
                for slot in step.free_after_backward:
                    values[slot] = None
            else:
                sent[step.name] = in_grads
        self._store_gradients(grads)

    def _copy_in(self, arrays: dict[str, Any]) -> None:
        """Copy ``forward``'s keyword arguments into the argument arrays."""
        for name, value in arrays.items():
            if name not in self.arg_dict:
                raise MXNetError(f"forward: {name!r} is not an argument; arguments are "
                                 f"{list(self.arg_dict)}")
            target = self.arg_dict[name]
            source = value._data if isinstance(value, NDArray) else np.asarray(value)
            if source.shape != target.shape:
                raise MXNetError(f"forward: {name!r} has shape {source.shape}, the executor "
                                 f"was bound with {target.shape}")
            np.copyto(target._data, source, casting="unsafe")

    def _write_outputs(self, values: list[np.ndarray | None]) -> None:
        for array, slot in zip(self.outputs, self._head_slots):
            value = values[slot]
            if array._data.shape == value.shape and array._data.dtype == value.dtype:
                array._data[...] = value  # the memory bind gave the output (reshape shares it)
            else:
                array._data = value

    def _values_for_backward(self) -> list[np.ndarray | None]:
        if self._values[self._head_slots[0]] is None:
            # MXNet runs backward on whatever its buffers hold; teachmod has none yet, so it
            # runs the forward pass the gradients belong to, and says so
            warnings.warn("backward: no forward pass has run on this executor; teachmod runs "
                          "forward(is_train=True) first", stacklevel=3)
            self.forward(is_train=True)
        if not self._backward_ready:
            raise MXNetError("backward: the last forward let go of the tensors backward reads "
                             "(it ran with is_train=False, or a backward already used them); "
                             "run forward(is_train=True) again, or set keep_intermediates = True "
                             "on the executor to keep every tensor")
        return self._values

    def _head_gradients(self, out_grads: Any,
                        values: list[np.ndarray | None]) -> list[np.ndarray | None]:
        """A gradient table with the head gradients in place: those given, else ones (which
        loss layers ignore; made once, at bind time)."""
        if isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        grads: list[np.ndarray | None] = [None] * len(values)
        for i, slot in enumerate(self._head_slots):
            given = out_grads[i] if out_grads is not None and i < len(out_grads) else None
            if given is None:
                ones = self._ones[i]  # (an output inference could not tell gets its own)
                grads[slot] = ones if ones.shape == values[slot].shape else np.ones_like(
                    values[slot])
            else:
                grads[slot] = given._data if isinstance(given, NDArray) else np.asarray(given)
        return grads

    def _store_gradients(self, grads: list[np.ndarray | None]) -> None:
        """Write (or add) each argument's gradient into its gradient array."""
        for slot, target, add in self._grad_targets:
            grad = grads[slot]
            if grad is None:
                if not add:
                    target._data[...] = 0
            elif add:
                target._data += grad
            else:
                target._data[...] = grad  # casts like np.copyto(casting="unsafe"), but quicker

    # ---- watching a pass ----------------------------------------------------------------------
    @property
    def plan(self) -> tuple[PlanStep, ...]:
        """The steps ``forward`` runs, in order (``backward`` runs those with
        ``needs_backward``, in reverse)."""
        return tuple(self._steps)

    @contextlib.contextmanager
    def record(self) -> Iterator[Recording]:
        """Record the passes run inside the block: ``with ex.record() as rec: ex.forward()``;
        then ``rec.forward`` and ``rec.backward`` hold a :class:`StepRecord` per step, with
        copies of the arrays."""
        recording, before = Recording(), self.recorder
        self.recorder = recording
        try:
            yield recording
        finally:
            self.recorder = before

    def set_monitor_callback(self, callback: Callable[[str, NDArray], None],
                             monitor_all: bool = False) -> None:
        """Call ``callback(name, array)`` for every operator output (and input, with
        ``monitor_all``) during forward, and for every gradient a backward step computes."""
        self._monitor = callback
        self._monitor_all = monitor_all

    def _watch_forward(self, step: PlanStep, inputs: list[np.ndarray],
                       outputs: list[np.ndarray]) -> None:
        if self._monitor is not None:
            if self._monitor_all:
                for value, arg in zip(inputs, step.op.list_arguments()):
                    self._monitor(f"{step.name}_{arg}", NDArray(value, self._ctx))
            for value, name in zip(outputs, step.output_names):
                self._monitor(name, NDArray(value, self._ctx))
        if self.recorder is not None:
            self.recorder(StepRecord("forward", step, inputs, list(outputs)))

    def _watch_backward(self, step: PlanStep, in_grads: list[np.ndarray | None],
                        arrived: list[np.ndarray | None]) -> None:
        """Report a backward step's gradients under MXNet's names, ``<node>_backward_output``
        (``..._output0``, ``..._output1``... for several inputs; zeros where none is needed),
        and give the recorder its record (``arrived``: None where no gradient came, and the
        operator got zeros)."""
        if self._monitor is not None:
            several = len(step.inputs) > 1
            for i, (slot, grad) in enumerate(zip(step.inputs, in_grads)):
                if grad is None:
                    value = self._values[slot]
                    grad = np.zeros(value.shape if value is not None else (0,), np.float32)
                name = f"{step.name}_backward_output{i if several else ''}"
                self._monitor(name, NDArray(np.asarray(grad), self._ctx))
        if self.recorder is not None:
            self.recorder(StepRecord("backward", step, list(in_grads), arrived))

    # ---- inspection --------------------------------------------------------------------------
    def _require_kept(self, what: str) -> None:
        if self._lean_pass:
            raise MXNetError(
                f"{what}: the last pass kept only the tensors backward reads and let go of the "
                f"others as soon as they were used, to save memory. Set "
                f"keep_intermediates = True on this executor (with a Module: "
                f"mod._exec_group.execs[0]) and run forward/backward again to keep every tensor "
                f"and gradient, or record the pass with executor.record()")

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
        size = self._slot_bytes
        live: dict[int, int] = {}  # slot -> bytes of the tensors held now
        peak = 0
        for step in self._steps:
            live.update({slot: size[slot] for slot in step.outputs})
            peak = max(peak, sum(live.values()))
            for slot in step.free_after_forward:
                live.pop(slot, None)
        grads = {slot: size[slot] for slot in self._head_slots if self._backward_steps}
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


def _add_gradients(grads: list[np.ndarray | None], slots: tuple[int, ...],
                   sent: list[np.ndarray | None], needs: list[bool]) -> None:
    """Put the gradients a step sent to its input slots into the table ``grads``; those of a
    tensor used twice add up."""
    for slot, grad in zip(slots, sent):
        if grad is not None and needs[slot]:
            have = grads[slot]
            grads[slot] = grad if have is None else have + grad


def _with_zeros(step: PlanStep, arriving: list[np.ndarray | None]) -> list[np.ndarray] | None:
    """The gradients arriving at the outputs of a multi-output step, or None when none does.
    An output no gradient came to (one nothing downstream uses) gets zeros."""
    missing = [i for i, grad in enumerate(arriving) if grad is None]
    if len(missing) == len(arriving):
        return None
    for i in missing:
        kind = step.output_kinds[i]
        if kind is not None:
            arriving[i] = np.zeros(*kind)
    return arriving


def _simple_bind_shapes(symbol: Any, shapes: dict) -> tuple[list, list]:
    """The argument and aux shapes ``simple_bind`` infers from the given input shapes."""
    arg_shapes, _, aux_shapes = symbol.infer_shape_partial(**shapes)
    missing = [n for n, s in zip(symbol.list_arguments(), arg_shapes) if not s]
    missing += [n for n, s in zip(symbol.list_auxiliary_states(), aux_shapes) if not s]
    if missing:
        raise MXNetError(f"simple_bind: cannot infer the shapes of {missing}; "
                         f"given shapes {shapes}. Provide them as keyword arguments.")
    return arg_shapes, aux_shapes


def _simple_bind_types(symbol: Any, type_dict: dict, num_aux: int) -> tuple[list, list]:
    """The argument and aux types from ``type_dict`` (float32 where nothing tells)."""
    known = {n: dtype_np(t) for n, t in type_dict.items() if n in symbol.list_inputs()}
    arg_types, _, aux_types = symbol.infer_type(**known)
    if arg_types is None:
        return [np.float32] * len(symbol.list_arguments()), [np.float32] * num_aux
    return arg_types, aux_types


def _reusable(old: NDArray | None, shape: tuple, given: bool) -> NDArray | None:
    """``old`` if a new executor may share it: it has the shape, which was not given anew."""
    return old if old is not None and not given and old.shape == tuple(shape) else None
