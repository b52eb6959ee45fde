"""mx.viz.step_through and mx.viz.plot_distributions: the recorded walk through one batch holds
exactly the executor's values and gradients, visits every node once each way, highlights the
current node in the drawing, and works as text, as Python objects and as an ipywidget."""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError
from teachmod.visualization.step_through import HIGHLIGHT

GOLDEN = Path(__file__).parent / "golden"
_spec = importlib.util.spec_from_file_location("viz_nets", GOLDEN / "viz_nets.py")
viz_nets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(viz_nets)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="the Graphviz `dot` program is not installed")


def module_and_batch(network: str, data_shape: tuple[int, ...], label: str = "softmax_label",
                     classes: int = 26, for_training: bool = True, seed: int = 0):
    """A bound, Xavier-initialised Module of a viz_nets network and one random batch."""
    rng = np.random.default_rng(seed)
    mx.random.seed(seed)
    symbol = viz_nets.NETWORKS[network](mx)
    mod = mx.mod.Module(symbol, label_names=[label])
    mod.bind(data_shapes=[("data", data_shape)], label_shapes=[(label, data_shape[:1])],
             for_training=for_training)
    mod.init_params(mx.init.Xavier())
    batch = mx.io.DataBatch(
        data=[mx.nd.array(rng.standard_normal(data_shape))],
        label=[mx.nd.array(rng.integers(0, classes, data_shape[:1]))])
    return mod, batch


@pytest.fixture(scope="module")
def mlp():
    mod, batch = module_and_batch("mlp", (8, 16))
    return mod, batch, mx.viz.step_through(mod, batch)


@pytest.fixture(scope="module")
def cnn():
    mod, batch = module_and_batch("cnn", (2, 3, 8, 8), label="softmaxoutput0_label", classes=2)
    return mod, batch, mx.viz.step_through(mod, batch)


def executor(mod):
    return mod._exec_group.execs[0]


# ---- the sequence of steps ------------------------------------------------------------------
def test_mlp_steps_forward_then_backward(mlp):
    _, _, walk = mlp
    assert [(s.direction, s.node, s.op) for s in walk] == [
        ("forward", "fc1", "FullyConnected"), ("forward", "relu1", "Activation"),
        ("forward", "fc2", "FullyConnected"), ("forward", "softmax", "SoftmaxOutput"),
        ("backward", "softmax", "SoftmaxOutput"), ("backward", "fc2", "FullyConnected"),
        ("backward", "relu1", "Activation"), ("backward", "fc1", "FullyConnected")]
    assert [s.index for s in walk] == list(range(8))
    assert [(s.number, s.count) for s in walk] == [(i, 4) for i in (1, 2, 3, 4, 1, 2, 3, 4)]
    assert walk[0].attrs == {"num_hidden": "64"} and walk[1].attrs == {"act_type": "relu"}


def test_cnn_steps_visit_every_node_once_each_way(cnn):
    mod, _, walk = cnn
    nodes = [s.name for s in executor(mod).plan]
    assert nodes == ["conv", "bn", "activation0", "pooling0", "flatten0", "fullyconnected0",
                     "softmaxoutput0"]
    assert [s.node for s in walk.forward_steps()] == nodes
    assert [s.node for s in walk.backward_steps()] == nodes[::-1]
    assert len(walk) == 2 * len(nodes)


def test_tensor_roles_and_names(mlp):
    _, _, walk = mlp
    fc1 = walk[0]
    assert [(t.role, t.name) for t in fc1.inputs] == [
        ("data", "data"), ("weight", "fc1_weight"), ("bias", "fc1_bias")]
    assert [(t.role, t.name) for t in fc1.outputs] == [("output", "fc1_output")]
    back_fc1 = walk[-1]
    assert [t.name for t in back_fc1.outputs] == ["fc1_output"]
    assert [t.name for t in back_fc1.inputs] == ["data", "fc1_weight", "fc1_bias"]
    assert back_fc1.inputs[0].value is None  # the data needs no gradient (grad_req null)
    assert "no gradient needed" in back_fc1.inputs[0].note


