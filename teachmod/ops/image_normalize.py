"""_image_normalize (``mx.nd.image.normalize``): ``(x - mean) / std`` per channel of an image.

Data is one image ``(C, H, W)`` or a batch ``(N, C, H, W)``; ``mean`` and ``std`` give one
number per channel, or one number for all of them. The gradient is ``g / std``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .registry import Operator, Param, _literal, register


def parse_floats(value: Any) -> tuple[float, ...]:
    """A tuple of numbers from ``0.5``, ``(0.1, 0.2, 0.3)`` or their string forms."""
    value = _literal(value) if isinstance(value, str) else value
    values = value if isinstance(value, (tuple, list)) else (value,)
    if not values or not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                             for v in values):
        raise ValueError
    return tuple(float(v) for v in values)


@register
class ImageNormalize(Operator):
    """Subtract a per-channel mean and divide by a per-channel standard deviation."""

    name = "_image_normalize"
    backward_reads = ("data",)
    params = {
        "mean": Param(parse_floats, (0.0, 0.0, 0.0, 0.0), doc="per-channel mean (or one number)"),
        "std": Param(parse_floats, (1.0, 1.0, 1.0, 1.0), doc="per-channel std (or one number)"),
    }

    def validate(self):
        if 0.0 in self.std:
            raise self.fail(f"std must not contain 0, got {self.std}")

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if len(data) not in (3, 4):
            raise self.fail(f"data must be an image (C, H, W) or a batch (N, C, H, W), got "
                            f"{tuple(data)}")
        channels = data[-3]
        for key in ("mean", "std"):
            value = getattr(self, key)
            if len(value) != 1 and len(value) < channels:
                raise self.fail(f"{key} {value} needs one number or one per channel "
                                f"({channels})")
        return [tuple(data)], [tuple(data)], []

    def per_channel(self, value: tuple[float, ...], data: np.ndarray) -> np.ndarray:
        """``value`` shaped to broadcast over the channel axis of ``data``."""
        channels = data.shape[-3]
        column = np.array(value * channels if len(value) == 1 else value[:channels])
        return column.reshape(channels, 1, 1).astype(data.dtype)

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        self.infer_shape([data.shape])  # clear errors for mx.nd calls too
        return [(data - self.per_channel(self.mean, data)) / self.per_channel(self.std, data)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0] / self.per_channel(self.std, inputs[0])]
