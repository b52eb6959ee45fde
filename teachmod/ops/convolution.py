"""Convolution: slide ``num_filter`` learned filters over the input (1-D, 2-D or 3-D).

Data ``(N, C, H, W)``, weight ``(num_filter, C / num_group, KH, KW)``, bias ``(num_filter,)``;
output ``(N, num_filter, OH, OW)`` with ``OH = (H + 2*pad - dilate*(KH-1) - 1) // stride + 1``.

How it is computed: im2col
--------------------------
Each output pixel is a dot product between one filter and one window of the input (C x KH x KW
numbers). Written as loops that is six nested loops; written as linear algebra it is one matrix
product:

1. **im2col**: copy every window of the padded input into a column. For one image the
   columns form a matrix ``cols`` of shape ``(C*KH*KW, OH*OW)`` -- one column per output pixel.
   ``np.lib.stride_tricks.sliding_window_view`` gives all windows as a *view* (no copying);
   one copy turns it into the matrix.
2. **matmul**: flatten the filters to ``W`` of shape ``(num_filter, C*KH*KW)``. Then
   ``W @ cols`` has shape ``(num_filter, OH*OW)``: every filter against every window, which is
   exactly the convolution, reshaped to ``(num_filter, OH, OW)``. ``np.matmul`` does this for
   the whole batch in one call, using the BLAS library. The bias is then added to every
   output pixel of its filter.

The backward pass is two more products of the same matrices:

- ``grad_weight = grad_out @ cols.T`` (summed over the batch); the bias gradient is the sum
  of ``grad_out`` over the batch and the output pixels;
- ``grad_cols = W.T @ grad_out``, and **col2im** adds every column entry back onto the input
  pixel it was copied from (pixels in several windows receive several contributions).

``Deconvolution`` is this last step used as a forward pass. The helpers live in ``_im2col.py``.
The price of im2col is memory: ``cols`` is ``KH*KW`` times the size of the input.
"""
from __future__ import annotations

from . import _im2col
from .registry import (
    Operator,
    Param,
    optional,
    parse_bool,
    parse_int,
    parse_shape,
    parse_str,
    register,
)

LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}  # the channel-first layout for each kernel rank


def fmt(shape: tuple[int, ...]) -> str:
    """``(3, 3)`` -> ``'3x3'``, as MXNet prints kernel sizes."""
    return "x".join(str(s) for s in shape)


def conv_params(workspace: int, no_bias: bool) -> dict[str, Param]:
    """The parameters Convolution and Deconvolution share (their defaults differ slightly)."""
    return {
        "kernel": Param(parse_shape, doc="kernel size: (w,), (h, w) or (d, h, w)"),
        "stride": Param(parse_shape, (), doc="stride; defaults to 1 for each dimension"),
        "dilate": Param(parse_shape, (), doc="dilation; defaults to 1 for each dimension"),
        "pad": Param(parse_shape, (), doc="zero padding; defaults to 0 for each dimension"),
        "num_filter": Param(parse_int, doc="number of output channels (filters)"),
        "num_group": Param(parse_int, 1, doc="split channels into this many groups"),
        "workspace": Param(parse_int, workspace, doc="accepted for compatibility; unused"),
        "no_bias": Param(parse_bool, no_bias, doc="leave out the bias"),
        "cudnn_tune": Param(optional(parse_str), None,
                            choices=(None, "off", "limited_workspace", "fastest"),
                            doc="accepted for compatibility; unused"),
        "cudnn_off": Param(parse_bool, False, doc="accepted for compatibility; unused"),
        "layout": Param(optional(parse_str), None, doc="NCW, NCHW or NCDHW (the default)"),
    }