# ---- the values are the executor's ----------------------------------------------------------
def kept_pass(mod, batch):
    """The module's executor after running ``batch`` again keeping every tensor (the
    moving averages put back as they were), to compare a walk with."""
    exe = executor(mod)
    aux = {n: a.asnumpy() for n, a in exe.aux_dict.items()}
    exe.keep_intermediates = True
    try:
        mod.forward_backward(batch)
    finally:
        exe.keep_intermediates = False
        for name, value in aux.items():
            exe.aux_dict[name][:] = value
    return exe


def check_forward_values(mod, batch, walk):
    values = kept_pass(mod, batch).values_by_name()
    for step in walk.forward_steps():
        for tensor in step.inputs + step.outputs:
            if tensor.role.endswith("(aux)") or tensor.value is None:
                continue
            np.testing.assert_array_equal(tensor.value, values[tensor.name].asnumpy(),
                                          err_msg=f"{step.node} {tensor.name}")


def check_backward_gradients(mod, batch, walk):
    exe = kept_pass(mod, batch)
    grads = exe.gradients_by_name()
    sent = exe.gradients_sent()
    for step in walk.backward_steps():
        for tensor in step.outputs:
            if tensor.value is not None:
                np.testing.assert_array_equal(tensor.value, grads[tensor.name].asnumpy())
        for i, tensor in enumerate(step.inputs):
            if tensor.value is not None:
                np.testing.assert_array_equal(tensor.value, sent[step.node][i].asnumpy())
                if tensor.name in exe.grad_dict:  # a parameter: what the optimizer will use
                    np.testing.assert_array_equal(tensor.value,
                                                  exe.grad_dict[tensor.name].asnumpy())


def test_mlp_values_and_gradients_equal_the_executors(mlp):
    mod, batch, walk = mlp
    check_forward_values(mod, batch, walk)
    check_backward_gradients(mod, batch, walk)
    np.testing.assert_array_equal(walk[3].outputs[0].value, mod.get_outputs()[0].asnumpy())


def test_cnn_values_and_gradients_equal_the_executors(cnn):
    mod, batch, walk = cnn
    check_forward_values(mod, batch, walk)
    check_backward_gradients(mod, batch, walk)


def test_mlp_parameter_gradients_are_grad_dict(mlp):
    mod, _, walk = mlp
    grad_dict = executor(mod).grad_dict
    shown = {t.name: t.value for s in walk.backward_steps() for t in s.inputs
             if t.value is not None}
    for name in ("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"):
        np.testing.assert_array_equal(shown[name], grad_dict[name].asnumpy())


def test_mlp_gradients_chain_and_match_the_softmax_formula(mlp):
    mod, batch, walk = mlp
    by_node = {s.node: s for s in walk.backward_steps()}
    # what one node sends is what the node below receives
    np.testing.assert_array_equal(by_node["fc2"].inputs[0].value,
                                  by_node["relu1"].outputs[0].value)
    np.testing.assert_array_equal(by_node["relu1"].inputs[0].value,
                                  by_node["fc1"].outputs[0].value)
    # SoftmaxOutput's backward sends softmax - one_hot(label) (normalization 'null')
    probs = walk[3].outputs[0].value
    one_hot = np.eye(26, dtype=probs.dtype)[batch.label[0].asnumpy().astype(int)]
    np.testing.assert_allclose(by_node["softmax"].inputs[0].value, probs - one_hot, atol=1e-6)
    assert by_node["softmax"].outputs[0].value is None  # a loss layer ignores the head gradient
    assert "loss layer" in by_node["softmax"].outputs[0].note


def test_records_are_copies(mlp):
    mod, batch, walk = mlp
    before = walk[0].inputs[1].value.copy()
    grad_before = walk[-1].inputs[1].value.copy()
    mod2, batch2 = module_and_batch("mlp", (8, 16), seed=1)
    mod2.init_optimizer(optimizer_params={"learning_rate": 0.5})
    walk2 = mx.viz.step_through(mod2, batch2)
    mod2.update()  # changes the weights in place
    mod2.forward_backward(batch)  # and the gradients
    assert not np.array_equal(walk2[0].inputs[1].value, executor(mod2).arg_dict["fc1_weight"]
                              .asnumpy())
    np.testing.assert_array_equal(walk[0].inputs[1].value, before)
    np.testing.assert_array_equal(walk[-1].inputs[1].value, grad_before)


