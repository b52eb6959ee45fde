"""Optimizer update operators: ``sgd_update``, ``sgd_mom_update``, ``adam_update``, ...

Each update rule is written once, as a function that changes numpy arrays in place (the
``*_step`` functions below). ``mx.optimizer``'s classes call these functions on the arrays of
their weights and states; the operators below call them so that MXNet code that writes
``mx.nd.sgd_mom_update(weight, grad, mom, lr=0.1, momentum=0.9, out=weight)`` runs too.

In an operator the optimizer states (``mom``, ``mean``, ``var``, ...) are auxiliary states,
because the update changes them in place, as MXNet's operators do; the output is the new
weight. ``clip_gradient`` (``clip_grad`` for ftml) follows MXNet's operators: a negative bound
means no clipping. The ``mp_*`` operators update a float32 master copy ``weight32`` of a
float16 weight and return the weight rounded back to float16.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_bool, parse_float, parse_int, register


# ---- the update rules, in place on numpy arrays ------------------------------------------------
def clip_in_place(values: np.ndarray, bound: float | None) -> np.ndarray:
    """Clip ``values`` (a temporary) to ``[-bound, bound]``; None or a negative bound: no-op."""
    if bound is not None and bound >= 0:
        np.clip(values, -bound, bound, out=values)
    return values


def sgd_step(weight: np.ndarray, grad: np.ndarray, mom: np.ndarray | None, lr: float,
             wd: float, rescale_grad: float, clip: float | None, momentum: float = 0.0) -> None:
    """``step = lr * (clip(rescale_grad * grad) + wd * weight)``; without ``mom``
    ``weight -= step``, with it ``mom = momentum * mom - step; weight += mom``."""
    step = clip_in_place(rescale_grad * grad, clip)  # one temporary, updated in place
    if wd:
        step += wd * weight
    step *= lr
    if mom is None:
        weight -= step
    else:
        mom *= momentum
        mom -= step
        weight += mom


def nag_step(weight: np.ndarray, grad: np.ndarray, mom: np.ndarray | None, lr: float,
             wd: float, rescale_grad: float, clip: float | None, momentum: float,
             in_place: bool = True) -> None:
    """Nesterov momentum as MXNet 1.9.1's kernel: with ``g = clip(rescale_grad * grad)``,
    ``mom *= momentum; weight += momentum * mom - (1 + momentum) * lr * (g + wd * weight);
    mom -= lr * (g + wd * weight)``. The kernel reads the weight for the last line after
    writing its output: when the output is the weight itself (``in_place``, as
    mx.optimizer.NAG calls it) that is the new weight, otherwise the weight given."""
    g = clip_in_place(rescale_grad * grad, clip)
    if mom is None:
        weight -= lr * (g + wd * weight)
        return
    read = weight if in_place else weight.copy()
    mom *= momentum
    weight += momentum * mom - (1.0 + momentum) * lr * (g + wd * weight)
    mom -= lr * (g + wd * read)


def adam_step(weight: np.ndarray, grad: np.ndarray, mean: np.ndarray, var: np.ndarray,
              lr: float, wd: float, rescale_grad: float, clip: float | None, beta1: float,
              beta2: float, epsilon: float) -> None:
    """With ``g = clip(rescale_grad * grad + wd * weight)``: ``mean = beta1 * mean + (1 - beta1)
    * g; var = beta2 * var + (1 - beta2) * g**2; weight -= lr * mean / (sqrt(var) + epsilon)``
    (no bias correction: mx.optimizer.Adam folds it into ``lr``)."""
    g = clip_in_place(rescale_grad * grad + wd * weight, clip)
    mean *= beta1
    mean += (1.0 - beta1) * g
    var *= beta2
    var += (1.0 - beta2) * g * g
    weight -= lr * mean / (np.sqrt(var) + epsilon)


def rmsprop_step(weight: np.ndarray, grad: np.ndarray, n: np.ndarray,
                 centered: tuple[np.ndarray, np.ndarray] | None, lr: float, wd: float,
                 rescale_grad: float, clip: float | None, gamma1: float, gamma2: float,
                 epsilon: float, clip_weights: float | None) -> None:
    """RMSProp (Tieleman & Hinton) or, with ``centered = (mean, delta)``, Graves' centred
    version: with ``g = clip(rescale_grad * grad + wd * weight)`` and ``n = gamma1 * n +
    (1 - gamma1) * g**2``, ``weight -= lr * g / sqrt(n + epsilon)``, or ``mean = gamma1 * mean
    + (1 - gamma1) * g; delta = gamma2 * delta - lr * g / sqrt(n - mean**2 + epsilon);
    weight += delta``. The weight is then clipped to ``clip_weights``."""
    g = clip_in_place(rescale_grad * grad + wd * weight, clip)
    n *= gamma1
    n += (1.0 - gamma1) * (g * g)
    if centered is None:
        weight -= lr * (g / np.sqrt(n + epsilon))
    else:
        mean, delta = centered
        mean *= gamma1
        mean += (1.0 - gamma1) * g
        delta *= gamma2
        delta -= lr * g / np.sqrt(n - mean * mean + epsilon)
        weight += delta
    clip_in_place(weight, clip_weights)


def signum_step(weight: np.ndarray, grad: np.ndarray, mom: np.ndarray | None, lr: float,
                wd: float, rescale_grad: float, clip: float | None, momentum: float,
                wd_lh: float) -> None:
    """signSGD without ``mom``: ``weight = (1 - lr * wd) * weight - lr * sign(grad)``; Signum
    with it: ``mom = momentum * mom - (1 - momentum) * (clip(rescale_grad * grad) + wd *
    weight); weight = (1 - lr * wd_lh) * weight + lr * sign(mom)``."""
    if mom is None:
        weight *= 1.0 - lr * wd
        weight -= lr * np.sign(grad)
        return
    mom *= momentum
    mom -= (1.0 - momentum) * (clip_in_place(rescale_grad * grad, clip) + wd * weight)
    weight *= 1.0 - lr * wd_lh
    weight += lr * np.sign(mom)


def ftrl_step(weight: np.ndarray, grad: np.ndarray, z: np.ndarray, n: np.ndarray, lr: float,
              wd: float, rescale_grad: float, clip: float | None, lamda1: float,
              beta: float) -> None:
    """FTRL-proximal: with ``g = clip(rescale_grad * grad)``, ``z += g - (sqrt(n + g**2) -
    sqrt(n)) * weight / lr; n += g**2; weight = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr
    + wd)`` where ``|z| > lamda1``, else 0."""
    g = clip_in_place(rescale_grad * grad, clip)
    z += g - (np.sqrt(n + g * g) - np.sqrt(n)) * weight / lr
    n += g * g
    weight[...] = (np.sign(z) * lamda1 - z) / ((beta + np.sqrt(n)) / lr + wd) * (
        np.abs(z) > lamda1)


def ftml_step(weight: np.ndarray, grad: np.ndarray, d: np.ndarray, v: np.ndarray,
              z: np.ndarray, lr: float, wd: float, rescale_grad: float, clip: float | None,
              beta1: float, beta2: float, epsilon: float, t: int) -> None:
    """FTML at update ``t``: with ``g = clip(rescale_grad * grad + wd * weight)``, ``v = beta2 *
    v + (1 - beta2) * g**2; d_t = (1 - beta1**t) / lr * (sqrt(v / (1 - beta2**t)) + epsilon);
    z = beta1 * z + (1 - beta1) * g - (d_t - beta1 * d) * weight; d = d_t; weight = -z / d_t``."""
    g = clip_in_place(rescale_grad * grad + wd * weight, clip)
    v *= beta2
    v += (1.0 - beta2) * g * g
    d_t = (1.0 - beta1 ** t) / lr * (np.sqrt(v / (1.0 - beta2 ** t)) + epsilon)
    z *= beta1
    z += (1.0 - beta1) * g - (d_t - beta1 * d) * weight
    d[...] = d_t
    weight[...] = -z / d_t


def lamb_phase1(weight: np.ndarray, grad: np.ndarray, mean: np.ndarray, var: np.ndarray,
                wd: float, rescale_grad: float, clip: float | None, beta1: float,
                beta2: float, epsilon: float, t: int, bias_correction: bool) -> np.ndarray:
    """LAMB's step direction: with ``g = clip(rescale_grad * grad)``, Adam's moments, then
    ``mean_hat / (sqrt(var_hat) + epsilon) + wd * weight`` (hats: bias-corrected, if asked)."""
    g = clip_in_place(rescale_grad * grad, clip)
    mean *= beta1
    mean += (1.0 - beta1) * g
    var *= beta2
    var += (1.0 - beta2) * g * g
    if bias_correction:
        return (mean / (1.0 - beta1 ** t) / (np.sqrt(var / (1.0 - beta2 ** t)) + epsilon)
                + wd * weight)
    return mean / (np.sqrt(var) + epsilon) + wd * weight


def lamb_phase2(weight: np.ndarray, step: np.ndarray, r1: float, r2: float, lr: float,
                lower_bound: float | None, upper_bound: float | None) -> None:
    """``weight -= lr * r1 / r2 * step``, with ``r1 = norm(weight)`` bounded to
    ``[lower_bound, upper_bound]`` and ``r2 = norm(step)`` (the ratio 1 if either is 0)."""
    if lower_bound is not None and lower_bound >= 0:
        r1 = max(r1, lower_bound)
    if upper_bound is not None and upper_bound >= 0:
        r1 = min(r1, upper_bound)
    ratio = 1.0 if r1 == 0 or r2 == 0 else r1 / r2
    weight -= (lr * ratio * step).astype(weight.dtype, copy=False)


def norm(values: np.ndarray) -> float:
    """The L2 norm of all elements, in the array's dtype."""
    return float(np.sqrt(np.sum(values * values)))


