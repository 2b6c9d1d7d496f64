"""A task of a third kind plugs into train, gradient_alignment and the explorer with no edit to them.

Parity of 3 bits is defined here, in the test, as a student or a later notebook would define a
new task: a subclass of dc.Task with its examples and its scores, nothing else.
"""
import itertools

import numpy as np
import pytest

import dni_course as dc
from dni_course import widgets


class Parity(dc.Task):
    """Every string of 3 bits, with one target: 1 when an odd number of them are 1."""

    name = "3-bit parity"
    examples = "parities of 3 bits"
    metric = "parity_accuracy"

    def __init__(self, repeat=4):
        self.x = np.array(list(itertools.product([0.0, 1.0], repeat=3)) * repeat)
        self.y = self.x.sum(axis=1, keepdims=True) % 2

    def scores(self, output):
        return {"loss": float(np.mean((output - self.y) ** 2)),
                "parity_accuracy": float(np.mean((output > 0.5) == (self.y > 0.5)))}


@pytest.mark.parametrize("method", ["backprop", "dni", "cdni"])
def test_a_new_task_trains_with_every_method_and_records_its_metric(method):
    data = Parity()
    history = dc.train(dc.Network.create((3, 8, 1), seed=0), data, method=method, alpha=1.0, batch_size=4,
                       epochs=30, test=Parity(1), track_gradients=method != "backprop")
    assert history.metric == "parity_accuracy"
    assert set(history.final()) == {"loss", "parity_accuracy"}
    assert len(history.series("parity_accuracy")) == 30 and len(history.test) == 30
    assert history.final("test") == Parity(1).scores(history.net.predict(Parity(1).x))  # the same numbers


def test_backprop_learns_the_new_task_and_stop_at_reads_its_metric():
    history = dc.train(dc.Network.create((3, 16, 1), seed=0, init="centred"), Parity(), alpha=2.0, batch_size=4,
                       epochs=3000, stop_at=1.0)
    assert history.stopped_early and history.final()["parity_accuracy"] == 1.0  # parity is not linear: hidden units
    assert history.epochs_to(1.0) == history.epochs[-1]


def test_the_new_task_checks_the_network_and_its_held_out_data():
    with pytest.raises(ValueError, match="the network has 4 inputs and 1 outputs, but parities of 3 bits need 3 "
                                         "inputs and 1 outputs"):
        dc.train(dc.Network.create((4, 8, 1)), Parity(), epochs=1)
    with pytest.raises(TypeError, match="test must be Parity like data, got AdditionData"):
        dc.train(dc.Network.create((3, 8, 1)), Parity(), epochs=1, test=dc.addition_data(2, 4))


def test_gradient_alignment_and_the_explorer_take_the_new_task():
    data = Parity()
    history = dc.train(dc.Network.create((3, 8, 4, 1), seed=0), data, method="dni", epochs=5, batch_size=4)
    cosines = dc.gradient_alignment(history.net, history.generators, data)
    assert len(cosines) == 2 and all(-1 <= c <= 1 for c in cosines)
    explorer = widgets.training_explorer(data, sizes=(3, 8, 1), epochs=5, batch_size=4)
    assert explorer.result is not None and explorer.result.metric == "parity_accuracy"
    assert "training parity accuracy" in explorer.status.value


def test_the_package_knows_its_own_kinds_of_task_only():
    """Messages list the package's kinds; a task defined elsewhere (this file's) is not among them."""
    with pytest.raises(TypeError, match=r"^data must be AdditionData \(see dni_course.addition_data\) or "
                                        r"DigitsData \(see dni_course.digits.load_digits_data\), got ndarray$"):
        dc.train(dc.Network.create((3, 8, 1)), np.zeros((3, 3)))


def test_the_sweep_trains_the_new_task_as_dc_train_does():
    from dni_course import sweep

    data, alphas = Parity(), [0.5, 2.0]
    stack = sweep.train_stack(data, "backprop", alphas, batch_size=4, epochs=20, sizes=(3, 8, 1))
    for k, alpha in enumerate(alphas):
        history = dc.train(dc.Network.create((3, 8, 1), seed=0), data, alpha=alpha, batch_size=4, epochs=20)
        np.testing.assert_array_equal(stack.bit_accuracy[k], history.series("parity_accuracy"))
        np.testing.assert_allclose(stack.weights[0][k], history.net.layers[0].weights, rtol=1e-4, atol=1e-5)
