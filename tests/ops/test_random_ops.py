"""Tests of the sampling operators and ``mx.random`` / ``mx.nd.random`` / ``mx.sym.random``."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opcheck  # noqa: E402

import teachmod as mx  # noqa: E402
from teachmod.base import MXNetError  # noqa: E402
from teachmod.ops.random_pdf import _lgamma, digamma  # noqa: E402


def test_seed_makes_nd_and_sym_draws_repeatable():
    mx.random.seed(7)
    first = mx.nd.random.uniform(-1, 2, shape=(3, 4)).asnumpy()
    mx.random.seed(7)
    assert np.array_equal(first, mx.nd.random.uniform(-1, 2, shape=(3, 4)).asnumpy())
    assert first.min() >= -1 and first.max() < 2 and first.dtype == np.float32
    executor = mx.sym.random.normal(shape=(5,)).bind(mx.cpu(), {})
    mx.random.seed(3)
    executor.forward()
    once = executor.outputs[0].asnumpy()
    executor.forward()
    assert not np.array_equal(once, executor.outputs[0].asnumpy())  # a new draw each pass
    mx.random.seed(3)
    executor.forward()
    assert np.array_equal(once, executor.outputs[0].asnumpy())


def test_seed_is_taken_modulo_2_to_the_32_like_a_c_int():
    mx.random.seed(-5)
    a = mx.random.uniform(shape=(4,)).asnumpy()
    mx.random.seed(2**32 - 5)
    assert np.array_equal(a, mx.random.uniform(shape=(4,)).asnumpy())
    with pytest.raises(ValueError, match="seed_state"):
        mx.random.seed(1.5)


def test_defaults_dtypes_and_context():
    assert mx.nd.random.normal().shape == (1,)
    assert mx.nd.random.randint(5, 9).dtype == np.int32
    assert mx.nd.random.randint(5, 9, shape=(2,), dtype="int64").dtype == np.int64
    assert mx.nd.random.gamma(shape=(2,), dtype="float64").dtype == np.float64
    with pytest.warns(UserWarning):
        assert mx.nd.random.poisson(shape=2, ctx=mx.gpu(0)).context == mx.gpu(0)
    with pytest.raises(MXNetError, match="dtype"):
        mx.nd.random.uniform(shape=2, dtype="int32")
    with pytest.raises(MXNetError, match="low"):
        mx.nd.random.randint(3, 3)


@pytest.mark.parametrize("draw, mean, var", [
    (lambda s: mx.nd.random.uniform(2, 4, shape=s), 3.0, 4 / 12),
    (lambda s: mx.nd.random.normal(1, 2, shape=s), 1.0, 4.0),
    (lambda s: mx.nd.random.gamma(2, 3, shape=s), 6.0, 18.0),
    (lambda s: mx.nd.random.exponential(2, shape=s), 2.0, 4.0),
    (lambda s: mx.nd.random.poisson(3, shape=s), 3.0, 3.0),
    (lambda s: mx.nd.random.negative_binomial(4, 0.5, shape=s), 4.0, 8.0),
    (lambda s: mx.nd.random.generalized_negative_binomial(2, 0.5, shape=s), 2.0, 4.0),
    (lambda s: mx.nd.random.generalized_negative_binomial(2, 0.0, shape=s), 2.0, 2.0),
])
def test_moments_of_every_distribution(draw, mean, var):
    # mean mu and variance mu + alpha mu^2 for the generalised negative binomial
    mx.random.seed(11)
    x = draw((200000,)).asnumpy().astype(np.float64)
    assert abs(x.mean() - mean) < 0.02 * max(1.0, mean)
    assert abs(x.var() - var) < 0.05 * var


def test_sample_ops_draw_per_parameter_element():
    mx.random.seed(2)
    low = mx.nd.array([[0, 10], [20, 30]])
    x = mx.nd.random.uniform(low, low + 1, shape=(50, 3))
    assert x.shape == (2, 2, 50, 3)
    values = x.asnumpy()
    assert np.all(np.floor(values.reshape(4, -1)) == np.array([0, 10, 20, 30])[:, None])
    assert mx.nd._sample_normal(mx.nd.zeros((3,)), mx.nd.ones((3,))).shape == (3,)
    with pytest.raises(ValueError, match="all numbers or all NDArrays"):
        mx.nd.random.normal(mx.nd.zeros((2,)), 1)
    symbol = mx.sym.random.exponential(mx.sym.Variable("scale"), shape=4)
    assert symbol.infer_shape(scale=(2, 3))[1] == [(2, 3, 4)]


def test_like_operators_copy_shape_and_type():
    data = mx.nd.zeros((2, 3), dtype="float64")
    x = mx.nd._random_normal_like(data, loc=5, scale=0.1)
    assert x.shape == (2, 3) and x.dtype == np.float64 and abs(x.asnumpy().mean() - 5) < 0.5


def test_multinomial_frequencies_shapes_and_log_prob_gradient():
    mx.random.seed(5)
    probs = np.array([[0.1, 0.6, 0.3], [0.5, 0.0, 0.5]])
    samples = mx.nd.random.multinomial(mx.nd.array(probs), shape=20000).asnumpy()
    assert samples.shape == (2, 20000) and samples.dtype == np.int32
    for row, p in zip(samples, probs):
        assert np.allclose(np.bincount(row, minlength=3) / row.size, p, atol=0.015)
    assert mx.nd.random.multinomial(mx.nd.array([0.5, 0.5])).shape == (1,)
    data = mx.sym.Variable("p")
    out = mx.sym.random.multinomial(data, shape=6, get_prob=True)
    grad = mx.nd.zeros((2, 3))
    executor = out.bind(mx.cpu(), {"p": mx.nd.array(probs)}, args_grad={"p": grad})
    executor.forward(is_train=True)
    drawn, log_p = (o.asnumpy() for o in executor.outputs)
    assert np.allclose(log_p, np.log(np.take_along_axis(probs, drawn, axis=1)))
    executor.backward([mx.nd.zeros((2, 6)), mx.nd.ones((2, 6))])
    # d/dp of sum(log p[drawn]) is (times drawn) / p
    counts = np.stack([np.bincount(r, minlength=3) for r in drawn])
    expected = np.where(counts > 0, counts / np.where(probs > 0, probs, 1), 0)
    assert np.allclose(grad.asnumpy(), expected, rtol=1e-5)


def test_shuffle_permutes_rows_only():
    mx.random.seed(9)
    data = mx.nd.arange(12).reshape((4, 3))
    out = mx.nd.random.shuffle(data).asnumpy()
    assert not np.array_equal(out, data.asnumpy())
    assert np.array_equal(np.sort(out[:, 0]), [0, 3, 6, 9])
    assert np.array_equal(out - out[:, :1], np.tile([0, 1, 2], (4, 1)))


# ---- the density operators -------------------------------------------------------------------
def test_pdf_values_against_closed_forms():
    x = np.array([[0.5, 1.5, 2.0], [0.2, 0.9, 3.0]])
    a, b = np.array([2.0, 0.7]), np.array([1.5, 3.0])

    def pdf(name, *params, is_log=False):
        arrays = [mx.nd.array(v, dtype="float64") for v in params]
        return getattr(mx.nd, f"random_pdf_{name}")(mx.nd.array(x, dtype="float64"), *arrays,
                                                    is_log=is_log).asnumpy()

    normal = np.exp(-0.5 * ((x - a[:, None]) / b[:, None]) ** 2) / (np.sqrt(2 * np.pi)
                                                                     * b[:, None])
    assert np.allclose(pdf("normal", a, b), normal)
    assert np.allclose(pdf("normal", a, b, is_log=True), np.log(normal))
    assert np.allclose(pdf("exponential", b), b[:, None] * np.exp(-b[:, None] * x))
    gamma = (b[:, None] ** a[:, None] * x ** (a[:, None] - 1) * np.exp(-b[:, None] * x)
             / np.vectorize(math.gamma)(a)[:, None])
    assert np.allclose(pdf("gamma", a, b), gamma)  # beta as a rate, as MXNet computes it
    assert np.allclose(pdf("uniform", a - 2, a + b), 1 / (b + 2)[:, None])
    counts = np.array([[0.0, 1.0, 4.0], [2.0, 0.0, 3.0]])
    poisson = mx.nd.random_pdf_poisson(mx.nd.array(counts, dtype="float64"),
                                       mx.nd.array(b, dtype="float64")).asnumpy()
    fact = np.vectorize(math.factorial)(counts.astype(int))
    assert np.allclose(poisson, b[:, None] ** counts * np.exp(-b[:, None]) / fact)


def test_dirichlet_pdf_value():
    alpha = np.array([[2.0, 3.0, 0.5]])
    points = np.array([[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]])
    out = mx.nd.random_pdf_dirichlet(mx.nd.array(points, dtype="float64"),
                                     mx.nd.array(alpha, dtype="float64")).asnumpy()
    norm = math.gamma(5.5) / (math.gamma(2) * math.gamma(3) * math.gamma(0.5))
    assert out.shape == (1, 2)
    assert np.allclose(out, norm * np.prod(points ** (alpha[:, None] - 1), axis=-1))


def test_digamma_is_the_derivative_of_lgamma():
    x = np.array([0.1, 0.7, 1.0, 3.3, 12.0])
    assert np.allclose(digamma(x), (_lgamma(x + 1e-6) - _lgamma(x - 1e-6)) / 2e-6, atol=1e-6)


@pytest.mark.parametrize("op, inputs, attrs", [
    ("_random_pdf_normal", [[[0.3, -1.0], [2.0, 0.5]], [0.1, 1.0], [1.5, 0.7]], {}),
    ("_random_pdf_gamma", [[[0.3, 1.0], [2.0, 0.5]], [2.1, 1.3], [1.5, 0.7]], {"is_log": True}),
    ("_random_pdf_exponential", [[[0.3, 1.0], [2.0, 0.5]], [1.1, 0.4]], {}),
    ("_random_pdf_uniform", [[[0.3, 1.0], [2.0, 0.5]], [0.0, -1.0], [3.0, 4.0]], {}),
    ("_random_pdf_poisson", [[[0.0, 1.0], [3.0, 2.0]], [1.1, 2.4]], {}),
    ("_random_pdf_dirichlet", [[[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]], [[2.0, 3.0, 0.5]]], {}),
])
def test_pdf_gradients(op, inputs, attrs):
    opcheck.check_gradient(op, attrs, [np.array(x) for x in inputs], rtol=1e-5, atol=1e-6)


def test_unique_zipfian_draws_distinct_small_ids_and_counts_the_draws():
    mx.random.seed(4)
    ids, trials = mx.nd._internal._sample_unique_zipfian(1000, shape=(3, 50))
    ids, trials = ids.asnumpy(), trials.asnumpy()
    assert ids.shape == (3, 50) and ids.dtype == np.int64 and trials.shape == (3,)
    assert all(np.unique(row).size == 50 for row in ids) and ids.min() >= 0 and ids.max() < 1000
    assert np.all(trials >= 50)
    # log-uniform: the small ids are frequent, so half the classes include nearly all of the
    # first 50 and few of the last 100 (a uniform draw would take half of each)
    half = mx.nd._internal._sample_unique_zipfian(1000, shape=(1, 500))[0].asnumpy()[0]
    assert np.isin(np.arange(50), half).mean() > 0.95
    assert np.isin(np.arange(900, 1000), half).mean() < 0.45
    with pytest.raises(MXNetError, match="cannot draw 20 distinct ids"):
        mx.nd._internal._sample_unique_zipfian(10, shape=(1, 20))