# ---- the operators ---------------------------------------------------------------------------
def _common(**extra: Param) -> dict[str, Param]:
    return {
        "lr": Param(parse_float, doc="the learning rate"),
        **extra,
        "wd": Param(parse_float, 0.0, doc="weight decay"),
        "rescale_grad": Param(parse_float, 1.0, doc="the gradient is multiplied by this"),
        "clip_gradient": Param(parse_float, -1.0, doc="clip bound of the gradient (< 0: none)"),
    }


_LAZY = {"lazy_update": Param(parse_bool, True, doc="accepted; matters only for sparse")}


class _Update(Operator):
    """An optimizer update: inputs ``weight`` and ``grad``, the states as auxiliary states
    (changed in place), the new weight as output. ``step`` applies the rule to the weight's
    copy (or, for mp_ operators, to ``weight32``)."""

    arguments = ("weight", "grad")
    master = False  # mp_: the last auxiliary state is the float32 master weight

    def infer_shape(self, in_shapes):
        weight = next((s for s in in_shapes if s is not None), None)
        if weight is None:
            return in_shapes, [None], [None] * len(self.aux_states)
        ins = [self.expect_shape(in_shapes, i, weight) for i in range(len(in_shapes))]
        return ins, [weight], [weight] * len(self.aux_states)

    def infer_type(self, in_types):
        weight = in_types[0]
        states = [np.dtype(np.float32) if self.master else weight] * len(self.aux_states)
        return [weight, weight if weight is not None else in_types[1]], [weight], states

    def clip(self) -> float | None:
        return self.clip_gradient if self.clip_gradient >= 0 else None

    def forward(self, is_train, inputs, aux):
        weight, grad = inputs
        if self.master:
            *states, weight32 = aux
            self.step(weight32, grad.astype(np.float32), states)
            return [weight32.astype(weight.dtype)]
        new_weight = weight.copy()
        self.step(new_weight, grad, list(aux))
        return [new_weight]

    def step(self, weight: np.ndarray, grad: np.ndarray, states: list[np.ndarray]) -> None:
        raise NotImplementedError

    def backward(self, out_grads, inputs, outputs, aux):
        raise self.fail("an optimizer update has no gradient; call it on NDArrays with mx.nd")


