"""mx.viz against MXNet 1.9.1: plot_network's DOT source and print_summary's table must be
byte-identical to what MXNet wrote for the same networks (tests/golden/viz, made by
tests/golden/generate_viz.py from the networks in tests/golden/viz_nets.py)."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx

GOLDEN = Path(__file__).parent / "golden"
VIZ = GOLDEN / "viz"
FIXTURES = Path(__file__).parent / "fixtures" / "json"
_spec = importlib.util.spec_from_file_location("viz_nets", GOLDEN / "viz_nets.py")
viz_nets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(viz_nets)

graphviz = pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="the Graphviz `dot` program is not installed")


def net(name: str) -> mx.sym.Symbol:
    return viz_nets.NETWORKS[name](mx)


def body(dot: graphviz.Digraph) -> list[str]:
    return [line.strip() for line in dot.body]


# ---- byte for byte against MXNet ---------------------------------------------------------
@pytest.mark.parametrize("case, network, kwargs", viz_nets.PLOT_CASES,
                         ids=[c[0] for c in viz_nets.PLOT_CASES])
def test_plot_network_source_equals_mxnet(case, network, kwargs):
    dot = mx.viz.plot_network(net(network), **kwargs)
    assert dot.source == (VIZ / f"{case}.gv").read_text(encoding="utf-8")


@pytest.mark.parametrize("case, network, kwargs", viz_nets.SUMMARY_CASES,
                         ids=[c[0] for c in viz_nets.SUMMARY_CASES])
@pytest.mark.filterwarnings("ignore:print_summary. without shape=")  # MXNet prints no warning
def test_print_summary_equals_mxnet(case, network, kwargs, capsys):
    assert mx.viz.print_summary(net(network), **kwargs) is None
    assert capsys.readouterr().out == (VIZ / f"{case}.summary.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_symbol_loaded_from_mxnet_json_draws_the_same(name):
    loaded = mx.sym.load(FIXTURES / f"{name}.json")
    assert mx.viz.plot_network(loaded).source == (VIZ / f"{name}.gv").read_text(encoding="utf-8")


# ---- what the drawing says ----------------------------------------------------------------
def test_mlp_nodes_labels_and_colours():
    dot = mx.viz.plot_network(net("mlp"))
    assert isinstance(dot, graphviz.Digraph)
    assert dot.name == "plot" and dot.format == "pdf"
    lines = body(dot)
    common = 'fixedsize=true height=0.8034 shape={} style=filled width=1.3]'
    assert lines[0] == 'data [label=data fillcolor="#8dd3c7" ' + common.format("oval")
    assert lines[1] == 'fc1 [label="FullyConnected\n64" fillcolor="#fb8072" ' + common.format("box")
    assert lines[2] == 'relu1 [label="Activation\nrelu" fillcolor="#ffffb3" ' + common.format("box")
    assert lines[4].startswith('softmax_label [label=softmax_label fillcolor="#8dd3c7"')
    assert lines[5].startswith('softmax [label=softmax fillcolor="#fccde5"')


def test_cnn_labels_and_colours():
    source = mx.viz.plot_network(net("lenet")).source
    assert 'conv1 [label="Convolution\n5x5/1, 20" fillcolor="#fb8072"' in source
    assert 'bn1 [label=bn1 fillcolor="#bebada"' in source
    assert 'pool1 [label="Pooling\nmax, 2x2/2x2" fillcolor="#80b1d3"' in source
    assert 'flatten [label=flatten fillcolor="#fdb462"' in source
    misc = mx.viz.plot_network(net("misc")).source
    assert 'conv1 [label="Convolution\n3x3/2x2, 8"' in misc
    assert 'prelu1 [label="LeakyReLU\nprelu" fillcolor="#ffffb3"' in misc
    assert 'leaky [label="LeakyReLU\nLeaky"' in misc
    assert 'avgpool [label="Pooling\navg, 2x2/1"' in misc


def test_edges_point_back_from_consumer_to_input():
    lines = body(mx.viz.plot_network(net("mlp")))
    edges = [line for line in lines if "->" in line]
    assert edges == [
        'fc1 -> data [label="" arrowtail=open dir=back]',
        'relu1 -> fc1 [label="" arrowtail=open dir=back]',
        'fc2 -> relu1 [label="" arrowtail=open dir=back]',
        'softmax -> fc2 [label="" arrowtail=open dir=back]',
        'softmax -> softmax_label [label="" arrowtail=open dir=back]',
    ]


def test_weights_biases_and_bn_statistics_are_hidden():
    source = mx.viz.plot_network(net("cnn")).source
    for hidden in ("conv_weight", "conv_bias", "bn_gamma", "bn_beta", "bn_moving_mean",
                   "bn_moving_var", "fullyconnected0_weight"):
        assert hidden not in source
    shown = mx.viz.plot_network(net("cnn"), hide_weights=False)
    edges = [line for line in body(shown) if "->" in line]
    assert 'bn -> bn_moving_var [label="" arrowtail=open dir=back]' in edges
    # still no styled node: graphviz draws them as plain ovals
    assert not any(line.startswith("bn_moving_var [") for line in body(shown))


def test_shape_and_dtype_labels_on_edges():
    dot = mx.viz.plot_network(net("lenet"), shape={"data": (64, 1, 28, 28)})
    edges = [line for line in body(dot) if "->" in line]
    assert 'conv1 -> data [label="1x28x28" arrowtail=open dir=back]' in edges
    assert 'fc1 -> flatten [label=800 arrowtail=open dir=back]' in edges
    assert 'softmax -> softmax_label [label="" arrowtail=open dir=back]' in edges  # (64,)
    typed = mx.viz.plot_network(net("mlp"), shape={"data": (32, 16)}, dtype={"data": np.float32})
    assert 'fc1 -> data [label="16(float32)" arrowtail=open dir=back]' in typed.source


def test_title_format_and_node_attrs():
    dot = mx.viz.plot_network(net("mlp"), title="my net", save_format="svg",
                              node_attrs={"fixedsize": "false", "shape": "ellipse"})
    assert dot.name == "my net" and dot.format == "svg"
    assert dot.source.startswith('digraph "my net" {')
    assert 'relu1 [label="Activation\nrelu" fillcolor="#ffffb3" fixedsize=false' in dot.source
    assert "shape=ellipse" in dot.source and "data [label=data" in dot.source


def test_repeated_names_warn():
    with mx.name.NameManager():
        a = mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc", num_hidden=4)
        b = mx.sym.FullyConnected(a, name="fc", num_hidden=2)
    with pytest.warns(RuntimeWarning, match="Repeated names: fc"):
        mx.viz.plot_network(b)


def test_viz_and_visualization_are_the_same_module():
    assert mx.viz is mx.visualization
    assert mx.viz.plot_network is mx.visualization.plot_network


# ---- bad input -------------------------------------------------------------------------------
MXNET_ERRORS = json.loads((VIZ / "errors.json").read_text(encoding="utf-8"))


def test_not_a_symbol():
    with pytest.raises(TypeError, match=MXNET_ERRORS["plot_not_a_symbol"]["message"]):
        mx.viz.plot_network("net")
    with pytest.raises(TypeError, match=MXNET_ERRORS["summary_not_a_symbol"]["message"]):
        mx.viz.print_summary([1, 2])


@pytest.mark.parametrize("function", ["plot_network", "print_summary"])
def test_shape_naming_a_non_input(function):
    assert "dta not found" in MXNET_ERRORS["plot_unknown_input"]["message"]  # MXNet's
    with pytest.raises(mx.MXNetError, match=r"'dta', which is not an input.*'data'"):
        getattr(mx.viz, function)(net("mlp"), shape={"dta": (2, 16)})


def test_incomplete_shape_or_dtype():
    assert MXNET_ERRORS["plot_incomplete_shape"]["message"] == "Input shape is incomplete"
    with pytest.raises(ValueError, match="Input shape is incomplete.*data"):
        mx.viz.plot_network(net("mlp"), shape={"softmax_label": (2,)})
    with pytest.raises(ValueError, match="Input shape is incomplete"):
        mx.viz.print_summary(net("cnn"), shape={"softmaxoutput0_label": (2,)})
    with pytest.raises(ValueError, match="Input type is incomplete"):
        mx.viz.plot_network(mx.sym.Variable("a") + mx.sym.Variable("b"), dtype={})
    with pytest.raises(mx.MXNetError, match="dtype= names 'd'"):
        mx.viz.plot_network(net("mlp"), dtype={"d": "float32"})


def test_missing_graphviz_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.delitem(sys.modules, "teachmod.visualization._digraph", raising=False)
    with pytest.raises(ImportError, match="pip install graphviz"):
        mx.viz.plot_network(net("mlp"))


@pytest.fixture
def backends(monkeypatch):
    """The drawing backends, restored after the test."""
    from teachmod.visualization import _digraph

    monkeypatch.setattr(_digraph, "BACKENDS", list(_digraph.BACKENDS))
    return _digraph


def test_no_backend_can_draw(backends, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    monkeypatch.setattr(backends, "BACKENDS", [backends.system_dot])
    dot = mx.viz.plot_network(net("mlp"))
    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz"):
        dot.render(tmp_path / "mlp", format="png")
    bundle = dot._repr_mimebundle_()  # Jupyter shows advice and the source, not a traceback
    assert "apt-get install graphviz" in bundle["text/plain"]
    assert dot.source in bundle["text/plain"]


def test_graphviz_pure_is_not_asked_when_it_is_not_installed(monkeypatch, tmp_path):
    from teachmod.visualization import _digraph

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(_digraph.sysconfig, "get_path", lambda name: str(tmp_path))
    assert _digraph.graphviz_pure("digraph { a }", "svg", "dot") is None


def test_no_programs_at_all_as_in_pyodide(monkeypatch):
    """Under Pyodide subprocess cannot start anything (OSError): every backend that runs a
    program steps aside and plot_network says how to install Graphviz."""
    from teachmod.visualization import _digraph

    def cannot_start(*args, **kwargs):
        raise OSError("[Errno 52] Function not implemented")

    dot = mx.viz.plot_network(net("mlp"))
    monkeypatch.setattr(subprocess, "Popen", cannot_start)
    _digraph._pure_formats.cache_clear()  # its answer would spare graphviz-pure one start
    assert all(backend(dot.source, "svg", "dot") is None for backend in _digraph.BACKENDS)
    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz"):
        dot.pipe(format="svg")
    bundle = dot._repr_mimebundle_()
    assert "apt-get install graphviz" in bundle["text/plain"] and dot.source in bundle["text/plain"]


def test_a_registered_backend_draws_pipe_render_and_jupyter(backends, tmp_path):
    calls = []

    @backends.register_backend
    def fake(source: str, format: str, engine: str) -> bytes:
        calls.append((source, format, engine))
        return f"<svg>{format}</svg>".encode()

    dot = mx.viz.plot_network(net("mlp"))
    assert backends.BACKENDS[0] is fake
    assert dot.pipe(format="svg", encoding="utf-8") == "<svg>svg</svg>"
    assert dot.pipe(format="png", renderer="cairo") == b"<svg>png:cairo</svg>"
    assert dot._repr_mimebundle_() == {"image/svg+xml": "<svg>svg</svg>"}
    written = dot.render(tmp_path / "mlp", format="png", cleanup=True)  # graphviz's naming
    assert Path(written) == tmp_path / "mlp.png" and not (tmp_path / "mlp").exists()
    assert Path(written).read_bytes() == b"<svg>png</svg>"
    written = dot.render(outfile=tmp_path / "net.svg")  # the format from the suffix
    assert Path(written).read_bytes() == b"<svg>svg</svg>" and (tmp_path / "net.gv").exists()
    with pytest.raises(graphviz.FileExistsError):
        dot.render(outfile=tmp_path / "net.svg", raise_if_result_exists=True)
    assert {c[0] for c in calls} == {dot.source} and {c[2] for c in calls} == {"dot"}
    dot.pipe(format="svg", engine="neato")
    assert calls[-1][2] == "neato"


def test_backends_are_asked_in_order_until_one_draws(backends):
    asked = []

    def not_here(source, format, engine):
        asked.append("not_here")
        return None

    def last(source, format, engine):
        asked.append("last")
        return b"last"

    backends.BACKENDS[:] = [not_here]
    assert backends.register_backend(last, first=False) is last
    assert backends.draw("digraph { a }") == b"last" and asked == ["not_here", "last"]
    backends.register_backend(last)  # registering again moves it to the front
    assert backends.BACKENDS == [last, not_here]
    with pytest.raises(TypeError, match="fn must be callable"):
        backends.register_backend("viz.js")


def test_quiet_hides_what_a_backend_warns(backends, capsys):
    def warns(source, format, engine):
        sys.stderr.write("Warning: something\n")
        return b"<svg/>"

    backends.register_backend(warns)
    dot = mx.viz.plot_network(net("mlp"))
    dot.pipe(format="svg", quiet=True)
    assert capsys.readouterr().err == ""
    dot.pipe(format="svg")
    assert capsys.readouterr().err == "Warning: something\n"


def test_step_through_draws_through_the_backends(backends):
    backends.register_backend(lambda source, format, engine: b"<svg>step</svg>")
    rng = np.random.default_rng(0)
    fc = mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc", num_hidden=3)
    walk = mx.viz.step_through(mx.sym.LinearRegressionOutput(fc, name="reg"),
                               data=rng.standard_normal((2, 4)),
                               reg_label=rng.standard_normal((2, 3)))
    assert walk.svg(0) == "<svg>step</svg>"


def test_import_teachmod_does_not_import_graphviz():
    code = ("import sys, teachmod as mx; mx.viz; "
            "assert 'graphviz' not in sys.modules and 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True,
                   cwd=Path(__file__).parent.parent)


# ---- rendering with dot -----------------------------------------------------------------------
@needs_dot
@pytest.mark.parametrize("network, shape", [("mlp", {"data": (32, 16)}),
                                            ("lenet", {"data": (64, 1, 28, 28)})])
def test_renders_png_and_svg(network, shape, tmp_path):
    dot = mx.viz.plot_network(net(network), shape=shape)
    png = Path(dot.render(tmp_path / network, format="png", cleanup=True))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = dot.pipe(format="svg", encoding="utf-8")
    assert "<svg" in svg and "FullyConnected" in svg


@needs_dot
def test_shows_inline_in_jupyter():
    bundle = mx.viz.plot_network(net("mlp"))._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


# ---- rendering with graphviz-pure, no system Graphviz -----------------------------------------
def _pure_installed() -> bool:
    from teachmod.visualization import _digraph

    return _digraph._pure_program() is not None


needs_pure = pytest.mark.skipif(not _pure_installed(), reason="graphviz-pure is not installed")


@needs_pure
def test_graphviz_pure_draws_without_system_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # the system's `dot` is out of reach
    dot = mx.viz.plot_network(net("lenet"), shape={"data": (64, 1, 28, 28)})
    svg = dot.pipe(format="svg", encoding="utf-8", quiet=True)
    assert "(graphviz-pure)" in svg and "<svg" in svg and "Convolution" in svg
    png = Path(dot.render(tmp_path / "lenet", format="png", cleanup=True, quiet=True))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz"):
        dot.pipe(format="pdf")  # graphviz-pure makes no pdf: the advice, not a broken file


@needs_pure
def test_graphviz_pure_reports_a_broken_source(monkeypatch, tmp_path):
    from teachmod.visualization import _digraph

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(graphviz.CalledProcessError):
        _digraph.graphviz_pure("digraph { a -> }", "svg", "dot")
