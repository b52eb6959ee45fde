"""Weight initializers, as in MXNet's ``initializer.py`` (``mx.init``).

An initializer is called once per parameter with an :class:`InitDesc` (the parameter's name and
the attributes of its variable) and the NDArray to fill in place::

    init = mx.init.Xavier()
    init(mx.init.InitDesc("fc1_weight"), arr)

The name decides what happens (MXNet's rules, in this order):

=====================================  ========================================
the variable has an ``__init__`` attr   that initializer's ``_init_weight`` wins
name ends with ``weight``               ``_init_weight`` (the initializer's own rule)
name ends with ``bias``                 0
name ends with ``gamma``                1
name ends with ``beta``                 0
name ends with ``min`` / ``max``        0 / 1
anything else                           ValueError naming the array
=====================================  ========================================

BatchNorm's ``moving_mean`` and ``moving_var`` are covered by the first rule: their variables
carry ``__init__`` attributes (``["zero", {}]`` and ``["one", {}]``). Calling an initializer
with a plain string instead of an InitDesc is MXNet's deprecated "legacy" path, which also
knows ``moving_mean``/``moving_inv_var``/``moving_avg`` (0) and ``moving_var`` (1).

Random draws come from :func:`teachmod.random.generator`, so ``mx.random.seed`` makes them
repeatable. The arrays are filled in place, keeping their dtype.
"""
from __future__ import annotations

import json
import logging
import re
import warnings
from typing import Any, Callable

import numpy as np

from .ndarray.ndarray import NDArray
from .random import generator
from .registry import Registry

__all__ = [
    "InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed", "Zero", "One",
    "Constant", "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu", "Bilinear", "LSTMBias",
]


class InitDesc(str):
    """The name of a parameter to initialize, with its variable's attributes.

    Parameters
    ----------
    name : str
        Name of the variable, e.g. ``'fc1_weight'``.
    attrs : dict of str to str, optional
        Attributes of the variable from ``Symbol.attr_dict()``, e.g. ``{'__init__': '...'}``.
    global_init : Initializer, optional
        The initializer to fall back to (set by the first initializer that sees it).
    """

    attrs: dict[str, str]
    global_init: Any

    def __new__(cls, name: str, attrs: dict[str, str] | None = None,
                global_init: Any = None) -> InitDesc:
        desc = super().__new__(cls, name)
        desc.attrs = attrs or {}
        desc.global_init = global_init
        return desc


def _values_of(arr: Any) -> np.ndarray:
    """The numpy array behind an NDArray (or a numpy array itself), to be written in place."""
    if isinstance(arr, NDArray):
        return arr._data
    if isinstance(arr, np.ndarray):
        return arr
    raise TypeError(f"initializer: expected an NDArray to fill, got {type(arr).__name__}")


def _fill(arr: Any, values: Any) -> None:
    """``arr[:] = values`` (a scalar, a numpy array or an NDArray), keeping arr's dtype."""
    if isinstance(values, NDArray):
        values = values._data
    _values_of(arr)[...] = values


