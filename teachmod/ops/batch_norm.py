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
statistic is one reduction over axes (0, 2).

A fast path at the end of the file computes the same numbers with one-pass sums and in-place
updates (``TEACHMOD_REFERENCE=1`` switches it off; docs/fast_paths.md has the measurements).
"""
from __future__ import annotations

import numpy as np

from ..reference import fast_paths
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
    fresh_outputs = fresh_gradients = True  # nothing returned is a view
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

    def fixed_gamma(self, gamma: np.ndarray, is_train: bool) -> np.ndarray:
        """The gamma to scale with: ones when ``fix_gamma``."""
        if not self.fix_gamma:
            return gamma
        if is_train:
            # as MXNet 1.9.1 does: a training pass writes 1 into gamma itself, so the parameter
            # a checkpoint saves is 1 and weight decay never moves it
            gamma[...] = 1
            return gamma
        return np.ones_like(gamma)

    def update_moving(self, moving: np.ndarray, batch: np.ndarray) -> None:
        """``moving = moving * momentum + batch * (1 - momentum)``, in the aux array itself."""
        moving *= self.momentum
        moving += (1 - self.momentum) * batch

    def forward(self, is_train, inputs, aux):
        data, gamma, beta = inputs
        moving_mean, moving_var = aux
        gamma = self.fixed_gamma(gamma, is_train)
        batch_statistics = is_train and not self.use_global_stats
        stats = None if batch_statistics else (moving_mean.copy(), moving_var)
        normalise = self.fast_normalise if fast_paths() else self.normalise
        out, mean, var, inv_std = normalise(self.as_3d(data), gamma, beta, stats)
        if batch_statistics:
            self.update_moving(moving_mean, mean)
            self.update_moving(moving_var, var)
        return [out.reshape(data.shape), mean, inv_std]

    def normalise(self, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                  stats: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, ...]:
        """``(x - mean) / std * gamma + beta`` per channel of ``x`` ``(outer, C, inner)``, with
        the given ``(mean, var)`` or, for ``None``, the batch's (biased) ones.
        Returns the output, mean, variance and ``1 / std``."""
        if stats is None:
            mean = x.mean(axis=(0, 2))
            var = ((x - mean[:, None]) ** 2).mean(axis=(0, 2))
        else:
            mean, var = stats
        inv_std = 1 / np.sqrt(var + self.eps)
        out = (x - mean[:, None]) * (gamma * inv_std)[:, None] + beta[:, None]
        return out, mean, var, inv_std

    def backward(self, out_grads, inputs, outputs, aux):
        data, gamma, _ = inputs
        _, mean, inv_std = outputs
        scale = inv_std if self.fix_gamma else gamma * inv_std
        gradients = self.fast_gradients if fast_paths() else self.gradients
        grad_data, sum_g_xhat, sum_g = gradients(self.as_3d(data), self.as_3d(out_grads[0]),
                                                 mean, inv_std, scale)
        grad_gamma = np.zeros_like(gamma) if self.fix_gamma else sum_g_xhat
        return [grad_data.reshape(data.shape), grad_gamma, sum_g]

    def gradients(self, x: np.ndarray, g: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
                  scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The data's gradient, and per channel ``sum(g * x_hat)`` (gamma's gradient) and
        ``sum(g)`` (beta's), where ``x_hat = (x - mean) / std`` and ``scale = gamma / std``."""
        x_hat = (x - mean[:, None]) * inv_std[:, None]
        sum_g, sum_g_xhat = g.sum(axis=(0, 2)), (g * x_hat).sum(axis=(0, 2))
        if self.use_global_stats:
            # mean and std are constants: the layer is a per-channel scale
            return g * scale[:, None], sum_g_xhat, sum_g
        # the batch statistics depend on x too, which takes away the mean of g and its part
        # along x_hat: dx = scale * (g - mean(g) - x_hat * mean(g * x_hat))
        count = x.shape[0] * x.shape[2]
        grad = scale[:, None] * (g - (sum_g / count)[:, None]
                                 - x_hat * (sum_g_xhat / count)[:, None])
        return grad, sum_g_xhat, sum_g

    # --- fast path (TEACHMOD_REFERENCE=1 switches it off) ------------------------------------
    # normalise and gradients with fewer passes over the (large) data: np.einsum sums a
    # channel in one pass without temporaries, np.vecdot gives sums of products without
    # forming them, and the elementwise steps run in place on the one centred copy of x.
    # Sums taken in another order agree with the reference to float rounding.
    def fast_normalise(self, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                       stats: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, ...]:
        if stats is None:
            count = x.shape[0] * x.shape[2]
            mean = np.einsum("ocn->c", x) / count
            centered = x - mean[:, None]
            var = np.vecdot(centered, centered).sum(axis=0) / count
        else:
            mean, var = stats
            centered = x - mean[:, None]
        inv_std = 1 / np.sqrt(var + self.eps)
        centered *= (gamma * inv_std)[:, None]
        centered += beta[:, None]
        return centered, mean, var, inv_std

    def fast_gradients(self, x: np.ndarray, g: np.ndarray, mean: np.ndarray,
                       inv_std: np.ndarray,
                       scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sum_g = np.einsum("ocn->c", g)
        centered = x - mean[:, None]
        dot = np.vecdot(centered, g).sum(axis=0)  # sum of (x - mean) * g
        if self.use_global_stats:
            return g * scale[:, None], dot * inv_std, sum_g
        count = x.shape[0] * x.shape[2]
        grad = centered
        grad *= (-dot * inv_std * inv_std / count)[:, None]
        grad += g
        grad -= (sum_g / count)[:, None]
        grad *= scale[:, None]
        return grad, dot * inv_std, sum_g
