"""Optimizers and the updater that applies them, as in MXNet's ``optimizer/optimizer.py``.

An optimizer turns a gradient into a weight change. It is used through an :class:`Updater`::

    opt = mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.9)
    updater = mx.optimizer.get_updater(opt)
    updater(index, grad, weight)        # creates the state of `index` once, then updates

Every optimizer's ``update`` is its formula, applied in place to the numpy arrays behind the
NDArrays, in the weight's dtype (float32). The formulas are those of MXNet 1.9.1's C++ kernels
(``src/operator/optimizer_op-inl.h``), which sometimes differ from MXNet's docstrings (e.g.
SGD clips ``rescale_grad * grad``, not ``grad``). In the formulas ``clip(x)`` clips to
``[-clip_gradient, clip_gradient]`` and does nothing when ``clip_gradient`` is None or 0.
Rules that MXNet also offers as operators (``mx.nd.sgd_mom_update``, ``adam_update``, ...) are
written once, in ``teachmod/ops/optimizer_updates.py``, and called from here.

The learning rate and weight decay of a parameter are ``lr * lr_mult`` and ``wd * wd_mult``;
multipliers come from ``set_lr_mult``/``set_wd_mult``, the ``__lr_mult__``/``__wd_mult__``
attributes of the symbol's variables, and MXNet's rule that, when ``param_idx2name`` is given,
parameters whose names end neither in ``_weight`` nor in ``_gamma`` get no weight decay.
"""
from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np

from .base import MXNetError
from .ndarray.ndarray import NDArray
from .ndarray.utils import load_bytes, save_bytes
from .ops import optimizer_updates as upd
from .registry import Registry

__all__ = [
    "Optimizer", "SGD", "NAG", "Adam", "Adamax", "Nadam", "FTML", "LAMB", "AdaGrad", "RMSProp",
    "AdaDelta", "Signum", "Ftrl",
    "FTRL", "Updater", "create", "register", "get_updater",
]


