"""The misuse catalogue: mistakes students make with MXNet-style code, and the error each gets.

Every case is one mistake, written as a student would write it. The test checks the exception
class (``MXNetError`` where MXNet raises one, ``ValueError``/``TypeError`` where Python would)
and the key words of the message: the layer or argument, what was expected, what was given,
and the likely fix where one helps. The last tests are mistakes answered by a warning.
"""
from __future__ import annotations

import struct
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError
from teachmod.context import Context

CASES: list = []


def case(error: type[Exception], *words: str) -> Callable:
    """Register a mistake: calling it must raise ``error`` with all ``words`` in the message."""

    def register(mistake: Callable) -> Callable:
        CASES.append(pytest.param(mistake, error, words, id=mistake.__name__))
        return mistake

    return register


# ---- small helpers: the network and data of a first tutorial ------------------------------------
def mlp() -> mx.sym.Symbol:
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, name="fc1", num_hidden=8)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=3)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def letters(n: int = 20, batch_size: int = 5, **kwargs) -> mx.io.NDArrayIter:
    rng = np.random.default_rng(0)
    return mx.io.NDArrayIter(rng.random((n, 4)), rng.integers(0, 3, n), batch_size=batch_size,
                             **kwargs)


def bound(for_training: bool = True) -> tuple[mx.mod.Module, mx.io.NDArrayIter]:
    mod, it = mx.mod.Module(mlp()), letters()
    mod.bind(it.provide_data, it.provide_label, for_training=for_training)
    mod.init_params()
    return mod, it


def batch(data_shape: tuple, label_shape: tuple = (5,)) -> mx.io.DataBatch:
    return mx.io.DataBatch([mx.nd.zeros(data_shape)], [mx.nd.zeros(label_shape)])


# =================================================================================================
# Building symbols: operator parameters and inputs
# =================================================================================================
@case(MXNetError, "FullyConnected", "'fc1'", "num_hidden", "missing")
def fully_connected_without_num_hidden():
    mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc1")


@case(MXNetError, "'fc1'", "num_hidden", "integer", "'ten'")
def num_hidden_as_a_word():
    mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc1", num_hidden="ten")


@case(MXNetError, "'fc1'", "num_hidden", ">= 1", "0")
def num_hidden_zero():
    mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc1", num_hidden=0)


@case(MXNetError, "'fc1'", "unknown parameter 'num_hiden'", "num_hidden")
def misspelt_parameter_name():
    mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc1", num_hidden=8, num_hiden=8)


@case(MXNetError, "Activation", "'relu1'", "act_type", "'relu'", "'relux'")
def unknown_activation_type():
    mx.sym.Activation(mx.sym.Variable("data"), name="relu1", act_type="relux")


@case(MXNetError, "Pooling", "'pool1'", "pool_type", "'max'", "'maximum'")
def unknown_pool_type():
    mx.sym.Pooling(mx.sym.Variable("data"), name="pool1", kernel=(2, 2), pool_type="maximum")


@case(MXNetError, "Convolution", "'conv1'", "kernel", "missing")
def convolution_without_kernel():
    mx.sym.Convolution(mx.sym.Variable("data"), name="conv1", num_filter=8)


@case(MXNetError, "'conv1'", "kernel", "shape tuple such as (3, 3)", "'3x3'")
def kernel_written_as_text():
    mx.sym.Convolution(mx.sym.Variable("data"), name="conv1", num_filter=8, kernel="3x3")


@case(MXNetError, "Dropout", "'drop1'", "p", "[0, 1]", "1.5")
def dropout_probability_above_one():
    mx.sym.Dropout(mx.sym.Variable("data"), name="drop1", p=1.5)


@case(MXNetError, "FullyConnected", "takes 3 inputs (data, weight, bias)", "got 4")
def too_many_positional_inputs():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    mx.sym.FullyConnected(a, b, a, b, num_hidden=3)


@case(MXNetError, "'fc1'", "unknown input 'datta'", "data, weight, bias")
def misspelt_input_keyword():
    mx.sym.FullyConnected(datta=mx.sym.Variable("data"), name="fc1", num_hidden=3)


@case(TypeError, "input 'data'", "Symbol", "ndarray")
def numpy_array_into_a_symbol():
    mx.sym.FullyConnected(np.zeros((2, 3)), num_hidden=3)


