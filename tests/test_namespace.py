"""The mx namespace mirrors MXNet 1.x, and importing it stays light."""
from __future__ import annotations

import subprocess
import sys

import teachmod as mx


def test_mxnet_names_exist():
    assert mx.sym is mx.symbol and mx.nd is mx.ndarray
    assert mx.mod is mx.module and mx.init is mx.initializer and mx.viz is mx.visualization
    for name in ("Context", "cpu", "gpu", "current_context", "AttrScope", "MXNetError"):
        assert hasattr(mx, name), name
    for module, names in {
        mx.io: ("DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter",
                "PrefetchingIter", "CSVIter"),
        mx.mod: ("BaseModule", "Module"),
        mx.init: ("Uniform", "Normal", "Xavier", "MSRAPrelu", "Orthogonal", "Zero", "One",
                  "Constant", "Mixed", "Load", "InitDesc"),
        mx.optimizer: ("SGD", "NAG", "Adam", "AdaGrad", "RMSProp", "AdaDelta", "Signum", "FTRL",
                       "create", "get_updater", "Updater"),
        mx.lr_scheduler: ("FactorScheduler", "MultiFactorScheduler", "PolyScheduler",
                          "CosineScheduler"),
        mx.metric: ("create", "CompositeEvalMetric", "CustomMetric", "np", "Accuracy"),
        mx.callback: ("Speedometer", "do_checkpoint", "log_train_metric", "ProgressBar",
                      "module_checkpoint", "LogValidationMetricsCallback"),
        mx.model: ("save_checkpoint", "load_checkpoint", "load_params", "BatchEndParam"),
        mx.viz: ("plot_network", "print_summary"),
        mx.test_utils: ("download", "check_numeric_gradient", "assert_almost_equal"),
        mx.name: ("NameManager", "Prefix"),
        mx.random: ("seed",),
        mx.nd: ("array", "zeros", "ones", "empty", "full", "arange", "save", "load", "waitall",
                "dot", "round", "exp", "sum"),
        mx.sym: ("Variable", "var", "Group", "load", "load_json", "FullyConnected",
                 "Convolution", "BatchNorm", "Pooling", "SoftmaxOutput"),
    }.items():
        for name in names:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert mx.current_context() == mx.cpu(0)
    assert hasattr(mx.nd.random, "uniform") and hasattr(mx.nd.random, "normal")


def test_import_does_not_pull_in_heavy_packages():
    code = ("import sys, teachmod as mx; "
            "print(sorted(m for m in ('matplotlib', 'graphviz', 'ipywidgets', 'requests') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
