"""``mx.metric``: evaluation metrics that accumulate over batches.

Every metric keeps two pairs of counters: the *local* ``sum_metric`` / ``num_inst`` (what
``get()`` reports; ``reset_local()`` clears them, e.g. each time ``Speedometer`` logs) and the
*global* ``global_sum_metric`` / ``global_num_inst`` (what ``get_global()`` reports; only
``reset()`` clears them). ``get()`` is ``sum_metric / num_inst``, NaN before any update.

``update(labels, preds)`` takes lists of NDArrays (one per output). Metrics read the arrays'
numpy data directly, without copies, and never write to them.
"""
from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any, Callable

import numpy

from .ndarray.ndarray import NDArray
from .registry import Registry

__all__ = [
    "EvalMetric", "CompositeEvalMetric", "Accuracy", "TopKAccuracy", "F1", "MCC", "Perplexity",
    "MAE", "MSE", "RMSE", "CrossEntropy", "NegativeLogLikelihood", "PearsonCorrelation", "PCC",
    "Loss", "Torch", "Caffe", "CustomMetric", "np", "create", "register", "alias",
    "check_label_shapes",
]

_NUMERIC_TYPES = (int, float, numpy.generic)


def _values(array: Any) -> numpy.ndarray:
    """The numpy data of an NDArray (shared, not copied), or the array itself."""
    return array._data if isinstance(array, NDArray) else numpy.asarray(array)


def check_label_shapes(labels: Any, preds: Any, wrap: bool = False,
                       shape: bool = False) -> tuple[Any, Any]:
    """Check that labels and predictions match; return them, wrapped in lists if asked.

    Parameters
    ----------
    labels : list of NDArray (or one array)
        The labels.
    preds : list of NDArray (or one array)
        The predictions.
    wrap : bool, default False
        Put a single NDArray into a list.
    shape : bool, default False
        Compare the arrays' shapes instead of the lists' lengths.
    """
    if shape:
        label_shape, pred_shape = labels.shape, preds.shape
    else:
        label_shape, pred_shape = len(labels), len(preds)
    if label_shape != pred_shape:
        raise ValueError(f"Shape of labels {label_shape} does not match shape of "
                         f"predictions {pred_shape}")
    if wrap:
        if isinstance(labels, NDArray):
            labels = [labels]
        if isinstance(preds, NDArray):
            preds = [preds]
    return labels, preds


def _label_pred_pairs(labels: Any, preds: Any) -> list[tuple[numpy.ndarray, numpy.ndarray]]:
    """Pair up the numpy data of labels and predictions, checking the lists have equal length."""
    if isinstance(labels, NDArray):
        labels = [labels]
    if isinstance(preds, NDArray):
        preds = [preds]
    if len(labels) != len(preds):
        raise ValueError(f"Shape of labels {len(labels)} does not match shape of predictions "
                         f"{len(preds)} (the number of label arrays must equal the number of "
                         f"output arrays)")
    return [(_values(label), _values(pred)) for label, pred in zip(labels, preds)]


