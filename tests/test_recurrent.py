"""dni_course.recurrent (notebook 10): the RNN's backward through time, truncation, the linear
generator and its bootstrapped target, Adam, the echo task, and the two exercises."""
import re

import numpy as np
import pytest

import dni_course as dc
from dni_course import recurrent as rnn
from dni_course.exercises import CORRECT, INCORRECT
from dni_course.exercises import recurrent as ex
from dni_course.gradcheck import numerical_gradient, relative_error


def one_net(seed=0, hidden=4):
    """A float64 network without a run axis."""
    net = rnn.RNN.create([seed], n_hidden=hidden, dtype=np.float64)
    return rnn.RNN({n: w[0] for n, w in net.weights.items()})


def chunk(seed=0, batch=3, steps=5, k=2, hidden=4):
    rng = np.random.default_rng(seed)
    data = rnn.EchoData(rng.integers(0, 2, (batch, steps)), k)
    h0 = np.tanh(rng.standard_normal((batch, hidden)))
    future = rng.standard_normal((batch, hidden))
    return data.x, data.y, data.mask, h0, future


# ---------------------------------------------------------------- backward through time

def test_backward_through_time_passes_a_gradient_check():
    # The loss of a chunk plus what the future adds, future . h_last: its gradient is what
    # backward returns, for every weight and for the start state h0.
    net = one_net()
    x, y, mask, h0, future = chunk()

    def loss():
        states, _ = net.forward(x, h0)
        return net.loss(x, y, mask, h0) + (future * states[:, -1]).sum()

    states, p = net.forward(x, h0)
    grads, dh0 = net.backward(x, h0, states, rnn.output_error(p, y, mask), future)
    for name, weight in net.weights.items():
        assert relative_error(grads[name], numerical_gradient(loss, weight)) < 1e-6, name
    assert relative_error(dh0, numerical_gradient(loss, h0)) < 1e-6
    # The check can fail: without the future term the gradients differ.
    no_future, _ = net.backward(x, h0, states, rnn.output_error(p, y, mask), 0 * future)
    assert relative_error(no_future["W_rec"], numerical_gradient(loss, net.weights["W_rec"])) > 1e-2


def test_stacked_runs_compute_what_each_network_computes_alone():
    stacked = rnn.RNN.create([3, 4], n_hidden=4, dtype=np.float64)
    x, y, mask, _, future = chunk(1)
    h0 = np.zeros((2, 3, 4))
    states, p = stacked.forward(np.stack([x, x]), h0)
    grads, dh0 = stacked.backward(np.stack([x, x]), h0, states, rnn.output_error(p, y, mask),
                                  np.stack([future, future]))
    for i, seed in enumerate((3, 4)):
        net = one_net(seed)
        s, q = net.forward(x, h0[i])
        g, d = net.backward(x, h0[i], s, rnn.output_error(q, y, mask), future)
        assert np.allclose(s, states[i]) and np.allclose(d, dh0[i])
        assert all(np.allclose(g[n], grads[n][i]) for n in g)


def test_chunks_chained_with_the_true_future_give_full_bptt_exactly():
    # Cut 12 steps into chunks of 3, each handing the gradient at its start to the chunk
    # before: the sum of the chunks' gradients is the whole sequence's.
    net = one_net(2)
    rng = np.random.default_rng(5)
    data = rnn.EchoData(rng.integers(0, 2, (4, 12)), 4)
    h0 = np.zeros((4, 4))
    states, p = net.forward(data.x, h0)
    error = rnn.output_error(p, data.y, data.mask)
    whole, _ = net.backward(data.x, h0, states, error, np.zeros_like(h0))
    futures = rnn.true_futures(net, data.x, data.y, data.mask, 3)
    assert len(futures) == 3
    total = {n: 0 for n in whole}
    for i, start in enumerate(range(0, 12, 3)):
        part = slice(start, start + 3)
        begin = states[:, start - 1] if start else h0
        sent = futures[i] if i < 3 else np.zeros_like(h0)
        g, _ = net.backward(data.x[:, part], begin, states[:, part], error[:, part], sent)
        total = {n: total[n] + g[n] for n in g}
    assert all(np.allclose(total[n], whole[n], rtol=1e-10, atol=1e-13) for n in whole)
    # Truncation (zero at every cut) is not full BPTT: the recurrent gradient differs.
    cut = sum(net.backward(data.x[:, s:s + 3], states[:, s - 1] if s else h0, states[:, s:s + 3],
                           error[:, s:s + 3], np.zeros_like(h0))[0]["W_rec"] for s in range(0, 12, 3))
    assert not np.allclose(cut, whole["W_rec"], rtol=1e-3)