@register
class SGDUpdate(_Update):
    """``weight - lr * (clip(rescale_grad * grad) + wd * weight)``."""

    name = "sgd_update"
    params = {**_common(), **_LAZY}

    def step(self, weight, grad, states):
        sgd_step(weight, grad, None, self.lr, self.wd, self.rescale_grad, self.clip())


@register
class SGDMomUpdate(_Update):
    """SGD with momentum: ``mom = momentum * mom - lr * (...); weight + mom``."""

    name = "sgd_mom_update"
    aux_states = ("mom",)
    params = {**_common(momentum=Param(parse_float, 0.0, doc="the momentum")), **_LAZY}

    def step(self, weight, grad, states):
        sgd_step(weight, grad, states[0], self.lr, self.wd, self.rescale_grad, self.clip(),
                 self.momentum)


@register
class MPSGDUpdate(SGDUpdate):
    """``sgd_update`` on a float32 master copy ``weight32`` of a float16 weight."""

    name = "mp_sgd_update"
    aux_states = ("weight32",)
    master = True


@register
class MPSGDMomUpdate(SGDMomUpdate):
    """``sgd_mom_update`` on a float32 master copy ``weight32`` of a float16 weight."""

    name = "mp_sgd_mom_update"
    aux_states = ("mom", "weight32")
    master = True