def _check_number(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{owner}: {name} must be a number, got {value!r}")


def _check_at_least_zero(owner: str, name: str, value: Any) -> None:
    if value is not None:
        _check_number(owner, name, value)
    if value is not None and value < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")


def _check_fraction(owner: str, name: str, value: float) -> None:
    _check_number(owner, name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{owner}: {name} must be in [0, 1), got {value!r}")


class Optimizer:
    """The base class of all optimizers.

    Parameters
    ----------
    rescale_grad : float, default 1.0
        Gradients are multiplied by this first; Module sets it to ``1.0 / batch_size``.
    param_idx2name : dict of int to str, optional
        Parameter names by index; turns on the no-weight-decay rule for biases and betas.
    wd : float, default 0.0
        Weight decay (L2 regularization) coefficient.
    clip_gradient : float, optional
        Clip the rescaled gradient to ``[-clip_gradient, clip_gradient]``.
    learning_rate : float, optional
        The learning rate; 0.01 when neither it nor ``lr_scheduler`` is given. When both are
        given it replaces the scheduler's ``base_lr``.
    lr_scheduler : LRScheduler, optional
        Gives the learning rate as a function of the number of updates.
    sym : Symbol, optional
        The network; its variables' ``__lr_mult__``/``__wd_mult__`` attributes are used.
    begin_num_update : int, default 0
        The update count to start from (for resumed training).
    multi_precision : bool, default False
        Keep a float32 master copy of float16 weights and update that.
    param_dict : dict of int to Parameter, optional
        Gluon parameters whose ``lr_mult``/``wd_mult`` take precedence.
    """

    #: MXNet fuses up to this many SGD updates into one kernel; teachmod updates one at a time.
    aggregate_num = 0

    def __init__(self, rescale_grad: float = 1.0, param_idx2name: dict[int, str] | None = None,
                 wd: float = 0.0, clip_gradient: float | None = None,
                 learning_rate: float | None = None, lr_scheduler: Any = None, sym: Any = None,
                 begin_num_update: int = 0, multi_precision: bool = False,
                 param_dict: dict | None = None) -> None:
        owner = type(self).__name__
        _check_at_least_zero(owner, "learning_rate", learning_rate)
        _check_at_least_zero(owner, "clip_gradient", clip_gradient)
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if lr_scheduler is not None and learning_rate is not None:
            if lr_scheduler.base_lr != learning_rate:
                warnings.warn("learning rate from ``lr_scheduler`` has been overwritten by "
                              "``learning_rate`` in optimizer.", UserWarning, stacklevel=2)
                lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult: dict[Any, float] = {}
        self.wd_mult: dict[Any, float] = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        # update counts per parameter index, kept per device as MXNet does
        self._all_index_update_counts: dict[int, dict[Any, int]] = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise TypeError("param_idx2name should be a dict of param indexes to names.")
        self.idx2name = param_idx2name.copy()
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.set_lr_mult({})
        self.set_wd_mult({})

    # ---- registry -----------------------------------------------------------------------------
    @staticmethod
    def register(klass: type) -> type:
        """Register an optimizer class under its lower-cased class name."""
        if not (isinstance(klass, type) and issubclass(klass, Optimizer)):
            raise TypeError(f"register: expected an Optimizer subclass, got {klass!r}")
        return _registry.register(klass)

    @staticmethod
    def create_optimizer(name: str, **kwargs: Any) -> Optimizer:
        """An optimizer from its registered name (case-insensitive), e.g. ``'sgd'``."""
        return _registry.create(name, **kwargs)

    # ---- learning rate and weight decay -------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The current learning rate (from the scheduler when there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr: float) -> None:
        """Set the learning rate; not allowed when an ``lr_scheduler`` decides it.

        Parameters
        ----------
        lr : float
            The new learning rate.
        """
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been defined. Note that "
                              "set_learning_rate can mutate the value of the learning rate of the "
                              "optimizer only when the LRScheduler of the optimizer is undefined.")
        _check_at_least_zero(type(self).__name__, "learning_rate", lr)
        self.lr = lr

    def set_lr_mult(self, args_lr_mult: dict[Any, float]) -> None:
        """Set learning-rate multipliers, by parameter name (or index).

        Multipliers from the variables' ``__lr_mult__`` attributes (when ``sym`` was given) are
        applied first; ``args_lr_mult`` overrides them.

        Parameters
        ----------
        args_lr_mult : dict of str or int to float
            Multiplier for each named (or indexed) parameter.
        """
        self.lr_mult = self._multipliers_from_symbol("__lr_mult__")
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult: dict[Any, float]) -> None:
        """Set weight-decay multipliers, by parameter name (or index).

        Every name in ``param_idx2name`` that ends neither in ``_weight`` nor in ``_gamma``
        (biases, betas, ...) gets 0 first; then the variables' ``__wd_mult__`` attributes apply;
        then ``args_wd_mult``.

        Parameters
        ----------
        args_wd_mult : dict of str or int to float
            Multiplier for each named (or indexed) parameter.
        """
        self.wd_mult = {name: 0.0 for name in self.idx2name.values()
                        if not name.endswith(("_weight", "_gamma"))}
        self.wd_mult.update(self._multipliers_from_symbol("__wd_mult__"))
        self.wd_mult.update(args_wd_mult)

    def _multipliers_from_symbol(self, attr_name: str) -> dict[Any, float]:
        if not self.sym_info:
            return {}
        attrs, arg_names = self.sym_info
        return {name: float(attrs[name][attr_name]) for name in arg_names
                if name in attrs and attr_name in attrs[name]}

    def _set_current_context(self, device_id: int) -> None:
        """Switch to the update counts of device ``device_id``."""
        counts = self._all_index_update_counts.get(device_id)
        if counts is None:
            counts = self._all_index_update_counts[device_id] = {}
        self._index_update_count = counts

    def _update_count(self, index: Any) -> None:
        """Count one more update of ``index`` (or of each index in a list)."""
        counts = self._index_update_count
        for idx in index if isinstance(index, (list, tuple)) else (index,):
            count = counts.get(idx, self.begin_num_update) + 1
            counts[idx] = count
            if count > self.num_update:
                self.num_update = count

    def _get_lr(self, index: Any) -> float:
        """The learning rate of parameter ``index``: the current rate times its multiplier."""
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        if index in self.param_dict:
            return lr * self.param_dict[index].lr_mult
        if index in self.lr_mult:
            return lr * self.lr_mult[index]
        if index in self.idx2name:
            return lr * self.lr_mult.get(self.idx2name[index], 1.0)
        return lr

    def _get_wd(self, index: Any) -> float:
        """The weight decay of parameter ``index``: ``wd`` times its multiplier."""
        if index in self.param_dict:
            return self.wd * self.param_dict[index].wd_mult
        if index in self.wd_mult:
            return self.wd * self.wd_mult[index]
        if index in self.idx2name:
            return self.wd * self.wd_mult.get(self.idx2name[index], 1.0)
        return self.wd

    def _get_lrs(self, indices: list) -> list[float]:
        return [self._get_lr(index) for index in indices]

    def _get_wds(self, indices: list) -> list[float]:
        return [self._get_wd(index) for index in indices]

    def _bound(self) -> float | None:
        """The clip bound for the update rules: None when ``clip_gradient`` is None or 0."""
        return self.clip_gradient or None

    def _clip(self, values: np.ndarray) -> np.ndarray:
        """Clip ``values`` (a temporary array) in place to ``[-clip_gradient, clip_gradient]``."""
        return upd.clip_in_place(values, self._bound())

    # ---- states and updates ---------------------------------------------------------------------
    def create_state(self, index: Any, weight: NDArray) -> Any:
        """The auxiliary state (None, an NDArray or a tuple of them) for one weight.

        Parameters
        ----------
        index : int
            The parameter's index.
        weight : NDArray
            The weight the state belongs to.
        """
        return None

    def create_state_multi_precision(self, index: Any, weight: NDArray) -> Any:
        """Like ``create_state``; with ``multi_precision`` and a float16 weight, the state is
        ``(float32 master copy of the weight, state of the master copy)``."""
        if weight.dtype == np.float16:
            if self.multi_precision:
                master = weight.astype(np.float32)
                return (master, self.create_state(index, master))
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or "
                          "slow convergence. Consider using multi_precision=True option of the "
                          "optimizer", stacklevel=2)
        return self.create_state(index, weight)

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: Any) -> None:
        """Update ``weight`` in place from ``grad`` and ``state``.

        Parameters
        ----------
        index : int
            The parameter's index (for its learning rate, weight decay and update count).
        weight : NDArray
            The parameter, changed in place.
        grad : NDArray
            Its gradient (left unchanged).
        state : any
            What ``create_state`` returned for it.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update")

    def update_multi_precision(self, index: Any, weight: NDArray, grad: NDArray,
                               state: Any) -> None:
        """``update``, through the float32 master copy for float16 weights with
        ``multi_precision``."""
        if self.multi_precision and weight._data.dtype == np.float16:
            master, master_state = state
            self.update(index, master, grad.astype(np.float32), master_state)
            weight._data[...] = master._data
        else:
            self.update(index, weight, grad, state)

    def _next_lr_wd(self, index: Any) -> tuple[float, float]:
        """Count this update of ``index`` and return its learning rate and weight decay."""
        self._update_count(index)
        return self._get_lr(index), self._get_wd(index)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr}, wd={self.wd})"


_registry = Registry(Optimizer, "optimizer")
register = Optimizer.register
create = Optimizer.create_optimizer
Optimizer.opt_registry = _registry.classes


def _zeros_like(weight: NDArray) -> NDArray:
    return NDArray(np.zeros_like(weight._data), weight.context)


@register
class SGD(Optimizer):
    """Stochastic gradient descent, with momentum and weight decay.

    Without momentum::

        weight = weight - lr * (clip(rescale_grad * grad) + wd * weight)

    With momentum (the state ``mom`` starts at 0 and points the way the weight moves)::

        mom = momentum * mom - lr * (clip(rescale_grad * grad) + wd * weight)
        weight = weight + mom

    Parameters
    ----------
    momentum : float, default 0.0
        The momentum, in [0, 1).
    lazy_update : bool, default True
        Accepted for compatibility; it only matters for sparse gradients.
    **kwargs
        As in :class:`Optimizer`.
    """

    aggregate_num = 4

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_fraction("SGD", "momentum", momentum)
        self.momentum = momentum
        self.lazy_update = lazy_update

    def create_state(self, index: Any, weight: NDArray) -> NDArray | None:
        return _zeros_like(weight) if self.momentum != 0.0 else None

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: NDArray | None) -> None:
        lr, wd = self._next_lr_wd(index)
        upd.sgd_step(weight._data, grad._data, None if state is None else state._data, lr, wd,
                     self.rescale_grad, self._bound(), self.momentum)


@register
class NAG(Optimizer):
    """Nesterov accelerated gradient.

    With ``g = clip(rescale_grad * grad)``::

        mom = momentum * mom
        weight = weight + momentum * mom - (1 + momentum) * lr * (g + wd * weight)
        mom = mom - lr * (g + wd * weight)

    The last line uses the *new* weight: MXNet 1.9.1's kernel writes the weight in place
    before it updates ``mom``, and teachmod follows it. Without momentum it is plain SGD:
    ``weight = weight - lr * (g + wd * weight)``.

    Parameters
    ----------
    momentum : float, default 0.0
        The momentum, in [0, 1).
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, momentum: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_fraction("NAG", "momentum", momentum)
        self.momentum = momentum

    def create_state(self, index: Any, weight: NDArray) -> NDArray | None:
        return _zeros_like(weight) if self.momentum != 0.0 else None

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: NDArray | None) -> None:
        lr, wd = self._next_lr_wd(index)
        upd.nag_step(weight._data, grad._data, None if state is None else state._data, lr, wd,
                     self.rescale_grad, self._bound(), self.momentum)