class Initializer:
    """The base class of initializers: applies the naming rules and calls ``_init_weight``.

    Subclasses implement ``_init_weight(name, arr)`` and pass their constructor arguments to
    ``super().__init__(**kwargs)`` so that :meth:`dumps` can write them out.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._verbose = False
        self._print_func: Callable[[Any], str] | None = None

    def set_verbosity(self, verbose: bool = False,
                      print_func: Callable[[Any], str] | None = None) -> Initializer:
        """Log a statistic of every initialized array (``logging.info``).

        Parameters
        ----------
        verbose : bool, default False
            Switch the logging on or off.
        print_func : callable, optional
            Takes the NDArray, returns a string; default the root mean square
            ``norm(x) / sqrt(x.size)``.
        """
        self._verbose = verbose
        if print_func is None:
            def print_func(x: Any) -> str:
                values = _values_of(x)
                return str(np.linalg.norm(values) / np.sqrt(values.size))
        self._print_func = print_func
        return self

    def _verbose_print(self, desc: str, init: str, arr: Any) -> None:
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self) -> str:
        """The initializer as the JSON string ``'["name", {kwargs}]'``.

        This is what ``mx.sym.Variable(init=...)`` stores in the ``__init__`` attribute, and
        what ``create`` accepts back.

        Examples
        --------
        >>> Xavier(factor_type="in", magnitude=2.34).dumps()
        '["xavier", {"rnd_type": "uniform", "factor_type": "in", "magnitude": 2.34}]'
        """
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, desc: str, arr: Any) -> None:
        """Initialize ``arr`` in place according to the name and attributes in ``desc``.

        Parameters
        ----------
        desc : InitDesc
            The parameter's name and attributes. A plain ``str`` takes the deprecated path.
        arr : NDArray
            The array to fill.
        """
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init_attr = desc.attrs.get("__init__", "")
        if init_attr:
            create(init_attr)._init_weight(desc, arr)
            self._verbose_print(desc, init_attr, arr)
            return
        for suffix, rule in (("weight", self._init_weight), ("bias", self._init_bias),
                             ("gamma", self._init_gamma), ("beta", self._init_beta),
                             ("min", self._init_zero), ("max", self._init_one)):
            if desc.endswith(suffix):
                rule(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name: str, arr: Any) -> None:
        """MXNet's deprecated ``init(str, NDArray)`` path, with its own suffix list."""
        warnings.warn("Calling initializer with init(str, NDArray) has been deprecated. "
                      "Please use init(mx.init.InitDesc(...), NDArray) instead.",
                      DeprecationWarning, stacklevel=3)
        if not isinstance(name, str):
            raise TypeError(f"initializer: name must be a string, got {type(name).__name__}")
        if not isinstance(arr, NDArray):
            raise TypeError(f"initializer: arr must be an NDArray, got {type(arr).__name__}")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        elif name.endswith("bias"):
            self._init_bias(name, arr)
        elif name.endswith("gamma"):
            self._init_gamma(name, arr)
        elif name.endswith("beta"):
            self._init_beta(name, arr)
        elif name.endswith("weight"):
            self._init_weight(name, arr)
        elif name.endswith(("moving_mean", "moving_inv_var", "moving_avg", "min")):
            self._init_zero(name, arr)
        elif name.endswith(("moving_var", "max")):
            self._init_one(name, arr)
        else:
            self._init_default(name, arr)

    # ---- the rules; subclasses override _init_weight (and may override the others) ----------
    def _init_weight(self, name: str, arr: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _init_weight")

    def _init_bias(self, _: str, arr: Any) -> None:
        _fill(arr, 0.0)

    def _init_gamma(self, _: str, arr: Any) -> None:
        _fill(arr, 1.0)

    def _init_beta(self, _: str, arr: Any) -> None:
        _fill(arr, 0.0)

    def _init_zero(self, _: str, arr: Any) -> None:
        _fill(arr, 0.0)

    def _init_one(self, _: str, arr: Any) -> None:
        _fill(arr, 1.0)

    def _init_bilinear(self, _: str, arr: Any) -> None:
        _fill(arr, _bilinear_kernel(_values_of(arr).shape))

    def _init_loc_bias(self, name: str, arr: Any) -> None:
        if _values_of(arr).shape[0] != 6:
            raise ValueError(f"{name}: a spatial-transformer localisation bias has 6 values")
        _fill(arr, np.array([1.0, 0, 0, 0, 1.0, 0]))

    def _init_default(self, name: str, _: Any) -> None:
        raise ValueError(
            f'Unknown initialization pattern for {name}. Default initialization is now limited '
            f'to "weight", "bias", "gamma" (1.0), and "beta" (0.0).Please use '
            f"mx.sym.Variable(init=mx.init.*) to set initialization pattern")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = None  # type: ignore[assignment]  # equal initializers must hash alike; none do

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self._kwargs.items())
        return f"{type(self).__name__}({args})"


_registry = Registry(Initializer, "initializer")


def register(klass: type) -> type:
    """Register an Initializer subclass under its lower-cased class name.

    Examples
    --------
    >>> @mx.init.register
    ... class Halves(mx.init.Initializer):
    ...     def _init_weight(self, _, arr):
    ...         arr[:] = 0.5
    >>> module.init_params("halves")
    """
    if not (isinstance(klass, type) and issubclass(klass, Initializer)):
        raise TypeError(f"register: expected an Initializer subclass, got {klass!r}")
    return _registry.register(klass)