@register
class NAGMomUpdate(_Update):
    """Nesterov momentum (see ``nag_step``)."""

    name = "nag_mom_update"
    aux_states = ("mom",)
    params = _common(momentum=Param(parse_float, 0.0, doc="the momentum"))

    def step(self, weight, grad, states):
        # the operator writes a new array, so the kernel reads the weight it was given
        nag_step(weight, grad, states[0], self.lr, self.wd, self.rescale_grad, self.clip(),
                 self.momentum, in_place=False)


@register
class MPNAGMomUpdate(NAGMomUpdate):
    """``nag_mom_update`` on a float32 master copy ``weight32`` of a float16 weight."""

    name = "mp_nag_mom_update"
    aux_states = ("mom", "weight32")
    master = True


@register
class AdamUpdate(_Update):
    """Adam's moments and step, without bias correction (see ``adam_step``)."""

    name = "adam_update"
    aux_states = ("mean", "var")
    params = {**_common(beta1=Param(parse_float, 0.9, doc="decay of the mean"),
                        beta2=Param(parse_float, 0.999, doc="decay of the variance"),
                        epsilon=Param(parse_float, 1e-8, doc="keeps the division finite")),
              **_LAZY}

    def step(self, weight, grad, states):
        adam_step(weight, grad, states[0], states[1], self.lr, self.wd, self.rescale_grad,
                  self.clip(), self.beta1, self.beta2, self.epsilon)


_RMS = dict(gamma1=Param(parse_float, 0.95, doc="decay of the squared gradient"),
            epsilon=Param(parse_float, 1e-8, doc="keeps the division finite"))
_CLIP_WEIGHTS = {"clip_weights": Param(parse_float, -1.0, doc="clip bound of the weight")}


@register
class RMSPropUpdate(_Update):
    """RMSProp (see ``rmsprop_step``)."""

    name = "rmsprop_update"
    aux_states = ("n",)
    params = {**_common(**_RMS), **_CLIP_WEIGHTS}

    def step(self, weight, grad, states):
        rmsprop_step(weight, grad, states[0], None, self.lr, self.wd, self.rescale_grad,
                     self.clip(), self.gamma1, 0.0, self.epsilon,
                     self.clip_weights if self.clip_weights >= 0 else None)


@register
class RMSPropAlexUpdate(_Update):
    """Centred RMSProp (Graves, 2013; see ``rmsprop_step``)."""

    name = "rmspropalex_update"
    aux_states = ("n", "g", "delta")
    params = {**_common(**_RMS, gamma2=Param(parse_float, 0.9, doc="decay of the step")),
              **_CLIP_WEIGHTS}

    def step(self, weight, grad, states):
        n, mean, delta = states
        rmsprop_step(weight, grad, n, (mean, delta), self.lr, self.wd, self.rescale_grad,
                     self.clip(), self.gamma1, self.gamma2, self.epsilon,
                     self.clip_weights if self.clip_weights >= 0 else None)


@register
class SignSGDUpdate(_Update):
    """``(1 - lr * wd) * weight - lr * sign(grad)``."""

    name = "signsgd_update"
    params = _common()

    def step(self, weight, grad, states):
        signum_step(weight, grad, None, self.lr, self.wd, self.rescale_grad, self.clip(),
                    0.0, 0.0)


@register
class SignumUpdate(_Update):
    """Signum: the sign of a momentum (see ``signum_step``)."""

    name = "signum_update"
    aux_states = ("mom",)
    params = {**_common(momentum=Param(parse_float, 0.0, doc="the momentum")),
              "wd_lh": Param(parse_float, 0.0, doc="decoupled weight decay")}

    def step(self, weight, grad, states):
        signum_step(weight, grad, states[0], self.lr, self.wd, self.rescale_grad, self.clip(),
                    self.momentum, self.wd_lh)