def test_batchnorm_moving_averages_are_put_back_and_gradients_left(cnn):
    mod, batch = module_and_batch("cnn", (2, 3, 8, 8), label="softmaxoutput0_label", classes=2)
    exe = executor(mod)
    moving = {n: a.asnumpy() for n, a in exe.aux_dict.items()}
    walk = mx.viz.step_through(mod, batch)
    for name, old in moving.items():
        np.testing.assert_array_equal(exe.aux_dict[name].asnumpy(), old)
    bn = next(s for s in walk.forward_steps() if s.node == "bn")
    aux = [t for t in bn.inputs if t.role.endswith("(aux)")]
    assert [t.name for t in aux] == ["bn_moving_mean", "bn_moving_var"]
    np.testing.assert_array_equal(aux[1].value, moving["bn_moving_var"])
    assert np.abs(exe.grad_dict["conv_weight"].asnumpy()).sum() > 0  # as after forward_backward


def test_gradients_of_a_tensor_used_twice():
    data = mx.sym.Variable("data")
    hidden = mx.sym.Activation(mx.sym.FullyConnected(data, name="fc1", num_hidden=6),
                               name="relu1", act_type="relu")
    both = mx.sym.elemwise_add(hidden, mx.sym.FullyConnected(hidden, name="fc2", num_hidden=6),
                               name="sum")
    net = mx.sym.LinearRegressionOutput(both, name="reg")
    rng = np.random.default_rng(3)
    walk = mx.viz.step_through(net, data=rng.standard_normal((4, 5)),
                               reg_label=rng.standard_normal((4, 6)),
                               initializer=mx.init.Xavier())
    sent = [t.value for s in walk.backward_steps() for t in s.inputs
            if t.name == "relu1_output" and t.value is not None]
    assert len(sent) == 2  # from the sum and from fc2
    relu_back = next(s for s in walk.backward_steps() if s.node == "relu1")
    np.testing.assert_allclose(relu_back.outputs[0].value, sent[0] + sent[1], rtol=1e-6)
    notes = [t.note for s in walk.backward_steps() for t in s.inputs if t.name == "relu1_output"]
    assert notes == ["summed with other uses of this tensor"] * 2


def test_symbol_with_arrays_equals_the_module(mlp):
    mod, batch, walk = mlp
    arg_params, aux_params = mod.get_params()
    again = mx.viz.step_through(mod.symbol, data=batch.data[0], softmax_label=batch.label[0],
                                arg_params=arg_params, aux_params=aux_params)
    for a, b in zip(walk, again):
        assert (a.direction, a.node) == (b.direction, b.node)
        for x, y in zip(a.inputs + a.outputs, b.inputs + b.outputs):
            assert x.name == y.name
            if x.value is not None:
                np.testing.assert_allclose(x.value, y.value, rtol=1e-6, atol=1e-7)


def test_a_batch_of_another_size_is_walked_on_the_executor_that_ran_it():
    mod, batch = module_and_batch("mlp", (8, 16))
    mod.forward_backward(batch)  # the executor bound for 8 has run a pass of its own
    small = mx.io.DataBatch(data=[batch.data[0][:4]], label=[batch.label[0][:4]])
    walk = mx.viz.step_through(mod, small)
    assert walk.examples == 4 and walk.shapes["data"] == (4, 16)
    np.testing.assert_array_equal(walk[0].inputs[0].value, small.data[0].asnumpy())
    for step in walk.forward_steps():
        for tensor in step.outputs:
            assert tensor.note == "" and tensor.value.shape[0] == 4, (step.node, tensor)
    # the same numbers as a module bound for 4 from the start
    arg_params, aux_params = mod.get_params()
    again = mx.viz.step_through(mod.symbol, data=small.data[0], softmax_label=small.label[0],
                                arg_params=arg_params, aux_params=aux_params)
    for a, b in zip(walk, again):
        for x, y in zip(a.inputs + a.outputs, b.inputs + b.outputs):
            assert (x.name, x.note) == (y.name, y.note)
            if x.value is not None:
                np.testing.assert_array_equal(x.value, y.value)


