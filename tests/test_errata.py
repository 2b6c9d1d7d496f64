"""The post's printed DNI class (dni_course.errata) and the traps notebook 04 shows with it.

The replay of the post's own run (12 bits, 1000 sums) is in tests/test_reproduction.py; these
tests check what notebook 04 prints on its small task, the stopping rule, the divergence
check, and trap 3.
"""
import numpy as np
import pytest

import dni_course as dc

SIZES = (16, 64, 32, 8)
# Notebook 04's replay: all 100 sums in one batch, ten times the post's alpha.
REPLAY = dict(iterations=300, alpha=1e-3, batch_size=100, hidden=(64, 32), stop_below=None)


@pytest.fixture(scope="module")
def replays(task):
    train, _ = task
    return (dc.errata.printed_dni(train, 0, **REPLAY),
            dc.errata.printed_dni(train, 0, ascent=False, **REPLAY))


def test_printed_class_reads_zero_error_at_chance_with_huge_weights(replays):
    printed, _ = replays
    assert len(printed["printed_error"]) == 300  # stop_below=None: no stopping rule
    assert printed["printed_error"][-1] < 0.05  # prints as 0.0
    assert abs(printed["bit_accuracy"][-1] - 0.5) < 0.05  # a coin toss
    assert printed["max_weight"][-1] > 1e20
    errors = np.array(printed["printed_error"])
    assert 100 < np.argmax(errors < 0.1) < 250  # the post's rule would stop here (notebook: 178)
    # the real loss does not fall: saturated outputs are wrong about half the time
    assert printed["loss"][-1] > printed["loss"][0] - 0.01


def test_sign_fixed_stays_bounded_but_learns_nothing(replays):
    _, fixed = replays
    assert max(fixed["max_weight"]) < 5
    assert min(fixed["printed_error"]) > 50
    assert fixed["bit_accuracy"][-1] < 0.6


def test_stopping_rule_stops_below_the_threshold(task):
    train, _ = task
    record = dc.errata.printed_dni(train, 0, **{**REPLAY, "stop_below": 0.1})
    errors = record["printed_error"]
    assert errors[-1] < 0.1 and min(errors[:-1]) >= 0.1
    assert len(errors) < 300


def test_a_diverging_run_stops_with_the_message_train_gives(task):
    train, _ = task
    with pytest.raises(dc.TrainingDiverged, match=r"diverged at iteration \d+ .*alpha=0.01.*Try a smaller alpha"):
        dc.errata.printed_dni(train, 0, **{**REPLAY, "alpha": 0.01}, ascent=False)


def test_the_post_task_with_the_sign_fixed_and_a_large_step(task):
    """Notebook 04, "Try it" 4: the post's run with -= and alpha 0.1."""
    rng = np.random.RandomState(1)
    data = dc.addition_data(bits=12, n_examples=1000, seed=rng)
    record = dc.errata.printed_dni(data, rng, alpha=0.1, ascent=False)
    assert len(record["printed_error"]) == 2  # the sigmoids saturate at once: "error" < 0.1
    assert abs(record["bit_accuracy"][-1] - 0.5) < 0.02
    rng = np.random.RandomState(1)
    data = dc.addition_data(bits=12, n_examples=1000, seed=rng)
    with pytest.raises(dc.TrainingDiverged, match="iteration"):
        dc.errata.printed_dni(data, rng, alpha=0.1, ascent=False, stop_below=None, iterations=200)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(stop_below=0), ValueError, ["stop_below", "above 0"]),
    (dict(stop_below="0.1"), TypeError, ["stop_below"]),
    (dict(alpha=-1e-3), ValueError, ["alpha"]),
    (dict(iterations=2.5), TypeError, ["iterations"]),
    (dict(ascent=1), TypeError, ["ascent", "True or False"]),
    (dict(hidden=64), TypeError, ["hidden", "list"]),
    (dict(hidden=(64, 0)), ValueError, ["each size in hidden", "between 1 and"]),
    (dict(seed=-1), ValueError, ["seed"]),
    (dict(seed="1"), TypeError, ["seed", "RandomState"]),
])
def test_bad_arguments(task, kwargs, error, words):
    train, _ = task
    with pytest.raises(error) as caught:
        dc.errata.printed_dni(train, **{"seed": 0, "batch_size": 100, **kwargs})
    assert all(word in str(caught.value) for word in words), caught.value