def alias(*aliases: str) -> Callable[[type], type]:
    """Decorator registering an initializer class under extra names."""
    return _registry.alias(*aliases)


def create(initializer: Any, **kwargs: Any) -> Initializer:
    """An initializer from an instance, a registered name, or a ``dumps()`` JSON string.

    Parameters
    ----------
    initializer : Initializer or str
        E.g. ``Xavier()``, ``'xavier'``, ``'["xavier", {"magnitude": 2}]'``.
    **kwargs
        Constructor arguments when a name is given.
    """
    return _registry.create(initializer, **kwargs)


def _bilinear_kernel(shape: tuple[int, ...]) -> np.ndarray:
    """The upsampling kernel MXNet's Bilinear writes, for a 4-D weight shape."""
    if len(shape) != 4:
        raise ValueError(f"Bilinear: the weight must be 4-D (out, in, h, w), got shape {shape}")
    f = np.ceil(shape[3] / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    x = np.arange(shape[3])
    y = np.arange(shape[2])
    kernel = np.outer(1 - np.abs(y / f - c), 1 - np.abs(x / f - c)).astype(np.float32)
    return np.broadcast_to(kernel, shape)


# ---- initializers that are not Initializer subclasses (as in MXNet) ---------------------------
class Load:
    """Initialize parameters from a saved file or a dict, falling back to ``default_init``.

    A leading ``arg:`` or ``aux:`` is dropped from the saved names.

    Parameters
    ----------
    param : str or dict of str to NDArray
        A ``.params`` file name, or a dict from names to arrays.
    default_init : Initializer, optional
        Used for names that are not in ``param``.
    verbose : bool, default False
        Log where each parameter came from.
    """

    def __init__(self, param: str | dict[str, Any], default_init: Any = None,
                 verbose: bool = False) -> None:
        if isinstance(param, str):
            from .ndarray.utils import load

            param = load(param)
        if not isinstance(param, dict):
            raise TypeError("Load: param must be a file name or a dict of name -> NDArray "
                            f"(a file saved from a list has no names), got {type(param).__name__}")
        self.param = {}
        for name, arr in param.items():
            if name.startswith(("arg:", "aux:")):
                name = name[4:]
            self.param[name] = arr
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name: str, arr: Any) -> None:
        if name in self.param:
            loaded = self.param[name]
            target_shape = _values_of(arr).shape
            if tuple(loaded.shape) != target_shape:
                raise ValueError(f"Parameter {name} cannot be initialized from loading. Shape "
                                 f"mismatch, target {target_shape} vs loaded {tuple(loaded.shape)}")
            _fill(arr, loaded)
            if self.verbose:
                logging.info("Initialized %s by loading", name)
        else:
            if self.default_init is None:
                raise ValueError(f"Cannot Initialize {name}. Not found in loaded param and no "
                                 "default Initializer is provided.")
            self.default_init(name, arr)
            if self.verbose:
                logging.info("Initialized %s by default", name)


class Mixed:
    """Initialize each parameter with the initializer of the first pattern its name matches.

    Patterns are regular expressions matched at the start of the name (``re.match``).

    Parameters
    ----------
    patterns : list of str
        Regular expressions, e.g. ``['bias', '.*']``.
    initializers : list of Initializer
        One initializer per pattern.

    Examples
    --------
    >>> init = mx.init.Mixed([".*bias", ".*"], [mx.init.Zero(), mx.init.Uniform(0.1)])
    """

    def __init__(self, patterns: list[str], initializers: list[Any]) -> None:
        if len(patterns) != len(initializers):
            raise ValueError(f"Mixed: {len(patterns)} patterns but {len(initializers)} "
                             "initializers; give one initializer per pattern")
        self.map = list(zip([re.compile(p) for p in patterns], initializers))

    def __call__(self, name: str, arr: Any) -> None:
        for pattern, init in self.map:
            if pattern.match(name):
                init(name, arr)
                return
        raise ValueError(f'Parameter name {name} did not match any pattern. Consider adding a '
                         '".*" pattern at the end with a default Initializer.')