def test_an_output_the_operator_never_computes_says_so(cnn):
    _, _, walk = cnn
    pool = next(s for s in walk.forward_steps() if s.node == "pooling0")
    assert [(t.role, t.value is None) for t in pool.outputs] == [("output", False),
                                                                  ("workspace", True)]
    assert "returns none" in pool.outputs[1].note


def test_a_data_iterator_gives_its_first_batch():
    mod, batch = module_and_batch("mlp", (8, 16))
    it = mx.io.NDArrayIter(batch.data[0], batch.label[0], batch_size=8)
    walk = mx.viz.step_through(mod, it)
    np.testing.assert_array_equal(walk[0].inputs[0].value, batch.data[0].asnumpy())


def test_module_for_inference_has_forward_steps_only():
    mod, batch = module_and_batch("mlp", (8, 16), for_training=False)
    walk = mx.viz.step_through(mod, batch)
    assert [s.direction for s in walk] == ["forward"] * 4
    assert "for_training=False" in repr(walk)


# ---- text -------------------------------------------------------------------------------------
def test_text_records(mlp, capsys):
    _, _, walk = mlp
    text = str(walk[1])
    assert text.startswith("[forward 2/4: relu1 = Activation(act_type=relu)]")
    assert "teachmod/ops/activation.py:" in text
    assert re.search(r"relu1_output\s+8x64\s+float32\s+mean", text)
    assert "zeros" in text  # a relu output has zeros
    back = str(walk[4])
    assert back.startswith("[backward 1/4: softmax = SoftmaxOutput()]")
    assert "gradient sent to the inputs:" in back and "loss layer" in back
    walk.print()
    out = capsys.readouterr().out
    assert out.count("[forward ") == 4 and out.count("[backward ") == 4
    assert "<StepThrough of one batch of 8: 8 steps" in repr(walk)


def test_code_points_at_the_operators_numpy(mlp):
    _, _, walk = mlp
    file, line = walk[0].code
    assert file == "teachmod/ops/fully_connected.py"
    source = (Path(__file__).parent.parent / file).read_text().splitlines()
    assert source[line - 1].strip().startswith("def forward")
    assert walk[0].source.startswith("def forward") and walk[-1].source.startswith("def backward")


def test_operator_without_source_file():
    from teachmod.ops import registry

    exec(  # an operator typed into a REPL: Python has no source for it
        "from teachmod.ops.registry import Operator, register\n"
        "@register\n"
        "class TwiceForStepThroughTest(Operator):\n"
        "    name = 'TwiceForStepThroughTest'\n"
        "    def forward(self, is_train, inputs, aux): return [2 * inputs[0]]\n"
        "    def backward(self, out_grads, inputs, outputs, aux): return [2 * out_grads[0]]\n",
        {})
    try:
        fc = mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc", num_hidden=3)
        net = mx.sym.MakeLoss(mx.sym.sum(mx.sym.TwiceForStepThroughTest(fc, name="twice")))
        walk = mx.viz.step_through(net, data=np.ones((2, 4)), initializer=mx.init.One())
    finally:
        registry._REGISTRY.pop("TwiceForStepThroughTest")
    twice = next(s for s in walk if s.node == "twice")
    assert twice.code == ("<unknown>", 0) and twice.source == ""
    np.testing.assert_array_equal(twice.outputs[0].value, np.full((2, 3), 8.0))  # bias is 0
    back = next(s for s in walk.backward_steps() if s.node == "twice")
    np.testing.assert_array_equal(back.inputs[0].value, np.full((2, 3), 2.0))


