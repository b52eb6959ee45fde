"""``step_through``: one batch through the network, node by node, forward and then backward.

It runs one real forward and backward pass of a Module and records it with the executor's
``record()``: each operator's inputs and outputs on the way forward, and on the way back the
gradient arriving at each output and the gradient the operator's ``backward`` sent to each
input. Nothing is recomputed here; every number comes from ``teachmod/executor.py``.

In Jupyter the result is a widget (graph with the current node highlighted, values, numpy
code); in a script it is a sequence of plain-text records::

    walk = mx.viz.step_through(mod, batch)
    for step in walk:
        print(step)
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from ..symbol.symbol import Symbol

if TYPE_CHECKING:
    import graphviz

    from ..executor import PlanStep, Recording, StepRecord

__all__ = ["step_through", "StepThrough", "Step", "Tensor"]

# How the current node is drawn: a thick red outline forward, a thick blue one backward.
HIGHLIGHT = {"forward": {"color": "#d62728", "penwidth": "4"},
             "backward": {"color": "#1f77b4", "penwidth": "4"}}
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Tensor:
    """One tensor shown at a step.

    ``role`` is its place at the operator (``data``, ``weight``, ``output``, ...), ``name``
    its name in the graph (``fc1_weight``, ``relu1_output``), ``value`` a copy of the array
    (None when there is none, and ``note`` says why).
    """

    role: str
    name: str
    value: np.ndarray | None
    note: str = ""

    def text(self, width: int = 11) -> str:
        """One line: role (padded to ``width``), name, shape, type and statistics (or the
        note)."""
        head = f"{self.role:<{width}} {self.name:<20}"
        if self.value is None:
            return f"{head} -- {self.note}"
        shape = "x".join(str(d) for d in self.value.shape) or "scalar"
        line = f"{head} {shape:<12} {self.value.dtype.name:<8} {summary(self.value)}"
        return f"{line}  ({self.note})" if self.note else line


@dataclass
class Step:
    """One node visited in one direction.

    Forward: ``inputs`` are the values the operator read, ``outputs`` what it returned.
    Backward: ``outputs`` are the gradients arriving at the node's outputs, ``inputs`` the
    gradients its ``backward`` sent to each input (data, weight, bias, ...).
    ``code`` is where the numpy code of that forward (or backward) is: (file, first line).
    """

    index: int
    direction: Literal["forward", "backward"]
    number: int  # 1-based position within its direction
    count: int   # nodes in that direction
    node: str
    op: str
    attrs: dict[str, str]
    inputs: list[Tensor]
    outputs: list[Tensor]
    code: tuple[str, int]
    note: str = ""
    source: str = field(default="", repr=False)

    def title(self) -> str:
        """``forward 2/4: relu1 = Activation(act_type=relu)``."""
        attrs = ", ".join(f"{k}={v}" for k, v in self.attrs.items())
        return f"{self.direction} {self.number}/{self.count}: {self.node} = {self.op}({attrs})"

    def text(self) -> str:
        """The whole record as text, as printed outside Jupyter."""
        lines = [f"[{self.title()}]",
                 f"  numpy code: {self.code[0]}:{self.code[1]} ({self.direction})"]
        if self.note:
            lines.append(f"  {self.note}")
        if self.direction == "forward":
            groups = (("inputs", self.inputs), ("outputs", self.outputs))
        else:
            groups = (("gradient arriving at the outputs", self.outputs),
                      ("gradient sent to the inputs", self.inputs))
        width = max(len(t.role) for t in self.inputs + self.outputs)
        for heading, tensors in groups:
            lines.append(f"  {heading}:")
            lines.extend(f"    {t.text(width)}" for t in tensors)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def summary(value: np.ndarray) -> str:
    """Mean, std, min and max of an array; the share of zeros and of non-finite values when
    there are any; the first few values."""
    flat = np.asarray(value, dtype=np.float64).ravel()
    if flat.size == 0:
        return "empty"
    finite = flat[np.isfinite(flat)]
    parts = []
    if finite.size:
        parts.append(f"mean {finite.mean():.4g}  std {finite.std():.4g}  "
                     f"min {finite.min():.4g}  max {finite.max():.4g}")
    zeros = np.count_nonzero(flat == 0)
    if zeros:
        parts.append(f"zeros {100 * zeros / flat.size:.0f}%")
    if finite.size < flat.size:
        parts.append(f"non-finite {flat.size - finite.size}")
    head = " ".join(f"{v:.3g}" for v in flat[:4])
    parts.append(f"[{head}{' ...' if flat.size > 4 else ''}]")
    return "  ".join(parts)


def _where(function: Callable) -> tuple[tuple[str, int], str]:
    """(file relative to the repository, first line) and the source text of ``function``;
    ('<unknown>', 0) and '' for code whose source Python cannot find (typed into a REPL)."""
    try:
        path = Path(inspect.getsourcefile(function) or "?").resolve()
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return ("<unknown>", 0), ""
    try:
        shown = str(path.relative_to(_PACKAGE_ROOT))
    except ValueError:
        shown = str(path)
    return (shown, first), _dedent(lines)


def _dedent(lines: list[str]) -> str:
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "".join(line[indent:] if line.strip() else "\n" for line in lines)


class StepThrough:
    """The recorded walk through one batch: ``len(walk)`` steps, forward then backward.

    Index it (``walk[3]``), iterate it, move with ``next()``/``prev()``/``go(i)``, draw the
    current step's graph with ``graph()``, or show it as a widget (``widget()``, or just
    leave ``walk`` at the end of a Jupyter cell). Created by :func:`step_through`.
    """

    def __init__(self, symbol: Symbol, steps: list[Step], shapes: dict[str, tuple[int, ...]],
                 examples: int) -> None:
        self.symbol = symbol
        self.steps = steps
        self.shapes = shapes
        self.examples = examples
        self.position = 0
        self._svg: dict[int, str] = {}

    # ---- the records ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    @property
    def current(self) -> Step:
        """The step at ``position``."""
        return self.steps[self.position]

    def forward_steps(self) -> list[Step]:
        return [s for s in self.steps if s.direction == "forward"]

    def backward_steps(self) -> list[Step]:
        return [s for s in self.steps if s.direction == "backward"]

    def go(self, index: int) -> Step:
        """Move to step ``index`` (negative counts from the end) and return it."""
        if not -len(self.steps) <= index < len(self.steps):
            raise IndexError(f"step {index} is out of range: there are {len(self.steps)} steps")
        self.position = index % len(self.steps)
        return self.current

    def next(self) -> Step:
        """Move one step on (stays at the last step) and return it."""
        return self.go(min(self.position + 1, len(self.steps) - 1))

    def prev(self) -> Step:
        """Move one step back (stays at the first step) and return it."""
        return self.go(max(self.position - 1, 0))

    def text(self) -> str:
        """Every step as text, forward then backward."""
        return "\n\n".join(step.text() for step in self.steps)

    def print(self) -> None:
        """Print every step, one record after the other."""
        print(self.text())

    def interact(self, read: Callable[[str], str] = input) -> None:
        """A terminal walk: Enter or n goes on, p back, a number jumps there, q quits."""
        print(self.current.text())
        while True:
            answer = read("[Enter/n] next  [p] previous  [number] go to  [q] quit > ").strip()
            if answer == "q":
                return
            if answer in ("", "n"):
                if self.position == len(self.steps) - 1:
                    return
                self.next()
            elif answer == "p":
                self.prev()
            elif answer.lstrip("-").isdigit() and -len(self) <= int(answer) < len(self):
                self.go(int(answer))
            else:
                print(f"? {answer!r}: use Enter, n, p, q or a step number below {len(self)}")
                continue
            print(self.current.text())

    def __repr__(self) -> str:
        forward, backward = self.forward_steps(), self.backward_steps()
        back = (f", then backward {backward[0].node} .. {backward[-1].node}" if backward
                else ", no backward (the module was bound with for_training=False)")
        return (f"<StepThrough of one batch of {self.examples}: {len(self)} steps, forward "
                f"{forward[0].node} .. {forward[-1].node}{back}; at step {self.position}. "
                f"print(walk[i]), for step in walk: ..., or walk.print()>")

    # ---- drawing --------------------------------------------------------------------------------
    def graph(self, index: int | None = None) -> graphviz.Digraph:
        """``plot_network``'s drawing (edges labelled with shapes) with the node of step
        ``index`` (default: the current one) outlined: red forward, blue backward."""
        from .plot import plot_network

        step = self.steps[self.position if index is None else index]
        dot = plot_network(self.symbol, title=f"step {step.index}", save_format="svg",
                           shape=self.shapes)
        dot.node(step.node, **HIGHLIGHT[step.direction])
        return dot

    def svg(self, index: int | None = None) -> str:
        """The graph of step ``index`` rendered to SVG by ``dot`` (cached)."""
        index = self.position if index is None else index
        if index not in self._svg:
            self._svg[index] = self.graph(index).pipe(format="svg", encoding="utf-8",
                                                      quiet=True)
        return self._svg[index]

    def html(self, index: int | None = None) -> str:
        """The view of step ``index`` as HTML: graph, tensors with histograms, numpy code."""
        from ._step_view import step_html

        return step_html(self, self.position if index is None else index)

    def widget(self) -> Any:
        """An ipywidgets control: previous/next buttons, a slider, play, and the view."""
        from ._step_view import StepWidget

        return StepWidget(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget()._repr_mimebundle_(include=include, exclude=exclude))
        bundle["text/plain"] = repr(self)
        return bundle


# ---- recording ------------------------------------------------------------------------------
_NOT_COMPUTED = "not computed: the operator lists this output, as MXNet does, but returns none"


def record(recording: Recording, heads: set[str], aux_before: dict[str, np.ndarray],
           backward: bool) -> list[Step]:
    """The steps of a recorded pass (``Executor.record``): every forward in execution order,
    then, with ``backward``, every node in reverse order. ``heads`` are the names of the
    network's outputs; ``aux_before`` the auxiliary states (BatchNorm's moving averages) as
    they were before the forward, which updates them while training."""
    count = len(recording.forward)
    aux_note = "as before this batch; the forward updates it" if backward else ""
    steps = [_forward_step(rec, count, aux_before, aux_note) for rec in recording.forward]
    if not backward:
        return steps
    ran = {rec.step.index: rec for rec in recording.backward}
    senders: dict[str, int] = {}  # how many backward steps sent a gradient to each tensor
    for rec in recording.backward:
        for name, grad in zip(rec.step.input_names, rec.inputs):
            senders[name] = senders.get(name, 0) + (grad is not None)
    for number, rec in enumerate(reversed(recording.forward), 1):
        steps.append(_backward_step(len(steps), number, count, rec.step,
                                    ran.get(rec.step.index), heads, senders))
    return steps


def _forward_step(rec: StepRecord, count: int, aux_before: dict[str, np.ndarray],
                  aux_note: str) -> Step:
    step, op = rec.step, rec.step.op
    code, source = _where(type(op).forward)
    inputs = [Tensor(role, name, value)
              for role, name, value in zip(op.list_arguments(), step.input_names, rec.inputs)]
    inputs += [Tensor(f"{role} (aux)", name, aux_before[name], aux_note)
               for role, name in zip(op.list_auxiliary_states(), step.aux_names)]
    returned = rec.outputs + [None] * (len(step.output_names) - len(rec.outputs))
    outputs = [Tensor(role, name, value, "" if value is not None else _NOT_COMPUTED)
               for role, name, value in zip(op.list_outputs(), step.output_names, returned)]
    return Step(step.index, "forward", step.index + 1, count, step.name, op.name,
                dict(op.attrs), inputs, outputs, code, source=source)


def _arriving(role: str, name: str, grad: np.ndarray | None, op: Any, heads: set[str]) -> Tensor:
    """The gradient arriving at one output of a node, with what it is."""
    if name in heads and op.is_loss:
        return Tensor(role, name, None, "a loss layer: its backward starts from the label and "
                                        "ignores the head gradient")
    if name in heads:
        return Tensor(role, name, grad, "the head gradient: ones unless given to backward")
    if grad is None:
        return Tensor(role, name, None, "no gradient (output not used)")
    return Tensor(role, name, grad)


def _backward_step(index: int, number: int, count: int, step: PlanStep,
                   rec: StepRecord | None, heads: set[str], senders: dict[str, int]) -> Step:
    """The backward of one node: ``rec`` is its record, None if its backward did not run."""
    op = step.op
    code, source = _where(type(op).backward)
    arrived = rec.outputs if rec is not None else [None] * len(step.output_names)
    arriving = [_arriving(role, name, grad, op, heads)
                for role, name, grad in zip(op.list_outputs(), step.output_names, arrived)]
    mask = op.grad_mask or (True,) * len(step.inputs)
    sent = []
    for i, (role, name) in enumerate(zip(op.list_arguments(), step.input_names)):
        if rec is None:
            why = ("nothing before this node is trained" if not step.needs_backward
                   else "no gradient reached this node")
            sent.append(Tensor(role, name, None, f"backward not run: {why}"))
        elif not mask[i] or rec.inputs[i] is None:
            sent.append(Tensor(role, name, None, "no gradient needed"))
        else:
            shared = "summed with other uses of this tensor" if senders[name] > 1 else ""
            sent.append(Tensor(role, name, rec.inputs[i], shared))
    note = "backward not run for this node" if rec is None else ""
    return Step(index, "backward", number, count, step.name, op.name, dict(op.attrs),
                sent, arriving, code, note, source=source)


def _first_batch(batch: Any) -> Any:
    """A DataBatch as given, or the first batch of a data iterator."""
    if batch is None:
        raise TypeError("step_through(module, batch): give the batch to run, e.g. "
                        "next(iter(train_iter)) or mx.io.DataBatch(data=[x], label=[y])")
    if hasattr(batch, "reset") and hasattr(batch, "next"):
        batch.reset()
        return batch.next()
    if hasattr(batch, "data") and hasattr(batch, "label"):
        return batch
    raise TypeError(f"step_through: batch must be an mx.io.DataBatch or a data iterator, "
                    f"got {type(batch).__name__}")


def _module_for(symbol: Symbol, inputs: dict[str, Any], arg_params: dict | None,
                aux_params: dict | None, initializer: Any) -> tuple[Any, Any]:
    """A bound, initialised Module for ``symbol`` and a DataBatch holding ``inputs``."""
    from ..io import DataBatch
    from ..module import Module
    from ..ndarray import array as nd_array

    if not inputs:
        raise TypeError("step_through(symbol, ...): give the input arrays by name, e.g. "
                        "step_through(net, data=x, softmax_label=y)")
    arrays = {k: v if isinstance(v, NDArray) else nd_array(v) for k, v in inputs.items()}
    labels = [n for n in arrays if n.endswith("label")]
    data = [n for n in arrays if n not in labels]
    module = Module(symbol, data_names=data, label_names=labels)
    module.bind(data_shapes=[(n, arrays[n].shape) for n in data],
                label_shapes=[(n, arrays[n].shape) for n in labels] or None)
    module.init_params(initializer, arg_params=arg_params, aux_params=aux_params,
                       allow_missing=arg_params is not None or aux_params is not None)
    return module, DataBatch(data=[arrays[n] for n in data], label=[arrays[n] for n in labels])


def step_through(model: Any, batch: Any = None, *, arg_params: dict | None = None,
                 aux_params: dict | None = None, initializer: Any = None,
                 **inputs: Any) -> StepThrough:
    """Run one batch forward and backward and record it node by node.

    Parameters
    ----------
    model : Module or Symbol
        A Module that is bound and has its parameters initialised, or a Symbol (then give the
        input arrays as keyword arguments; parameters come from ``arg_params``/``aux_params``
        or ``initializer``, default ``mx.init.Uniform(0.01)`` as in ``init_params``).
    batch : DataBatch or DataIter
        The batch to run (an iterator gives its first batch). Only with a Module.
    arg_params, aux_params, initializer
        Parameters when ``model`` is a Symbol.
    **inputs : NDArray or numpy array
        The inputs when ``model`` is a Symbol, e.g. ``data=x, softmax_label=y``.

    Returns
    -------
    StepThrough
        Every operator forward in execution order, then every operator backward in reverse
        order. A widget in Jupyter; ``print(walk[i])`` or ``walk.print()`` elsewhere.

    Notes
    -----
    With a Module this is ``mod.forward_backward(batch)``: the module's gradients are those
    of this batch afterwards (``mod.update()`` would apply them). BatchNorm's moving averages
    are put back as they were. With several contexts the first context's share is shown.

    Examples
    --------
    >>> walk = mx.viz.step_through(mod, next(iter(train_iter)))
    >>> print(walk[0])        # forward through the first operator
    >>> walk                  # in Jupyter: the widget
    """
    if isinstance(model, Symbol):
        if batch is not None:
            raise TypeError("step_through(symbol, ...) takes the inputs as keyword arguments "
                            "(data=x, softmax_label=y), not a batch")
        model, batch = _module_for(model, inputs, arg_params, aux_params, initializer)
    elif inputs or arg_params is not None or aux_params is not None or initializer is not None:
        raise TypeError("step_through(module, batch): the module already has its inputs and "
                        "parameters; keyword arguments are only for a Symbol")
    if not hasattr(model, "_exec_group") or not hasattr(model, "_require"):
        raise TypeError(f"step_through: model must be an mx.mod.Module or an mx.sym Symbol, "
                        f"got {type(model).__name__}")
    model._require("binded", "params_initialized", action="step_through")
    batch = _first_batch(batch)
    group = model._exec_group
    saved_aux = [[a.asnumpy() for a in e.aux_arrays] for e in group.execs]
    aux_before = dict(zip(group.execs[0].aux_dict, saved_aux[0]))
    try:
        # the recording follows the first context's executor, also when a batch of another
        # size makes the module rebind: the walk is of the executor that ran this batch
        with group.record() as recording:
            model.forward(batch, is_train=model.for_training)
            if model.for_training:
                model.backward()
    finally:
        for e, arrays in zip(model._exec_group.execs, saved_aux):
            for target, old in zip(e.aux_arrays, arrays):
                np.copyto(target._data, old)
    steps = record(recording, set(model.symbol.list_outputs()), aux_before, model.for_training)
    if not steps:
        raise MXNetError("step_through: the network has no operators to step through")
    executor = model._exec_group.execs[0]
    shapes = {name: array.shape for name, array in executor.arg_dict.items()}
    examples = executor.arg_dict[model._exec_group.data_shapes[0].name].shape[0]
    return StepThrough(model.symbol, steps, shapes, examples)