# ---- the registered initializers --------------------------------------------------------------
@register
@alias("zeros")
class Zero(Initializer):
    """Initializes weights to zero."""

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _: str, arr: Any) -> None:
        _fill(arr, 0)


@register
@alias("ones")
class One(Initializer):
    """Initializes weights to one."""

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _: str, arr: Any) -> None:
        _fill(arr, 1)


@register
class Constant(Initializer):
    """Initializes weights to a given value.

    Parameters
    ----------
    value : float or NDArray
        A scalar, or an array that broadcasts to the weight's shape.
    """

    def __init__(self, value: Any) -> None:
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _: str, arr: Any) -> None:
        _fill(arr, self.value)

    def dumps(self) -> str:
        value = self._kwargs["value"]
        if not np.isscalar(value):
            # as MXNet, the recorded arguments keep the JSON-ready list (self.value the array)
            self._kwargs["value"] = np.asarray(
                value._data if isinstance(value, NDArray) else value).tolist()
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])


@register
class Uniform(Initializer):
    """Initializes weights with values drawn uniformly from ``[-scale, scale)``.

    Parameters
    ----------
    scale : float, default 0.07
        The bound of the range.
    """

    def __init__(self, scale: float = 0.07) -> None:
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _: str, arr: Any) -> None:
        values = _values_of(arr)
        values[...] = generator().uniform(-self.scale, self.scale, values.shape)


@register
class Normal(Initializer):
    """Initializes weights with values drawn from a normal distribution N(0, sigma^2).

    Parameters
    ----------
    sigma : float, default 0.01
        The standard deviation.
    """

    def __init__(self, sigma: float = 0.01) -> None:
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _: str, arr: Any) -> None:
        values = _values_of(arr)
        values[...] = generator().normal(0.0, self.sigma, values.shape)


@register
class Orthogonal(Initializer):
    """Initializes the weight as a scaled orthogonal matrix (Saxe et al., 2013).

    The weight, seen as a ``(shape[0], prod(shape[1:]))`` matrix, is ``scale`` times the
    orthonormal factor of the SVD of a random matrix: its rows are orthonormal when it is wide,
    its columns when it is tall.

    Parameters
    ----------
    scale : float, default 1.414
        The scaling factor.
    rand_type : {'uniform', 'normal'}, default 'uniform'
        The distribution of the random matrix.
    """

    def __init__(self, scale: float = 1.414, rand_type: str = "uniform") -> None:
        if rand_type not in ("uniform", "normal"):
            raise ValueError(f"Orthogonal: rand_type must be 'uniform' or 'normal', "
                             f"got {rand_type!r}")
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, _: str, arr: Any) -> None:
        values = _values_of(arr)
        nout, nin = values.shape[0], int(np.prod(values.shape[1:]))
        if self.rand_type == "uniform":
            random_matrix = generator().uniform(-1.0, 1.0, (nout, nin))
        else:
            random_matrix = generator().normal(0.0, 1.0, (nout, nin))
        u, _, v = np.linalg.svd(random_matrix, full_matrices=False)
        orthonormal = u if u.shape == random_matrix.shape else v
        values[...] = self.scale * orthonormal.reshape(values.shape)


@register
class Xavier(Initializer):
    """Xavier (Glorot) initialization: keeps the scale of gradients similar in all layers.

    With ``fan_in = shape[1] * k`` and ``fan_out = shape[0] * k`` (``k`` the product of the
    remaining dimensions, e.g. a convolution kernel's area), and ``factor`` the average of the
    two (``'avg'``), ``fan_in`` (``'in'``) or ``fan_out`` (``'out'``), the scale is
    ``c = sqrt(magnitude / factor)``; values are uniform in ``[-c, c]`` or normal with
    standard deviation ``c``.

    Parameters
    ----------
    rnd_type : {'uniform', 'gaussian'}, default 'uniform'
        The distribution.
    factor_type : {'avg', 'in', 'out'}, default 'avg'
        Which fan the scale divides by.
    magnitude : float, default 3
        The numerator of the scale.
    """

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg",
                 magnitude: float = 3) -> None:
        if rnd_type not in ("uniform", "gaussian"):
            raise ValueError(f"Unknown random type {rnd_type!r}; use 'uniform' or 'gaussian'")
        if factor_type not in ("avg", "in", "out"):
            raise ValueError(f"Incorrect factor type {factor_type!r}; use 'avg', 'in' or 'out'")
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name: str, arr: Any) -> None:
        values = _values_of(arr)
        shape = values.shape
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. It requires "
                             "at least 2D.")
        hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}[self.factor_type]
        scale = np.sqrt(self.magnitude / factor)
        if self.rnd_type == "uniform":
            values[...] = generator().uniform(-scale, scale, shape)
        else:
            values[...] = generator().normal(0.0, scale, shape)