@register
class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), with the bias correction folded into the learning rate.

    At the t-th update of a weight, with ``g = clip(rescale_grad * grad + wd * weight)``::

        mean = beta1 * mean + (1 - beta1) * g
        var = beta2 * var + (1 - beta2) * g**2
        lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)
        weight = weight - lr_t * mean / (sqrt(var) + epsilon)

    Parameters
    ----------
    learning_rate : float, default 0.001
        The learning rate.
    beta1 : float, default 0.9
        Decay rate of the mean of the gradients, in [0, 1).
    beta2 : float, default 0.999
        Decay rate of the mean of the squared gradients, in [0, 1).
    epsilon : float, default 1e-8
        Keeps the division finite.
    lazy_update : bool, default True
        Accepted for compatibility; it only matters for sparse gradients.
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, lazy_update: bool = True, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        _check_fraction("Adam", "beta1", beta1)
        _check_fraction("Adam", "beta2", beta2)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    def create_state(self, index: Any, weight: NDArray) -> tuple[NDArray, NDArray]:
        return (_zeros_like(weight), _zeros_like(weight))  # mean, var

    def update(self, index: Any, weight: NDArray, grad: NDArray,
               state: tuple[NDArray, NDArray]) -> None:
        lr, wd = self._next_lr_wd(index)
        t = self._index_update_count[index]
        lr_t = lr * math.sqrt(1.0 - self.beta2 ** t) / (1.0 - self.beta1 ** t)
        upd.adam_step(weight._data, grad._data, state[0]._data, state[1]._data, lr_t, wd,
                      self.rescale_grad, self._bound(), self.beta1, self.beta2, self.epsilon)


