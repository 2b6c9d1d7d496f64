"""Our code against numbers printed by one run of the post's own code (tests/fixtures)."""
import json
from pathlib import Path

import numpy as np
import pytest

import dni_course as dc
from dni_course.baseline import script_weights, train_script

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "post_reference.json").read_text())


def post_task():
    rng = np.random.RandomState(1)
    return rng, dc.addition_data(bits=12, n_examples=1000, seed=rng)


def test_package_baseline_reproduces_the_posts_printed_errors():
    rng, data = post_task()
    net = dc.Network.create([24, 128, 64, 12], seed=rng, init="post", dtype="float64")
    history = dc.train(net, data, method="backprop", alpha=0.1, batch_size=10, epochs=20)
    np.testing.assert_allclose(history.post_error, REFERENCE["baseline_script_first_iterations"], rtol=1e-9)


def test_script_reproduces_the_posts_printed_errors():
    rng, data = post_task()
    printed = train_script(data.x, data.y, script_weights([24, 128, 64, 12], rng), iterations=10)
    np.testing.assert_allclose(printed, REFERENCE["baseline_script_first_iterations"][:10], rtol=1e-9)


def test_layer_network_equals_script_bit_for_bit():
    rng, data = post_task()
    weights = script_weights([24, 128, 64, 12], rng)
    printed = train_script(data.x, data.y, weights, iterations=5)
    rng, data = post_task()
    net = dc.Network.create([24, 128, 64, 12], seed=rng, init="post", dtype="float64")
    history = dc.train(net, data, alpha=0.1, batch_size=10, epochs=5)
    assert history.post_error == printed
    assert all(np.array_equal(w, layer.weights) for w, layer in zip(weights, net.layers))


def test_float32_follows_the_same_curve():
    rng, data = post_task()
    net = dc.Network.create([24, 128, 64, 12], seed=rng, init="post", dtype="float32")
    history = dc.train(net, data, alpha=0.1, batch_size=10, epochs=5)
    np.testing.assert_allclose(history.post_error, REFERENCE["baseline_script_first_iterations"][:5], rtol=1e-3)


def test_printed_dni_class_ascends_and_its_error_reads_zero_at_chance():
    rng, data = post_task()
    record = dc.errata.printed_dni(data, rng, iterations=600)
    stop = len(record["printed_error"]) - 1
    assert abs(stop - REFERENCE["printed_dni_class"]["stop_iteration"]) <= 10
    assert record["printed_error"][-1] < 0.1
    assert record["bit_accuracy"][-1] < 0.55  # chance, although the "error" is ~0
    assert record["max_weight"][-1] > 1e50


def test_printed_dni_with_the_sign_fixed_stays_bounded():
    rng, data = post_task()
    record = dc.errata.printed_dni(data, rng, iterations=100, ascent=False)
    assert len(record["printed_error"]) == 100
    assert record["max_weight"][-1] < 10