@case(TypeError, "input 'data'", "NDArray", "Symbol")
def symbol_into_an_ndarray_function():
    mx.nd.FullyConnected(mx.sym.Variable("data"), num_hidden=3)


@case(TypeError, "Symbol", "str")
def adding_a_string_to_a_symbol():
    mx.sym.Variable("data") + "bias"


@case(TypeError, "Variable 'data'", "shape", "tuple of ints", "'3x3'")
def variable_shape_as_text():
    mx.sym.Variable("data", shape="3x3")


@case(TypeError, "Variable", "name", "string", "int")
def variable_name_not_a_string():
    mx.sym.Variable(3)


# =================================================================================================
# Shape inference: shapes that cannot work
# =================================================================================================
@case(MXNetError, "Concat", "'cat'", "(2, 3, 5)", "(2, 3, 4)", "dim=1")
def concat_with_mismatched_shapes():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    mx.sym.Concat(a, b, dim=1, name="cat").infer_shape(a=(2, 3, 4), b=(2, 3, 5))


@case(MXNetError, "Concat", "'cat'", "dim 5", "2 axes")
def concat_along_a_missing_axis():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    mx.sym.Concat(a, b, dim=5, name="cat").infer_shape(a=(2, 3), b=(2, 3))


@case(MXNetError, "Reshape", "'rs'", "(2, 3)", "(7, -1)", "divide")
def impossible_reshape():
    mx.sym.Reshape(mx.sym.Variable("a"), shape=(7, -1), name="rs").infer_shape(a=(2, 3))


@case(MXNetError, "Reshape", "'rs'", "6 vs 16")
def reshape_to_a_different_size():
    mx.sym.Reshape(mx.sym.Variable("a"), shape=(4, 4), name="rs").infer_shape(a=(2, 3))


@case(MXNetError, "SoftmaxOutput", "'softmax'", "label", "(5, 3, 2)", "(5,)")
def softmax_label_of_the_wrong_shape():
    mlp().infer_shape(data=(5, 4), softmax_label=(5, 3, 2))


@case(MXNetError, "Convolution", "'conv1'", "5x5", "3x3", "pad")
def kernel_larger_than_the_padded_input():
    conv = mx.sym.Convolution(mx.sym.Variable("data"), kernel=(5, 5), num_filter=2, name="conv1")
    conv.infer_shape(data=(1, 1, 3, 3))


@case(MXNetError, "Pooling", "'pool1'", "5x5", "3x3")
def pooling_window_larger_than_the_input():
    pool = mx.sym.Pooling(mx.sym.Variable("data"), kernel=(5, 5), pool_type="max", name="pool1")
    pool.infer_shape(data=(1, 1, 3, 3))


@case(MXNetError, "'conv1'", "NCHW", "4 dimensions", "(5, 64)")
def flattened_images_into_a_convolution():
    net = mx.sym.Convolution(mx.sym.Variable("data"), kernel=(3, 3), num_filter=2, name="conv1")
    net = mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=3, name="fc")
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    it = mx.io.NDArrayIter(np.zeros((10, 64)), np.zeros(10), batch_size=5)
    mx.mod.Module(net).fit(it, num_epoch=1)


@case(MXNetError, "'fc1'", "weight", "(8, 5)", "(8, 4)")
def weight_of_the_wrong_shape():
    mlp().infer_shape(data=(5, 4), fc1_weight=(8, 5))


@case(MXNetError, "elemwise_add", "(2, 3)", "(3, 2)", "broadcast_add")
def adding_symbols_of_different_shapes():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    (a + b).infer_shape(a=(2, 3), b=(3, 2))


@case(MXNetError, "'dta'", "not an input", "'data'")
def misspelt_name_in_infer_shape():
    mlp().infer_shape(dta=(5, 4))


# =================================================================================================
# Binding and the executor
# =================================================================================================
@case(MXNetError, "bind", "['dta']", "'data'")
def misspelt_variable_name_in_bind_args():
    net = mlp()
    shapes, _, _ = net.infer_shape(data=(2, 4))
    args = {name: mx.nd.zeros(shape) for name, shape in zip(net.list_arguments(), shapes)}
    args["dta"] = args.pop("data")
    net.bind(mx.cpu(), args)


