"""Every backward path against finite differences (relative error below 1e-6)."""
import numpy as np
import pytest

import dni_course as dc
from dni_course import gradcheck


@pytest.mark.parametrize("bias", [False, True])
def test_backprop_updates_match_numerical_gradient(small_batch, bias):
    x, y = small_batch
    net = dc.Network.create([6, 5, 4, 3], seed=0, init="centred", bias=bias, dtype="float64")
    for layer in net.layers:  # non-zero biases, so their gradients are exercised
        if layer.bias is not None:
            layer.bias[...] = np.linspace(-0.5, 0.5, layer.bias.size)
    errors = gradcheck.check_network(net, x, y)
    assert len(errors) == (6 if bias else 3)
    assert max(errors) < 1e-6


def test_gradient_check_catches_a_wrong_backward(small_batch):
    x, y = small_batch
    net = dc.Network.create([6, 5, 4, 3], seed=0, dtype="float64")

    class Broken(dc.Layer):  # forgets the sigmoid's slope
        def backward(self, grad_output, need_input_grad=True):
            self.delta = grad_output
            return self.delta @ self.weights.T

    net.layers[1] = Broken(net.layers[1].weights)
    assert max(gradcheck.check_network(net, x, y)) > 1e-2


@pytest.mark.parametrize("n_labels", [0, 3])
def test_generator_training_signal_matches_numerical_gradient(n_labels):
    rng = np.random.RandomState(5)
    gen = dc.SyntheticGradient(4, n_labels=n_labels, dtype=np.float64)
    gen.weights[...] = rng.randn(*gen.weights.shape)
    gen.bias[...] = rng.randn(4)
    labels = (rng.rand(9, 3) > 0.5).astype(float) if n_labels else None
    errors = gradcheck.check_generator(gen, rng.rand(9, 4), rng.randn(9, 4), labels=labels)
    assert max(errors) < 1e-6


def test_network_backward_returns_true_hidden_gradients(small_batch):
    """The gradients sent to hidden layers (the generators' targets) against finite differences."""
    x, y = small_batch
    net = dc.Network.create([6, 5, 4, 3], seed=1, dtype="float64")
    net.backward(net.forward(x) - y)
    hidden = net.layers[0].forward(x).copy()
    analytic = net.backward(net.forward(x) - y)[0]

    def loss():
        h = hidden
        for layer in net.layers[1:]:
            h = layer.forward(h)
        return 0.5 * np.sum((h - y) ** 2)

    numeric = gradcheck.numerical_gradient(loss, hidden)
    assert gradcheck.relative_error(analytic, numeric) < 1e-6
