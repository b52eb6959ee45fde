"""BatchNorm: normalise each channel by its batch mean and variance, then scale and shift.

``output = (data - mean) / sqrt(var + eps) * gamma + beta``, per channel (``axis``, default 1).

- Training (``is_train`` and not ``use_global_stats``): mean and (biased) variance come from the
  batch, and the auxiliary states follow them:
  ``moving = moving * momentum + batch * (1 - momentum)``.
- Inference, or ``use_global_stats``: the moving statistics are used instead and left alone.
- ``fix_gamma`` (the default!) treats gamma as 1; gamma's gradient is then 0.

Outputs ``output, mean, var``; the last two are hidden unless ``output_mean_var``. As in
MXNet's CPU operator, ``var`` holds the *inverse standard deviation* ``1/sqrt(var + eps)``,
which the backward pass reuses. (MXNet updates the moving statistics in its backward pass;
teachmod does it in the training forward pass, which gives the same values after each step.)

The data is viewed as ``(outer, C, inner)`` (axis 1 of NCHW: outer = N, inner = H*W), so every
statistic is one reduction over axes (0, 2). The reductions are the hot spots of this layer
(the book's CNN normalises 8 x 128 x 224 x 224 numbers, 205 MB): ``np.einsum("ocn->c", x)``
sums in one pass without temporaries, about twice as fast as ``x.sum(axis=(0, 2))``, and
``np.vecdot`` (a dot product of every row of ``inner`` numbers) gives the sums of products.
The elementwise steps run in place on the one array the layer must allocate anyway.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_bool, parse_float, parse_int, register


@register
class BatchNorm(Operator):
    """Batch normalisation with moving statistics as auxiliary states."""

    name = "BatchNorm"
    arguments = ("data", "gamma", "beta")
    outputs = ("output", "mean", "var")
    aux_states = ("moving_mean", "moving_var")
    # the batch statistics and the input give x_hat again; the output need not be kept
    backward_reads = ("data", "gamma", "mean", "var")
    params = {
        "eps": Param(parse_float, 1e-3, doc="added to the variance"),
        "momentum": Param(parse_float, 0.9, doc="decay of the moving statistics"),
        "fix_gamma": Param(parse_bool, True, doc="use gamma = 1 (and give it no gradient)"),
        "use_global_stats": Param(parse_bool, False, doc="always use the moving statistics"),
        "output_mean_var": Param(parse_bool, False, doc="also show the mean and inverse std"),
        "axis": Param(parse_int, 1, doc="the channel axis"),
        "cudnn_off": Param(parse_bool, False, doc="accepted for compatibility; unused"),
        "min_calib_range": Param(optional(parse_float), None, doc="for quantisation; unused"),
        "max_calib_range": Param(optional(parse_float), None, doc="for quantisation; unused"),
    }

    def num_visible_outputs(self) -> int:
        return 3 if self.output_mean_var else 1

    def input_var_attrs(self) -> dict[str, dict[str, str]]:
        # how the moving statistics start: mean 0, variance 1 (MXNet writes this into the JSON)
        return {"moving_mean": {"__init__": '["zero", {}]'},
                "moving_var": {"__init__": '["one", {}]'}}

    def channel_axis(self, ndim: int) -> int:
        axis = self.axis + ndim if self.axis < 0 else self.axis
        if not 0 <= axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for data with {ndim} dimensions")
        return axis

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None, None, None], [None, None]
        channels = (data[self.channel_axis(len(data))],)
        shapes = [tuple(data), *(self.expect_shape(in_shapes, i, channels) for i in (1, 2))]
        return shapes, [tuple(data), channels, channels], [channels, channels]

    def as_3d(self, x: np.ndarray) -> np.ndarray:
        """View ``x`` as ``(outer, C, inner)`` around the channel axis (no copy)."""
        axis = self.channel_axis(x.ndim)
        return x.reshape(int(np.prod(x.shape[:axis])), x.shape[axis], -1)

    def forward(self, is_train, inputs, aux):
        data, gamma, beta = inputs
        moving_mean, moving_var = aux
        x = self.as_3d(data)
        if self.fix_gamma and is_train:
            # as MXNet 1.9.1 does: a training pass writes 1 into gamma itself, so the parameter
            # a checkpoint saves is 1 and weight decay never moves it
            gamma[...] = 1
        elif self.fix_gamma:
            gamma = np.ones_like(gamma)
        if is_train and not self.use_global_stats:
            count = x.shape[0] * x.shape[2]
            mean = np.einsum("ocn->c", x) / count
            centered = x - mean[:, None]
            var = np.vecdot(centered, centered).sum(axis=0) / count  # mean of (x - mean)^2
            moving_mean *= self.momentum
            moving_mean += (1 - self.momentum) * mean
            moving_var *= self.momentum
            moving_var += (1 - self.momentum) * var
        else:
            mean, var = moving_mean.copy(), moving_var
            centered = x - mean[:, None]
        inv_std = 1 / np.sqrt(var + self.eps)
        # reuse the centred copy as the output: out = centered * (gamma * inv_std) + beta
        centered *= (gamma * inv_std)[:, None]
        centered += beta[:, None]
        return [centered.reshape(data.shape), mean, inv_std]

    def backward(self, out_grads, inputs, outputs, aux):
        data, gamma, _ = inputs
        _, mean, inv_std = outputs
        x, g = self.as_3d(data), self.as_3d(out_grads[0])
        count = x.shape[0] * x.shape[2]
        scale = inv_std if self.fix_gamma else gamma * inv_std
        grad_beta = np.einsum("ocn->c", g)
        centered = x - mean[:, None]
        dot = np.vecdot(centered, g).sum(axis=0)  # sum of (x - mean) * grad, per channel
        grad_gamma = np.zeros_like(gamma) if self.fix_gamma else dot * inv_std
        if self.use_global_stats:
            # mean and std are constants: the layer is a per-channel scale
            grad_data = g * scale[:, None]
        else:
            # dx = scale * (g - mean(g) - xhat * mean(g * xhat)), xhat = centered * inv_std;
            # computed in place in the centred copy
            grad_data = centered
            grad_data *= (-dot * inv_std * inv_std / count)[:, None]
            grad_data += g
            grad_data -= (grad_beta / count)[:, None]
            grad_data *= scale[:, None]
        return [grad_data.reshape(data.shape), grad_gamma, grad_beta]