@register
class FtrlUpdate(_Update):
    """FTRL-proximal (see ``ftrl_step``)."""

    name = "ftrl_update"
    aux_states = ("z", "n")
    params = _common(lamda1=Param(parse_float, 0.01, doc="L1 regularization"),
                     beta=Param(parse_float, 1.0, doc="added to sqrt(n)"))

    def step(self, weight, grad, states):
        ftrl_step(weight, grad, states[0], states[1], self.lr, self.wd, self.rescale_grad,
                  self.clip(), self.lamda1, self.beta)


@register
class FTMLUpdate(_Update):
    """FTML (see ``ftml_step``); MXNet names its clip bound ``clip_grad``."""

    name = "ftml_update"
    aux_states = ("d", "v", "z")
    params = {
        "lr": Param(parse_float, doc="the learning rate"),
        "beta1": Param(parse_float, 0.6, doc="decay of the gradient"),
        "beta2": Param(parse_float, 0.999, doc="decay of the squared gradient"),
        "epsilon": Param(parse_float, 1e-8, doc="keeps the division finite"),
        "t": Param(parse_int, doc="the number of this update, from 1"),
        "wd": Param(parse_float, 0.0, doc="weight decay"),
        "rescale_grad": Param(parse_float, 1.0, doc="the gradient is multiplied by this"),
        "clip_grad": Param(parse_float, -1.0, doc="clip bound of the gradient (< 0: none)"),
    }

    def step(self, weight, grad, states):
        ftml_step(weight, grad, *states, self.lr, self.wd, self.rescale_grad,
                  self.clip_grad if self.clip_grad >= 0 else None, self.beta1, self.beta2,
                  self.epsilon, self.t)


@register
class LambUpdatePhase1(_Update):
    """LAMB's step direction (see ``lamb_phase1``); the output is that direction."""

    name = "lamb_update_phase1"
    aux_states = ("mean", "var")
    params = {
        "beta1": Param(parse_float, 0.9, doc="decay of the mean"),
        "beta2": Param(parse_float, 0.999, doc="decay of the variance"),
        "epsilon": Param(parse_float, 1e-6, doc="keeps the division finite"),
        "t": Param(parse_int, doc="the number of this update, from 1"),
        "bias_correction": Param(parse_bool, True, doc="correct the moments' bias"),
        "wd": Param(parse_float, doc="weight decay"),
        "rescale_grad": Param(parse_float, 1.0, doc="the gradient is multiplied by this"),
        "clip_gradient": Param(parse_float, -1.0, doc="clip bound of the gradient (< 0: none)"),
    }

    def forward(self, is_train, inputs, aux):
        weight, grad = inputs
        mean, var = aux
        return [lamb_phase1(weight, grad, mean, var, self.wd, self.rescale_grad, self.clip(),
                            self.beta1, self.beta2, self.epsilon, self.t,
                            self.bias_correction).astype(weight.dtype, copy=False)]


@register
class LambUpdatePhase2(_Update):
    """LAMB's trust-ratio step ``weight - lr * r1 / r2 * g`` (see ``lamb_phase2``)."""

    name = "lamb_update_phase2"
    arguments = ("weight", "g", "r1", "r2")
    params = {
        "lr": Param(parse_float, doc="the learning rate"),
        "lower_bound": Param(optional(parse_float), -1.0, doc="lower bound of r1 (< 0: none)"),
        "upper_bound": Param(optional(parse_float), -1.0, doc="upper bound of r1 (< 0: none)"),
    }

    def infer_shape(self, in_shapes):
        weight = in_shapes[0] or in_shapes[1]
        if weight is None:
            return in_shapes, [None], []
        return ([self.expect_shape(in_shapes, 0, weight), self.expect_shape(in_shapes, 1, weight),
                 self.expect_shape(in_shapes, 2, (1,)), self.expect_shape(in_shapes, 3, (1,))],
                [weight], [])

    def infer_type(self, in_types):
        known = next((t for t in in_types if t is not None), None)
        return [known] * 4, [known], []

    def forward(self, is_train, inputs, aux):
        weight, g, r1, r2 = inputs
        new_weight = weight.copy()
        lamb_phase2(new_weight, g, float(r1.reshape(-1)[0]), float(r2.reshape(-1)[0]), self.lr,
                    self.lower_bound, self.upper_bound)
        return [new_weight]