@register
class Adamax(Optimizer):
    """AdaMax (Kingma & Ba, 2014): Adam with the infinity norm in place of the squared mean.

    At the t-th update, with ``g = clip(rescale_grad * grad + wd * weight)``::

        mean = beta1 * mean + (1 - beta1) * g
        u = maximum(beta2 * u, abs(g))
        weight = weight - lr / (1 - beta1**t) * mean / u

    Parameters
    ----------
    learning_rate : float, default 0.002
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates of the mean and of the norm, in [0, 1).
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        _check_fraction("Adamax", "beta1", beta1)
        _check_fraction("Adamax", "beta2", beta2)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index: Any, weight: NDArray) -> tuple[NDArray, NDArray]:
        return (_zeros_like(weight), _zeros_like(weight))  # mean, u

    def update(self, index: Any, weight: NDArray, grad: NDArray,
               state: tuple[NDArray, NDArray]) -> None:
        lr, wd = self._next_lr_wd(index)
        t = self._index_update_count[index]
        lr /= 1.0 - self.beta1 ** t
        w, mean, u = weight._data, state[0]._data, state[1]._data
        g = self._clip(self.rescale_grad * grad._data + wd * w)
        mean *= self.beta1
        mean += (1.0 - self.beta1) * g
        np.maximum(self.beta2 * u, np.abs(g), out=u)
        w -= lr * mean / u


@register
class Nadam(Optimizer):
    """Nadam (Dozat, 2016): Adam with Nesterov momentum and a warming momentum schedule.

    At the t-th update, with ``g = clip(rescale_grad * grad + wd * weight)`` and
    ``mu(t) = beta1 * (1 - 0.5 * 0.96**(t * schedule_decay))``::

        m_schedule = m_schedule * mu(t)          (one product shared by all weights, as MXNet)
        mean = beta1 * mean + (1 - beta1) * g
        var = beta2 * var + (1 - beta2) * g**2
        m_bar = (1 - mu(t)) * g / (1 - m_schedule)
                + mu(t+1) * mean / (1 - m_schedule * mu(t+1))
        weight = weight - lr * m_bar / (sqrt(var / (1 - beta2**t)) + epsilon)

    Parameters
    ----------
    learning_rate : float, default 0.001
    beta1, beta2 : float, default 0.9, 0.999
    epsilon : float, default 1e-8
    schedule_decay : float, default 0.004
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, schedule_decay: float = 0.004, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        _check_fraction("Nadam", "beta1", beta1)
        _check_fraction("Nadam", "beta2", beta2)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.0

    def create_state(self, index: Any, weight: NDArray) -> tuple[NDArray, NDArray]:
        return (_zeros_like(weight), _zeros_like(weight))  # mean, var

    def update(self, index: Any, weight: NDArray, grad: NDArray,
               state: tuple[NDArray, NDArray]) -> None:
        lr, wd = self._next_lr_wd(index)
        t = self._index_update_count[index]
        w, mean, var = weight._data, state[0]._data, state[1]._data
        g = self._clip(self.rescale_grad * grad._data + wd * w)
        momentum_t = self.beta1 * (1.0 - 0.5 * 0.96 ** (t * self.schedule_decay))
        momentum_next = self.beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * self.schedule_decay))
        self.m_schedule = self.m_schedule * momentum_t
        m_schedule_next = self.m_schedule * momentum_next
        mean *= self.beta1
        mean += (1.0 - self.beta1) * g
        var *= self.beta2
        var += (1.0 - self.beta2) * g * g
        m_bar = ((1.0 - momentum_t) * g / (1.0 - self.m_schedule)
                 + momentum_next * mean / (1.0 - m_schedule_next))
        w -= lr * m_bar / (np.sqrt(var / (1.0 - self.beta2 ** t)) + self.epsilon)