def test_truncation_at_the_sequence_length_is_full_bptt():
    a = rnn.train_through_time([3], range(2), T=None, batches=5, steps=8, test=20, dtype=np.float64)
    b = rnn.train_through_time([3], [0, 1], T=8, batches=5, steps=8, test=20, dtype=np.float64)
    c = rnn.train_through_time([3], [0, 1], T=4, batches=5, steps=8, test=20, dtype=np.float64)
    assert all(np.array_equal(a.net.weights[n], b.net.weights[n]) for n in rnn.RNN.NAMES)
    assert not np.allclose(a.net.weights["W_rec"], c.net.weights["W_rec"])


def test_a_runs_result_depends_on_its_own_seed_only():
    # Seeds 0-4 of the benchmark (10 seeds) are the notebook's seeds 0-4.
    alone = rnn.train_through_time([4], [2], T=3, future="synthetic", batches=20, test=50)
    among = rnn.train_through_time([3, 4], [0, 2], T=3, future="synthetic", batches=20, test=50)
    assert np.allclose(alone.net.weights["W_rec"][0, 0], among.net.weights["W_rec"][1, 1], atol=1e-6)
    assert abs(alone.accuracy[0, 0] - among.accuracy[1, 1]) < 0.01


# ---------------------------------------------------------------- the generator and Adam

def test_the_generator_recovers_a_known_linear_map():
    rng = np.random.default_rng(0)
    G, c = rng.standard_normal((6, 6)), rng.standard_normal(6)
    gen = rnn.LinearGenerator((), 6, rate=0.2, ridge=1e-6)
    for _ in range(100):
        h = rng.standard_normal((50, 6))
        gen.add(h, h @ G + c + 0.01 * rng.standard_normal((50, 6)))
    gen.refit()
    assert np.allclose(gen.weights[:-1], G, atol=0.02) and np.allclose(gen.weights[-1], c, atol=0.02)
    h = rng.standard_normal((10, 6))
    assert np.allclose(gen.predict(h), h @ G + c, atol=0.1)
    assert np.all(rnn.LinearGenerator((), 6).predict(h) == 0)  # it starts at zero: no guess


def test_linear_r2_is_one_for_a_linear_map_and_near_zero_for_noise():
    rng = np.random.default_rng(1)
    h = rng.standard_normal((400, 5))
    assert rnn.linear_r2(h, h @ rng.standard_normal((5, 3))) > 0.999
    assert abs(rnn.linear_r2(h, rng.standard_normal((400, 3)))) < 0.05


def test_bootstrapped_target_adds_the_guess_sent_back_through_the_chunk():
    net, gen, x, y, mask, h0 = ex.small_setup(3)
    target, grads, end = rnn.bootstrapped_target(net, gen, x, y, mask, h0, last=False)
    states, p = net.forward(x, h0)
    error = rnn.output_error(p, y, mask)
    own = net.backward(x, h0, states, error, np.zeros_like(h0))[1]
    sent = net.backward(x, h0, states, np.zeros_like(error), gen.predict(end))[1]
    assert np.allclose(target, own + sent)  # backward is linear in what it sends back
    assert not np.allclose(sent, 0)
    last, _, _ = rnn.bootstrapped_target(net, gen, x, y, mask, h0, last=True)
    assert np.allclose(last, own)


def test_adam_moves_every_weight_by_the_rate_at_first_and_finds_a_minimum():
    w = {"a": np.array([3.0, -2.0, 0.5])}
    adam = rnn.Adam(w, rate=0.1)
    adam.step(w, {"a": np.array([10.0, -0.001, 1.0])})
    assert np.allclose(w["a"], [2.9, -1.9, 0.4], atol=1e-6)  # the sign only, at the first step
    for _ in range(2000):
        adam.step(w, {"a": 2 * w["a"]})  # the gradient of |a|^2
    assert np.abs(w["a"]).max() < 0.05


def test_clip_scales_each_run_down_to_norm_one_and_leaves_small_ones():
    grads = {"a": np.array([[3.0, 4.0], [0.3, 0.4]]), "b": np.zeros((2, 1))}
    clipped = rnn.clip(grads, (2,))
    assert np.allclose(clipped["a"], [[0.6, 0.8], [0.3, 0.4]])


# ---------------------------------------------------------------- the task

def test_echo_targets_are_the_bits_k_steps_earlier_and_only_those_are_scored():
    data = rnn.EchoData(np.array([[1, 0, 1, 1, 0, 0]]), 2)
    assert data.x[0, :, 0].tolist() == [1, 0, 1, 1, 0, 0] and data.x[0, :, 1].tolist() == [0, 1, 0, 0, 1, 1]
    assert data.y[0, :, 0].tolist() == [0, 0, 1, 0, 1, 1]
    assert data.scored.tolist() == [False, False, True, True, True, True]
    assert (data.n_inputs, data.n_outputs, data.steps, len(data)) == (2, 1, 6, 1)
    assert data.scores(data.y)["bit_accuracy"] == 1.0
    assert data.scores(1 - data.y)["bit_accuracy"] == 0.0
    wrong_early = data.y.copy()
    wrong_early[:, :2] = 1 - wrong_early[:, :2]  # unscored steps do not count
    assert data.scores(wrong_early)["bit_accuracy"] == 1.0
    assert isinstance(data, dc.Task)
    stacked = np.stack([data.y, 1 - data.y])  # a run axis
    assert data.headline(stacked).tolist() == [1.0, 0.0]