def test_terminal_interaction(mlp, capsys):
    _, _, walk = mlp
    answers = iter(["", "n", "p", "x", "6", "q"])
    walk.go(0)
    walk.interact(read=lambda prompt: next(answers))
    out = capsys.readouterr().out
    assert walk.position == 6
    titles = re.findall(r"^\[(\w+ \d/4: \w+)", out, re.M)
    assert titles == ["forward 1/4: fc1", "forward 2/4: relu1", "forward 3/4: fc2",
                      "forward 2/4: relu1", "backward 3/4: relu1"]
    assert "? 'x'" in out


def test_moving(mlp):
    _, _, walk = mlp
    walk.go(0)
    assert walk.prev().index == 0
    assert walk.next().node == "relu1" and walk.position == 1
    assert walk.go(-1).index == 7 and walk.next().index == 7
    with pytest.raises(IndexError, match="there are 8 steps"):
        walk.go(8)


# ---- the drawing ------------------------------------------------------------------------------
def test_highlighted_node_in_dot_source(mlp):
    _, _, walk = mlp
    forward = walk.graph(2).source
    assert forward.rstrip().splitlines()[-2].strip() == 'fc2 [color="#d62728" penwidth=4]'
    backward = walk.graph(5).source
    assert 'fc2 [color="#1f77b4" penwidth=4]' in backward
    assert "fc1 -> data [label=16" in forward  # edges carry the shapes
    walk.go(1)
    assert 'relu1 [color="#d62728"' in walk.graph().source


@needs_dot
def test_highlighted_node_in_svg(cnn, tmp_path):
    _, _, walk = cnn
    index = next(s.index for s in walk.backward_steps() if s.node == "pooling0")
    svg = walk.svg(index)
    node = re.search(r"<title>pooling0</title>\s*<polygon([^>]*)>", svg).group(1)
    assert f'stroke="{HIGHLIGHT["backward"]["color"]}"' in node and 'stroke-width="4"' in node
    other = re.search(r"<title>bn</title>\s*<polygon([^>]*)>", svg).group(1)
    assert "stroke-width" not in other
    png = Path(walk.graph(index).render(tmp_path / "step", format="png", cleanup=True))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_html_view(cnn):
    _, _, walk = cnn
    page = walk.html(1)
    assert 'data-node="bn" data-direction="forward"' in page
    assert "2&times;128&times;8&times;8" in page  # the input's shape
    assert page.count('class="tm-hist"') == 8 and 'class="tm-heat"' in page
    assert "<svg" in page and "def forward" in page and "teachmod/ops/batch_norm.py" in page


# ---- the widget ------------------------------------------------------------------------------
@needs_dot
def test_widget_buttons_and_slider(mlp):
    pytest.importorskip("ipywidgets")
    _, _, walk = mlp
    walk.go(0)
    w = walk.widget()
    assert 'data-node="fc1"' in w.view.value and w.slider.max == 7
    for _ in range(3):
        w.next_button.click()
    assert w.slider.value == 3 and walk.position == 3
    assert 'data-node="softmax" data-direction="forward"' in w.view.value
    assert "forward 4/4" in w.title.value
    w.next_button.click()
    assert 'data-node="softmax" data-direction="backward"' in w.view.value
    w.prev_button.click()
    assert w.slider.value == 3
    w.slider.value = 7
    assert 'data-node="fc1" data-direction="backward"' in w.view.value
    w.next_button.click()
    assert w.slider.value == 7  # stays at the last step
    w.slider.value = 0
    w.prev_button.click()
    assert w.slider.value == 0


@needs_dot
def test_jupyter_shows_the_widget(mlp):
    pytest.importorskip("ipywidgets")
    _, _, walk = mlp
    bundle = walk._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("<StepThrough")


