"""Exercises of notebook 08: a generator's learning step for many networks at once, and reading the heatmap."""
import numpy as np

from ..layers import SyntheticGradient
from . import Exercise, Incorrect, as_array, as_number, call, finite


# Exercise 1: a generator step for a stack of networks ----------------------------------------

def _stack(seed, n_networks, batch, n_in, n):
    """A stack of generators that already guess something (zeros would hide a wrong step), their
    inputs and their targets: weights (S, n_in, n), bias (S, 1, n), inputs (S, batch, n_in),
    targets (S, batch, n)."""
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 0.3, (n_networks, n_in, n)), rng.normal(0, 0.3, (n_networks, 1, n)),
            rng.random((n_networks, batch, n_in)), rng.normal(0, 0.5, (n_networks, batch, n)))


def _one_by_one(weights, bias, inputs, targets, gen_alpha):
    """Each network's own generator (dc.SyntheticGradient), one after the other: predict, then learn.
    The first ``n`` columns of the input are the layer's output, the rest the labels (cDNI)."""
    n = weights.shape[2]
    new_weights, new_bias = [], []
    for k in range(len(weights)):
        gen = SyntheticGradient(n, weights.shape[1] - n, np.float64)
        gen.weights[...] = weights[k]
        gen.bias[...] = bias[k, 0]
        h, labels = inputs[k][:, :n], inputs[k][:, n:]
        gen.predict(h, labels if labels.shape[1] else None)
        gen.learn(targets[k], gen_alpha)
        new_weights.append(gen.weights)
        new_bias.append(gen.bias[None])
    return np.stack(new_weights), np.stack(new_bias)


def _new_parameters(result, shapes):
    try:
        weights, bias = result
    except (TypeError, ValueError):
        raise Incorrect("return a pair: the new weights and the new bias") from None
    weights = as_array(weights, "the new weights")
    bias = as_array(bias, "the new bias")
    for got, want, name in zip((weights, bias), shapes, ("weights", "bias")):
        if got.shape != want:
            tip = " (sum the error over the batch axis with keepdims=True)" if name == "bias" else ""
            raise Incorrect(f"the new {name} should keep the shape {want} of the {name} passed in, got {got.shape}{tip}")
    finite(weights, "the new weights")
    finite(bias, "the new bias")
    return weights, bias


def _test_stacked_generator_step(stacked_generator_step):
    # 3 networks, 5 examples each, 4 inputs and 2 outputs per generator: every axis its own size.
    weights, bias, inputs, targets = _stack(0, 3, 5, 4, 2)
    gen_alpha = 0.3
    result = call(stacked_generator_step, weights, bias, inputs, targets, gen_alpha)
    new_w, new_b = _new_parameters(result, (weights.shape, bias.shape))
    if np.array_equal(new_w, weights) and np.array_equal(new_b, bias):
        raise Incorrect("the weights and the bias come back as they were: a step must change them")
    good_w, good_b = _one_by_one(weights, bias, inputs, targets, gen_alpha)
    step_w, step_b = new_w - weights, new_b - bias
    right_w, right_b = good_w - weights, good_b - bias
    if np.allclose(step_w, -right_w) and np.allclose(step_b, -right_b):
        raise Incorrect("the step goes uphill: the generators' loss grows (check the sign)")
    if np.allclose(step_w, 5 * right_w) and np.allclose(step_b, 5 * right_b):
        raise Incorrect("the step is as large as for the loss summed over the batch: "
                        "the loss is a mean over each network's examples")
    if np.allclose(step_w, 5 / 3 * right_w) and np.allclose(step_b, 5 / 3 * right_b):
        raise Incorrect("the step is divided by the number of networks, not by the batch size: "
                        "the batch is the second axis of inputs")
    if np.allclose(new_w[0], good_w[0]) and not np.allclose(new_w, good_w):
        raise Incorrect("network 1 is right but the others are not: each network must use its own "
                        "weights, inputs and targets")
    no_bias_w, no_bias_b = _one_by_one(weights, np.zeros_like(bias), inputs, targets, gen_alpha)
    if np.allclose(step_w, no_bias_w - weights):
        raise Incorrect("the guess leaves out the bias: guess = inputs @ weights + bias")
    if np.allclose(step_w, right_w) and not np.allclose(step_b, right_b):
        raise Incorrect("the weights move right but the bias does not")
    if not np.allclose(step_w, right_w) and np.allclose(step_b, right_b):
        raise Incorrect("the bias moves right but the weights do not")
    if not (np.allclose(new_w, good_w) and np.allclose(new_b, good_b)):
        raise Incorrect("the new weights differ from the step each network's own generator "
                        "(dc.SyntheticGradient.learn) takes")
    # A cDNI generator (6 inputs: 4 outputs of the layer and 2 labels), a single network, another rate.
    for shape, rate in (((4, 7, 6, 4), 0.05), ((1, 3, 2, 2), 1.0)):
        weights, bias, inputs, targets = _stack(1, *shape)
        result = call(stacked_generator_step, weights, bias, inputs, targets, rate)
        new_w, new_b = _new_parameters(result, (weights.shape, bias.shape))
        good_w, good_b = _one_by_one(weights, bias, inputs, targets, rate)
        if not (np.allclose(new_w, good_w) and np.allclose(new_b, good_b)):
            raise Incorrect(f"right for 3 networks of 5 examples, wrong for {shape[0]} network(s) of "
                            f"{shape[1]} examples with {shape[2]} inputs: let the shapes come from "
                            "the arrays, and use gen_alpha as given")