# ============================================================================================
# The base class, the registry and create()
# ============================================================================================
class EvalMetric:
    """Base class of all metrics.

    Parameters
    ----------
    name : str
        Name shown in logs, e.g. 'accuracy'.
    output_names : list of str, optional
        Which outputs ``update_dict`` uses (all by default).
    label_names : list of str, optional
        Which labels ``update_dict`` uses (all by default).
    """

    def __init__(self, name: str, output_names: list[str] | None = None,
                 label_names: list[str] | None = None, **kwargs: Any) -> None:
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs  # constructor arguments, for get_config
        self.reset()

    def __str__(self) -> str:
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self) -> dict[str, Any]:
        """The arguments that recreate this metric with ``create(**config)``."""
        config = self._kwargs.copy()
        config.update({"metric": type(self).__name__, "name": self.name,
                       "output_names": self.output_names, "label_names": self.label_names})
        return config

    def update_dict(self, label: dict[str, NDArray], pred: dict[str, NDArray]) -> None:
        """Update with labels and outputs given as ``{name: NDArray}``.

        Parameters
        ----------
        label : dict of str to NDArray
            Labels by name.
        pred : dict of str to NDArray
            Outputs by name.
        """
        preds = ([pred[name] for name in self.output_names] if self.output_names is not None
                 else list(pred.values()))
        labels = ([label[name] for name in self.label_names] if self.label_names is not None
                  else list(label.values()))
        self.update(labels, preds)

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Accumulate one batch.

        Parameters
        ----------
        labels : list of NDArray
            The labels, one array per label input.
        preds : list of NDArray
            The predictions, one array per output.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update()")

    def _add(self, value: float, count: float) -> None:
        """Add to both the local and the global sums."""
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += count
        self.global_num_inst += count

    def reset(self) -> None:
        """Clear local and global statistics."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self) -> None:
        """Clear the local statistics only; the global ones keep accumulating."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def get(self) -> tuple[Any, Any]:
        """``(name, value)`` of the local statistics; value is NaN before any update."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.sum_metric / self.num_inst)

    def get_global(self) -> tuple[Any, Any]:
        """``(name, value)`` of the global statistics (since the last ``reset()``)."""
        if not self._has_global_stats:
            return self.get()
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.global_sum_metric / self.global_num_inst)

    def get_name_value(self) -> list[tuple[str, Any]]:
        """``[(name, value), ...]`` of the local statistics."""
        return _zip_name_value(*self.get())

    def get_global_name_value(self) -> list[tuple[str, Any]]:
        """``[(name, value), ...]`` of the global statistics."""
        if not self._has_global_stats:
            return self.get_name_value()
        return _zip_name_value(*self.get_global())


def _zip_name_value(name: Any, value: Any) -> list[tuple[str, Any]]:
    names = name if isinstance(name, list) else [name]
    values = value if isinstance(value, list) else [value]
    return list(zip(names, values))


_registry = Registry(EvalMetric, "metric")
register = _registry.register
alias = _registry.alias


def create(metric: Any, *args: Any, **kwargs: Any) -> EvalMetric:
    """A metric from a name, an instance, a list of them, a config dict, or a function.

    Parameters
    ----------
    metric : str, EvalMetric, list, dict or callable
        A registered name ('acc', 'ce', 'top_k_accuracy', ...; case-insensitive), a metric
        (returned as is), a list (a CompositeEvalMetric of its elements), a ``get_config()``
        dict, or ``feval(label, pred)`` (a CustomMetric).
    *args, **kwargs
        Passed to the metric's constructor.
    """
    if isinstance(metric, type) and issubclass(metric, EvalMetric):
        return metric(*args, **kwargs)
    if callable(metric):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    if isinstance(metric, str) and metric.startswith("{"):
        metric = json.loads(metric)
    if isinstance(metric, dict):
        config = dict(metric)
        if "metric" not in config:
            raise ValueError(f"create: a metric config needs a 'metric' key, got {sorted(config)}")
        return create(config.pop("metric"), *args, **config, **kwargs)
    return _registry.create(metric, *args, **kwargs)


@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; ``get()`` returns lists of names and values.

    Parameters
    ----------
    metrics : list, optional
        Child metrics (instances, names or configs).
    name : str, default 'composite'
        Name of the group.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, metrics: list | None = None, name: str = "composite",
                 output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        self.metrics = [create(child) for child in (metrics or [])]
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def add(self, metric: Any) -> None:
        """Add a child metric (an instance, a name or a config)."""
        self.metrics.append(create(metric))

    def get_metric(self, index: int) -> EvalMetric:
        """The child metric at ``index``."""
        if not -len(self.metrics) <= index < len(self.metrics):
            raise ValueError(f"Metric index {index} is out of range 0 and {len(self.metrics)}")
        return self.metrics[index]

    def update_dict(self, labels: dict[str, NDArray], preds: dict[str, NDArray]) -> None:
        """Update every child with the named labels and outputs (filtered by this group's
        ``label_names`` / ``output_names``)."""
        if self.label_names is not None:
            labels = OrderedDict(i for i in labels.items() if i[0] in self.label_names)
        if self.output_names is not None:
            preds = OrderedDict(i for i in preds.items() if i[0] in self.output_names)
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Update every child metric with the batch."""
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self) -> None:
        """Reset every child metric."""
        for metric in self.metrics:
            metric.reset()

    def reset_local(self) -> None:
        """Reset the local statistics of every child metric."""
        for metric in self.metrics:
            metric.reset_local()

    def _collect(self, results: list[tuple[Any, Any]]) -> tuple[list, list]:
        names, values = [], []
        for name, value in results:
            names.extend([name] if isinstance(name, str) else name)
            values.extend([value] if isinstance(value, _NUMERIC_TYPES) else value)
        return names, values

    def get(self) -> tuple[list, list]:
        """``([names], [values])`` of the children's local statistics."""
        return self._collect([metric.get() for metric in self.metrics])

    def get_global(self) -> tuple[list, list]:
        """``([names], [values])`` of the children's global statistics."""
        return self._collect([metric.get_global() for metric in self.metrics])

    def get_config(self) -> dict[str, Any]:
        """The group's config, with each child's config under 'metrics'."""
        config = super().get_config()
        config["metrics"] = [metric.get_config() for metric in self.metrics]
        return config