# ---- bad input --------------------------------------------------------------------------------
def test_bad_input():
    mod, batch = module_and_batch("mlp", (8, 16))
    with pytest.raises(TypeError, match="Module or an mx.sym Symbol"):
        mx.viz.step_through("net", batch)
    with pytest.raises(TypeError, match="give the batch"):
        mx.viz.step_through(mod)
    with pytest.raises(TypeError, match="DataBatch or a data iterator"):
        mx.viz.step_through(mod, 3)
    with pytest.raises(TypeError, match="only for a Symbol"):
        mx.viz.step_through(mod, batch, data=np.zeros((8, 16)))
    with pytest.raises(TypeError, match="keyword arguments"):
        mx.viz.step_through(mod.symbol, batch)
    with pytest.raises(TypeError, match="give the input arrays"):
        mx.viz.step_through(mod.symbol)
    unbound = mx.mod.Module(mod.symbol)
    with pytest.raises(MXNetError, match="not binded; call bind"):
        mx.viz.step_through(unbound, batch)
    unbound.bind(data_shapes=[("data", (8, 16))], label_shapes=[("softmax_label", (8,))])
    with pytest.raises(MXNetError, match="call init_params"):
        mx.viz.step_through(unbound, batch)


def test_import_stays_light():
    code = ("import sys, teachmod as mx; mx.viz.step_through; mx.viz.plot_distributions; "
            "print(sorted(m for m in ('matplotlib', 'graphviz', 'ipywidgets') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).parent.parent)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


# ---- plot_distributions -----------------------------------------------------------------------
def test_distributions_of_a_module_and_a_walk(mlp, tmp_path):
    pytest.importorskip("matplotlib")
    mod, _, walk = mlp
    for source in (mod, walk):
        fig = mx.viz.plot_distributions(source, "gradient")
        hist, spread = fig.axes
        assert [t.get_text() for t in hist.get_legend().get_texts()] == ["fc1_weight",
                                                                         "fc2_weight"]
        heights = [p.get_height() for p in spread.patches]
        expected = [executor(mod).grad_dict[n].asnumpy().std() for n in ("fc1_weight",
                                                                         "fc2_weight")]
        np.testing.assert_allclose(heights, expected, rtol=1e-5)
        assert spread.get_yscale() == "log"
    outputs = mx.viz.plot_distributions(walk, "output")
    assert [t.get_text() for t in outputs.axes[0].get_legend().get_texts()] == [
        "fc1_output", "relu1_output", "fc2_output", "softmax_output"]
    back = mx.viz.plot_distributions(walk, "output_gradient")
    assert [t.get_text() for t in back.axes[0].get_legend().get_texts()] == [
        "fc1_output", "relu1_output", "fc2_output"]  # the loss layer's head gradient is unused
    # a Module's outputs: only from a pass that kept every tensor
    fresh, batch = module_and_batch("mlp", (8, 16))
    fresh.forward_backward(batch)
    with pytest.raises(MXNetError, match=r"plot_distributions\(kind='output'\).*keep_inter"):
        mx.viz.plot_distributions(fresh, "output")
    executor(fresh).keep_intermediates = True
    fresh.forward_backward(batch)
    kept = mx.viz.plot_distributions(fresh, "output")
    assert len(kept.axes[0].get_legend().get_texts()) == 4
    weights = mx.viz.plot_distributions({"a": np.ones(4), "b": mx.nd.array([1, 2])}, "weight")
    weights.savefig(tmp_path / "w.png")
    assert (tmp_path / "w.png").read_bytes()[:4] == b"\x89PNG"


def test_distributions_bad_input():
    with pytest.raises(ValueError, match="kind must be one of"):
        mx.viz.plot_distributions({}, "grads")
    with pytest.raises(TypeError, match="Module, a StepThrough"):
        mx.viz.plot_distributions([1, 2], "weight")
    with pytest.raises(ValueError, match="no finite"):
        mx.viz.plot_distributions({"a": np.array([np.nan])}, "weight")


def test_heat_map_of_a_batch_of_scores_is_wide_enough_to_read():
    """(32, 10) outputs: each of the 10 columns gets 6 pixels, not 1.5 (a sliver)."""
    from teachmod.visualization._step_view import heatmap_img

    tag = heatmap_img(np.linspace(-1, 1, 320).reshape(32, 10))
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', tag).groups())
    assert (width, height) == (60, 48)
    tag = heatmap_img(np.ones((1, 256)))  # a long bias keeps the width limit
    assert 'width="200" height="10"' in tag