@case(MXNetError, "bind", "1 arrays", "6", "fc1_weight")
def too_few_arrays_in_bind_args():
    mlp().bind(mx.cpu(), [mx.nd.zeros((2, 4))])


@case(TypeError, "args['data']", "NDArray", "ndarray")
def numpy_arrays_in_bind_args():
    net = mlp()
    shapes, _, _ = net.infer_shape(data=(2, 4))
    net.bind(mx.cpu(), {n: np.zeros(s) for n, s in zip(net.list_arguments(), shapes)})


@case(MXNetError, "grad_req", "'writ'", "'write'", "'add'", "'null'")
def misspelt_grad_req():
    mod, it = mx.mod.Module(mlp()), letters()
    mod.bind(it.provide_data, it.provide_label, grad_req="writ")


@case(MXNetError, "grad_req", "1 entries", "6 arguments")
def grad_req_list_of_the_wrong_length():
    mlp().simple_bind(mx.cpu(), grad_req=["write"], data=(2, 4))


@case(MXNetError, "simple_bind", "cannot infer", "'data'", "keyword")
def simple_bind_without_input_shapes():
    mlp().simple_bind(mx.cpu())


@case(MXNetError, "forward", "'data'", "(6, 4)", "(5, 4)")
def executor_forward_with_a_batch_of_another_size():
    executor = mlp().simple_bind(mx.cpu(), data=(5, 4))
    executor.forward(data=np.zeros((6, 4)))


# =================================================================================================
# Module: construction, bind and the state machine
# =================================================================================================
@case(TypeError, "Module", "Symbol", "str")
def module_of_a_string():
    mx.mod.Module("mlp")


@case(ValueError, "data_names=['x']", "'x'", "Did you mean", "'data'")
def module_with_a_wrong_data_name():
    mx.mod.Module(mlp(), data_names=["x"])


@case(ValueError, "data_shapes", "(name, shape)", "[('data', (32, 16))]", "(5, 4)")
def data_shapes_without_names():
    mx.mod.Module(mlp()).bind(data_shapes=(5, 4))


@case(MXNetError, "'softmax_label'", "'sm_label'", "label_name='sm_label'",
      "label_names=['sm_label']")
def label_name_not_matching_softmax_output():
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc")
    net = mx.sym.SoftmaxOutput(net, name="sm")  # its label is 'sm_label'
    it = letters()  # labels named 'softmax_label'
    mx.mod.Module(net, label_names=["softmax_label"]).bind(it.provide_data, it.provide_label)


@case(ValueError, "label_shapes", "no labels", "NDArrayIter(data, label, batch_size)")
def training_with_an_iterator_without_labels():
    it = mx.io.NDArrayIter(np.zeros((10, 4)), batch_size=5)
    mx.mod.Module(mlp()).fit(it, num_epoch=1)


@case(MXNetError, "forward", "not binded", "bind()")
def forward_before_bind():
    mx.mod.Module(mlp()).forward(batch((5, 4)))


@case(MXNetError, "forward", "not params initialized", "init_params()")
def forward_before_init_params():
    mod, it = mx.mod.Module(mlp()), letters()
    mod.bind(it.provide_data, it.provide_label)
    mod.forward(batch((5, 4)))


@case(MXNetError, "predict", "bind()")
def predict_before_bind():
    mx.mod.Module(mlp()).predict(letters())


@case(MXNetError, "init_optimizer", "init_params()")
def init_optimizer_before_init_params():
    mod, it = mx.mod.Module(mlp()), letters()
    mod.bind(it.provide_data, it.provide_label)
    mod.init_optimizer()


@case(MXNetError, "update", "backward()")
def update_without_backward():
    mod, it = bound()
    mod.init_optimizer()
    mod.forward(next(it), is_train=True)
    mod.update()


@case(MXNetError, "backward", "for_training=True")
def backward_on_a_module_bound_for_prediction():
    mod, it = bound(for_training=False)
    mod.forward(next(it))
    mod.backward()


@case(MXNetError, "save_optimizer_states", "init_optimizer()")
def saving_optimizer_states_before_init_optimizer(tmp_path: Path):
    mod, _ = bound()
    mod.save_optimizer_states(str(tmp_path / "mlp.states"))


