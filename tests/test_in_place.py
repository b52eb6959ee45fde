"""Relu's in-place fast path (``Executor._plan_in_place``, MXNet's in-place option).

The plan lets relu write over its input, and over the gradient arriving at its output, only
where nothing else holds that array. These tests check where the plan allows it and where it
must not, and that a training pass with it gives the reference's numbers bit for bit (the
arithmetic is the same; only where the result is written changes).
"""
from __future__ import annotations

import numpy as np
import pytest

import teachmod as mx
from teachmod.reference import reference_mode


def fc(data, name, units=6):
    return mx.sym.FullyConnected(data, num_hidden=units, name=name)


def relu(data, name="relu"):
    return mx.sym.Activation(data, act_type="relu", name=name)


def mlp():
    return mx.sym.SoftmaxOutput(fc(relu(fc(mx.sym.Variable("data"), "fc1")), "fc2", 3),
                                name="softmax")


def cnn():
    net = mx.sym.Convolution(mx.sym.Variable("data"), num_filter=4, kernel=(3, 3), pad=(1, 1),
                             name="conv")
    net = relu(mx.sym.BatchNorm(net, name="bn"))
    net = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool")
    return mx.sym.SoftmaxOutput(fc(net, "fc", 3), name="softmax")


def input_read_twice():
    hidden = fc(mx.sym.Variable("data"), "fc1")
    both = relu(hidden) + hidden * 2  # the relu's input is read after it, by the product
    return mx.sym.SoftmaxOutput(fc(both, "fc2", 3), name="softmax")


def output_read_twice():
    out = relu(fc(mx.sym.Variable("data"), "fc1"))
    return mx.sym.SoftmaxOutput(fc(out, "fc2", 3) + fc(out, "fc3", 3), name="softmax")


def after_reshape():
    hidden = mx.sym.Reshape(fc(mx.sym.Variable("data"), "fc1"), shape=(-1, 3, 2))
    return mx.sym.SoftmaxOutput(fc(relu(hidden), "fc2", 3), name="softmax")


def after_pooling():  # Pooling's output can be its input itself (a 1x1 window)
    net = mx.sym.Pooling(mx.sym.Variable("data"), kernel=(1, 1), pool_type="max", name="pool")
    return mx.sym.SoftmaxOutput(fc(relu(net), "fc", 3), name="softmax")


SHAPES = {"data": (4, 5)}
IMAGES = {"data": (4, 2, 6, 6)}


def bind(net, shapes, seed=0):
    ex = net.simple_bind(mx.cpu(), **shapes)
    rng = np.random.default_rng(seed)
    for name, array in ex.arg_dict.items():
        if name.endswith("label"):
            array[:] = rng.integers(0, 3, array.shape)
        else:
            array[:] = rng.standard_normal(array.shape)
    return ex


def training_pass(net, shapes, in_place=True, fast=True):
    """Outputs and gradients of one forward/backward, with the fast paths on or off, and
    with the plan's in-place marks as made or taken away."""
    ex = bind(net, shapes)
    if not in_place:
        for step in ex.plan:
            step.overwrites_input = step.overwrites_gradient = False
    with reference_mode(not fast):
        ex.forward(is_train=True)
        ex.backward()
    return ([o.asnumpy() for o in ex.outputs],
            {name: g.asnumpy() for name, g in ex.grad_dict.items()})


def marks(net, shapes):
    ex = net.simple_bind(mx.cpu(), **shapes)
    step = next(s for s in ex.plan if s.name == "relu")
    return step.overwrites_input, step.overwrites_gradient


@pytest.mark.parametrize("net, shapes, expected", [
    (mlp, SHAPES, (True, True)),
    (cnn, IMAGES, (True, True)),
    # relu's gradient comes from a sum, whose backward hands the same array to both inputs
    (input_read_twice, SHAPES, (False, False)),
    (output_read_twice, SHAPES, (True, False)),
    (after_reshape, SHAPES, (False, True)),
    (after_pooling, IMAGES, (False, True)),
])
def test_the_plan_overwrites_only_what_nothing_else_holds(net, shapes, expected):
    assert marks(net(), shapes) == expected


def test_relu_of_a_variable_never_overwrites_it():
    net = mx.sym.SoftmaxOutput(fc(relu(mx.sym.Variable("data")), "fc", 3), name="softmax")
    ex = bind(net, SHAPES)
    data = ex.arg_dict["data"].asnumpy()
    ex.forward(is_train=True)
    ex.backward()
    assert marks(net, SHAPES)[0] is False
    np.testing.assert_array_equal(ex.arg_dict["data"].asnumpy(), data)


@pytest.mark.parametrize("net, shapes", [
    (mlp, SHAPES), (cnn, IMAGES), (input_read_twice, SHAPES), (output_read_twice, SHAPES),
    (after_reshape, SHAPES), (after_pooling, IMAGES)])
def test_a_pass_in_place_gives_the_reference_numbers_bit_for_bit(net, shapes):
    # the other fast paths (BatchNorm's sums) stay on in both runs
    fast_out, fast_grads = training_pass(net(), shapes, in_place=True)
    ref_out, ref_grads = training_pass(net(), shapes, in_place=False)
    for f, r in zip(fast_out, ref_out, strict=True):
        np.testing.assert_array_equal(f, r)
    assert fast_grads.keys() == ref_grads.keys()
    for name in ref_grads:
        np.testing.assert_array_equal(fast_grads[name], ref_grads[name], err_msg=name)


def test_a_head_gradient_given_by_the_caller_is_left_alone():
    net = relu(fc(mx.sym.Variable("data"), "fc1"))  # relu's output is the head
    ex = bind(net, SHAPES)
    ex.forward(is_train=True)
    head = mx.nd.array(np.random.default_rng(1).standard_normal((4, 6)))
    before = head.asnumpy()
    ex.backward(out_grads=[head])
    np.testing.assert_array_equal(head.asnumpy(), before)
    assert marks(net, SHAPES)[1] is False


def test_kept_and_watched_passes_see_relu_input_as_it_was():
    ex = bind(mlp(), SHAPES)
    ex.keep_intermediates = True
    ex.forward(is_train=True)
    kept = ex.values_by_name()["fc1_output"].asnumpy()
    assert (kept < 0).any()  # the negatives relu cuts are still there
    ex.keep_intermediates = False
    with ex.record() as recording:
        ex.forward(is_train=True)
    relu_step = next(r for r in recording.forward if r.step.name == "relu")
    np.testing.assert_array_equal(relu_step.inputs[0], kept)


def test_reference_mode_asks_no_operator_to_work_in_place(monkeypatch):
    from teachmod.ops.activation import Activation
    asked = []
    forward, backward = Activation.forward, Activation.backward

    def watch_forward(self, is_train, inputs, aux, in_place=False):
        asked.append(in_place)
        return forward(self, is_train, inputs, aux, in_place)

    def watch_backward(self, out_grads, inputs, outputs, aux, in_place=False):
        asked.append(in_place)
        return backward(self, out_grads, inputs, outputs, aux, in_place)

    monkeypatch.setattr(Activation, "forward", watch_forward)
    monkeypatch.setattr(Activation, "backward", watch_backward)
    training_pass(mlp(), SHAPES, fast=False)
    assert asked == [False, False]
    training_pass(mlp(), SHAPES)
    assert asked[2:] == [True, True]
