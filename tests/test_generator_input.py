"""dc.train's gen_input: each generator centres ("centred") or also scales ("normalised") its
input [h, labels] with the batch's statistics, the remedy notebook 05 names for its capped
learning rate. Thresholds come from runs measured with tools/measure_normalised.py (seeds 0-4
on the 8-bit task, tests/conftest.py `task`); each is far from what a broken version gives."""
import numpy as np
import pytest

import dni_course as dc
from dni_course import gradcheck
from dni_course.training import GEN_ALPHA, batches, synthetic_step

SIZES = (16, 64, 32, 8)


def run(task, method, gen_alpha, epochs, seed=0, **kw):
    return dc.train(dc.Network.create(SIZES, seed=seed), task[0], method=method, alpha=1.0,
                    batch_size=10, epochs=epochs, stop_at=0.99, gen_alpha=gen_alpha, **kw)


# --- the default is unchanged -----------------------------------------------------------------

class RawGenerator:
    """The linear generator as it was before gen_input existed, line for line."""

    def __init__(self, n_out, n_labels):
        self.weights = np.zeros((n_out + n_labels, n_out), np.float32)
        self.bias = np.zeros(n_out, np.float32)
        self.n_labels = n_labels

    def predict(self, h, labels=None):
        self.input = np.hstack([h, labels]) if self.n_labels else h
        self.guess = self.input @ self.weights
        self.guess += self.bias
        return self.guess

    def learn(self, target, alpha):
        error = self.guess - target
        scale = alpha / len(error)
        self.weights -= scale * (self.input.T @ error)
        self.bias -= scale * error.sum(axis=0)


@pytest.mark.parametrize("method", ["dni", "cdni"])
def test_default_is_the_raw_generator_bit_for_bit(task, method):
    train, _ = task
    net = dc.Network.create(SIZES, seed=0)
    n_labels = 8 if method == "cdni" else 0
    gens = [RawGenerator(n, n_labels) for n in SIZES[1:-1]]
    x, y = train.x.astype(np.float32), train.y.astype(np.float32)
    for _ in range(3):
        for s in batches(len(x), 10):
            synthetic_step(net, gens, x[s], y[s], 1.0, GEN_ALPHA)
    for kw in ({}, {"gen_input": "raw"}):
        history = dc.train(dc.Network.create(SIZES, seed=0), train, method=method, alpha=1.0, epochs=3, **kw)
        assert all(np.array_equal(a, b) for a, b in zip(net.parameters(), history.net.parameters()))
        for g, h in zip(gens, history.generators):
            assert np.array_equal(g.weights, h.weights) and np.array_equal(g.bias, h.bias)


# --- what the generator sees ------------------------------------------------------------------