@case(TypeError, "forward", "DataBatch", "ndarray")
def forward_with_a_numpy_array():
    mod, _ = bound()
    mod.forward(np.zeros((5, 4)))


@case(TypeError, "DataBatch", "data must be a list", "NDArray")
def databatch_without_a_list():
    mx.io.DataBatch(mx.nd.zeros((5, 4)), [mx.nd.zeros(5)])


@case(MXNetError, "'fc1_weight'", "(8, 1)", "(8, 4)", "only the batch size")
def forward_with_data_of_the_wrong_ndim():
    mod, _ = bound()
    mod.forward(batch((5,)))


@case(MXNetError, "'fc1_weight'", "(8, 7)", "(8, 4)")
def predict_with_the_wrong_number_of_features():
    mod, _ = bound()
    mod.predict(np.zeros((5, 7)))


@case(MXNetError, "label 'softmax_label'", "(4,)", "batch size is 5")
def forward_with_fewer_labels_than_samples():
    mod, _ = bound()
    mod.forward(batch((5, 4), (4,)))


@case(MXNetError, "missing", "['fc1_weight']", "allow_missing=True")
def set_params_with_a_missing_name():
    mod, _ = bound()
    arg, aux = mod.get_params()
    arg = {k: v for k, v in arg.items() if k != "fc1_weight"}
    mod.set_params(arg, aux)


@case(MXNetError, "['fc3_weight']", "not in the symbol", "allow_extra=True")
def set_params_with_an_extra_name():
    mod, _ = bound()
    arg, aux = mod.get_params()
    mod.set_params({**arg, "fc3_weight": mx.nd.zeros((3, 3))}, aux)


@case(MXNetError, "'fc1_weight'", "(3, 3)", "(8, 4)")
def set_params_with_a_wrong_shape():
    mod, _ = bound()
    arg, aux = mod.get_params()
    mod.set_params({**arg, "fc1_weight": mx.nd.zeros((3, 3))}, aux)


# =================================================================================================
# Optimizers, metrics, initializers: names and arguments
# =================================================================================================
@case(ValueError, "unknown optimizer 'sgdd'", "did you mean 'sgd'")
def misspelt_optimizer_name():
    mod, _ = bound()
    mod.init_optimizer(optimizer="sgdd")


@case(TypeError, "'learning_rat'", "did you mean 'learning_rate'", "momentum")
def misspelt_optimizer_argument():
    mod, _ = bound()
    mod.init_optimizer(optimizer_params={"learning_rat": 0.1})


@case(TypeError, "optimizer_params", "dict", "{'learning_rate': 0.1}", "got 0.1")
def optimizer_params_as_a_number():
    mod, _ = bound()
    mod.init_optimizer(optimizer_params=0.1)


@case(TypeError, "SGD", "learning_rate", "number", "'fast'")
def learning_rate_as_a_word():
    mod, _ = bound()
    mod.init_optimizer(optimizer_params={"learning_rate": "fast"})


@case(ValueError, "SGD", "learning_rate", ">= 0", "-1")
def negative_learning_rate():
    mod, _ = bound()
    mod.init_optimizer(optimizer_params={"learning_rate": -1})


@case(ValueError, "unknown metric 'accurracy'", "did you mean 'accuracy'")
def misspelt_metric_name():
    mx.mod.Module(mlp()).fit(letters(), eval_metric="accurracy", num_epoch=1)


@case(ValueError, "unknown initializer 'xavierr'", "did you mean 'xavier'")
def misspelt_initializer_name():
    mx.init.create("xavierr")


@case(TypeError, "initializer", "mx.init.Xavier()", "mx.init.create('xavier')")
def initializer_given_by_name_to_fit():
    mx.mod.Module(mlp()).fit(letters(), initializer="xavier", num_epoch=1)


@case(ValueError, "Accuracy", "(5,)", "(4, 3)")
def metric_with_labels_and_predictions_that_do_not_match():
    mx.metric.create("acc").update([mx.nd.zeros(5)], [mx.nd.zeros((4, 3))])


# =================================================================================================
# fit, score and their data
# =================================================================================================
@case(ValueError, "fit", "num_epoch")
def fit_without_num_epoch():
    mx.mod.Module(mlp()).fit(letters())


