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
    (dict(stop_when=0.99), TypeError, ["stop_when", "0.99"]),
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


# --- Issue 16's probe: bad input the package took without a word, or answered with numpy's error

D8 = dc.addition_data(8, 40, seed=0)
D4 = dc.addition_data(4, 40, seed=0)
X5, Y5 = D8.x[:5], D8.y[:5].astype(float)


def net8():
    return dc.Network.create((16, 8, 8), seed=0)


def gens8():
    return [dc.SyntheticGradient(8)]


def script_weights():
    return dc.baseline.script_weights([8, 6, 5, 4], np.random.RandomState(0))


def script_layers():
    """l1, l2, l3 and the target of the script's network on D4."""
    w01, w12, w23 = script_weights()
    l1 = dc.layers.sigmoid(D4.x @ w01)
    l2 = dc.layers.sigmoid(l1 @ w12)
    return l1, l2, dc.layers.sigmoid(l2 @ w23), D4.y.astype(float)


LAYERS = script_layers()
TIMELINE = dc.devices.simulate("dni", [10] * 5, dc.devices.layer_costs(3))
DEVICE_RUN = dc.devices.device_run(D4, sizes=(8, 6, 4), epochs=1)


STEPS = [dc.training.backprop_step, dc.training.output_only_step, dc.training.synthetic_step]
PROBED = [  # (call, error, words the message must hold)
    # F7: the training steps' net, gens and gen_alpha
    *[(lambda step=step: step(None, gens8(), X5, Y5, 0.5, 0.03), TypeError, ["net", "Network", "None"])
      for step in STEPS],
    (lambda: dc.training.synthetic_step(net8(), [], X5, Y5, 0.5, 0.03), ValueError, ["gens", "one generator", "0"]),
    (lambda: dc.training.synthetic_step(net8(), {}, X5, Y5, 0.5, 0.03), TypeError, ["gens", "list", "{}"]),
    (lambda: dc.training.synthetic_step(net8(), None, X5, Y5, 0.5, 0.03), TypeError, ["gens", "list", "None"]),
    (lambda: dc.training.synthetic_step(net8(), ["abc"], X5, Y5, 0.5, 0.03), TypeError, ["gens[0]", "'abc'"]),
    (lambda: dc.training.synthetic_step(net8(), gens8(), X5, Y5, 0.5, None), TypeError, ["gen_alpha", "None"]),
    (lambda: dc.training.synthetic_step(net8(), gens8(), X5, Y5, 0.5, float("nan")), ValueError,
     ["gen_alpha", "nan"]),
    # F2: sizes that would hang or fill the memory, refused up front with the largest allowed value
    *[(lambda stop=stop: dc.errata.printed_dni(D4, 0, iterations=10 ** 9, batch_size=10, hidden=(6, 5),
                                               stop_below=stop), ValueError, ["iterations", "300_000", words])
      for stop, words in ((None, "pass over all the data"), (0.1, "stop_below may end the run sooner"))],
    (lambda: dc.baseline.train_script(D4.x, D4.y, script_weights(), iterations=10 ** 12), ValueError,
     ["iterations", "300_000", "1000000000000"]),
    (lambda: dc.devices.layer_costs(10 ** 9), ValueError, ["n_layers", "1000", "most layers"]),
    (lambda: dc.devices.simulate("backprop", [10], dc.devices.layer_costs(3), micro_batches=10 ** 12), ValueError,
     ["micro_batches", "between 1 and 10", "at least one example"]),
    (lambda: dc.devices.device_run(D4, micro_batches=10 ** 9, sizes=(8, 6, 5, 4), epochs=2), ValueError,
     ["micro_batches", "between 1 and 10", "batch_size is 10"]),
    (lambda: dc.devices.device_run(D4, micro_batches=5, sizes=(8, 6, 5, 4), epochs=2, batch_size=4), ValueError,
     ["micro_batches", "between 1 and 4", "batch_size is 4"]),
    # F3: DelayExplorer's max_delay (checked before it trains)
    *[(lambda v=v: dc.devices.DelayExplorer(D8, delay=2, max_delay=v, epochs=2), error, ["max_delay", shown])
      for v, error, shown in ((float("nan"), TypeError, "nan"), ("3", TypeError, "'3'"), (None, TypeError, "None"),
                              (2.5, TypeError, "2.5"), (0, ValueError, "0"), (10 ** 12, ValueError, "between 1 and 10000"))],
    (lambda: dc.devices.DelayExplorer(D8, delay=5, max_delay=3, epochs=2), ValueError, ["delay", "between 0 and 3"]),
    # F4: Timeline.first
    *[(lambda v=v: TIMELINE.first(v), error, ["n_batches", shown])
      for v, error, shown in ((True, TypeError, "True"), (None, TypeError, "None"), (2.5, TypeError, "2.5"),
                              (0, ValueError, "0"), ("3", TypeError, "'3'"))],
    # F5: spread's percent and unit
    (lambda: dc.spread([0.9, 0.95], percent="no"), TypeError, ["percent", "True or False", "'no'"]),
    (lambda: dc.spread([0.9, 0.95], percent=1), TypeError, ["percent", "True or False"]),
    (lambda: dc.spread([0.9, 0.95], unit=None), TypeError, ["unit", "string", "None"]),
    (lambda: dc.spread([0.9, 0.95], unit=2.5), TypeError, ["unit", "string", "2.5"]),
    # F6: prepare_input (notebook 05 calls it directly)
    (lambda: dc.layers.prepare_input(np.ones((3, 2)), "nope"), ValueError, ["mode", "'centred'", "'nope'"]),
    (lambda: dc.layers.prepare_input(np.array([[1.0, np.nan]]), "centred"), ValueError, ["a", "finite", "nan"]),
    (lambda: dc.layers.prepare_input(np.ones((3, 2), dtype=bool), "centred"), TypeError, ["a", "True/False"]),
    (lambda: dc.layers.prepare_input(np.ones((3, 2), dtype=complex), "raw"), TypeError, ["a", "real numbers"]),
    (lambda: dc.layers.prepare_input(np.ones(3), "raw"), ValueError, ["a", "shape (any, any)", "(3,)"]),
    (lambda: dc.layers.prepare_input(None, "raw"), TypeError, ["a", "array of numbers", "None"]),
    # F8: DelayedTargets and UpdateRates
    (lambda: dc.training.DelayedTargets(None, 2), TypeError, ["generator", "SyntheticGradient", "None"]),
    *[(lambda v=v: dc.training.UpdateRates(v), error, ["every", shown])
      for v, error, shown in (("abc", TypeError, "'abc'"), ([], TypeError, "[]"), (None, TypeError, "None"),
                              ({}, TypeError, "{}"), (["1", "2"], TypeError, "'1'"), ([0, 1], ValueError, "0"))],
    # F9: ragged lists name their argument
    (lambda: dc.train(net8(), D8, method="dni", epochs=1, update_every=[[1, 2], [3]]), ValueError,
     ["update_every", "different lengths"]),
    (lambda: dc.devices.simulate("dni", [10], dc.devices.layer_costs(2), update_every=[[1, 2], [3]]), ValueError,
     ["update_every", "different lengths"]),
    (lambda: dc.sweep.train_stack(D4, "cdni", [0.5], 4, 1, seeds=[[1, 2], [3]], sizes=(8, 6, 4)), ValueError,
     ["seeds", "different lengths"]),
    (lambda: dc.plots.depth_comparison([[1, 2], [3]], []), ValueError, ["depths", "different lengths"]),
    # F10: labels
    (lambda: dc.devices.device_run(D4, sizes=(8, 6, 4), epochs=1, label=True), TypeError, ["label", "string"]),
    (lambda: DEVICE_RUN.on(dc.devices.layer_costs(2), label=float("nan")), TypeError, ["label", "string", "nan"]),
    # F11: the argument the message names
    (lambda: dc.gradcheck.check_network(dc.Network.create((4, 3), dtype="float64"), np.ones((2, 4)),
                                        np.full((2, 3), 2.0)), ValueError, ["y must", "between 0 and 1"]),
    (lambda: dc.widgets.batch_size_choices(100, default="x"), TypeError, ["default", "'x'"]),
    (lambda: dc.digits.load_digits_data(1e-9), ValueError, ["test_fraction", "held-out", "1/1797"]),
    # F12: baseline.deltas
    *[(lambda v=v: dc.baseline.deltas(*LAYERS, v), TypeError, ["weights", "three weight matrices", shown])
      for v, shown in (("abc", "'abc'"), (None, "None"), ([1, 2, 3], "[1, 2, 3]"))],
    (lambda: dc.baseline.deltas(LAYERS[0][None], *LAYERS[1:], script_weights()), ValueError,
     ["l1", "shape (40, 6)", "(1, 40, 6)"]),
    (lambda: dc.baseline.deltas(LAYERS[0], LAYERS[1][:, :1], *LAYERS[2:], script_weights()), ValueError,
     ["l2", "shape (40, 5)", "(40, 1)"]),
    # the layer outputs and the target hold numbers: strings, None and ragged lists are named
    (lambda: dc.baseline.deltas(*LAYERS[:2], LAYERS[2].astype(str), LAYERS[3], script_weights()), TypeError,
     ["l3", "strings"]),
    (lambda: dc.baseline.deltas(LAYERS[0].tolist()[:-1] + [[None] * 6], *LAYERS[1:], script_weights()), TypeError,
     ["l1", "None"]),
    (lambda: dc.baseline.deltas(*LAYERS[:3], [[0.5, 0.5], [1.0]], script_weights()), ValueError,
     ["target", "equal length"]),
]


@pytest.mark.parametrize("call, error, words", PROBED, ids=[f"probed-{i}" for i in range(len(PROBED))])
def test_probed_bad_input_is_refused_by_name(call, error, words):
    with pytest.raises(error) as caught:
        call()
    for word in words:
        assert word in str(caught.value), str(caught.value)