# ============================================================================================
# Classification
# ============================================================================================
@register
@alias("acc")
class Accuracy(EvalMetric):
    """Fraction of examples whose predicted class equals the label.

    Predictions with the label's shape are class indices; otherwise the class is the argmax
    along ``axis``.

    Parameters
    ----------
    axis : int, default 1
        The class axis of the predictions.
    name : str, default 'accuracy'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, axis: int = 1, name: str = "accuracy",
                 output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.axis = axis

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Count correct predictions in the batch."""
        for label, pred in _label_pred_pairs(labels, preds):
            if pred.shape == label.shape:  # already class numbers
                pred_class = pred.astype(numpy.int32, copy=False).ravel()
            else:  # argmax gives integers: compared with the int32 labels as they are
                pred_class = pred.argmax(axis=self.axis).ravel()
            label_class = label.astype(numpy.int32, copy=False).ravel()
            if pred_class.size != label_class.size:
                raise ValueError(f"Accuracy: labels of shape {label.shape} do not match "
                                 f"predictions of shape {pred.shape} (class axis {self.axis})")
            self._add(int(numpy.count_nonzero(pred_class == label_class)), pred_class.size)


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Fraction of examples whose label is among the ``top_k`` highest-scored classes.

    Parameters
    ----------
    top_k : int, default 1
        How many classes count; must be > 1 (use Accuracy otherwise).
    name : str, default 'top_k_accuracy'
        Name shown in logs; '_<top_k>' is appended.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, top_k: int = 1, name: str = "top_k_accuracy",
                 output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, top_k=top_k, output_names=output_names,
                         label_names=label_names, has_global_stats=True)
        if top_k <= 1:
            raise ValueError(f"TopKAccuracy: top_k must be > 1, got {top_k}; "
                             "Please use Accuracy if top_k is no more than 1")
        self.top_k = top_k
        self.name += f"_{top_k}"

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Count examples whose label is in the top k."""
        for label, pred in _label_pred_pairs(labels, preds):
            if pred.ndim > 2:
                raise ValueError(f"TopKAccuracy: predictions must have at most 2 dimensions, "
                                 f"got shape {pred.shape}")
            if len(pred) != len(label):
                raise ValueError(f"TopKAccuracy: labels of shape {label.shape} do not match "
                                 f"predictions of shape {pred.shape}")
            label_class = label.astype(numpy.int32, copy=False).ravel()
            k = min(self.top_k, pred.shape[-1])
            # argpartition puts the k largest scores last (in no particular order)
            top_classes = numpy.argpartition(pred.astype(numpy.float32, copy=False), -k)
            if pred.ndim == 1:  # MXNet's rule for 1-D predictions: compare position-wise
                correct = numpy.count_nonzero(top_classes == label_class)
            else:
                top_classes = top_classes[:, -k:]
                correct = numpy.count_nonzero((top_classes == label_class[:, None]).any(axis=1))
            self._add(int(correct), pred.shape[0])


class _BinaryClassificationMetrics:
    """True/false positive/negative counts, local and global, for F1 and MCC."""

    def __init__(self) -> None:
        self.reset_stats()

    def update_binary_stats(self, label: numpy.ndarray, pred: numpy.ndarray) -> None:
        """Count one batch: ``pred`` holds two class scores per example, ``label`` 0 or 1."""
        if len(label) != len(pred):
            raise ValueError(f"Shape of labels {label.shape} does not match shape of "
                             f"predictions {pred.shape}")
        label = label.astype(numpy.int32, copy=False)
        if len(numpy.unique(label)) > 2:
            raise ValueError("F1/MCC currently only supports binary classification; labels "
                             f"have the values {numpy.unique(label).tolist()}")
        pred_true = pred.argmax(axis=1) == 1
        label_true = label == 1
        counts = {
            "true_positives": numpy.count_nonzero(pred_true & label_true),
            "false_positives": numpy.count_nonzero(pred_true & ~label_true),
            "false_negatives": numpy.count_nonzero(~pred_true & label_true),
            "true_negatives": numpy.count_nonzero(~pred_true & ~label_true),
        }
        for key, count in counts.items():
            setattr(self, key, getattr(self, key) + int(count))
            setattr(self, "global_" + key, getattr(self, "global_" + key) + int(count))

    @staticmethod
    def _ratio(numerator: float, denominator: float) -> float:
        return float(numerator) / denominator if denominator > 0 else 0.0

    @staticmethod
    def _harmonic_mean(precision: float, recall: float) -> float:
        if precision + recall > 0:
            return 2 * precision * recall / (precision + recall)
        return 0.0

    @property
    def precision(self) -> float:
        return self._ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def global_precision(self) -> float:
        return self._ratio(self.global_true_positives,
                           self.global_true_positives + self.global_false_positives)

    @property
    def recall(self) -> float:
        return self._ratio(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def global_recall(self) -> float:
        return self._ratio(self.global_true_positives,
                           self.global_true_positives + self.global_false_negatives)

    @property
    def fscore(self) -> float:
        return self._harmonic_mean(self.precision, self.recall)

    @property
    def global_fscore(self) -> float:
        return self._harmonic_mean(self.global_precision, self.global_recall)

    @property
    def total_examples(self) -> int:
        return (self.true_positives + self.false_positives + self.false_negatives
                + self.true_negatives)

    @property
    def global_total_examples(self) -> int:
        return (self.global_true_positives + self.global_false_positives
                + self.global_false_negatives + self.global_true_negatives)

    def matthewscc(self, use_global: bool = False) -> float:
        """Matthews correlation coefficient; zero factors in the denominator count as 1."""
        prefix = "global_" if use_global else ""
        tp, fp, fn, tn = (float(getattr(self, prefix + key)) for key in (
            "true_positives", "false_positives", "false_negatives", "true_negatives"))
        if tp + fp + fn + tn == 0:
            return 0.0
        denominator = 1.0
        for term in (tp + fp, tp + fn, tn + fp, tn + fn):
            if term != 0:
                denominator *= term
        return (tp * tn - fp * fn) / math.sqrt(denominator)

    def local_reset_stats(self) -> None:
        self.true_positives = self.false_positives = 0
        self.false_negatives = self.true_negatives = 0

    def reset_stats(self) -> None:
        self.local_reset_stats()
        self.global_true_positives = self.global_false_positives = 0
        self.global_false_negatives = self.global_true_negatives = 0


class _BinaryMetric(EvalMetric):
    """Shared 'macro'/'micro' bookkeeping of F1 and MCC (binary classification)."""

    def __init__(self, name: str, output_names: list[str] | None,
                 label_names: list[str] | None, average: str) -> None:
        if average not in ("macro", "micro"):
            raise ValueError(f"{type(self).__name__}: average must be 'macro' or 'micro', "
                             f"got {average!r}")
        self.average = average
        self.metrics = _BinaryClassificationMetrics()
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def _score(self, use_global: bool) -> float:
        raise NotImplementedError

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Count the batch; 'macro' averages per-batch scores, 'micro' scores all counts."""
        for label, pred in _label_pred_pairs(labels, preds):
            self.metrics.update_binary_stats(label, pred)
        if self.average == "macro":
            self.sum_metric += self._score(use_global=False)
            self.global_sum_metric += self._score(use_global=True)
            self.num_inst += 1
            self.global_num_inst += 1
            self.metrics.reset_stats()
        else:
            self.sum_metric = self._score(use_global=False) * self.metrics.total_examples
            self.global_sum_metric = (self._score(use_global=True)
                                      * self.metrics.global_total_examples)
            self.num_inst = self.metrics.total_examples
            self.global_num_inst = self.metrics.global_total_examples

    def reset(self) -> None:
        """Clear local and global statistics."""
        super().reset()
        self.metrics.reset_stats()

    def reset_local(self) -> None:
        """Clear the local statistics."""
        super().reset_local()
        self.metrics.local_reset_stats()