@case(TypeError, "fit", "train_data", "NDArrayIter", "ndarray")
def fit_on_a_numpy_array():
    mx.mod.Module(mlp()).fit(np.zeros((10, 4)), num_epoch=1)


@case(MXNetError, "fit", "no batch", "train_data.reset()")
def fit_on_an_iterator_that_was_used_up():
    it = letters()
    for _ in it:  # looking at the batches first ...
        pass
    mx.mod.Module(mlp()).fit(it, num_epoch=1)  # ... leaves nothing for fit


@case(MXNetError, "fit", "no batch", "batch_size=10", "'discard'")
def fit_with_a_batch_larger_than_the_data():
    it = letters(n=3, batch_size=10, last_batch_handle="discard")
    mx.mod.Module(mlp()).fit(it, num_epoch=1)


@case(MXNetError, "fit", "no batch")
def fit_on_an_iterator_that_yields_nothing():
    class Empty(mx.io.DataIter):
        provide_data = [mx.io.DataDesc("data", (5, 4))]
        provide_label = [mx.io.DataDesc("softmax_label", (5,))]

        def next(self):
            raise StopIteration

    mx.mod.Module(mlp()).fit(Empty(5), num_epoch=1)


@case(MXNetError, "LinearRegressionOutput", "'lro'", "int32", "float")
def integer_labels_for_regression():
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=1, name="fc")
    net = mx.sym.LinearRegressionOutput(net, name="lro")
    labels = mx.nd.array(np.arange(10), dtype="int32")
    it = mx.io.NDArrayIter(np.zeros((10, 4)), labels, batch_size=5, label_name="lro_label")
    mx.mod.Module(net, label_names=["lro_label"]).fit(it, num_epoch=1)


@case(MXNetError, "score", "no labels", "'accuracy'", "predict()")
def score_without_labels():
    mod, _ = bound()
    mod.score(mx.io.NDArrayIter(np.zeros((10, 4)), batch_size=5), "acc")


# =================================================================================================
# NDArrayIter arguments
# =================================================================================================
@case(ValueError, "NDArrayIter", "same number of samples", "'data': 10", "'softmax_label': 9")
def data_and_labels_of_different_lengths():
    mx.io.NDArrayIter(np.zeros((10, 4)), np.zeros(9), batch_size=2)


@case(ValueError, "NDArrayIter", "batch_size", "positive integer", "got 0")
def batch_size_zero():
    mx.io.NDArrayIter(np.zeros((10, 4)), np.zeros(10), batch_size=0)


@case(ValueError, "NDArrayIter", "batch_size", "positive integer", "2.5")
def fractional_batch_size():
    mx.io.NDArrayIter(np.zeros((10, 4)), batch_size=2.5)


@case(ValueError, "last_batch_handle", "'pad', 'discard', 'roll_over'", "'drop'")
def unknown_last_batch_handle():
    mx.io.NDArrayIter(np.zeros((10, 4)), batch_size=2, last_batch_handle="drop")


@case(TypeError, "NDArrayIter", "numpy.ndarray", "str")
def file_name_instead_of_data():
    mx.io.NDArrayIter("letter-recognition.data", batch_size=2)


@case(ValueError, "NDArrayIter", "no samples")
def data_with_no_rows():
    mx.io.NDArrayIter(np.zeros((0, 4)), np.zeros(0), batch_size=2)


# =================================================================================================
# Files: checkpoints, symbols, parameters
# =================================================================================================
@case(MXNetError, "mlp-0002.params", "epochs 1")
def load_checkpoint_of_a_missing_epoch(tmp_path: Path):
    mod, _ = bound()
    mod.save_checkpoint(str(tmp_path / "mlp"), 1)
    mx.model.load_checkpoint(str(tmp_path / "mlp"), 2)


@case(MXNetError, "no such file", "mlp-symbol.json", "no mlp-NNNN.params files")
def load_checkpoint_with_a_wrong_prefix(tmp_path: Path):
    mx.mod.Module.load(str(tmp_path / "mlp"), 3)


@case(MXNetError, "load_json", "not an MXNet symbol JSON")
def symbol_load_of_a_text_file(tmp_path: Path):
    (tmp_path / "net.json").write_text("FullyConnected -> Activation -> SoftmaxOutput")
    mx.sym.load(str(tmp_path / "net.json"))