@register
class FTML(Optimizer):
    """FTML, Follow the Moving Leader (Zheng & Kwok, 2017), as MXNet's ``ftml_update`` kernel.

    At the t-th update, with ``g = clip(rescale_grad * grad + wd * weight)``::

        v = beta2 * v + (1 - beta2) * g**2
        d_t = (1 - beta1**t) / lr * (sqrt(v / (1 - beta2**t)) + epsilon)
        z = beta1 * z + (1 - beta1) * g - (d_t - beta1 * d) * weight
        d = d_t
        weight = -z / d_t

    Parameters
    ----------
    beta1 : float, default 0.6
    beta2 : float, default 0.999
    epsilon : float, default 1e-8
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, beta1: float = 0.6, beta2: float = 0.999, epsilon: float = 1e-8,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_fraction("FTML", "beta1", beta1)
        _check_fraction("FTML", "beta2", beta2)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index: Any, weight: NDArray) -> tuple[NDArray, NDArray, NDArray]:
        return (_zeros_like(weight), _zeros_like(weight), _zeros_like(weight))  # d, v, z

    def update(self, index: Any, weight: NDArray, grad: NDArray,
               state: tuple[NDArray, NDArray, NDArray]) -> None:
        lr, wd = self._next_lr_wd(index)
        upd.ftml_step(weight._data, grad._data, state[0]._data, state[1]._data, state[2]._data,
                      lr, wd, self.rescale_grad, self._bound(), self.beta1, self.beta2,
                      self.epsilon, self._index_update_count[index])


@register
class LAMB(Optimizer):
    """LAMB (You et al., 2019): Adam's step scaled per weight by a trust ratio of norms.

    At the t-th update, with ``g = clip(rescale_grad * grad)`` (phase 1, then phase 2, as
    MXNet's ``lamb_update_phase1``/``lamb_update_phase2``)::

        mean = beta1 * mean + (1 - beta1) * g
        var = beta2 * var + (1 - beta2) * g**2
        step = mean_hat / (sqrt(var_hat) + epsilon) + wd * weight
               (mean_hat = mean / (1 - beta1**t), var_hat = var / (1 - beta2**t) with
                bias_correction; mean and var themselves without)
        r1 = norm(weight) bounded to [lower_bound, upper_bound];  r2 = norm(step)
        weight = weight - lr * (r1 / r2 if r1 and r2 are non-zero else 1) * step

    Parameters
    ----------
    learning_rate : float, default 0.001
    beta1, beta2 : float, default 0.9, 0.999
    epsilon : float, default 1e-6
    lower_bound, upper_bound : float, optional
        Bounds of ``norm(weight)`` in the trust ratio.
    bias_correction : bool, default True
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-6, lower_bound: float | None = None,
                 upper_bound: float | None = None, bias_correction: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        _check_fraction("LAMB", "beta1", beta1)
        _check_fraction("LAMB", "beta2", beta2)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction

    def create_state(self, index: Any, weight: NDArray) -> tuple[NDArray, NDArray]:
        return (_zeros_like(weight), _zeros_like(weight))  # mean, var

    def update(self, index: Any, weight: NDArray, grad: NDArray,
               state: tuple[NDArray, NDArray]) -> None:
        lr, wd = self._next_lr_wd(index)
        w = weight._data
        step = upd.lamb_phase1(w, grad._data, state[0]._data, state[1]._data, wd,
                               self.rescale_grad, self._bound(), self.beta1, self.beta2,
                               self.epsilon, self._index_update_count[index],
                               self.bias_correction)
        upd.lamb_phase2(w, step, upd.norm(w), upd.norm(step), lr, self.lower_bound or None,
                        self.upper_bound or None)


@register
class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al., 2011).

    With ``g = clip(rescale_grad * grad)``::

        history = history + g**2
        weight = weight - lr * (g / sqrt(history + eps) + wd * weight)

    Parameters
    ----------
    eps : float, default 1e-7
        Keeps the division finite (stored as ``float_stable_eps``, as in MXNet).
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, eps: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index: Any, weight: NDArray) -> NDArray:
        return _zeros_like(weight)  # history

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: NDArray) -> None:
        lr, wd = self._next_lr_wd(index)
        w, history = weight._data, state._data
        g = self._clip(self.rescale_grad * grad._data)
        history += g * g
        w -= lr * (g / np.sqrt(history + self.float_stable_eps) + wd * w)