@register
class F1(_BinaryMetric):
    """F1 score (harmonic mean of precision and recall) of a binary classifier.

    Parameters
    ----------
    name : str, default 'f1'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    average : {'macro', 'micro'}, default 'macro'
        'macro' averages the F1 of each batch; 'micro' computes one F1 from all counts.
    """

    def __init__(self, name: str = "f1", output_names: list[str] | None = None,
                 label_names: list[str] | None = None, average: str = "macro") -> None:
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global: bool) -> float:
        return self.metrics.global_fscore if use_global else self.metrics.fscore


@register
class MCC(_BinaryMetric):
    """Matthews correlation coefficient of a binary classifier (zero factors in the
    denominator count as 1).

    Parameters
    ----------
    name : str, default 'mcc'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    average : {'macro', 'micro'}, default 'macro'
        'macro' averages the MCC of each batch; 'micro' computes one MCC from all counts.
    """

    def __init__(self, name: str = "mcc", output_names: list[str] | None = None,
                 label_names: list[str] | None = None, average: str = "macro") -> None:
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global: bool) -> float:
        return self.metrics.matthewscc(use_global=use_global)


@register
class Perplexity(EvalMetric):
    """Perplexity: ``exp(mean(-log p(label)))`` over all (not ignored) labels.

    Parameters
    ----------
    ignore_label : int or None
        Label value to leave out (e.g. padding); None counts every label.
    axis : int, default -1
        The class axis of the predictions.
    name : str, default 'perplexity'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, ignore_label: int | None, axis: int = -1, name: str = "perplexity",
                 output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, ignore_label=ignore_label, output_names=output_names,
                         label_names=label_names, has_global_stats=True)
        self.ignore_label = ignore_label
        self.axis = axis

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Add the batch's negative log-likelihood and its number of counted labels."""
        loss = 0.0
        count = 0
        for label, pred in _label_pred_pairs(labels, preds):
            num_classes = pred.shape[self.axis]
            if label.size * num_classes != pred.size:
                raise ValueError(f"Perplexity: shape mismatch: labels {label.shape} vs. "
                                 f"predictions {pred.shape}")
            label = label.reshape(-1)
            scores = numpy.moveaxis(pred, self.axis, -1).reshape(-1, num_classes)
            # MXNet's pick clips out-of-range labels (such as -1) into range
            classes = numpy.clip(label.astype(numpy.int32), 0, num_classes - 1)
            prob = scores[numpy.arange(label.size), classes]
            if self.ignore_label is not None:
                ignore = (label == self.ignore_label).astype(prob.dtype)
                count -= float(ignore.sum())
                prob = prob * (1 - ignore) + ignore
            loss -= float(numpy.log(numpy.maximum(prob.dtype.type(1e-10), prob)).sum())
            count += prob.size
        self._add(loss, count)

    def get(self) -> tuple[str, float]:
        """``(name, exp(sum_metric / num_inst))`` for the local statistics."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.sum_metric / self.num_inst))

    def get_global(self) -> tuple[str, float]:
        """``(name, exp(global_sum_metric / global_num_inst))``."""
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.global_sum_metric / self.global_num_inst))


# ============================================================================================
# Regression
# ============================================================================================
def _as_columns(label: numpy.ndarray, pred: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """1-D arrays become (n, 1) columns, as MXNet's regression metrics do before subtracting."""
    if label.ndim == 1:
        label = label.reshape(label.shape[0], 1)
    if pred.ndim == 1:
        pred = pred.reshape(pred.shape[0], 1)
    return label, pred


