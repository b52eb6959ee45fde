"""The four matrix products of multi-head attention on interleaved projections
(``_contrib_interleaved_matmul_*``, as ``mx.sym.contrib.interleaved_matmul_*``).

Sequences are time-major, ``(L, B, E)``. One projection holds the queries, keys and values of
all ``heads`` heads interleaved per head: ``(L, B, heads * 3 * D)`` read as
``(L, B, heads, 3, D)`` (self-attention; encoder-decoder attention has keys and values only,
``(L, B, heads, 2, D)``, and separate queries ``(L, B, heads, D)``). Attention works on
``B * heads`` independent matrices, batch index ``b * heads + h``:

- ``*_qk``: scores ``(B*heads, Lq, Lk) = (q / sqrt(D)) @ k^T``;
- ``*_valatt``: the attention-weighted values ``att @ v``, back in the time-major layout
  ``(Lq, B, heads * D)``.

Their gradients are the usual ones of a matrix product, written back into the interleaved
slots they were read from.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_int, register


def split_heads(x: np.ndarray, heads: int, parts: int, part: int | None) -> np.ndarray:
    """``(L, B, heads * parts * D)`` -> part ``part`` of every head as ``(B*heads, L, D)``
    (``part=None`` for plain queries, ``parts=1``)."""
    length, batch = x.shape[:2]
    view = x.reshape(length, batch, heads, parts, -1)[:, :, :, 0 if part is None else part]
    return view.transpose(1, 2, 0, 3).reshape(batch * heads, length, -1)


def merge_heads(y: np.ndarray, heads: int, parts: int, part: int | None,
                like: np.ndarray) -> np.ndarray:
    """The reverse of ``split_heads``: ``(B*heads, L, D)`` written into slot ``part`` of a
    zero array shaped like ``like``."""
    length, batch = like.shape[:2]
    out = np.zeros(like.shape, y.dtype)
    slots = out.reshape(length, batch, heads, parts, -1)
    slots[:, :, :, 0 if part is None else part] = \
        y.reshape(batch, heads, length, -1).transpose(2, 0, 1, 3)
    return out


class _Interleaved(Operator):
    params = {"heads": Param(parse_int, doc="number of attention heads")}
    parts = 3  # slots per head in the projection: q, k, v (self) or k, v (encoder-decoder)

    def validate(self):
        if self.heads < 1:
            raise self.fail(f"heads must be >= 1, got {self.heads}")

    def head_dim(self, shape: tuple[int, ...], parts: int) -> int:
        if len(shape) != 3 or shape[2] % (self.heads * parts):
            raise self.fail(f"input of shape {tuple(shape)} must be (length, batch, "
                            f"heads * {parts} * head_dim) with heads={self.heads}")
        return shape[2] // (self.heads * parts)

    def scale(self, x: np.ndarray, parts: int) -> float:
        return 1.0 / np.sqrt(self.head_dim(x.shape, parts))


def _scores_shape(op: _Interleaved, q: tuple[int, ...], k: tuple[int, ...]) -> tuple[int, ...]:
    return (q[1] * op.heads, q[0], k[0])


@register
class InterleavedSelfAttQK(_Interleaved):
    """Self-attention scores from the interleaved q, k, v projection."""

    name = "_contrib_interleaved_matmul_selfatt_qk"
    arguments = ("queries_keys_values",)

    def infer_shape(self, in_shapes):
        qkv = in_shapes[0]
        if qkv is None:
            return in_shapes, [None], []
        self.head_dim(qkv, 3)
        return [tuple(qkv)], [_scores_shape(self, qkv, qkv)], []

    def forward(self, is_train, inputs, aux):
        (qkv,) = inputs
        q, k = (split_heads(qkv, self.heads, 3, p) for p in (0, 1))
        return [(q * self.scale(qkv, 3)) @ k.transpose(0, 2, 1)]

    def backward(self, out_grads, inputs, outputs, aux):
        (qkv,), (g,) = inputs, out_grads
        q, k = (split_heads(qkv, self.heads, 3, p) for p in (0, 1))
        s = self.scale(qkv, 3)
        return [merge_heads(g @ k * s, self.heads, 3, 0, qkv)
                + merge_heads(g.transpose(0, 2, 1) @ q * s, self.heads, 3, 1, qkv)]


@register
class InterleavedSelfAttValAtt(_Interleaved):
    """Attention-weighted values from the interleaved projection and the attention."""

    name = "_contrib_interleaved_matmul_selfatt_valatt"
    arguments = ("queries_keys_values", "attention")

    def infer_shape(self, in_shapes):
        qkv = in_shapes[0]
        if qkv is None:
            return in_shapes, [None], []
        d = self.head_dim(qkv, 3)
        att = self.expect_shape(in_shapes, 1, _scores_shape(self, qkv, qkv))
        return [tuple(qkv), att], [(qkv[0], qkv[1], self.heads * d)], []

    def forward(self, is_train, inputs, aux):
        qkv, att = inputs
        out = att @ split_heads(qkv, self.heads, 3, 2)
        return [merge_heads(out, self.heads, 1, None, qkv[..., : qkv.shape[2] // 3])]

    def backward(self, out_grads, inputs, outputs, aux):
        qkv, att = inputs
        g = split_heads(out_grads[0], self.heads, 1, None)
        v = split_heads(qkv, self.heads, 3, 2)
        return [merge_heads(att.transpose(0, 2, 1) @ g, self.heads, 3, 2, qkv),
                g @ v.transpose(0, 2, 1)]


@register
class InterleavedEncDecQK(_Interleaved):
    """Encoder-decoder attention scores from queries and the interleaved k, v projection."""

    name = "_contrib_interleaved_matmul_encdec_qk"
    arguments = ("queries", "keys_values")

    def infer_shape(self, in_shapes):
        q, kv = in_shapes
        if q is None or kv is None:
            return in_shapes, [None], []
        if self.head_dim(q, 1) != self.head_dim(kv, 2) or q[1] != kv[1]:
            raise self.fail(f"queries {tuple(q)} and keys_values {tuple(kv)} do not match: "
                            f"keys_values must be (length, batch, 2 * queries' last axis)")
        return [tuple(q), tuple(kv)], [_scores_shape(self, q, kv)], []

    def forward(self, is_train, inputs, aux):
        queries, kv = inputs
        q = split_heads(queries, self.heads, 1, None) * self.scale(queries, 1)
        return [q @ split_heads(kv, self.heads, 2, 0).transpose(0, 2, 1)]

    def backward(self, out_grads, inputs, outputs, aux):
        (queries, kv), (g,) = inputs, out_grads
        s = self.scale(queries, 1)
        q, k = split_heads(queries, self.heads, 1, None), split_heads(kv, self.heads, 2, 0)
        return [merge_heads(g @ k * s, self.heads, 1, None, queries),
                merge_heads(g.transpose(0, 2, 1) @ q * s, self.heads, 2, 0, kv)]


@register
class InterleavedEncDecValAtt(_Interleaved):
    """Attention-weighted values of the interleaved k, v projection."""

    name = "_contrib_interleaved_matmul_encdec_valatt"
    arguments = ("keys_values", "attention")

    def infer_shape(self, in_shapes):
        kv, att = in_shapes
        if kv is None or att is None:
            return in_shapes, [None], []
        d = self.head_dim(kv, 2)
        if len(att) != 3 or att[0] != kv[1] * self.heads or att[2] != kv[0]:
            raise self.fail(f"attention must be (batch * heads, query length, {kv[0]}), got "
                            f"{tuple(att)}")
        return [tuple(kv), tuple(att)], [(att[1], kv[1], self.heads * d)], []

    def forward(self, is_train, inputs, aux):
        kv, att = inputs
        out = att @ split_heads(kv, self.heads, 2, 1)
        like = np.empty((att.shape[1], kv.shape[1], kv.shape[2] // 2), kv.dtype)
        return [merge_heads(out, self.heads, 1, None, like)]

    def backward(self, out_grads, inputs, outputs, aux):
        kv, att = inputs
        g = split_heads(out_grads[0], self.heads, 1, None)
        v = split_heads(kv, self.heads, 2, 1)
        return [merge_heads(att.transpose(0, 2, 1) @ g, self.heads, 2, 1, kv),
                g @ v.transpose(0, 2, 1)]