@register
class RMSProp(Optimizer):
    """RMSProp: Tieleman & Hinton's (2012), or Graves's centered version (2013).

    With ``g = clip(rescale_grad * grad + wd * weight)``, not centered::

        n = (1 - gamma1) * g**2 + gamma1 * n
        weight = weight - lr * g / sqrt(n + epsilon)

    centered::

        n = (1 - gamma1) * g**2 + gamma1 * n
        mean = (1 - gamma1) * g + gamma1 * mean
        delta = gamma2 * delta - lr * g / sqrt(n - mean**2 + epsilon)
        weight = weight + delta

    and then, with ``clip_weights``, the weight is clipped to ``[-clip_weights, clip_weights]``.

    Parameters
    ----------
    learning_rate : float, default 0.001
        The learning rate.
    gamma1 : float, default 0.9
        Decay rate of the moving averages, in [0, 1).
    gamma2 : float, default 0.9
        Momentum of ``delta`` (centered only), in [0, 1).
    epsilon : float, default 1e-8
        Keeps the division finite.
    centered : bool, default False
        Use Graves's centered version.
    clip_weights : float, optional
        Bound for the weights after each update.
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.001, gamma1: float = 0.9, gamma2: float = 0.9,
                 epsilon: float = 1e-8, centered: bool = False,
                 clip_weights: float | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        _check_fraction("RMSProp", "gamma1", gamma1)
        _check_fraction("RMSProp", "gamma2", gamma2)
        _check_at_least_zero("RMSProp", "clip_weights", clip_weights)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index: Any, weight: NDArray) -> tuple[NDArray, ...]:
        if self.centered:
            return (_zeros_like(weight), _zeros_like(weight), _zeros_like(weight))  # n, mean, delta
        return (_zeros_like(weight),)  # n

    def update(self, index: Any, weight: NDArray, grad: NDArray,
               state: tuple[NDArray, ...]) -> None:
        lr, wd = self._next_lr_wd(index)
        centered = (state[1]._data, state[2]._data) if self.centered else None
        upd.rmsprop_step(weight._data, grad._data, state[0]._data, centered, lr, wd,
                         self.rescale_grad, self._bound(), self.gamma1, self.gamma2,
                         self.epsilon, self.clip_weights or None)


@register
class AdaDelta(Optimizer):
    """AdaDelta (Zeiler, 2012); it has no learning rate.

    With ``g = clip(rescale_grad * grad)``::

        acc_grad = rho * acc_grad + (1 - rho) * g**2
        delta = sqrt(acc_delta + epsilon) / sqrt(acc_grad + epsilon) * g
        acc_delta = rho * acc_delta + (1 - rho) * delta**2
        weight = weight - (delta + wd * weight)

    Parameters
    ----------
    rho : float, default 0.9
        Decay rate of both accumulators, in [0, 1).
    epsilon : float, default 1e-5
        Keeps the square roots away from 0.
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, rho: float = 0.90, epsilon: float = 1e-5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_fraction("AdaDelta", "rho", rho)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index: Any, weight: NDArray) -> tuple[NDArray, NDArray]:
        return (_zeros_like(weight), _zeros_like(weight))  # acc_grad, acc_delta

    def update(self, index: Any, weight: NDArray, grad: NDArray,
               state: tuple[NDArray, NDArray]) -> None:
        _, wd = self._next_lr_wd(index)
        rho, epsilon = self.rho, self.epsilon
        w, acc_grad, acc_delta = weight._data, state[0]._data, state[1]._data
        g = self._clip(self.rescale_grad * grad._data)
        acc_grad *= rho
        acc_grad += (1.0 - rho) * g * g
        delta = np.sqrt(acc_delta + epsilon) / np.sqrt(acc_grad + epsilon) * g
        acc_delta *= rho
        acc_delta += (1.0 - rho) * delta * delta
        w -= delta + wd * w


@register
class Signum(Optimizer):
    """Signum: steps of size ``lr`` in the direction of the sign of the momentum (or gradient).

    With momentum::

        mom = momentum * mom - (1 - momentum) * (clip(rescale_grad * grad) + wd * weight)
        weight = (1 - lr * wd_lh) * weight + lr * sign(mom)

    With ``momentum=0`` (signSGD)::

        weight = (1 - lr * wd) * weight - lr * sign(grad)

    Parameters
    ----------
    learning_rate : float, default 0.01
        The step size.
    momentum : float, default 0.9
        The momentum, in [0, 1).
    wd_lh : float, default 0.0
        Decoupled weight decay (Loshchilov & Hutter).
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, wd_lh: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        _check_fraction("Signum", "momentum", momentum)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index: Any, weight: NDArray) -> NDArray | None:
        return _zeros_like(weight) if self.momentum != 0.0 else None

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: NDArray | None) -> None:
        lr, wd = self._next_lr_wd(index)
        upd.signum_step(weight._data, grad._data, None if state is None else state._data, lr,
                        wd, self.rescale_grad, self._bound(), self.momentum, self.wd_lh)


@register
class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), registered as ``'ftrl'``.

    With ``g = clip(rescale_grad * grad)``::

        z = z + g - (sqrt(n + g**2) - sqrt(n)) * weight / lr
        n = n + g**2
        weight = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr + wd) * (|z| > lamda1)

    Parameters
    ----------
    lamda1 : float, default 0.01
        L1 regularization coefficient.
    learning_rate : float, default 0.1
        The learning rate.
    beta : float, default 1
        Per-coordinate learning-rate parameter.
    **kwargs
        As in :class:`Optimizer`.
    """

    def __init__(self, lamda1: float = 0.01, learning_rate: float = 0.1, beta: float = 1,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_at_least_zero("Ftrl", "learning_rate", learning_rate)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index: Any, weight: NDArray) -> tuple[NDArray, NDArray]:
        return (_zeros_like(weight), _zeros_like(weight))  # z, n

    def update(self, index: Any, weight: NDArray, grad: NDArray,
               state: tuple[NDArray, NDArray]) -> None:
        lr, wd = self._next_lr_wd(index)
        upd.ftrl_step(weight._data, grad._data, state[0]._data, state[1]._data, lr, wd,
                      self.rescale_grad, self._bound(), self.lamda1, self.beta)