@pytest.mark.parametrize("kind", [dc.SyntheticGradient, dc.MLPSyntheticGradient])
def test_prepared_input_is_centred_and_scaled_per_column_over_the_batch(kind):
    rng = np.random.RandomState(4)
    h = 0.5 + 0.3 * rng.rand(10, 6)  # all positive, like sigmoid outputs
    labels = (rng.rand(10, 3) > 0.5).astype(float)
    raw = np.hstack([h, labels])
    gen = kind(6, n_labels=3, dtype=np.float64, input_mode="centred")
    gen.predict(h, labels)
    np.testing.assert_allclose(gen.input.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(gen.input.var(axis=0), raw.var(axis=0), rtol=1e-12)  # not scaled
    gen = kind(6, n_labels=3, dtype=np.float64, input_mode="normalised")
    gen.predict(h, labels)
    np.testing.assert_allclose(gen.input.mean(axis=0), 0.0, atol=1e-12)
    unit = raw.var(axis=0) / (raw.var(axis=0) + dc.layers.NORM_EPS)  # 1 but for eps, the labels too
    np.testing.assert_allclose(gen.input.var(axis=0), unit, rtol=1e-10)
    assert np.all(unit > 0.99)
    gen = kind(6, n_labels=3, dtype=np.float64)
    gen.predict(h, labels)
    assert np.array_equal(gen.input, raw)


def test_centring_removes_the_dominant_direction(task):
    # Notebook 05: on a fresh network, generator 1's input [h, y, 1] has lambda_max ~10; centred,
    # the constant bias column is uncorrelated with the rest and its eigenvalue, 1, is the largest.
    train, _ = task
    net = dc.Network.create(SIZES, seed=0)
    net.predict(train.x)
    lambdas = {}
    for mode in ("raw", "centred"):
        gen = dc.SyntheticGradient(64, n_labels=8, input_mode=mode)
        gen.predict(net.layers[0].output, train.y.astype(np.float32))
        a = np.hstack([gen.input, np.ones((len(train), 1))]).astype(np.float64)
        lambdas[mode] = np.linalg.eigvalsh(a.T @ a / len(a))[-1]
    assert lambdas["raw"] > 5 and abs(lambdas["centred"] - 1) < 1e-4


@pytest.mark.parametrize("mode", ["centred", "normalised"])
@pytest.mark.parametrize("n_labels", [0, 3])
@pytest.mark.parametrize("kind", ["linear", "mlp"])
def test_learn_step_is_the_gradient_of_the_loss_on_the_prepared_input(mode, n_labels, kind):
    # The preparation is fixed for the step: learn must use the very input predict prepared.
    rng = np.random.RandomState(7)
    if kind == "linear":
        gen = dc.SyntheticGradient(4, n_labels=n_labels, dtype=np.float64, input_mode=mode)
    else:
        gen = dc.MLPSyntheticGradient(4, n_labels=n_labels, hidden=6, dtype=np.float64, seed=1, input_mode=mode)
    for p in gen.parameters():
        p[...] = rng.randn(*p.shape)
    labels = (rng.rand(9, 3) > 0.5).astype(float) if n_labels else None
    errors = gradcheck.check_generator(gen, 0.5 + 0.2 * rng.rand(9, 4), rng.randn(9, 4), labels=labels)
    assert len(errors) == len(gen.parameters()) and max(errors) < 1e-6


# --- what it changes in training ---------------------------------------------------------------

def test_centred_inputs_let_cdni_use_a_ten_times_larger_generator_rate(task):
    # Measured, seeds 0-4, cDNI alpha 1: raw diverges at gen_alpha 0.2 (seed 0: epoch 11-12) and
    # above. Centred reaches 99% at gen_alpha 0.3 in 111-121 epochs and at 1 in 176-400 (seed 0,
    # four OpenBLAS kernels: 0.96-0.985 bits after 150 epochs); it diverges only at 3.
    with pytest.raises(dc.TrainingDiverged):
        run(task, "cdni", 0.2, 50)
    assert run(task, "cdni", 0.3, 200, gen_input="centred").epochs_to(0.99) is not None
    assert run(task, "cdni", 1.0, 150, gen_input="centred").final()["bit_accuracy"] > 0.9


def test_normalised_inputs_speed_up_cdni_at_the_default_generator_rate(task):
    # Measured, seeds 0-4, gen_alpha 0.03: normalised 97-118 epochs to 99%, raw 149-171.
    assert run(task, "cdni", 0.03, 135, gen_input="normalised").epochs_to(0.99) is not None
    assert run(task, "cdni", 0.03, 135).epochs_to(0.99) is None


def test_normalised_inputs_keep_dni_learning_six_digit_layers():
    # Measured, seeds 0-4, notebook 07's settings, 45 epochs at gen_alpha 0.05: normalised
    # 83-88% held out; raw inputs diverge at this rate (4 seeds of 5) and at 0.02 end at 10-32%.
    train, test = dc.digits.load_digits_data(seed=0)
    net = dc.Network.create((64,) + (64,) * 5 + (10,), seed=0, init="he", bias=True,
                            activation="relu", output="softmax")
    history = dc.train(net, train, method="dni", alpha=0.003, batch_size=16, epochs=45,
                       gen_alpha=0.05, test=test, gen_input="normalised", measure_every=45)
    assert history.final("test")["accuracy"] > 0.7


# --- bad settings ----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, words", [
    (dict(method="dni", gen_input="batchnorm"), ["gen_input", "'raw'", "'centred'", "'normalised'", "'batchnorm'"]),
    (dict(method="cdni", gen_input=True), ["gen_input", "'normalised'", "True"]),
    (dict(method="backprop", gen_input="normalised"), ["gen_input='normalised'", "'dni' or 'cdni'", "'backprop'"]),
    (dict(method="output_only", gen_input="centred"), ["gen_input='centred'", "'output_only'"]),
    (dict(method="cdni", gen_input="normalised", batch_size=1), ["gen_input='normalised'", "batch_size",
                                                                 "at least 2", "got 1"]),
])
def test_train_rejects_bad_gen_input(kwargs, words):
    data = dc.addition_data(bits=4, n_examples=20, seed=0)
    with pytest.raises(ValueError) as caught:
        dc.train(dc.Network.create([8, 6, 5, 4], seed=0), data, epochs=1, **kwargs)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("kind", [dc.SyntheticGradient, dc.MLPSyntheticGradient])
def test_generators_reject_bad_input_modes(kind):
    with pytest.raises(ValueError, match="input_mode.*'normalised'.*'norm'"):
        kind(4, input_mode="norm")


def test_the_stacked_sweep_refuses_gen_input_rather_than_ignoring_it(task):
    with pytest.raises(TypeError, match="gen_input"):
        dc.sweep.train_stack(task[0], "cdni", [1.0], 10, 1, gen_input="normalised")
