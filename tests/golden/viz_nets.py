"""Networks and calls for the visualization golden data, shared by MXNet and teachmod.

Every builder takes the framework module (``mxnet`` or ``teachmod``) as its argument, so
``tests/golden/generate_viz.py`` (under MXNet 1.9.1) and ``tests/test_visualization.py``
(under teachmod) build exactly the same graphs. Names are fixed by a fresh NameManager.
"""

import importlib.util
from pathlib import Path

# the seed MLP and the conv-BN-relu-pool-fc network are the JSON fixtures' graphs
_spec = importlib.util.spec_from_file_location(
    "json_graphs", Path(__file__).with_name("json_graphs.py"))
_json_graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_json_graphs)
mlp = _json_graphs.mlp
cnn = _json_graphs.cnn


def lenet(mx):
    """A LeNet-style CNN for 28x28 digits: two conv-BN-relu-pool blocks, then two FC layers."""
    with mx.name.NameManager():
        net = mx.sym.Variable("data")
        net = mx.sym.Convolution(net, name="conv1", kernel=(5, 5), num_filter=20)
        net = mx.sym.BatchNorm(net, name="bn1", fix_gamma=False)
        net = mx.sym.Activation(net, name="relu1", act_type="relu")
        net = mx.sym.Pooling(net, name="pool1", pool_type="max", kernel=(2, 2), stride=(2, 2))
        net = mx.sym.Convolution(net, name="conv2", kernel=(5, 5), num_filter=50)
        net = mx.sym.BatchNorm(net, name="bn2")
        net = mx.sym.Activation(net, name="relu2", act_type="relu")
        net = mx.sym.Pooling(net, name="pool2", pool_type="max", kernel=(2, 2), stride=(2, 2))
        net = mx.sym.Flatten(net, name="flatten")
        net = mx.sym.FullyConnected(net, name="fc1", num_hidden=500)
        net = mx.sym.Activation(net, name="relu3", act_type="tanh")
        net = mx.sym.FullyConnected(net, name="fc2", num_hidden=10)
        return mx.sym.SoftmaxOutput(net, name="softmax")


def misc(mx):
    """Less common drawing rules: strided no-bias conv, prelu and default LeakyReLU, a split
    with several outputs, Concat, avg pooling without stride, global pooling, Dropout,
    Reshape, an elementwise sum of two branches and a regression output."""
    with mx.name.NameManager():
        data = mx.sym.Variable("data")
        net = mx.sym.Convolution(data, name="conv1", kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                                 num_filter=8, no_bias=True)
        net = mx.sym.LeakyReLU(net, name="prelu1", act_type="prelu")
        parts = mx.sym.SliceChannel(net, name="split", num_outputs=2, axis=1)
        left = mx.sym.Activation(parts[0], name="tanh1", act_type="tanh")
        net = mx.sym.Concat(left, parts[1], name="concat", dim=1)
        net = mx.sym.Pooling(net, name="avgpool", pool_type="avg", kernel=(2, 2))
        branch = mx.sym.Pooling(net, name="gpool", pool_type="max", kernel=(1, 1),
                                global_pool=True)
        branch = mx.sym.Flatten(branch, name="gflat")
        net = mx.sym.Flatten(net, name="flat")
        net = mx.sym.Dropout(net, name="drop", p=0.5)
        net = mx.sym.FullyConnected(net, name="fc", num_hidden=8, no_bias=True)
        net = mx.sym.LeakyReLU(net, name="leaky")
        net = net + branch
        net = mx.sym.Reshape(net, name="reshape", shape=(-1, 4, 2))
        net = mx.sym.Flatten(net)
        return mx.sym.LinearRegressionOutput(net, name="reg")


def embed(mx):
    """Embedding of word indices followed by a classifier."""
    with mx.name.NameManager():
        words = mx.sym.Variable("data")
        net = mx.sym.Embedding(words, name="embed", input_dim=100, output_dim=16)
        net = mx.sym.Flatten(net, name="flatten")
        net = mx.sym.FullyConnected(net, name="fc", num_hidden=3)
        return mx.sym.SoftmaxOutput(net, name="softmax")


NETWORKS = {"mlp": mlp, "cnn": cnn, "lenet": lenet, "misc": misc, "embed": embed}

# (case id, network, keyword arguments of plot_network). Dtypes are given by name.
PLOT_CASES = [
    ("mlp", "mlp", {}),
    ("mlp_shape", "mlp", {"shape": {"data": (32, 16)}}),
    ("mlp_dtype", "mlp", {"shape": {"data": (32, 16)}, "dtype": {"data": "float32"}}),
    ("mlp_dtype_only", "mlp", {"dtype": {"data": "float32"}}),
    ("mlp_weights", "mlp", {"hide_weights": False}),
    ("mlp_attrs", "mlp", {"title": "seed mlp", "save_format": "png",
                          "node_attrs": {"shape": "oval", "fixedsize": "false"}}),
    ("cnn", "cnn", {}),
    ("cnn_shape", "cnn", {"shape": {"data": (2, 3, 8, 8)}}),
    ("cnn_weights", "cnn", {"shape": {"data": (2, 3, 8, 8)}, "hide_weights": False}),
    ("lenet", "lenet", {}),
    ("lenet_shape", "lenet", {"shape": {"data": (64, 1, 28, 28)}}),
    ("misc_shape", "misc", {"shape": {"data": (4, 3, 16, 16)}}),
    ("embed_shape", "embed", {"shape": {"data": (8, 5)}}),
]

# (case id, network, keyword arguments of print_summary)
SUMMARY_CASES = [
    ("mlp", "mlp", {}),
    ("mlp_shape", "mlp", {"shape": {"data": (32, 16)}}),
    ("mlp_narrow", "mlp", {"shape": {"data": (32, 16)}, "line_length": 60,
                           "positions": [20, 35, 45, 60]}),
    ("cnn_shape", "cnn", {"shape": {"data": (2, 3, 8, 8)}}),
    ("lenet", "lenet", {}),
    ("lenet_shape", "lenet", {"shape": {"data": (64, 1, 28, 28)}}),
    ("misc_shape", "misc", {"shape": {"data": (4, 3, 16, 16)}}),
    ("embed_shape", "embed", {"shape": {"data": (8, 5)}}),
]
