"""Learning-rate schedules, as in MXNet's ``lr_scheduler.py``.

A scheduler is a callable: ``scheduler(num_update)`` returns the learning rate for the
``num_update``-th update, where ``num_update`` is the largest number of updates any weight has
received so far. The optimizer calls it before every update when it was given
``lr_scheduler=``.

Schedulers are *stateful* exactly as in MXNet: ``FactorScheduler`` and
``MultiFactorScheduler`` keep the decayed rate in ``base_lr`` and never undo a decay, and
``PolyScheduler``/``CosineScheduler`` keep the last rate past ``max_update``. Every change made
by the two factor schedulers is logged on the root logger at INFO level::

    Update[6]: Change learning rate to 5.00000e-02
"""
from __future__ import annotations

import logging
from math import cos, pi

__all__ = [
    "LRScheduler", "FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler",
]


class LRScheduler:
    """Base class of a learning-rate scheduler, with optional warmup.

    During the first ``warmup_steps`` updates the rate goes from ``warmup_begin_lr`` to
    ``base_lr`` (``'linear'``) or stays at ``warmup_begin_lr`` (``'constant'``).

    Parameters
    ----------
    base_lr : float, default 0.01
        The learning rate the schedule starts from (after warmup).
    warmup_steps : int, default 0
        Number of warmup updates before the schedule starts.
    warmup_begin_lr : float, default 0
        The learning rate at the first warmup update.
    warmup_mode : {'linear', 'constant'}, default 'linear'
        How the rate moves during warmup.
    """

    def __init__(self, base_lr: float = 0.01, warmup_steps: int = 0,
                 warmup_begin_lr: float = 0, warmup_mode: str = "linear") -> None:
        if not isinstance(warmup_steps, int):
            raise TypeError(f"warmup_steps must be an int, got {warmup_steps!r}")
        self.base_lr = base_lr
        self.warmup_steps = warmup_steps
        self.warmup_final_lr = base_lr
        self.warmup_begin_lr = warmup_begin_lr
        if self.warmup_begin_lr > self.warmup_final_lr:
            raise ValueError("Base lr has to be higher than warmup_begin_lr")
        if self.warmup_steps < 0:
            raise ValueError("Warmup steps has to be positive or 0")
        if warmup_mode not in ("linear", "constant"):
            raise ValueError("Supports only linear and constant modes of warmup")
        self.warmup_mode = warmup_mode

    def get_warmup_lr(self, num_update: int) -> float:
        """The learning rate at warmup update ``num_update`` (< ``warmup_steps``)."""
        if num_update >= self.warmup_steps:
            raise ValueError(f"update {num_update} is past the {self.warmup_steps} warmup steps")
        if self.warmup_mode == "constant":
            return self.warmup_begin_lr
        increase = ((self.warmup_final_lr - self.warmup_begin_lr)
                    * float(num_update) / float(self.warmup_steps))
        return self.warmup_begin_lr + increase

    def __call__(self, num_update: int) -> float:
        """The learning rate for update ``num_update``.

        Parameters
        ----------
        num_update : int
            The largest number of updates applied to any one weight so far.
        """
        raise NotImplementedError("a learning-rate scheduler must override __call__")