def test_full_bptt_solves_echo_and_truncation_cannot_when_k_reaches_past_a_chunk():
    # echo 4, chunks of 3: no scored output's input lies in its own chunk. Thresholds a broken
    # backward (or a truncation that leaks the gradient across a cut) would miss.
    full = rnn.train_through_time([4], [0, 1, 2], T=None, batches=400)
    cut = rnn.train_through_time([4], [0, 1, 2], T=3, batches=400)
    synthetic = rnn.train_through_time([4], [0, 1, 2], T=3, future="synthetic", batches=400)
    assert full.accuracy.min() >= 0.99
    assert cut.accuracy.max() < 0.9
    assert synthetic.accuracy.min() >= 0.99


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, error, words", [
    ({"future": "guess"}, ValueError, "future must be one of 'none', 'synthetic'"),
    ({"future": "synthetic", "T": None}, ValueError, "needs chunks shorter than the sequence"),
    ({"T": 0}, ValueError, "T must be between 1 and 24"),
    ({"T": 2.5}, TypeError, "T must be a whole number"),
    ({"batches": 0}, ValueError, "batches must be between 1"),
    ({"ks": [24]}, ValueError, "must be between 1 and 23, got 24. a sequence of 24 steps"),
    ({"ks": []}, TypeError, "ks must be a non-empty list"),
    ({"seeds": [-1]}, ValueError, "each of seeds must be at least 0"),
    ({"ks": list(range(1, 21)), "seeds": list(range(60))}, ValueError, "at most 1000 train at once"),
    ({"dtype": "int8"}, ValueError, "dtype must be 'float32' or 'float64'"),
])
def test_bad_settings_get_clear_errors(kwargs, error, words):
    settings = {"ks": [3], "seeds": [0], "batches": 1}
    settings.update(kwargs)
    with pytest.raises(error, match=re.escape(words)):
        rnn.train_through_time(**settings)


def test_bad_networks_and_outputs_get_clear_errors():
    with pytest.raises(ValueError, match="weights must hold W_in, W_rec, b, W_out, b_out; missing W_rec"):
        rnn.RNN({n: np.zeros(2) for n in ("W_in", "b", "W_out", "b_out")})
    mixed = {n: np.zeros(2, np.float32) for n in rnn.RNN.NAMES}
    mixed["b"] = np.zeros(2)
    with pytest.raises(TypeError, match="must all be float32 or all float64, got float32, float64"):
        rnn.RNN(mixed)
    data = rnn.echo_data(3, steps=6, n_examples=4)
    with pytest.raises(ValueError, match=re.escape("output must end in the shape of the targets, (4, 6, 1)")):
        data.scores(np.zeros((4, 5, 1)))
    with pytest.raises(TypeError, match="net must be a dni_course.recurrent.RNN"):
        data.check_network(dc.Network.create((2, 3, 1)))
    with pytest.raises(ValueError, match="test must be echo 3 over 6 steps, got echo 2"):
        data.check_test(rnn.echo_data(2, steps=6, n_examples=4))
    with pytest.raises(ValueError, match="k must be between 1 and 5"):
        rnn.echo_data(6, steps=6)
    with pytest.raises(ValueError, match="T must be between 1 and 5"):
        rnn.future_gradients(one_net(), data, 6)


# ---------------------------------------------------------------- the exercises

def solution(exercise):
    namespace = {"np": np, "dc": dc}
    exec(exercise.solution_code(), namespace)
    return namespace[re.search(r"^def (\w+)", exercise.solution_code(), re.M).group(1)]


def test_the_exercise_checks_accept_the_solutions():
    assert ex.chunk_backward.evaluate(solution(ex.chunk_backward)) == (CORRECT, "every check passed")
    assert ex.bootstrapped_target.evaluate(solution(ex.bootstrapped_target)) == (CORRECT, "every check passed")


def backward_without(mistake):
    def chunk_backward(net, x, h0, states, error, future):
        w = net.weights
        grads = {n: np.zeros_like(v) for n, v in w.items()}
        g = 0 * future if mistake == "future" else future
        for t in range(x.shape[1] - 1, -1, -1):
            h, before = states[:, t], states[:, t - 1] if t > 0 else h0
            g = g + error[:, t] @ w["W_out"].T
            delta = g if mistake == "slope" else g * (1 - h ** 2)
            grads["W_in"] += x[:, t].T @ delta
            grads["W_rec"] += (h if mistake == "before" else before).T @ delta
            grads["b"] += delta.sum(axis=0)
            grads["W_out"] += h.T @ error[:, t]
            grads["b_out"] += error[:, t].sum(axis=0)
            g = delta @ (w["W_rec"] if mistake == "transpose" else w["W_rec"].T)
        return grads, g
    return chunk_backward