def run(task, alpha, epochs, send_down):
    train, _ = task
    return dc.train(dc.Network.create(SIZES, seed=0), train, method="cdni", alpha=alpha,
                    epochs=epochs, stop_at=0.99, send_down=send_down)


def test_trap_3_stalls_cdni_at_alpha_1(task):
    right, late = run(task, 1.0, 200, "before"), run(task, 1.0, 200, "after")
    assert right.epochs_to(0.99) is not None and right.epochs_to(0.99) < 200  # notebook: 171
    assert late.epochs_to(0.99) is None and late.final()["bit_accuracy"] < 0.6  # notebook: 0.53


def test_trap_3_makes_no_difference_at_alpha_0_1(task):
    """Notebook 04: at alpha 0.1 both ways reach 99% after about 570 epochs."""
    right, late = run(task, 0.1, 800, "before"), run(task, 0.1, 800, "after")
    assert right.epochs_to(0.99) is not None and late.epochs_to(0.99) is not None
    assert 450 < right.epochs_to(0.99) < 700 and 450 < late.epochs_to(0.99) < 700
    assert abs(right.epochs_to(0.99) - late.epochs_to(0.99)) < 50  # measured: 577 and 569


def test_errata_figure_has_one_legend_and_shows_zero(replays):
    fig = dc.plots.errata_curves(*replays)
    assert fig.get_figwidth() <= 9
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    ax_err = fig.axes[0]
    assert ax_err.get_yscale() == "symlog" and ax_err.get_ylim()[0] == 0  # 0 is on the axis
    assert min(ax_err.lines[0].get_ydata()) < 0.05  # the curve reaches it (not clipped at a floor)


def test_alignment_figure_draws_the_same_guess_control(task):
    train, _ = task
    run = dc.train(dc.Network.create(SIZES, seed=0), train, method="dni", alpha=0.1, epochs=5,
                   track_gradients=True)
    baseline = np.full((5, 2), 0.1)
    fig = dc.plots.alignment_curves(run, baseline=baseline)
    assert fig.get_figwidth() <= 9
    assert len(fig.axes[0].lines) == 2 + 2 + 1  # layers, their controls, the zero line
    assert len(fig.legends) == 1
    with pytest.raises(ValueError, match="baseline must have one row per epoch"):
        dc.plots.alignment_curves(run, baseline=baseline[:3])


def test_post_grouping_layer_is_right_but_rounds_differently():
    # A gradient check: the post's grouping is the same maths as ours.
    rng = np.random.RandomState(0)
    small = dc.Network(dc.errata.PostGroupingLayer(layer.weights)
                       for layer in dc.Network.create([6, 5, 4, 3], seed=0, dtype="float64").layers)
    assert max(dc.gradcheck.check_network(small, rng.rand(7, 6), np.ones((7, 3)))) < 1e-7
    # ...rounded differently: the post's 12-bit run parts from ours within 20 passes (notebook 03).
    runs = []
    for kind in (dc.Layer, dc.errata.PostGroupingLayer):
        rng = np.random.RandomState(1)
        data = dc.addition_data(bits=12, n_examples=1000, seed=rng)
        net = dc.Network.create([24, 128, 64, 12], seed=rng, init="post", dtype="float64")
        net = dc.Network(kind(layer.weights) for layer in net.layers)
        runs.append(dc.train(net, data, alpha=0.1, batch_size=10, epochs=20).post_error)
    ours, posts = runs
    assert ours[0] == posts[0] and ours != posts
    np.testing.assert_allclose(ours, posts, rtol=1e-9)
