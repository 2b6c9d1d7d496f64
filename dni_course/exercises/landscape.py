"""Exercises of notebook 08: a forward pass for many networks at once, and reading the heatmap."""
import numpy as np

from ..layers import Layer, Network
from . import Exercise, Incorrect, as_array, call


# Exercise 1: many networks, one matrix product per layer ------------------------------------

def _stacks(seed, n_networks, sizes):
    rng = np.random.RandomState(seed)
    return [rng.normal(0, 0.8, (n_networks, a, b)) for a, b in zip(sizes[:-1], sizes[1:])]


def _one_by_one(weights, x):
    return np.stack([Network([Layer(w[k]) for w in weights]).forward(x) for k in range(len(weights[0]))])



def _test_stacked_forward(stacked_forward):
    x = (np.random.RandomState(2).rand(5, 4) > 0.5).astype(float)
    weights = _stacks(0, 3, (4, 6, 2))
    got = as_array(call(stacked_forward, weights, x), "what stacked_forward returns")
    if got.shape != (3, 5, 2):
        raise Incorrect(f"3 networks, 5 examples, 2 outputs: the result should have shape (3, 5, 2), got {got.shape}")
    expected = _one_by_one(weights, x)
    if np.allclose(got, np.stack([x @ weights[0][k] @ weights[1][k] for k in range(3)])):
        raise Incorrect("the outputs are not squashed: every layer applies the sigmoid to its product")
    if np.allclose(got[0], expected[0]) and not np.allclose(got, expected):
        raise Incorrect("network 1 is right but the others are not: each network must use its own weights")
    if not np.allclose(got, expected):
        raise Incorrect("the outputs differ from running each network on its own")
    deeper = _stacks(1, 4, (4, 3, 3, 2))
    try:
        deeper_out = as_array(call(stacked_forward, deeper, x), "what stacked_forward returns")
        deeper_ok = np.allclose(deeper_out, _one_by_one(deeper, x))
    except ValueError:  # e.g. shapes that do not fit: two layers written out by hand
        deeper_ok = False
    if not deeper_ok:
        raise Incorrect("right for two layers but not for three: go through every layer of the list")


stacked_forward = Exercise(
    "stacked_forward", _test_stacked_forward,
    hint="np.matmul (the @ operator) multiplies stacks: (5, 4) @ (3, 4, 6) gives (3, 5, 6), one product per "
         "network. Then apply the sigmoid, and feed the result to the next layer's stack.",
    solution='''
def stacked_forward(weights, x):
    """Outputs of the last layer of every network:
    weights[i] has shape (networks, n_in, n_out)."""
    h = x
    for w in weights:
        h = dc.sigmoid(h @ w)
    return h
''')


# Exercise 2: read the heatmap ---------------------------------------------------------------

def _pair(result):
    try:
        alpha, batch_size = result
        return float(alpha), int(batch_size)
    except (TypeError, ValueError, OverflowError):
        raise Incorrect(f"best_setting must return a pair (alpha, batch_size) from the lists it gets, got {result!r}") from None


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
