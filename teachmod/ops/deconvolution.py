"""Deconvolution (transposed convolution): the gradient of Convolution with respect to its data.

A Convolution with kernel K, stride s and pad p maps an input of size ``O`` to ``H``. The
Deconvolution with the same parameters maps ``H`` back to ``O``: its forward pass is exactly
Convolution's backward pass for the data (``col2im(weight.T @ data)``), and its backward pass
is Convolution's forward pass. Both use the helpers in ``_im2col.py``.

Data ``(N, C, H, W)``, weight ``(C, num_filter / num_group, KH, KW)``, bias ``(num_filter,)``
(off by default); output size ``s*(H-1) + dilate*(K-1) + 1 - 2*p + adj``. ``adj`` (< stride)
picks one of the ``s`` input sizes a strided Convolution maps to ``H``; ``target_shape``
chooses pad and adj to reach a given output size.
"""
from __future__ import annotations

from . import _im2col
from .convolution import ConvolutionBase, conv_params, fmt
from .registry import Param, parse_shape, register

_CONV = conv_params(workspace=512, no_bias=True)


@register
class Deconvolution(ConvolutionBase):
    """Transposed convolution, written as the data-gradient of Convolution."""

    name = "Deconvolution"
    params = {  # in MXNet's order, which positional parameters follow
        **{k: v for k, v in _CONV.items() if k in ("kernel", "stride", "dilate", "pad")},
        "adj": Param(parse_shape, (), doc="extra output size at the end, each < stride"),
        "target_shape": Param(parse_shape, (), doc="output spatial size; overrides pad/adj"),
        **{k: v for k, v in _CONV.items() if k not in ("kernel", "stride", "dilate", "pad")},
    }

    def validate(self) -> None:
        super().validate()
        nd = len(self.kernel)
        self.adj = self.adj or (0,) * nd
        if len(self.adj) != nd:
            raise self.fail(f"adj {self.adj} must have as many dimensions as kernel {self.kernel}")
        if self.target_shape and len(self.target_shape) != nd:
            raise self.fail(f"target_shape {self.target_shape} must have as many dimensions as "
                            f"kernel {self.kernel}")

    def pad_adj(self, spatial: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The pad and adj to use: given, or (with target_shape) computed as MXNet does."""
        if not any(self.target_shape):
            pads, adjs = self.pad, self.adj
        else:
            full = [s * (n - 1) + dk for s, n, dk
                    in zip(self.stride, spatial, self.geometry().dilated_kernel())]
            if any(f < t for f, t in zip(full, self.target_shape)):
                raise self.fail(f"target_shape {fmt(self.target_shape)} is too big: the input "
                                f"{fmt(spatial)} gives at most {fmt(tuple(full))}")
            excess = [f - t for f, t in zip(full, self.target_shape)]
            pads, adjs = tuple((e + 1) // 2 for e in excess), tuple(e % 2 for e in excess)
        for a, s in zip(adjs, self.stride):
            if a >= s:
                raise self.fail(f"adj {fmt(adjs)} must be smaller than stride {fmt(self.stride)}")
        return pads, adjs

    def output_spatial(self, spatial: tuple[int, ...]) -> tuple[int, ...]:
        pads, adjs = self.pad_adj(spatial)
        out = tuple(s * (n - 1) + dk - 2 * p + a for s, n, dk, p, a in
                    zip(self.stride, spatial, self.geometry().dilated_kernel(), pads, adjs))
        if min(out) < 1:
            raise self.fail(f"pad {fmt(pads)} is too large: input {fmt(spatial)} with kernel "
                            f"{fmt(self.kernel)} and stride {fmt(self.stride)} gives output "
                            f"size {fmt(out)}")
        return out

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        self.check_data(data)
        out = self.output_spatial(tuple(data[2:]))
        shapes = [tuple(data), self.expect_shape(
            in_shapes, 1, (data[1], self.num_filter // self.num_group, *self.kernel))]
        if not self.no_bias:
            shapes.append(self.expect_shape(in_shapes, 2, (self.num_filter,)))
        return shapes, [(data[0], self.num_filter, *out)], []

    def forward(self, is_train, inputs, aux):
        self.infer_shape([x.shape for x in inputs])  # clear errors for mx.nd calls too
        data, weight = inputs[0], inputs[1]
        spatial = tuple(data.shape[2:])
        geo = self.geometry(self.pad_adj(spatial)[0])
        out = _im2col.conv_backward_data(data, weight, geo, self.num_group,
                                         self.output_spatial(spatial))
        if not self.no_bias:
            out += inputs[2].reshape(-1, *(1,) * len(self.kernel))
        return [out]

    def backward(self, out_grads, inputs, outputs, aux):
        (grad,) = out_grads
        data, weight = inputs[0], inputs[1]
        geo = self.geometry(self.pad_adj(tuple(data.shape[2:]))[0])
        # roles swapped: the Convolution that maps this output back to ``data``
        grads = [_im2col.conv_forward(grad, weight, geo, self.num_group),
                 _im2col.conv_backward_weight(grad, data, geo, self.num_group)]
        if not self.no_bias:
            grads.append(grad.sum(axis=(0, *range(2, grad.ndim))))
        return grads
