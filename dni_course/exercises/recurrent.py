"""Exercises of notebook 10: a chunk's backward pass through time, and the bootstrapped target."""
import numpy as np

from .. import recurrent
from ..recurrent import RNN, LinearGenerator, output_error
from . import Exercise, Incorrect, as_array, call

NAMES = RNN.NAMES


def small_setup(seed, steps=4, batch=3, hidden=5):
    """A small float64 RNN (2 inputs, ``hidden`` units, 1 output), one chunk of ``steps`` steps of
    echo 2 from a random start state, and a generator with random weights."""
    net = RNN.create([seed], n_hidden=hidden, dtype=np.float64)
    net = RNN({n: w[0] for n, w in net.weights.items()})  # one network: no run axis
    rng = np.random.default_rng(seed + 100)
    bits = rng.integers(0, 2, (batch, steps + 2)).astype(float)
    data = recurrent.EchoData(bits, 2)
    x, y, mask = data.x[:, 2:], data.y[:, 2:], data.mask[2:]
    h0 = np.tanh(rng.standard_normal((batch, hidden)))
    generator = LinearGenerator((), hidden)
    generator.weights = 0.3 * rng.standard_normal(generator.weights.shape)
    return net, generator, x, y, mask, h0


def _arrays(result, names, what):
    """``result`` as a tuple of arrays named ``names`` (a dict of arrays stays a dict)."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        size = f" of {len(result)}" if isinstance(result, (tuple, list)) else ""
        raise Incorrect(f"{what} should return {len(names)} things, ({', '.join(names)}); got "
                        f"{type(result).__name__}{size}")
    out = []
    for name, value in zip(names, result):
        if name == "grads":
            if not isinstance(value, dict) or set(value) != set(NAMES):
                raise Incorrect(f"grads should be a dict with the keys {', '.join(NAMES)} (one gradient "
                                f"per weight), got {type(value).__name__}"
                                + (f" with keys {', '.join(sorted(map(repr, value)))}" if isinstance(value, dict) else ""))
            value = {n: as_array(value[n], f"grads[{n!r}]") for n in NAMES}
        else:
            value = as_array(value, name)
        out.append(value)
    return out


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-7, atol=1e-10)


def _compare_grads(mine, right, what):
    for n in NAMES:
        if np.shape(mine[n]) != right[n].shape:
            raise Incorrect(f"{what}grads[{n!r}] should have the shape of net.weights[{n!r}], "
                            f"{right[n].shape}; yours has shape {np.shape(mine[n])}")
    wrong = [n for n in NAMES if not _close(mine[n], right[n])]
    if wrong:
        raise Incorrect(f"{what}the gradients of {', '.join(wrong)} are wrong")


# Backward passes with one deliberate mistake each, to name the mistake an answer made.

def _without_slope(net, x, h0, states, error, future):
    """dLoss/dh0 when the gradient goes back through the states without the tanh's slope."""
    flat = np.zeros_like(states)  # states of 0: the slope 1 - 0 ** 2 is 1 at every step
    return net.backward(x, h0, flat, error, future)[1]


def _mistakes_backward(net, x, h0, states, error, future):
    zero = np.zeros_like(future)
    return [
        (net.backward(x, h0, states, error, zero)[1],
         "dLoss/dh0 ignores future: the gradient from after the chunk enters at its last state"),
        (net.backward(x, h0, states, np.zeros_like(error), future)[1],
         "dLoss/dh0 ignores the chunk's own outputs: add error[:, t] @ W_out.T at every step"),
        (_without_slope(net, x, h0, states, error, future),
         "the gradient skips the tanh's slope: multiply by 1 - h_t ** 2 before going back through W_rec"),
    ]


def _test_backward(answer):
    for seed in (0, 7):
        net, _, x, y, mask, h0 = small_setup(seed)
        states, p = net.forward(x, h0)
        error = output_error(p, y, mask)
        future = 0.5 * np.random.default_rng(seed + 5).standard_normal(h0.shape)
        result = call(answer, net, x, h0, states, error, future)
        grads, dh0 = _arrays(result, ("grads", "dh0"), "chunk_backward")
        right, right_dh0 = net.backward(x, h0, states, error, future)
        if np.shape(dh0) != h0.shape:
            raise Incorrect(f"dh0 should have the shape of h0, {h0.shape}; yours has shape {np.shape(dh0)}")
        if not _close(dh0, right_dh0):
            for wrong, message in _mistakes_backward(net, x, h0, states, error, future):
                if _close(dh0, wrong):
                    raise Incorrect(message)
            raise Incorrect("dLoss/dh0 is wrong: going back one step, g = delta_t @ W_rec.T")
        _compare_grads(grads, right, "" if seed == 0 else "from another start, ")