FTRL = Ftrl


# ---- the updater ------------------------------------------------------------------------------
_STATES_FORMAT = "teachmod.optimizer.Updater states"
_HEADER_KEY = "__header__"
_MISSING = object()  # marks an index that has no state yet


class Updater:
    """Applies an optimizer to parameters by index, creating each one's state on first use.

    ``get_states``/``set_states`` save and restore the states (and optionally the optimizer)
    as bytes in MXNet's NDArray-list format (what ``mx.nd.save`` writes), not as a pickle:

    - ``"state:<i>:<j>"``: the j-th array of the i-th saved state (in the order of the
      header's ``states`` list);
    - ``"__header__"``: a uint8 array holding UTF-8 JSON::

        {"format": "teachmod.optimizer.Updater states", "version": 1,
         "states": [[index, layout], ...],     # layout: null, "state:i:j", or a list (a tuple)
         "num_update": 12, "index_update_counts": {...per device...},
         "optimizer": null or {"class": "sgd", "attributes": {...},
                               "lr_scheduler": null or {"class": ..., "attributes": {...}}}}

    The file can be opened with ``mx.nd.load`` to look inside. Unlike MXNet, the update counts
    are always saved and restored, so Adam's bias correction and learning-rate schedules carry on
    where they stopped.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to apply.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.states: dict[Any, Any] = {}
        self.states_synced: dict[Any, bool] = {}

    def __call__(self, index: Any, grad: Any, weight: Any) -> None:
        """Update ``weight`` (in place) with ``grad``; index, grad and weight may be lists.

        Parameters
        ----------
        index : int or str, or a list of them
            Identifies the parameter and its state.
        grad : NDArray or list of NDArray
            The gradient.
        weight : NDArray or list of NDArray
            The parameter.
        """
        if isinstance(index, (list, tuple)):
            for one_index, one_grad, one_weight in zip(index, grad, weight):
                self(one_index, one_grad, one_weight)
            return
        if isinstance(index, bytes):
            index = index.decode()
        optimizer = self.optimizer
        optimizer._set_current_context(weight._ctx.device_id)
        state = self.states.get(index, _MISSING)
        if state is _MISSING:
            state = self.states[index] = optimizer.create_state_multi_precision(index, weight)
            self.states_synced[index] = True
        elif not self.states_synced[index]:
            state = self.states[index] = self.sync_state_context(state, weight.context)
            self.states_synced[index] = True
        optimizer.update_multi_precision(index, weight, grad, state)

    def sync_state_context(self, state: Any, context: Any) -> Any:
        """``state`` (None, an NDArray or a nested tuple/list of them) moved to ``context``."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(item, context) for item in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def get_states(self, dump_optimizer: bool = False) -> bytes:
        """The states as bytes (the format is in the class docstring).

        Parameters
        ----------
        dump_optimizer : bool, default False
            Also save the optimizer's hyper-parameters and its learning-rate scheduler.
        """
        arrays: dict[str, NDArray] = {}

        def layout_of(state: Any, key: str) -> Any:
            if state is None:
                return None
            if isinstance(state, NDArray):
                arrays[key] = state
                return key
            if isinstance(state, (tuple, list)):
                return [layout_of(item, f"{key}:{j}") for j, item in enumerate(state)]
            raise TypeError(f"get_states: cannot save a state of type {type(state).__name__}")

        saved_states = []
        for position, (index, state) in enumerate(self.states.items()):
            if isinstance(index, np.integer):
                index = int(index)
            if not isinstance(index, (int, str)):
                raise TypeError(f"get_states: index {index!r} must be an int or a str")
            layout = layout_of(state, f"state:{position}")
            if isinstance(layout, str):  # a single array: name it like the first of a tuple
                arrays[f"{layout}:0"] = arrays.pop(layout)
                layout = f"{layout}:0"
            saved_states.append([index, layout])
        optimizer = self.optimizer
        header = {
            "format": _STATES_FORMAT,
            "version": 1,
            "states": saved_states,
            "num_update": optimizer.num_update,
            "index_update_counts": _to_json(optimizer._all_index_update_counts),
            "optimizer": _describe_optimizer(optimizer) if dump_optimizer else None,
        }
        header_bytes = json.dumps(header).encode("utf-8")
        arrays[_HEADER_KEY] = NDArray(np.frombuffer(header_bytes, dtype=np.uint8).copy())
        return save_bytes(arrays)

    def set_states(self, states: bytes) -> None:
        """Restore what ``get_states`` returned (states, update counts, and the optimizer if it
        was saved).

        Parameters
        ----------
        states : bytes
            The output of ``get_states``.
        """
        if isinstance(states, (bytes, bytearray)) and states[:1] == b"\x80":
            raise MXNetError("set_states: these bytes are a Python pickle (MXNet's own updater "
                             "states); teachmod reads only its own NDArray-file format")
        arrays = load_bytes(bytes(states), "<updater states>")
        if not isinstance(arrays, dict) or _HEADER_KEY not in arrays:
            raise MXNetError("set_states: not updater states saved by teachmod (no header)")
        try:
            header = json.loads(arrays[_HEADER_KEY]._data.tobytes().decode("utf-8"))
        except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError too
            raise MXNetError("set_states: the header of the states is not JSON; the file is "
                             "damaged") from None
        if not isinstance(header, dict):
            raise MXNetError("set_states: the header of the states is not a JSON object")
        if header.get("format") != _STATES_FORMAT or header.get("version") != 1:
            raise MXNetError(f"set_states: unknown states format {header.get('format')!r} "
                             f"version {header.get('version')!r}")

        def state_of(layout: Any) -> Any:
            if layout is None:
                return None
            if isinstance(layout, str):
                if layout not in arrays:
                    raise MXNetError(f"set_states: the array {layout!r} is missing")
                return arrays[layout]
            return tuple(state_of(item) for item in layout)

        try:
            new_states = {index: state_of(layout) for index, layout in header["states"]}
            optimizer = (self.optimizer if header["optimizer"] is None
                         else _rebuild_optimizer(header["optimizer"]))
            num_update = int(header["num_update"])
            counts = _from_json(header["index_update_counts"])
            counts.setdefault(0, {})
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as err:
            raise MXNetError(f"set_states: the header of the states is damaged "
                             f"({type(err).__name__}: {err})") from None
        self.optimizer = optimizer
        optimizer.num_update = num_update
        optimizer._all_index_update_counts = counts
        optimizer._index_update_count = counts[0]
        self.states = new_states
        self.states_synced = dict.fromkeys(self.states, False)