class _RegressionMetric(EvalMetric):
    """A metric that averages one number per batch: ``_batch_value(label, pred)``."""

    def __init__(self, name: str, output_names: list[str] | None,
                 label_names: list[str] | None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    @staticmethod
    def _batch_value(difference: numpy.ndarray) -> Any:
        """The batch's value from ``label - pred``."""
        raise NotImplementedError

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Add the batch's value; every batch (not every example) counts once."""
        for label, pred in _label_pred_pairs(labels, preds):
            label_columns, pred_columns = _as_columns(label, pred)
            # MXNet 1.9.1 lets numpy broadcast here, so labels (4,) against predictions (4, 3)
            # silently compare every label with every column; a wrong number is worse than none
            if label_columns.shape != pred_columns.shape:
                raise ValueError(f"{type(self).__name__}: labels of shape {label.shape} do "
                                 f"not match predictions of shape {pred.shape} (one value "
                                 f"per prediction is needed)")
            difference = label_columns - pred_columns
            self._add(float(self._batch_value(difference)), 1)


@register
class MAE(_RegressionMetric):
    """Mean absolute error, averaged over batches.

    Parameters
    ----------
    name : str, default 'mae'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, name: str = "mae", output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(difference: numpy.ndarray) -> Any:
        return numpy.abs(difference).mean()


@register
class MSE(_RegressionMetric):
    """Mean squared error, averaged over batches.

    Parameters
    ----------
    name : str, default 'mse'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, name: str = "mse", output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(difference: numpy.ndarray) -> Any:
        return (difference ** 2.0).mean()


@register
class RMSE(_RegressionMetric):
    """Root mean squared error of each batch, averaged over batches.

    Parameters
    ----------
    name : str, default 'rmse'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, name: str = "rmse", output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(difference: numpy.ndarray) -> Any:
        return numpy.sqrt((difference ** 2.0).mean())


class _LikelihoodMetric(EvalMetric):
    """Mean of ``-log(p(label) + eps)`` over examples (CrossEntropy, NegativeLogLikelihood)."""

    def __init__(self, eps: float, name: str, output_names: list[str] | None,
                 label_names: list[str] | None) -> None:
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.eps = eps

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Add the batch's summed negative log-probabilities of the labels."""
        for label, pred in _label_pred_pairs(labels, preds):
            label = label.ravel()
            if label.shape[0] != pred.shape[0]:
                raise ValueError(f"{type(self).__name__}: {label.shape[0]} labels (shape "
                                 f"{label.shape}) but predictions of shape {pred.shape}")
            prob = pred[numpy.arange(label.shape[0]), label.astype(numpy.int64)]
            self._add(float((-numpy.log(prob + self.eps)).sum()), label.shape[0])


@register
@alias("ce", "cross-entropy")
class CrossEntropy(_LikelihoodMetric):
    """Cross-entropy of predicted class probabilities, averaged over examples.

    Parameters
    ----------
    eps : float, default 1e-12
        Added to the probabilities before the log.
    name : str, default 'cross-entropy'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, eps: float = 1e-12, name: str = "cross-entropy",
                 output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(eps, name, output_names, label_names)


@register
@alias("nll_loss")
class NegativeLogLikelihood(_LikelihoodMetric):
    """Negative log-likelihood of the labels, averaged over examples.

    Parameters
    ----------
    eps : float, default 1e-12
        Added to the probabilities before the log.
    name : str, default 'nll-loss'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, eps: float = 1e-12, name: str = "nll-loss",
                 output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(eps, name, output_names, label_names)


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation between predictions and labels.

    Parameters
    ----------
    name : str, default 'pearsonr'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    average : {'macro', 'micro'}, default 'macro'
        'macro' averages the correlation of each batch; 'micro' computes one correlation over
        all examples seen (with running means and variances). As in MXNet, 'micro' leaves
        ``sum_metric`` at 0, so ``get_global()`` reports 0.0.
    """

    def __init__(self, name: str = "pearsonr", output_names: list[str] | None = None,
                 label_names: list[str] | None = None, average: str = "macro") -> None:
        if average not in ("macro", "micro"):
            raise ValueError(f"PearsonCorrelation: average must be 'macro' or 'micro', "
                             f"got {average!r}")
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def reset_micro(self) -> None:
        """Clear the running statistics of 'micro' averaging."""
        self._sse_p = self._mean_p = self._sse_l = self._mean_l = 0.0
        self._pred_nums = self._label_nums = 0
        self._conv = 0.0

    def reset(self) -> None:
        """Clear local and global statistics."""
        super().reset()
        if self.average == "micro":
            self.reset_micro()

    @staticmethod
    def update_variance(new_values: numpy.ndarray, count: int, mean: float,
                        m_2: float) -> tuple[int, float, float]:
        """One step of Welford's running mean and sum of squared deviations (batch form)."""
        count += len(new_values)
        delta = new_values - mean
        mean += numpy.sum(delta / count)
        m_2 += numpy.sum(delta * (new_values - mean))
        return count, mean, m_2

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Add the batch's correlation ('macro') or its running statistics ('micro')."""
        for label, pred in _label_pred_pairs(labels, preds):
            check_label_shapes(label, pred, shape=True)
            label = label.ravel().astype(numpy.float64)
            pred = pred.ravel().astype(numpy.float64)
            if self.average == "macro":
                self._add(float(numpy.corrcoef(pred, label)[0, 1]), 1)
                continue
            self.num_inst += 1
            self.global_num_inst += 1
            self._label_nums, self._mean_l, self._sse_l = self.update_variance(
                label, self._label_nums, self._mean_l, self._sse_l)
            self._conv += numpy.sum((label - self._mean_l) * (pred - self._mean_p))
            self._pred_nums, self._mean_p, self._sse_p = self.update_variance(
                pred, self._pred_nums, self._mean_p, self._sse_p)

    def get(self) -> tuple[str, float]:
        """``(name, correlation)`` of the local statistics."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.sum_metric / self.num_inst)
        n = self._label_nums
        std_p = numpy.sqrt(self._sse_p / (n - 1))
        std_l = numpy.sqrt(self._sse_l / (n - 1))
        return (self.name, float(self._conv / ((n - 1) * std_p * std_l)))


@register
class PCC(EvalMetric):
    """Multiclass Matthews correlation (the Pearson correlation of the confusion matrix).

    Parameters
    ----------
    name : str, default 'pcc'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    has_global_stats : bool, default True
        Keep global statistics.
    """

    def __init__(self, name: str = "pcc", output_names: list[str] | None = None,
                 label_names: list[str] | None = None, has_global_stats: bool = True) -> None:
        self.k = 2
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=has_global_stats)

    def _grow(self, extra: int) -> None:
        self.lcm = numpy.pad(self.lcm, ((0, extra), (0, extra)))
        self.gcm = numpy.pad(self.gcm, ((0, extra), (0, extra)))
        self.k += extra

    @staticmethod
    def _calc_mcc(confusion: numpy.ndarray) -> float:
        n = confusion.sum()
        x = confusion.sum(axis=1)
        y = confusion.sum(axis=0)
        cov_xx = numpy.sum(x * (n - x))
        cov_yy = numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = numpy.sum(confusion.diagonal() * n - x * y)
        return cov_xy / (cov_xx * cov_yy) ** 0.5

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Add the batch to the confusion matrices."""
        for label, pred in _label_pred_pairs(labels, preds):
            label = label.astype(numpy.int32, copy=False).ravel()
            pred = (pred.argmax(axis=1) if pred.shape != label.shape
                    else pred.astype(numpy.int32, copy=False)).ravel()
            largest = max(pred.max(), label.max())
            if largest >= self.k:
                self._grow(int(largest) + 1 - self.k)
            batch = numpy.zeros((self.k, self.k))
            numpy.add.at(batch, (pred, label), 1)
            self.lcm += batch
            self.gcm += batch
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self) -> float:
        return self._calc_mcc(self.lcm) * self.num_inst

    @property
    def global_sum_metric(self) -> float:
        return self._calc_mcc(self.gcm) * self.global_num_inst

    def reset(self) -> None:
        """Clear both confusion matrices."""
        self.global_num_inst = 0.0
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self) -> None:
        """Clear the local confusion matrix."""
        self.num_inst = 0.0
        self.lcm = numpy.zeros((self.k, self.k))


