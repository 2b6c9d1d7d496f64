"""The post's baseline written as a plain script (notebook 02), kept so notebook 03 can
compare the Layer version with it.

Three weight matrices, sigmoid layers, no biases, batches taken in order, and the printed
error of the post: the sum of |(a - y) * a * (1 - a)| over an epoch.
"""
import numpy as np

from .checks import _show, check_array, check_int, check_positive, check_rng, check_rows, check_weights, ndim, normal
from .layers import check_sizes, sigmoid
from .training import _check_epochs


def script_weights(sizes, rng):
    """The post's draws, ``randn * 0.2 - 0.1``, one matrix per layer, in order."""
    sizes = check_sizes("sizes", sizes)
    rng = check_rng("rng", rng)
    return [normal(rng, (n_in, n_out)) * 0.2 - 0.1 for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def deltas(l1, l2, l3, target, weights):
    """The script's backward pass (Exercise 1 of notebook 02): ``d1, d2, d3``, bottom layer first.

    Each is the gradient of the loss ``0.5 * sum((l3 - target)**2)`` at its layer's
    pre-activation, for the layer outputs ``l1, l2, l3`` of a batch and ``weights = (w01, w12, w23)``.
    Called once per batch, so it checks only what numpy would not catch: the weights' kind, and the
    shapes of the layer outputs and the target (a wrong one would broadcast without an error).
    """
    l1, l2, l3, target = (check_array(name, value, None, finite=False)  # numbers, not strings or ragged lists
                          for name, value in (("l1", l1), ("l2", l2), ("l3", l3), ("target", target)))
    if np.shape(target) != np.shape(l3):
        raise ValueError(f"target must have the shape of l3, {np.shape(l3)}, got {np.shape(target)}")
    if isinstance(weights, (str, bytes, np.ndarray)) or not isinstance(weights, (list, tuple)) or len(weights) != 3 \
            or not all(isinstance(w, np.ndarray) and w.ndim == 2 for w in weights):
        raise TypeError(f"weights must be the three weight matrices (w01, w12, w23), 2-D arrays, "
                        f"got {_show(weights)}")
    w01, w12, w23 = weights
    rows = np.shape(l3)[0] if ndim("l3", l3) == 2 else "examples"
    for name, layer, width in (("l1", l1, w12.shape[0]), ("l2", l2, w23.shape[0]), ("l3", l3, w23.shape[1])):
        if ndim(name, layer) != 2 or np.shape(layer) != (rows, width):
            raise ValueError(f"{name} must have shape ({rows}, {width}): one row per example, one column per unit "
                             f"(as the weights say), got shape {np.shape(layer)}")
    d3 = (l3 - target) * l3 * (1 - l3)
    d2 = d3 @ w23.T * l2 * (1 - l2)
    d1 = d2 @ w12.T * l1 * (1 - l1)
    return d1, d2, d3


def train_script(x, y, weights, alpha=0.1, batch_size=10, iterations=1):
    """Backprop on three sigmoid layers, updating ``weights`` in place; return the printed error per iteration."""
    x = check_array("x", x, (None, None))
    y = check_rows("y", check_array("y", y, (None, None)), "x", x)
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)) or len(weights) != 3:
        raise TypeError(f"weights must be a list of three weight matrices (see script_weights), got {type(weights).__name__}"
                        + (f" of length {len(weights)}" if isinstance(weights, (list, tuple)) else ""))
    for i, w in enumerate(weights):
        check_weights(f"weights[{i}]", w)
    if weights[0].shape[0] != x.shape[1]:
        raise ValueError(f"x has shape {x.shape}, so weights[0] must have {x.shape[1]} rows, got shape {weights[0].shape}")
    for i in (1, 2):
        if weights[i].shape[0] != weights[i - 1].shape[1]:
            raise ValueError(f"weights[{i}] must have as many rows as weights[{i - 1}] has columns "
                             f"({weights[i - 1].shape[1]}), got shape {weights[i].shape}")
    if weights[2].shape[1] != y.shape[1]:
        raise ValueError(f"y has shape {y.shape}, so weights[2] must have {y.shape[1]} columns, got shape {weights[2].shape}")
    alpha = check_positive("alpha", alpha)
    batch_size = check_int("batch_size", batch_size, low=1, high=len(x))
    n_weights = sum(w.size for w in weights)
    iterations = _check_epochs(iterations, -(-len(x) // batch_size), 4 * len(x) * n_weights, None,
                               name="iterations", one="iteration")
    w01, w12, w23 = weights
    printed = []
    for _ in range(iterations):
        error = 0.0
        for start in range(0, len(x), batch_size):
            l0, target = x[start:start + batch_size], y[start:start + batch_size]
            l1 = sigmoid(l0 @ w01)
            l2 = sigmoid(l1 @ w12)
            l3 = sigmoid(l2 @ w23)
            d1, d2, d3 = deltas(l1, l2, l3, target, weights)
            w01 -= alpha * (l0.T @ d1)
            w12 -= alpha * (l1.T @ d2)
            w23 -= alpha * (l2.T @ d3)
            error += float(np.abs(d3).sum())
        printed.append(error)
    return printed