@case(MXNetError, "not a JSON text file", "mx.nd.load")
def symbol_load_of_a_params_file(tmp_path: Path):
    mx.nd.save(str(tmp_path / "mlp-0001.params"), {"arg:w": mx.nd.zeros(3)})
    mx.sym.load(str(tmp_path / "mlp-0001.params"))


@case(MXNetError, "mlp-symbol.json", "wrong magic")
def nd_load_of_a_symbol_file(tmp_path: Path):
    mlp().save(str(tmp_path / "mlp-symbol.json"))
    mx.nd.load(str(tmp_path / "mlp-symbol.json"))


@case(MXNetError, "folder", "does not exist", "os.makedirs")
def nd_save_into_a_missing_folder(tmp_path: Path):
    mx.nd.save(str(tmp_path / "checkpoints" / "w.params"), {"w": mx.nd.zeros(3)})


@case(MXNetError, "folder", "does not exist", "os.makedirs")
def save_checkpoint_into_a_missing_folder(tmp_path: Path):
    mod, _ = bound()
    mod.save_checkpoint(str(tmp_path / "checkpoints" / "mlp"), 1)


@case(MXNetError, "cannot load", "folder")
def nd_load_of_a_folder(tmp_path: Path):
    mx.nd.load(str(tmp_path))


@case(TypeError, "save", "'w'", "ndarray", "NDArray")
def nd_save_of_numpy_arrays(tmp_path: Path):
    mx.nd.save(str(tmp_path / "w.params"), {"w": np.zeros(3)})


@case(TypeError, "save", "keys must be strings")
def nd_save_with_integer_keys(tmp_path: Path):
    mx.nd.save(str(tmp_path / "w.params"), {1: mx.nd.zeros(3)})


@case(MXNetError, "load_optimizer_states", "mlp-0001.states", "truncated")
def load_optimizer_states_of_a_damaged_file(tmp_path: Path):
    mod, _ = bound()
    mod.init_optimizer()
    (tmp_path / "mlp-0001.states").write_bytes(b"garbage")
    mod.load_optimizer_states(str(tmp_path / "mlp-0001.states"))


@case(MXNetError, "cannot load", "an array claims 1073741824 dimensions")
def params_file_with_an_absurd_header(tmp_path: Path):
    header = struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<Iii", 0xF993FAC9, 0, 2 ** 30)
    (tmp_path / "bad.params").write_bytes(header)
    mx.nd.load(str(tmp_path / "bad.params"))


# =================================================================================================
# Arrays and devices
# =================================================================================================
@case(ValueError, "Context", "device_id", ">= 0", "-1")
def negative_gpu_number():
    mx.gpu(-1)


@case(ValueError, "array", "different lengths", "ragged")
def ragged_nested_list():
    mx.nd.array([[1, 2], [3]])


@case(TypeError, "dtype", "float32", "complex64")
def unsupported_dtype():
    mx.nd.zeros((2, 2), dtype="complex64")


# =================================================================================================
# Cases MXNet answers with a wrong result and no word (issue: silent wrong results)
# =================================================================================================
@case(MXNetError, "get_outputs", "no forward", "forward(batch)")
def outputs_before_any_forward():
    mod, _ = bound()
    mod.get_outputs()


@case(ValueError, "MSE", "(4,)", "(4, 3)", "do not match")
def regression_metric_on_mismatched_shapes():
    # numpy would broadcast (4, 1) against (4, 3) and report 0.75
    mx.metric.MSE().update([mx.nd.zeros(4)], [mx.nd.ones((4, 3))])


@case(MXNetError, "duplicate name", "fc_weight", "name=")
def two_layers_with_one_name():
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc")
    net = mx.sym.FullyConnected(net, num_hidden=4, name="fc")
    mx.mod.Module(mx.sym.SoftmaxOutput(net, name="softmax")).bind(
        [("data", (2, 5))], [("softmax_label", (2,))])


@case(TypeError, "plot_network", "title", "string", "int")
def plot_title_not_a_string():
    mx.viz.plot_network(mlp(), title=123)


