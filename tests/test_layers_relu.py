"""ReLU, linear and softmax layers (notebook 07): each backward against finite differences,
and the squared-error network of notebooks 02-06 unchanged by the generalisation."""
import numpy as np
import pytest

import dni_course as dc
from dni_course import gradcheck


def classes(rng, n, k):
    return np.eye(k)[rng.randint(0, k, n)]


@pytest.mark.parametrize("activation, output", [
    ("relu", "softmax"), ("relu", "sigmoid"), ("linear", "linear"), ("sigmoid", "softmax"), ("relu", "linear"),
])
def test_every_layer_kind_backward_matches_numerical_gradient(activation, output):
    rng = np.random.RandomState(4)
    net = dc.Network.create([6, 7, 5, 4], seed=2, init="he", bias=True, dtype="float64",
                            activation=activation, output=output)
    for layer in net.layers:  # non-zero biases; ReLU units away from the kink (finite differences)
        layer.bias[...] = rng.uniform(0.1, 0.5, layer.bias.size)
    x = rng.rand(8, 6)
    y = classes(rng, 8, 4) if output == "softmax" else rng.rand(8, 4)
    errors = gradcheck.check_network(net, x, y)
    assert len(errors) == 6 and max(errors) < 1e-6


def test_softmax_network_loss_is_cross_entropy_of_probabilities():
    rng = np.random.RandomState(1)
    net = dc.Network.create([5, 6, 3], seed=0, init="he", bias=True, dtype="float64",
                            activation="relu", output="softmax")
    x, y = rng.rand(4, 5), classes(rng, 4, 3)
    p = net.predict(x)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert (p > 0).all()
    np.testing.assert_allclose(net.loss(p, y), -np.sum(np.log(p[y == 1])))


def test_softmax_does_not_overflow_on_large_inputs():
    net = dc.Network.create([2, 3], seed=0, dtype="float64", output="softmax")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = net.predict(np.array([[1e4, -1e4]]))
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)


def test_relu_layer_passes_gradient_only_through_units_that_are_on():
    layer = dc.ReLULayer(np.array([[1.0, -1.0]]), None)
    out = layer.forward(np.array([[2.0]]))
    assert out.tolist() == [[2.0, 0.0]]
    assert layer.backward(np.array([[3.0, 5.0]])).tolist() == [[3.0]]  # 3*1 + 5*0*(-1)


def test_gradient_check_catches_a_softmax_layer_with_the_wrong_backward():
    rng = np.random.RandomState(0)
    net = dc.Network.create([4, 5, 3], seed=0, init="he", dtype="float64", activation="relu", output="softmax")

    class Broken(dc.SoftmaxLayer):  # multiplies by a sigmoid-like slope it must not have
        def backward(self, grad_output, need_input_grad=True):
            self.delta = grad_output * self.output * (1 - self.output)
            return self.delta @ self.weights.T

    net.layers[-1] = Broken(net.layers[-1].weights)
    assert max(gradcheck.check_network(net, rng.rand(6, 4), classes(rng, 6, 3))) > 1e-2


def test_default_network_is_still_the_sigmoid_one():
    net = dc.Network.create([4, 3, 2], seed=0)
    assert [type(layer) for layer in net.layers] == [dc.Layer, dc.Layer]
    copy = dc.Network.create([4, 3, 2], seed=0, activation="relu", output="softmax").copy()
    assert [type(layer) for layer in copy.layers] == [dc.ReLULayer, dc.SoftmaxLayer]


def test_he_init_spread_shrinks_with_fan_in():
    rng = np.random.default_rng(0)
    wide = dc.init_weights(800, 50, rng, init="he")
    assert abs(wide.std() - np.sqrt(2 / 800)) < 0.002 and abs(wide.mean()) < 0.002


@pytest.mark.parametrize("kwargs, words", [
    (dict(activation="tanh"), ["activation", "'relu'", "'tanh'"]),
    (dict(output="relu"), ["output", "'softmax'", "'relu'"]),
    (dict(init="xavier"), ["init", "'he'", "'xavier'"]),
])
def test_create_rejects_unknown_kinds(kwargs, words):
    with pytest.raises(ValueError) as caught:
        dc.Network.create([4, 3], **kwargs)
    for word in words:
        assert word in str(caught.value)