stacked_generator_step = Exercise(
    "stacked_generator_step", _test_stacked_generator_step,
    hint="Do what learn did in notebook 04, with one more axis in front. guess = inputs @ weights + bias "
         "gives (networks, batch, n); error = guess - targets. For the weights, swap only the last two "
         "axes of inputs (inputs.swapaxes(1, 2); .T would reverse all three) and multiply by error. "
         "For the bias, sum error over the batch axis with keepdims=True. Divide both by the batch size, "
         "inputs.shape[1], multiply by gen_alpha and subtract.",
    solution='''
def stacked_generator_step(weights, bias, inputs, targets, gen_alpha):
    """The new (weights, bias) of every network's generator after one step on
    0.5 * mean over its batch of |guess - target|^2."""
    error = inputs @ weights + bias - targets             # (networks, batch, n)
    scale = gen_alpha / inputs.shape[1]                   # the mean over each batch
    new_weights = weights - scale * (inputs.swapaxes(1, 2) @ error)
    new_bias = bias - scale * error.sum(axis=1, keepdims=True)
    return new_weights, new_bias
''')


# Exercise 2: read the heatmap ---------------------------------------------------------------

def _pair(result):
    try:
        alpha, batch_size = result
    except (TypeError, ValueError):
        raise Incorrect(f"best_setting must return a pair (alpha, batch_size) from the lists it gets, got {result!r}") from None
    alpha = as_number(alpha, "the alpha best_setting returns")
    batch_size = as_number(batch_size, "the batch size best_setting returns")
    if not batch_size.is_integer():
        raise Incorrect(f"the batch size best_setting returns must be one of the batch sizes it gets, got {batch_size:g}")
    return alpha, int(batch_size)


def _test_best_setting(best_setting):
    alphas, batch_sizes = [0.1, 1.0, 10.0], [5, 50]
    plain = np.array([[40.0, 20.0, 90.0], [80.0, 60.0, 30.0]])
    got = _pair(call(best_setting, plain, alphas, batch_sizes))
    if tuple(got) == (batch_sizes[0], alphas[1]):
        raise Incorrect("the answer comes back as (batch size, alpha): return (alpha, batch_size)")
    if tuple(got) != (1.0, 5):
        raise Incorrect("in a grid without gaps the setting with the fewest epochs is not the one you return "
                        "(rows are batch sizes, columns are learning rates)")
    gaps = np.array([[np.nan, 20.0, -1.0], [80.0, np.nan, 12.0]])
    got = _pair(call(best_setting, gaps, alphas, batch_sizes))
    if tuple(got) != (10.0, 50):
        raise Incorrect("with cells that never reached 99% (NaN) or diverged (-1), your answer is not the "
                        "fastest setting that did reach it")
    nothing = np.array([[np.nan, -1.0, np.nan], [np.nan, np.nan, -1.0]])
    got = call(best_setting, nothing, alphas, batch_sizes, returns=False)
    if got is not None:
        raise Incorrect("when no setting reached 99%, return None")


best_setting = Exercise(
    "best_setting", _test_best_setting,
    hint="Replace every cell that is not a number of epochs (NaN, or -1 for diverged) by infinity, then "
         "np.argmin finds the fastest cell; np.unravel_index turns it into (row, column).",
    solution='''
def best_setting(grid, alphas, batch_sizes):
    """(alpha, batch_size) with the fewest epochs to 99% in grid
    (rows: batch sizes, columns: alphas), or None."""
    grid = np.asarray(grid, dtype=float)
    # NaN > 0 is False, so NaN and -1 both become infinity
    epochs = np.where(grid > 0, grid, np.inf)
    if np.isinf(epochs).all():
        return None
    row, column = np.unravel_index(np.argmin(epochs), grid.shape)
    return alphas[column], batch_sizes[row]
''')