@pytest.mark.parametrize("mistake, error, words", CASES)
def test_mistake_gets_a_clear_error(mistake, error, words, tmp_path):
    arguments = (tmp_path,) if mistake.__code__.co_argcount else ()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. Module's own warning about label names
        with pytest.raises(error) as info:
            mistake(*arguments)
    message = str(info.value)
    missing = [word for word in words if word not in message]
    assert not missing, f"{mistake.__name__}: {missing} not in the message: {message}"


def test_the_catalogue_has_at_least_40_distinct_mistakes():
    names = [param.id for param in CASES]
    assert len(set(names)) == len(names) >= 40


# =================================================================================================
# Mistakes answered by a warning (training goes on, as in MXNet)
# =================================================================================================
def test_nan_in_the_data_warns_naming_the_batch_and_the_input():
    data = np.random.default_rng(0).random((20, 4))
    data[7, 1] = np.nan  # sample 7 is in batch 1 (batch_size 5)
    it = mx.io.NDArrayIter(data, np.zeros(20), batch_size=5)
    with pytest.warns(RuntimeWarning) as record:
        mx.mod.Module(mlp()).fit(it, num_epoch=2)
    messages = [str(w.message) for w in record if "NaN" in str(w.message)]
    assert len(messages) == 2  # the first bad batch of each epoch, not every batch
    first = messages[0]
    for word in ("epoch 0, batch 1", "'softmax_output'", "data 'data' has 1 NaN/inf values",
                 "np.nan_to_num"):
        assert word in first, first


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
def test_divergence_warns_that_the_inputs_are_finite():
    it = letters(n=40)
    with pytest.warns(RuntimeWarning, match="inputs are finite.*diverged.*learning rate"):
        mx.mod.Module(mlp()).fit(it, num_epoch=3, initializer=mx.init.Constant(1e19),
                                 optimizer_params={"learning_rate": 1e30})


def test_clean_data_trains_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mx.mod.Module(mlp()).fit(letters(), num_epoch=2)


def test_resuming_with_num_epoch_below_begin_epoch_warns():
    with pytest.warns(UserWarning, match="begin_epoch=3 and num_epoch=2 leave no epoch"):
        mx.mod.Module(mlp()).fit(letters(), begin_epoch=3, num_epoch=2)


def test_gpu_1_is_accepted_like_gpu_0_with_one_warning(monkeypatch):
    monkeypatch.setattr(Context, "_gpu_warned", False)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mod = mx.mod.Module(mlp(), context=mx.gpu(1))
        mod.fit(letters(), num_epoch=1)
        outputs = mod.predict(letters())
        mx.nd.zeros((2, 2), ctx=mx.gpu(1))
    gpu_warnings = [w for w in record if "CPU" in str(w.message)]
    assert len(gpu_warnings) == 1 and "gpu(1)" in str(gpu_warnings[0].message)
    assert outputs.shape == (20, 3)
    assert mod.get_outputs()[0].context == mx.gpu(1)
    assert mx.context.num_gpus() == 0


def test_an_iterator_that_can_never_fill_a_batch_warns():
    with pytest.warns(UserWarning, match=r"batch_size 64 .* 10 samples .*'discard'.* empty"):
        it = mx.io.NDArrayIter(np.zeros((10, 2)), batch_size=64, last_batch_handle="discard")
    assert list(it) == []


def test_predict_and_score_warn_when_the_iterator_names_other_inputs():
    mod, _ = bound()
    renamed = mx.io.NDArrayIter({"x": np.zeros((20, 4))}, {"softmax_label": np.zeros(20)}, 5)
    with pytest.warns(UserWarning, match=r"predict: .*\['x'\].*\['data'\].*by position"):
        assert mod.predict(renamed).shape == (20, 3)
    with pytest.warns(UserWarning, match=r"score: .*\['x'\]"):
        mod.score(renamed, "acc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mod.predict(letters())  # the module's own names: no warning


def test_print_summary_without_shapes_warns_that_weights_are_not_counted(capsys):
    with pytest.warns(UserWarning, match=r"without shape=.*total 11.*shape=\{'data'"):
        mx.viz.print_summary(mlp())
    assert "Total params: 11" in capsys.readouterr().out  # MXNet's table: biases only
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mx.viz.print_summary(mlp(), shape={"data": (5, 4)})
    assert "Total params: 67" in capsys.readouterr().out