class FactorScheduler(LRScheduler):
    """Multiply the learning rate by ``factor`` every ``step`` updates::

        lr = base_lr * factor ** floor((num_update - 1) / step)    for num_update >= 1,

    never below ``stop_factor_lr``. The first change happens at update ``step + 1``.

    Parameters
    ----------
    step : int
        Number of updates between two changes of the rate.
    factor : float, default 1
        The multiplier (<= 1) applied at each change.
    stop_factor_lr : float, default 1e-8
        The rate never goes below this value.
    base_lr, warmup_steps, warmup_begin_lr, warmup_mode
        As in :class:`LRScheduler`.
    """

    def __init__(self, step: int, factor: float = 1, stop_factor_lr: float = 1e-8,
                 base_lr: float = 0.01, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear") -> None:
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if step < 1:
            raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.count = 0

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        # A loop, not an if: resuming training may jump over several steps at once.
        while num_update > self.count + self.step:
            self.count += self.step
            self.base_lr *= self.factor
            if self.base_lr < self.stop_factor_lr:
                self.base_lr = self.stop_factor_lr
                logging.info("Update[%d]: now learning rate arrived at %0.5e, will not "
                             "change in the future", num_update, self.base_lr)
            else:
                logging.info("Update[%d]: Change learning rate to %0.5e",
                             num_update, self.base_lr)
        return self.base_lr


class MultiFactorScheduler(LRScheduler):
    """Multiply the learning rate by ``factor`` each time ``num_update`` passes a listed step::

        lr = base_lr * factor ** (number of steps s with s < num_update)

    Parameters
    ----------
    step : list of int
        Increasing update counts at which the rate changes.
    factor : float, default 1
        The multiplier (<= 1) applied at each listed step.
    base_lr, warmup_steps, warmup_begin_lr, warmup_mode
        As in :class:`LRScheduler`.
    """

    def __init__(self, step: list[int], factor: float = 1, base_lr: float = 0.01,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear") -> None:
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(step, (list, tuple)) or len(step) < 1:
            raise ValueError(f"step must be a non-empty list of update counts, got {step!r}")
        for i, one_step in enumerate(step):
            if i != 0 and step[i] <= step[i - 1]:
                raise ValueError("Schedule step must be an increasing integer list")
            if one_step < 1:
                raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.step = list(step)
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while self.cur_step_ind < len(self.step) and num_update > self.step[self.cur_step_ind]:
            self.count = self.step[self.cur_step_ind]
            self.cur_step_ind += 1
            self.base_lr *= self.factor
            logging.info("Update[%d]: Change learning rate to %0.5e", num_update, self.base_lr)
        return self.base_lr


class PolyScheduler(LRScheduler):
    """Decay the learning rate polynomially to ``final_lr`` over ``max_update`` updates::

        lr = final_lr + (base_lr - final_lr) * (1 - n / max_steps) ** pwr

    where ``n = num_update - warmup_steps`` and ``max_steps = max_update - warmup_steps``;
    after ``max_update`` the last rate is kept.

    Parameters
    ----------
    max_update : int
        The update at which the rate reaches ``final_lr``.
    base_lr : float, default 0.01
        The rate at the start of the decay.
    pwr : float, default 2
        The power of the polynomial.
    final_lr : float, default 0
        The rate at ``max_update`` and after.
    warmup_steps, warmup_begin_lr, warmup_mode
        As in :class:`LRScheduler`.
    """

    def __init__(self, max_update: int, base_lr: float = 0.01, pwr: float = 2,
                 final_lr: float = 0, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear") -> None:
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(max_update, int):
            raise TypeError(f"max_update must be an int, got {max_update!r}")
        if max_update < 1:
            raise ValueError("maximum number of updates must be strictly positive")
        self.power = pwr
        self.base_lr_orig = self.base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = self.max_update - self.warmup_steps

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            progress = float(num_update - self.warmup_steps) / float(self.max_steps)
            self.base_lr = (self.final_lr
                            + (self.base_lr_orig - self.final_lr) * pow(1 - progress, self.power))
        return self.base_lr


class CosineScheduler(LRScheduler):
    """Decay the learning rate along half a cosine to ``final_lr`` over ``max_update`` updates::

        lr = final_lr + (base_lr - final_lr) * (1 + cos(pi * n / max_steps)) / 2

    where ``n = num_update - warmup_steps`` and ``max_steps = max_update - warmup_steps``;
    after ``max_update`` the last rate is kept.

    Parameters
    ----------
    max_update : int
        The update at which the rate reaches ``final_lr``.
    base_lr : float, default 0.01
        The rate at the start of the decay.
    final_lr : float, default 0
        The rate at ``max_update`` and after.
    warmup_steps, warmup_begin_lr, warmup_mode
        As in :class:`LRScheduler`.
    """

    def __init__(self, max_update: int, base_lr: float = 0.01, final_lr: float = 0,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear") -> None:
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(max_update, int):
            raise TypeError(f"max_update must be an int, got {max_update!r}")
        if max_update < 1:
            raise ValueError("maximum number of updates must be strictly positive")
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = self.max_update - self.warmup_steps

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            angle = pi * (num_update - self.warmup_steps) / self.max_steps
            self.base_lr = (self.final_lr
                            + (self.base_lr_orig - self.final_lr) * (1 + cos(angle)) / 2)
        return self.base_lr