@register
class MSRAPrelu(Xavier):
    """He (MSRA) initialization for layers followed by ReLU/PReLU (He et al., 2015).

    A Gaussian Xavier with ``magnitude = 2 / (1 + slope**2)``.

    Parameters
    ----------
    factor_type : {'avg', 'in', 'out'}, default 'avg'
        Which fan the scale divides by.
    slope : float, default 0.25
        The initial negative slope of the PReLU (0 for ReLU).
    """

    def __init__(self, factor_type: str = "avg", slope: float = 0.25) -> None:
        magnitude = 2.0 / (1 + slope ** 2)
        super().__init__("gaussian", factor_type, magnitude)
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """Initializes a 4-D weight as a bilinear upsampling kernel (for Deconvolution)."""

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _: str, arr: Any) -> None:
        _fill(arr, _bilinear_kernel(_values_of(arr).shape))


@register
class LSTMBias(Initializer):
    """Initializes an LSTM bias to 0 except the forget gate (the second quarter).

    Parameters
    ----------
    forget_bias : float, default 1.0
        The forget gate's bias.
    """

    def __init__(self, forget_bias: float = 1.0) -> None:
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, _: str, arr: Any) -> None:
        values = _values_of(arr)
        values[...] = 0.0
        num_hidden = values.shape[0] // 4
        values[num_hidden:2 * num_hidden] = self.forget_bias


@register
class FusedRNN(Initializer):
    """Initializes the packed ``parameters`` vector of a fused ``RNN`` operator gate by gate.

    The vector is cut into the per-gate weights and biases that ``mx.rnn.FusedRNNCell``'s
    ``unpack_weights`` names (``l0_i2h_f_weight``...), each is initialized by its name as a
    separate parameter would be (by ``init``, or else the global initializer), LSTM forget-gate
    biases (``*_f_bias``) are set to ``forget_bias``, and the pieces are packed back.

    Parameters
    ----------
    init : Initializer, str or None
        For the pieces; None uses the initializer that ``init_params`` was called with.
    num_hidden, num_layers, mode, bidirectional, forget_bias
        As given to ``FusedRNNCell``.
    """

    def __init__(self, init: Any, num_hidden: int, num_layers: int, mode: str,
                 bidirectional: bool = False, forget_bias: float = 1.0) -> None:
        if isinstance(init, str):
            init = create(init)
        super().__init__(init=init.dumps() if init is not None else None,
                         num_hidden=num_hidden, num_layers=num_layers, mode=mode,
                         bidirectional=bidirectional, forget_bias=forget_bias)
        self._init = init
        self._num_hidden, self._num_layers, self._mode = num_hidden, num_layers, mode
        self._bidirectional, self._forget_bias = bidirectional, forget_bias

    def _init_weight(self, desc: str, arr: Any) -> None:
        from .rnn.rnn_cell import FusedRNNCell  # the rnn package imports this module

        cell = FusedRNNCell(self._num_hidden, self._num_layers, self._mode,
                            self._bidirectional, forget_bias=self._forget_bias, prefix="")
        pieces = cell.unpack_weights({"parameters": arr})
        global_init = getattr(desc, "global_init", None)
        for name, piece in pieces.items():
            piece_desc = InitDesc(name, global_init=global_init)
            if self._mode == "lstm" and name.endswith("_f_bias"):
                _fill(piece, self._forget_bias)
            elif self._init is not None:
                self._init(piece_desc, piece)
            elif global_init is not None:
                global_init(piece_desc, piece)
            else:
                raise ValueError(f"FusedRNN initializer of {desc!r}: give init=, or call it "
                                 f"through init_params so that the global initializer is known")
        _fill(arr, cell.pack_weights(pieces)["parameters"])