@pytest.mark.parametrize("mistake, words", [
    ("future", "ignores future"),
    ("slope", "skips the tanh's slope"),
    ("before", "the gradients of W_rec are wrong"),
    ("transpose", "dLoss/dh0 is wrong"),
])
def test_the_backward_check_names_the_mistake(mistake, words):
    outcome, message = ex.chunk_backward.evaluate(backward_without(mistake))
    assert outcome == INCORRECT and words in message, message


def target_with(mistake):
    def bootstrapped_target(net, generator, x, y, mask, h0, last):
        states, p = net.forward(x, h0)
        end = states[:, -1]
        guess = generator.predict(h0 if mistake == "start" else end)
        future = guess if mistake == "always" or (not last and mistake != "never") else 0 * end
        grads, target = net.backward(x, h0, states, rnn.output_error(p, y, mask), future)
        return target, grads, (h0 if mistake == "end" else end)
    return bootstrapped_target


@pytest.mark.parametrize("mistake, words", [
    ("never", "only the chunk's own gradient"),
    ("always", "after the last chunk nothing follows"),
    ("start", "at the chunk's last state"),
    ("end", "end should be the chunk's last state"),
])
def test_the_target_check_names_the_mistake(mistake, words):
    outcome, message = ex.bootstrapped_target.evaluate(target_with(mistake))
    assert outcome == INCORRECT and words in message, message


def test_future_gradients_are_the_true_futures_and_split_into_near_and_far():
    net = one_net(4)
    data = rnn.EchoData(np.random.default_rng(6).integers(0, 2, (5, 9)), 4)
    h, whole, beyond = rnn.future_gradients(net, data, 3)
    futures = rnn.true_futures(net, data.x, data.y, data.mask, 3)
    assert h.shape == whole.shape == beyond.shape == (2 * 5, 4)
    assert np.allclose(whole, np.concatenate(futures))
    states, _ = net.forward(data.x, np.zeros((5, 4)))
    assert np.allclose(h, np.concatenate([states[:, 2], states[:, 5]]))
    # From the last boundary only the next chunk remains: nothing lies beyond it.
    assert np.allclose(beyond[5:], 0) and not np.allclose(beyond[:5], 0)


@pytest.mark.parametrize("future", ["true", "regressed"])
def test_the_controls_train_and_keep_their_generator(future):
    result = rnn.train_through_time([4], [0, 1], T=3, future=future, batches=3, test=10)
    assert result.accuracy.shape == (1, 2) and np.isfinite(result.accuracy).all()
    assert (result.generator is None) == (future == "true")
    if future == "regressed":
        assert not np.allclose(result.generator.weights, 0)  # fitted after each batch


def test_echo_data_refuses_bad_bits_and_k():
    with pytest.raises(ValueError, match="bits must hold values between 0 and 1, got 2.0"):
        rnn.EchoData([[0, 2, 1]], 1)
    with pytest.raises(ValueError, match="bits must hold only 0 and 1"):
        rnn.EchoData([[0, 0.5, 1]], 1)
    with pytest.raises(ValueError, match=re.escape("bits must be an array of shape (any, any)")):
        rnn.EchoData([0, 1, 1], 1)
    with pytest.raises(ValueError, match="k must be between 1 and 2"):
        rnn.EchoData([[0, 1, 1]], 3)


def test_a_full_mix_of_the_true_gradient_is_the_regressed_control_and_none_is_synthetic():
    settings = dict(ks=[5], seeds=[0, 1], T=3, batches=4, test=10, dtype=np.float64)
    regressed = rnn.train_through_time(future="regressed", **settings)
    full = rnn.train_through_time(future="synthetic", mix=1.0, **settings)
    none = rnn.train_through_time(future="synthetic", mix=0.0, **settings)
    plain = rnn.train_through_time(future="synthetic", **settings)
    half = rnn.train_through_time(future="synthetic", mix=0.5, **settings)
    same = [np.array_equal(a.generator.weights, b.generator.weights)
            for a, b in ((regressed, full), (none, plain), (half, plain), (half, full))]
    assert same == [True, True, False, False]
    with pytest.raises(ValueError, match="needs future='synthetic', got future='none'"):
        rnn.train_through_time(mix=0.5, **settings)
    with pytest.raises(ValueError, match="mix must be between 0 and 1"):
        rnn.train_through_time(future="synthetic", mix=1.5, **settings)
