"""Notebooks 04 and 05: how well a linear map fits the true gradient dLoss/dh at initialisation.

The fit is made on the 100 training sums. On those sums, R² from h mostly measures the fit's
capacity (random columns of the same width score nearly as much); on held-out sums it is below
0. From y, or [h, y], the fit holds on held-out sums. And the DNI generator, while training,
does not even reach the in-sample fit from h.
"""
import numpy as np
import pytest

import dni_course as dc

SIZES = (16, 64, 32, 8)
SEEDS = range(5)


def _least_squares(inputs, target):
    a = np.column_stack([inputs, np.ones(len(inputs))])
    return np.linalg.lstsq(a, target, rcond=None)[0]


def _predict(inputs, coef):
    return np.column_stack([inputs, np.ones(len(inputs))]) @ coef


def _r2(guess, target):
    residual = np.sum((target - guess) ** 2)
    return 1.0 - residual / np.sum((target - target.mean(axis=0)) ** 2)


def _hidden_and_gradients(net, data):
    out = net.forward(data.x)
    grads = net.backward(out - data.y)
    return [layer.output for layer in net.layers[:-1]], grads


@pytest.fixture(scope="module")
def scores(task):
    """{(layer, inputs): array of (in-sample R², held-out R²), one row per network seed}."""
    train, test = task
    table = {}
    for seed in SEEDS:
        net = dc.Network.create(SIZES, seed=seed, dtype="float64")
        h, grad = _hidden_and_gradients(net, train)
        h_new, grad_new = _hidden_and_gradients(net, test)
        rng = np.random.default_rng(100 + seed)  # not the notebook's draws
        for i in range(2):
            width = h[i].shape[1]
            inputs = {"h": (h[i], h_new[i]),
                      "hy": (np.hstack([h[i], train.y]), np.hstack([h_new[i], test.y])),
                      "y": (train.y, test.y),
                      "noise": (rng.random((len(train), width)), rng.random((len(test), width)))}
            for name, (a, a_new) in inputs.items():
                coef = _least_squares(a, grad[i])
                table.setdefault((i, name), []).append(
                    (_r2(_predict(a, coef), grad[i]), _r2(_predict(a_new, coef), grad_new[i])))
    return {key: np.array(rows) for key, rows in table.items()}


@pytest.mark.parametrize("layer", [0, 1])
def test_the_labels_predict_the_gradient_on_held_out_sums(scores, layer):
    """Notebook: held-out R² from y about 0.95 (layer 1) and 1.00 (layer 2); [h, y] 0.91, 1.00."""
    assert scores[layer, "y"][:, 1].min() > 0.9
    assert scores[layer, "hy"][:, 1].min() > 0.85
    assert scores[layer, "hy"][:, 0].min() > 0.98  # in-sample, nearly all of it


@pytest.mark.parametrize("layer, margin", [(0, 1.0), (1, 0.4)])
def test_the_fit_from_h_does_not_carry_over_to_held_out_sums(scores, layer, margin):
    """Notebook: from h, in-sample about 0.80 and 0.42, held-out about -1.1 and -0.3."""
    in_sample, held_out = scores[layer, "h"].T
    assert (held_out < 0).all()  # worse than guessing the mean, for every network
    assert (in_sample - held_out > margin).all()
    assert np.median(in_sample) > 0.3  # in-sample it does look like a fit


@pytest.mark.parametrize("layer", [0, 1])
def test_noise_of_the_same_width_fits_nearly_as_well_in_sample(scores, layer):
    """Random columns (uniform in [0, 1]) as wide as h: in-sample about 0.67 and 0.32."""
    width = SIZES[layer + 1]
    noise_in, noise_out = scores[layer, "noise"].T
    h_in = scores[layer, "h"][:, 0]
    assert np.median(noise_in) > 0.7 * np.median(h_in)
    assert np.median(noise_in) < np.median(h_in)  # h does carry a little more
    assert abs(np.median(noise_in) - width / 99) < 0.1  # chance alone: width / (n - 1)
    assert (noise_out < 0).all()


def test_the_dni_generator_stays_short_of_the_in_sample_fit_from_h(task):
    """Notebook 04: generator 2's loss stays about 95-103% of guessing 0 while the best linear
    map of h, refitted to the 100 sums at every epoch, would cost about 40-60%."""
    train = task[0]
    for seed in (0, 1, 2):
        best, size = [], []

        def record(epoch, history):
            net = history.net
            x, y = train.x.astype(net.dtype), train.y.astype(net.dtype)
            true = net.backward(net.forward(x) - y)[1]
            h = net.layers[1].output
            fit = _predict(h, _least_squares(h, true))
            best.append(np.sum((fit - true) ** 2) / np.sum(true ** 2))
            size.append(0.5 * np.sum(true ** 2) / len(x))

        run = dc.train(dc.Network.create(SIZES, seed=seed), train, method="dni", alpha=0.1,
                       batch_size=10, epochs=200, track_gradients=True, on_epoch=record)
        generator = np.array(run.generator_loss)[:, 1] / np.array(size)
        assert generator.min() > 0.85
        assert np.max(best) < 0.75
        assert (generator - np.array(best) > 0.2).all()