class ConvolutionBase(Operator):
    """Parameter checks and defaults shared by Convolution and Deconvolution."""

    def validate(self) -> None:
        nd = len(self.kernel)
        if nd not in LAYOUTS:
            raise self.fail(f"kernel must have 1, 2 or 3 dimensions, got {self.kernel}")
        if self.layout is not None and self.layout != LAYOUTS[nd]:
            raise self.fail(
                f"layout {self.layout!r} is not supported for a {nd}-D kernel; teachmod "
                f"computes channels-first only: use layout={LAYOUTS[nd]!r} or leave it out")
        self.stride = self.stride or (1,) * nd
        self.dilate = self.dilate or (1,) * nd
        self.pad = self.pad or (0,) * nd
        for key in ("stride", "dilate", "pad"):
            value = getattr(self, key)
            if len(value) != nd:
                raise self.fail(f"{key} {value} must have as many dimensions as kernel "
                                f"{self.kernel}")
        for key, low in (("kernel", 1), ("stride", 1), ("dilate", 1), ("pad", 0)):
            if min(getattr(self, key)) < low:
                raise self.fail(f"every entry of {key} must be >= {low}, got {getattr(self, key)}")
        if self.num_filter < 1:
            raise self.fail(f"num_filter must be >= 1, got {self.num_filter}")
        if self.num_group < 1 or self.num_filter % self.num_group:
            raise self.fail(f"num_filter ({self.num_filter}) must be divisible by num_group "
                            f"({self.num_group})")

    def list_arguments(self) -> list[str]:
        return ["data", "weight"] if self.no_bias else ["data", "weight", "bias"]

    def check_data(self, data: tuple[int, ...]) -> None:
        """The data shape suits the kernel rank and the channel groups."""
        nd = len(self.kernel)
        if len(data) != nd + 2:
            raise self.fail(
                f"a {nd}-D kernel {self.kernel} needs data of shape {LAYOUTS[nd]} "
                f"({nd + 2} dimensions), got {tuple(data)}")
        if data[1] % self.num_group:
            raise self.fail(f"the input's {data[1]} channels are not divisible by "
                            f"num_group={self.num_group}")

    def geometry(self, pad: tuple[int, ...] | None = None) -> _im2col.Geometry:
        return _im2col.Geometry(self.kernel, self.stride, pad or self.pad, self.dilate)


@register
class Convolution(ConvolutionBase):
    """N-D convolution by im2col and one matrix product (see the module docstring)."""

    name = "Convolution"
    backward_reads = ("data", "weight")  # not the output: the layer is linear
    fresh_outputs = fresh_gradients = True  # nothing returned is a view
    params = conv_params(workspace=1024, no_bias=False)

    def check_fits(self, spatial: tuple[int, ...]) -> None:
        """Raise a clear error when the (dilated) kernel is larger than the padded input
        (sizes not known yet, 0, are not checked)."""
        extent = self.geometry().dilated_kernel()
        padded = tuple(n + 2 * p for n, p in zip(spatial, self.pad))
        if any(n and e > m for e, n, m in zip(extent, spatial, padded)):
            dilated = f" (dilate {fmt(self.dilate)} makes it span {fmt(extent)})" \
                if any(d > 1 for d in self.dilate) else ""
            raise self.fail(
                f"kernel {fmt(self.kernel)}{dilated} does not fit the input: spatial size "
                f"{fmt(spatial)} with pad {fmt(self.pad)} is {fmt(padded)} after padding, and "
                f"every padded size must be at least {fmt(extent)}; increase pad or use a "
                f"larger input")

    infers_backward = True

    def infer_shape(self, in_shapes, out_shapes=None):
        data, out_shape = in_shapes[0], out_shapes[0] if out_shapes else None
        if not data:
            return in_shapes, [None], []
        self.check_data(data)
        geometry = self.geometry()
        if out_shape and len(out_shape) == len(data):
            # from the output: the batch size, and a spatial size where the stride is 1
            back = [n - 1 + dk - 2 * p if s == 1 and n else 0 for n, dk, p, s
                    in zip(out_shape[2:], geometry.dilated_kernel(), self.pad, self.stride)]
            data = (data[0] or out_shape[0], data[1],
                    *(d or b for d, b in zip(data[2:], back)))
        self.check_fits(tuple(data[2:]))
        out = tuple(o if n else 0  # an unknown input size gives an unknown output size
                    for o, n in zip(geometry.output_size(tuple(data[2:])), data[2:]))
        shapes = [tuple(data), self.expect_shape(
            in_shapes, 1, (self.num_filter, data[1] // self.num_group, *self.kernel))]
        if not self.no_bias:
            shapes.append(self.expect_shape(in_shapes, 2, (self.num_filter,)))
        return shapes, [(data[0], self.num_filter, *out)], []

    def forward(self, is_train, inputs, aux):
        self.infer_shape([x.shape for x in inputs])  # clear errors for mx.nd calls too
        data, weight = inputs[0], inputs[1]
        bias = None if self.no_bias else inputs[2]
        return [_im2col.conv_forward(data, weight, self.geometry(), self.num_group, bias)]

    def backward(self, out_grads, inputs, outputs, aux):
        (grad,) = out_grads
        data, weight = inputs[0], inputs[1]
        geo = self.geometry()
        grad_data = (_im2col.conv_backward_data(grad, weight, geo, self.num_group, data.shape[2:])
                     if self.needs_grad(0) else None)  # the first layer's data needs none
        grads = [grad_data, _im2col.conv_backward_weight(data, grad, geo, self.num_group)]
        if not self.no_bias:
            grads.append(grad.sum(axis=(0, *range(2, grad.ndim))))
        return grads
