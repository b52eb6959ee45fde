"""Checks shared by the operator tests: finite differences and MXNet 1.9.1 golden cases."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

from teachmod.ops import registry

GOLDEN = Path(__file__).parent / "golden" / "ops"


def make_op(op_name: str, attrs: dict | None = None) -> registry.Operator:
    return registry.get(op_name)(attrs or {}, "test_node")


def numeric_gradient(objective: Callable[[], float], array: np.ndarray,
                     eps: float = 1e-6) -> np.ndarray:
    """Central differences of ``objective`` with respect to every element of ``array``."""
    grad = np.zeros_like(array)
    flat, grad_flat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = objective()
        flat[i] = saved - eps
        down = objective()
        flat[i] = saved
        grad_flat[i] = (up - down) / (2 * eps)
    return grad


def check_gradient(op_name: str, attrs: dict, inputs: list[np.ndarray],
                   aux: list[np.ndarray] | None = None, is_train: bool = True,
                   loss: Callable[[list[np.ndarray], list[np.ndarray]], float] | None = None,
                   check: tuple[int, ...] | None = None, rtol: float = 1e-5,
                   atol: float = 1e-7, seed: int = 0) -> None:
    """Compare an operator's backward with finite differences in float64.

    The objective is ``sum(output_i * head_grad_i)`` with random head gradients, or ``loss``
    for loss layers whose backward ignores head gradients. ``check`` picks the inputs to
    differentiate (default: all that the backward returns a gradient for).
    """
    rng = np.random.default_rng(seed)
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    aux = [np.array(a, dtype=np.float64) for a in (aux or [])]
    op = make_op(op_name, attrs)

    def run_forward() -> list[np.ndarray]:
        # aux states may be updated by a training forward; keep them fixed for the objective
        return op.forward(is_train, inputs, [a.copy() for a in aux])

    outputs = run_forward()
    head = [rng.standard_normal(o.shape) for o in outputs]

    def objective() -> float:
        outs = run_forward()
        if loss is not None:
            return float(loss(outs, inputs))
        return float(sum(np.sum(o * h) for o, h in zip(outs, head)))

    grads = op.backward(head, *only_what_backward_reads(op, inputs, outputs), aux)
    indices = check if check is not None else [i for i, g in enumerate(grads) if g is not None]
    for i in indices:
        expected = numeric_gradient(objective, inputs[i])
        np.testing.assert_allclose(
            grads[i], expected, rtol=rtol, atol=atol,
            err_msg=f"{op_name} gradient of input {op.list_arguments()[i]}")


def golden_cases(root: Path = GOLDEN) -> list[dict]:
    """The cases recorded from MXNet 1.9.1 by tests/golden/generate_ops.py (or, with another
    ``root``, by another generator writing the same format)."""
    path = root / "cases.json"
    return json.loads(path.read_text()) if path.exists() else []


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str, rtol: float = 1e-4) -> None:
    """Max relative error <= rtol, measured against the size of the expected values."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(float(np.abs(expected).max(initial=0.0)), 1e-6)
    err = float(np.abs(actual - expected).max(initial=0.0)) / scale
    assert err <= rtol, f"{what}: max relative error {err:.3g} > {rtol}"


def check_golden(case: dict, root: Path = GOLDEN) -> None:
    """Run one golden case through the operator directly and compare every array."""
    arrays = np.load(root / f"{case['id']}.npz", allow_pickle=False)
    op = make_op(case["op"], case["attrs"])
    inputs = [arrays[f"arg:{name}"] for name in case["arguments"]]
    aux = [arrays[f"aux:{name}"].copy() for name in case["aux"]]
    for _ in range(case["steps"]):
        outputs = op.forward(case["is_train"], inputs, aux)
    for i, expected in enumerate(_outputs(arrays, case)):
        assert_close(outputs[i], expected, f"{case['id']} output {i}")
    for name, after in zip(case["aux"], aux):
        assert_close(after, arrays[f"aux_after:{name}"], f"{case['id']} aux {name}")
    if not case["is_train"]:
        return
    head = [arrays[f"ograd:{i}"] for i in range(case["num_outputs"])]
    # as the executor calls it: None for the tensors the operator says backward doesn't read
    grads = op.backward(head, *only_what_backward_reads(op, inputs, outputs), aux)
    for name, grad in zip(case["arguments"], grads):
        if grad is not None and f"grad:{name}" in arrays:
            assert_close(grad, arrays[f"grad:{name}"], f"{case['id']} gradient of {name}")


def _outputs(arrays, case: dict) -> list[np.ndarray]:
    return [arrays[f"out:{i}"] for i in range(case["num_outputs"])]


def only_what_backward_reads(op: registry.Operator, inputs: list, outputs: list
                             ) -> tuple[list, list]:
    """``inputs`` and ``outputs`` with None in place of what ``op.backward_reads`` leaves out
    (the executor frees those tensors before backward runs)."""
    reads = op.backward_reads
    if reads is None:
        return inputs, outputs
    return ([x if name in reads else None for name, x in zip(op.list_arguments(), inputs)],
            [y if name in reads else None for name, y in zip(op.list_outputs(), outputs)])
