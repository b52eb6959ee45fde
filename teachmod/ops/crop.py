"""Crop: cut an ``h x w`` window out of NCHW data (the FCN-era operator; see also ``slice``).

The size comes from ``h_w`` (one input) or from the height and width of a second input
(``num_args=2``, "crop like"). The window starts at ``offset`` (y, x), or is centred with
``center_crop``. The gradient is zero outside the window; the second input gets none (zeros),
since only its shape is used.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_int, parse_shape, register


@register
class Crop(Operator):
    """Crop the spatial axes of NCHW data to a fixed size or to another input's size."""

    name = "Crop"
    variadic = "num_args"
    params = {
        "num_args": Param(parse_int, doc="1: crop to h_w; 2: crop to the second input's size"),
        "offset": Param(parse_shape, (0, 0), doc="top-left corner (y, x) of the window"),
        "h_w": Param(parse_shape, (0, 0), doc="height and width of the window"),
        "center_crop": Param(parse_bool, False, doc="centre the window (ignores offset)"),
    }

    def validate(self) -> None:
        if self.num_args not in (1, 2):
            raise self.fail(f"num_args must be 1 or 2, got {self.num_args}")
        if len(self.offset) != 2 or len(self.h_w) != 2:
            raise self.fail(f"offset {self.offset} and h_w {self.h_w} must be (y, x) pairs")

    def list_arguments(self) -> list[str]:
        return [f"arg{i}" for i in range(self.num_args)]

    def window(self, data: tuple[int, ...], size: tuple[int, int]) -> tuple[slice, slice]:
        """The (rows, columns) slices of the crop, checked against the data."""
        if self.center_crop:
            top, left = ((n - s) // 2 for n, s in zip(data[2:], size))
        else:
            top, left = self.offset
        for start, length, n, axis in zip((top, left), size, data[2:], ("height", "width")):
            if length < 1 or start < 0 or start + length > n:
                raise self.fail(f"a crop of {size[0]}x{size[1]} at offset ({top}, {left}) does "
                                f"not fit the input {axis} {n} (data shape {tuple(data)})")
        return slice(top, top + size[0]), slice(left, left + size[1])

    def crop_size(self, in_shapes) -> tuple[int, int] | None:
        if self.num_args == 1:
            return tuple(self.h_w)
        like = in_shapes[1]
        if like is not None and len(like) != 4:
            raise self.fail(f"the second input must be 4-D, got shape {tuple(like)}")
        return None if like is None else tuple(like[2:])

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        size = self.crop_size(in_shapes)
        if data is None or size is None:
            return in_shapes, [None], []
        if len(data) != 4:
            raise self.fail(f"data must be 4-D (N, C, H, W), got shape {tuple(data)}")
        self.window(tuple(data), size)
        return [tuple(s) for s in in_shapes], [(*data[:2], *size)], []

    def forward(self, is_train, inputs, aux):
        self.infer_shape([x.shape for x in inputs])
        rows, cols = self.window(inputs[0].shape, self.crop_size([x.shape for x in inputs]))
        return [inputs[0][:, :, rows, cols].copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        grad = out_grads[0]
        rows, cols = self.window(inputs[0].shape, grad.shape[2:])
        grad_data = np.zeros_like(inputs[0])
        grad_data[:, :, rows, cols] = grad
        return [grad_data] + [np.zeros_like(x) for x in inputs[1:]]
