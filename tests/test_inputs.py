"""Bad input gets a clear error naming the argument, the value and what is allowed."""
import numpy as np
import pytest

import dni_course as dc


@pytest.fixture(scope="module")
def data():
    return dc.addition_data(bits=4, n_examples=20, seed=0)


def net():
    return dc.Network.create([8, 6, 5, 4], seed=0)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(batch_size=0), ValueError, ["batch_size", "between 1 and 20", "0"]),
    (dict(batch_size=21), ValueError, ["batch_size", "between 1 and 20", "21"]),
    (dict(batch_size=2.5), TypeError, ["batch_size", "whole number", "2.5"]),
    (dict(alpha=0), ValueError, ["alpha", "above 0"]),
    (dict(alpha=-0.1), ValueError, ["alpha", "-0.1"]),
    (dict(alpha=float("nan")), ValueError, ["alpha", "nan"]),
    (dict(alpha=float("inf")), ValueError, ["alpha", "inf"]),
    (dict(alpha="0.1"), TypeError, ["alpha", "'0.1'"]),
    (dict(method="sgd"), ValueError, ["method", "'backprop'", "'dni'", "'cdni'", "'sgd'"]),
    (dict(epochs=0), ValueError, ["epochs", "0"]),
    (dict(gen_alpha=-1.0), ValueError, ["gen_alpha"]),
    (dict(stop_at=1.5), ValueError, ["stop_at", "1.5"]),
])
def test_train_rejects_bad_settings(data, kwargs, error, words):
    with pytest.raises(error) as caught:
        dc.train(net(), data, **kwargs)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("call, error, words", [
    (lambda: dc.addition_data(bits=1), ValueError, ["bits", "between 2 and", "1"]),
    (lambda: dc.addition_data(bits=8.0), TypeError, ["bits", "whole number"]),
    (lambda: dc.addition_data(n_examples=0), ValueError, ["n_examples", "between 1 and"]),
    (lambda: dc.addition_data(seed=-1), ValueError, ["seed"]),
    (lambda: dc.Network.create([8]), ValueError, ["sizes"]),
    (lambda: dc.Network.create([8, 0, 4]), ValueError, ["layer size", "0"]),
    (lambda: dc.Network.create([8, 4], init="zeros"), ValueError, ["init", "'post'", "'centred'"]),
    (lambda: dc.Network.create([8, 4], dtype="int8"), ValueError, ["dtype"]),
    (lambda: net().predict(np.zeros((3, 5))), ValueError, ["x", "shape", "(any, 8)", "(3, 5)"]),
    (lambda: net().predict(np.zeros(8)), ValueError, ["x", "shape"]),
    (lambda: net().predict("abc"), TypeError, ["x"]),
    (lambda: dc.train(net(), np.zeros((3, 8))), TypeError, ["data", "AdditionData"]),
    (lambda: dc.train("net", dc.addition_data(4, 5)), TypeError, ["net", "Network"]),
    (lambda: dc.train(net(), dc.addition_data(5, 20)), ValueError, ["10 inputs", "5-bit", "4 outputs"]),
    (lambda: dc.held_out_data(dc.addition_data(2, 3), n_examples=10), ValueError, ["n_examples", "at most"]),
    (lambda: dc.widgets.training_explorer(dc.addition_data(4, 5), method="adam"), ValueError, ["method", "'adam'"]),
])
def test_public_functions_reject_bad_input(call, error, words):
    with pytest.raises(error) as caught:
        call()
    for word in words:
        assert word in str(caught.value)
