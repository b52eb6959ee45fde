"""Reshape: give the data a new shape with the same number of elements.

MXNet's shape codes let a shape refer to the input's own dimensions:
``0`` copy this dimension, ``-1`` infer it, ``-2`` copy all remaining dimensions,
``-3`` merge two dimensions into one, ``-4 a b`` split one dimension into ``a x b``
(one of a, b may be -1). With ``reverse=True`` the codes are matched from the right.
"""
from __future__ import annotations

import numpy as np

from ..base import MXNetError
from .registry import Operator, Param, parse_bool, parse_shape, register


def _reverse_codes(spec: tuple[int, ...]) -> list[int]:
    """``spec`` reversed, with the two sizes after every -4 put back in their order."""
    codes = list(spec[::-1])
    for k in range(len(codes) - 1, 1, -1):
        if codes[k] == -4:
            codes[k - 2], codes[k - 1], codes[k] = -4, codes[k - 1], codes[k - 2]
    return codes


def _split(whole: int, first: int, second: int, fail) -> list[int]:
    """Code ``-4 first second``: ``whole`` split in two, one of the sizes possibly -1."""
    if first == -1:
        first = whole // second
    if second == -1:
        second = whole // first
    if first * second != whole:
        raise fail(f"-4 splits {whole} into {first} x {second}")
    return [first, second]


def _apply_code(codes: list[int], j: int, src_dims: tuple[int, ...], i: int,
                fail) -> tuple[list[int], int, int]:
    """Code ``codes[j]`` applied at input dimension ``i``: the sizes it gives, and how many
    codes and input dimensions it uses."""
    code = codes[j]
    if code in (0, -3) and i >= len(src_dims):
        raise fail(f"code {code} refers to a dimension the input does not have")
    if code == 0:
        return [src_dims[i]], 1, 1
    if code == -1 or code > 0:
        return [code], 1, 1
    if code == -2:
        return list(src_dims[i:]), 1, len(src_dims) - i
    if code == -3:
        if i + 1 >= len(src_dims):
            raise fail("code -3 needs two input dimensions to merge")
        return [src_dims[i] * src_dims[i + 1]], 1, 2
    if code == -4:
        if j + 2 >= len(codes) or i >= len(src_dims):
            raise fail("code -4 must be followed by two sizes and match an input dimension")
        return _split(src_dims[i], codes[j + 1], codes[j + 2], fail), 3, 1
    raise fail(f"unknown code {code}")


def _infer_unknown(out: list[int], total: int, fail) -> None:
    """Replace the one -1 in ``out`` (if any) by the size that makes ``total`` elements."""
    if out.count(-1) > 1:
        raise fail("at most one dimension can be inferred (-1)")
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1], dtype=np.int64))
        if known == 0 or total % known:
            raise fail(f"{total} elements do not divide into {known}")
        out[out.index(-1)] = total // known


def resolve_reshape(src: tuple[int, ...], spec: tuple[int, ...], reverse: bool = False,
                    where: str = "Reshape") -> tuple[int, ...]:
    """The concrete shape that ``spec`` (with MXNet's codes) gives for an input of shape ``src``."""
    src_dims = src[::-1] if reverse else src
    codes = _reverse_codes(spec) if reverse else list(spec)

    def fail(reason: str) -> MXNetError:
        return MXNetError(f"{where}: cannot reshape {tuple(src)} to {tuple(spec)}: {reason}")

    out: list[int] = []
    i = j = 0
    while j < len(codes):
        sizes, used_codes, used_dims = _apply_code(codes, j, src_dims, i, fail)
        out.extend(sizes)
        i, j = i + used_dims, j + used_codes
    total = int(np.prod(src, dtype=np.int64))
    _infer_unknown(out, total, fail)
    if int(np.prod(out, dtype=np.int64)) != total:
        raise fail(f"the sizes differ ({total} vs {int(np.prod(out, dtype=np.int64))} elements)")
    return tuple(out[::-1]) if reverse else tuple(out)


def _legacy_target(src: tuple[int, ...], target: tuple[int, ...], keep_highest: bool,
                   where: str) -> tuple[int, ...]:
    """The shape given by the old ``target_shape`` parameter: one 0 is inferred, and
    ``keep_highest`` puts the input's first size in place of the first entry."""
    if keep_highest and target:
        target = (src[0], *target[1:])
    if target.count(0) > 1:
        raise MXNetError(f"{where}: target_shape {target} may contain at most one 0 (inferred)")
    return resolve_reshape(src, tuple(-1 if d == 0 else d for d in target), False, where)


@register
class Reshape(Operator):
    """Reshape the data without copying it."""

    name = "Reshape"
    aliases = ("reshape",)
    params = {
        "shape": Param(parse_shape, (), doc="the new shape, with MXNet's codes 0 -1 -2 -3 -4"),
        "reverse": Param(parse_bool, False, doc="match the codes from the right"),
        "target_shape": Param(parse_shape, (), doc="deprecated: the new shape, 0 inferred"),
        "keep_highest": Param(parse_bool, False,
                              doc="deprecated: target_shape's first size is the input's"),
    }

    def out_shape(self, data: tuple[int, ...]) -> tuple[int, ...]:
        if not self.shape and self.target_shape:
            return _legacy_target(data, self.target_shape, self.keep_highest, self.where())
        return resolve_reshape(data, self.shape, self.reverse, self.where())

    infers_backward = True

    def infer_shape(self, in_shapes, out_shapes=None):
        data, out = in_shapes[0], out_shapes[0] if out_shapes else None
        if data and 0 not in data:
            return in_shapes, [self.out_shape(tuple(data))], []
        if data and out and 0 not in out and data.count(0) == 1:
            # backwards, as MXNet: one unknown (0) input size follows from the element count
            known = int(np.prod([d for d in data if d], dtype=np.int64))
            total = int(np.prod(out, dtype=np.int64))
            if total % known:
                raise self.fail(f"the output {tuple(out)} has {total} elements, which the "
                                f"data {tuple(data)} cannot have")
            data = tuple(d or total // known for d in data)
            return [data], [self.out_shape(data)], []
        return in_shapes, [None], []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        return [data.reshape(self.out_shape(data.shape))]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0].reshape(inputs[0].shape)]