def _test_target(answer):
    for seed, last in ((1, False), (2, True), (8, False)):
        net, generator, x, y, mask, h0 = small_setup(seed)
        result = call(answer, net, generator, x, y, mask, h0, last)
        target, grads, end = _arrays(result, ("target", "grads", "end"), "bootstrapped_target")
        right_target, right_grads, right_end = recurrent.bootstrapped_target(net, generator, x, y, mask, h0, last)
        if not _close(end, right_end):
            raise Incorrect("end should be the chunk's last state, the one the next chunk starts from "
                            "(states[:, -1] of net.forward)")
        if np.shape(target) != h0.shape:
            raise Incorrect(f"target should have the shape of h0, {h0.shape}; yours has shape {np.shape(target)}")
        if not _close(target, right_target):
            states, p = net.forward(x, h0)
            error = output_error(p, y, mask)
            plain = net.backward(x, h0, states, error, np.zeros_like(h0))[1]
            guessed = net.backward(x, h0, states, error, generator.predict(end))[1]
            at_start = net.backward(x, h0, states, error, generator.predict(h0))[1]
            if last and _close(target, guessed):
                raise Incorrect("after the last chunk nothing follows: no guess enters its backward pass "
                                "(future is zero when last is True)")
            if not last and _close(target, plain):
                raise Incorrect("the target is only the chunk's own gradient: the generator's guess at the "
                                "chunk's end must be sent back through the chunk too")
            if not last and _close(target, at_start):
                raise Incorrect("the guess must be made at the chunk's last state (generator.predict(end)), "
                                "not at its first")
            raise Incorrect("the target is wrong: it is the dLoss/dh0 that net.backward returns")
        _compare_grads(grads, right_grads, "")


chunk_backward = Exercise(
    "chunk_backward", _test_backward,
    hint="Start with g = future. Go through the steps last first: add what step t's output sends "
         "back, error[:, t] @ W_out.T; multiply by the tanh's slope 1 - h_t ** 2 to get delta_t; add "
         "the outer products of delta_t with the step's input and with the state before it (h0 at "
         "t = 0) to the gradients of W_in and W_rec, and delta_t summed over the batch to b's; then "
         "g = delta_t @ W_rec.T. W_out's gradient sums states[:, t].T @ error[:, t] over the steps.",
    solution='''
def chunk_backward(net, x, h0, states, error, future):
    """Backprop through the chunk net.forward(x, h0) ran; returns (grads, dLoss/dh0)."""
    w = net.weights
    grads = {name: np.zeros_like(value) for name, value in w.items()}
    g = future  # dLoss/dh_t from the steps after t (at first: after the chunk)
    for t in range(x.shape[1] - 1, -1, -1):
        h = states[:, t]
        before = states[:, t - 1] if t > 0 else h0
        g = g + error[:, t] @ w["W_out"].T  # what step t's own output adds
        delta = g * (1 - h ** 2)  # through the tanh
        grads["W_in"] += x[:, t].T @ delta
        grads["W_rec"] += before.T @ delta
        grads["b"] += delta.sum(axis=0)
        grads["W_out"] += h.T @ error[:, t]
        grads["b_out"] += error[:, t].sum(axis=0)
        g = delta @ w["W_rec"].T  # back to the state before
    return grads, g
''')

bootstrapped_target = Exercise(
    "bootstrapped_target", _test_target,
    hint="states, p = net.forward(x, h0); end = states[:, -1]. The future at the end is zero when "
         "last, else generator.predict(end). net.backward(x, h0, states, output_error(p, y, mask), "
         "future) returns (grads, dLoss/dh0): that dLoss/dh0 is the target. Return target, grads, end.",
    solution='''
def bootstrapped_target(net, generator, x, y, mask, h0, last):
    """The generator's target at h0, the chunk's gradients and its last state."""
    states, p = net.forward(x, h0)
    end = states[:, -1]
    future = np.zeros_like(end) if last else generator.predict(end)  # the guess
    error = dc.recurrent.output_error(p, y, mask)
    grads, target = net.backward(x, h0, states, error, future)
    return target, grads, end
''')