# ============================================================================================
# Losses and custom metrics
# ============================================================================================
@register
class Loss(EvalMetric):
    """Mean of the outputs themselves (for networks whose output is a loss); labels unused.

    Parameters
    ----------
    name : str, default 'loss'
        Name shown in logs.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, name: str = "loss", output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def update(self, _: Any, preds: list[NDArray]) -> None:
        """Add the sum of every output and its number of elements."""
        if isinstance(preds, NDArray):
            preds = [preds]
        for pred in preds:
            values = _values(pred)
            self._add(float(values.sum()), values.size)


@register
class Torch(Loss):
    """Loss metric named 'torch' (MXNet's torch-criterion plugin)."""

    def __init__(self, name: str = "torch", output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class Caffe(Loss):
    """Loss metric named 'caffe' (MXNet's caffe-criterion plugin)."""

    def __init__(self, name: str = "caffe", output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class CustomMetric(EvalMetric):
    """A metric from a function ``feval(label, pred)`` of numpy arrays.

    ``feval`` returns either a number (each call counts as one instance) or a tuple
    ``(sum_metric, num_inst)``.

    Parameters
    ----------
    feval : callable
        The function. It receives copies, so it may modify its arguments.
    name : str, optional
        Name shown in logs; defaults to the function's name ('custom(<lambda>)' for a lambda).
    allow_extra_outputs : bool, default False
        Allow more outputs than labels (e.g. RNN states); extra outputs are ignored.
    output_names, label_names : list of str, optional
        As for EvalMetric.
    """

    def __init__(self, feval: Callable[[Any, Any], Any], name: str | None = None,
                 allow_extra_outputs: bool = False, output_names: list[str] | None = None,
                 label_names: list[str] | None = None) -> None:
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        super().__init__(name, feval=feval, allow_extra_outputs=allow_extra_outputs,
                         output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels: list[NDArray], preds: list[NDArray]) -> None:
        """Call ``feval`` on each (label, pred) pair and add its result."""
        if isinstance(labels, NDArray):
            labels = [labels]
        if isinstance(preds, NDArray):
            preds = [preds]
        if not self._allow_extra_outputs:
            check_label_shapes(labels, preds)
        for pred, label in zip(preds, labels):
            # copies, as MXNet's asnumpy(): feval may modify them without touching the outputs
            result = self._feval(numpy.array(_values(label)), numpy.array(_values(pred)))
            if isinstance(result, tuple):
                value, count = result
                self._add(value, count)
            else:
                self._add(result, 1)

    def get_config(self) -> dict[str, Any]:
        """Not available: a function cannot be serialized."""
        raise NotImplementedError("CustomMetric cannot be serialized")


def np(numpy_feval: Callable[[Any, Any], Any], name: str | None = None,
       allow_extra_outputs: bool = False) -> CustomMetric:
    """A CustomMetric from a function of numpy arrays (``mx.metric.np``).

    Parameters
    ----------
    numpy_feval : callable
        ``numpy_feval(label, pred)`` returning a number for one batch.
    name : str, optional
        Name shown in logs; defaults to the function's name.
    allow_extra_outputs : bool, default False
        Allow more outputs than labels.
    """

    def feval(label: Any, pred: Any) -> Any:
        return numpy_feval(label, pred)

    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