def get_updater(optimizer: Optimizer) -> Updater:
    """An :class:`Updater` applying ``optimizer``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer.
    """
    return Updater(optimizer)


# ---- saving an optimizer without pickle -------------------------------------------------------
def _to_json(value: Any) -> Any:
    """Plain JSON for numbers, strings, lists and dicts; dicts keep non-string keys as pairs."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        return {"__pairs__": [[_to_json(key), _to_json(item)] for key, item in value.items()]}
    raise TypeError(f"cannot save a value of type {type(value).__name__} ({value!r})")


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if isinstance(value, dict):
        return {_from_json(key): _from_json(item) for key, item in value["__pairs__"]}
    return value


def _describe_optimizer(optimizer: Optimizer) -> dict[str, Any]:
    skipped = ("param_dict", "lr_scheduler", "_index_update_count")
    attributes = {}
    for name, value in vars(optimizer).items():
        if name in skipped:
            continue
        try:
            attributes[name] = _to_json(value)
        except TypeError as err:
            raise TypeError(f"get_states(dump_optimizer=True): optimizer attribute {name!r}: "
                            f"{err}") from None
    scheduler = optimizer.lr_scheduler
    scheduler_description = None
    if scheduler is not None:
        scheduler_description = {"class": type(scheduler).__name__,
                                 "attributes": {name: _to_json(value)
                                                for name, value in vars(scheduler).items()}}
    return {"class": type(optimizer).__name__.lower(), "attributes": attributes,
            "lr_scheduler": scheduler_description}


def _rebuild_optimizer(description: dict[str, Any]) -> Optimizer:
    from . import lr_scheduler as lr_scheduler_module

    cls = _registry.classes.get(description["class"])
    if cls is None:
        raise MXNetError(f"set_states: unknown optimizer {description['class']!r}")
    optimizer = cls.__new__(cls)
    for name, value in description["attributes"].items():
        value = _from_json(value)
        if name == "sym_info":
            value = tuple(value)
        setattr(optimizer, name, value)
    optimizer.param_dict = {}
    optimizer.lr_scheduler = None
    if description["lr_scheduler"] is not None:
        scheduler_cls = getattr(lr_scheduler_module, description["lr_scheduler"]["class"], None)
        if scheduler_cls is None:
            raise MXNetError(f"set_states: unknown lr_scheduler "
                             f"{description['lr_scheduler']['class']!r}")
        scheduler = scheduler_cls.__new__(scheduler_cls)
        for name, value in description["lr_scheduler"]["attributes"].items():
            setattr(scheduler, name, _from_json(value))
        optimizer.lr_scheduler = scheduler
    return optimizer
