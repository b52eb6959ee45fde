"""Special functions numpy lacks: erf, its inverse, the gamma function, log-gamma, digamma.

``erf``, ``gamma`` and ``lgamma`` come from Python's ``math`` module one element at a time.
``erfinv`` and ``digamma`` are computed here: erfinv by Newton's method on erf, digamma
(the derivative of log-gamma, needed by the backward of gamma and gammaln) by its recurrence
and asymptotic series.
"""
from __future__ import annotations

import math

import numpy as np

erf = np.vectorize(math.erf, otypes=[np.float64])


def _gamma(v: float) -> float:
    try:
        return math.gamma(v)
    except ValueError:  # the poles, as C's tgamma: +-inf at +-0, nan at negative integers
        return math.copysign(math.inf, v) if v == 0 else math.nan
    except OverflowError:
        return math.inf


def _lgamma(v: float) -> float:
    try:
        return math.lgamma(v)
    except (ValueError, OverflowError):  # log|gamma| is +inf at the poles
        return math.inf


gamma = np.vectorize(_gamma, otypes=[np.float64])
lgamma = np.vectorize(_lgamma, otypes=[np.float64])


def erfinv(y: np.ndarray) -> np.ndarray:
    """The x with erf(x) = y, for -1 <= y <= 1 (+-inf at +-1, nan outside)."""
    y = np.asarray(y, dtype=np.float64)
    inside = np.abs(y) < 1
    safe = np.where(inside, y, 0.0)
    # start from a close approximation, x ~ sign(y) sqrt(sqrt(t^2 - l / a) - t) (Winitzki)
    a = 0.147
    log_term = np.log(1 - safe * safe)
    t = 2 / (math.pi * a) + log_term / 2
    x = np.sign(safe) * np.sqrt(np.sqrt(t * t - log_term / a) - t)
    for _ in range(4):  # Newton: x -= (erf(x) - y) / erf'(x); each step doubles the digits
        x = x - (erf(x) - safe) / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    edge = np.where(np.abs(y) == 1, np.copysign(np.inf, y), np.nan)
    return np.where(inside, x, edge)


def digamma(x: np.ndarray) -> np.ndarray:
    """psi(x) = d/dx log(gamma(x))."""
    x = np.asarray(x, dtype=np.float64)
    # reflection for x < 0.5: psi(x) = psi(1 - x) - pi / tan(pi x)
    reflect = x < 0.5
    z = np.where(reflect, 1 - x, x)
    result = np.zeros_like(z)
    # recurrence psi(z) = psi(z + 1) - 1/z until z is large enough for the series
    while np.any(z < 6):
        small = z < 6
        result -= np.where(small, 1 / np.where(small, z, 1), 0)
        z = np.where(small, z + 1, z)
    inv2 = 1 / (z * z)
    result += (np.log(z) - 0.5 / z
               - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240)))))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(reflect, result - math.pi / np.tan(math.pi * x), result)
