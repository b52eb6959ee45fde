"""``mx.runtime``: which compile-time features the library has.

MXNet asks its C++ library; teachmod compiles nothing and computes with numpy on the CPU, so
every feature of MXNet's list is reported off (no CUDA, cuDNN, MKLDNN, OpenMP, BLAS choice,
large-tensor indices, profiler ...). Code that branches on a feature takes its CPU path.
"""
from __future__ import annotations

import collections

__all__ = ["Feature", "Features", "feature_list"]

# MXNet 1.9.1's feature names, in its order.
FEATURE_NAMES = (
    "CUDA", "CUDNN", "NCCL", "CUDA_RTC", "TENSORRT", "CPU_SSE", "CPU_SSE2", "CPU_SSE3",
    "CPU_SSE4_1", "CPU_SSE4_2", "CPU_SSE4A", "CPU_AVX", "CPU_AVX2", "OPENMP", "SSE", "F16C",
    "JEMALLOC", "BLAS_OPEN", "BLAS_ATLAS", "BLAS_MKL", "BLAS_APPLE", "LAPACK", "MKLDNN", "OPENCV",
    "CAFFE", "PROFILER", "DIST_KVSTORE", "CXX14", "INT64_TENSOR_SIZE", "SIGNAL_HANDLER", "DEBUG",
    "TVM_OP",
)
ENABLED: frozenset[str] = frozenset()


class Feature:
    """One compile-time feature: its ``name`` and whether it is ``enabled``."""

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = enabled

    def __repr__(self) -> str:
        return f"{'✔' if self.enabled else '✖'} {self.name}"


def feature_list() -> list[Feature]:
    """All features, in MXNet's order."""
    return [Feature(name, name in ENABLED) for name in FEATURE_NAMES]


class Features(collections.OrderedDict):
    """An ordered dict of feature name -> Feature (one shared instance, as in MXNet)."""

    instance: Features | None = None

    def __new__(cls) -> Features:
        if cls.instance is None:
            cls.instance = super().__new__(cls)
            collections.OrderedDict.__init__(cls.instance,
                                             [(f.name, f) for f in feature_list()])
        return cls.instance

    def __init__(self) -> None:  # filled once in __new__; calling Features() again keeps it
        pass

    def __repr__(self) -> str:
        return str(list(self.values()))

    def is_enabled(self, feature_name: str) -> bool:
        """Whether a feature (case-insensitive name, e.g. 'CUDA') is on; RuntimeError if unknown."""
        feature_name = feature_name.upper()
        if feature_name not in self:
            raise RuntimeError(f"Feature '{feature_name}' is unknown, known features are: "
                               f"{list(self.keys())}")
        return self[feature_name].enabled
