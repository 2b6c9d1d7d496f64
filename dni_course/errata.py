"""The post's code where it differs from ours: its Layer's rounding (notebook 03) and its printed
DNI class, replayed with our own pieces (notebook 04).

The post's ``Layer`` forms the sigmoid's slope ``a * (1 - a)`` first and then multiplies it into
the incoming gradient; the script (and ours) multiplies left to right. ``PostGroupingLayer`` is
that ``Layer``: the same maths, rounded differently, so a long run drifts away from the script.

The class printed in the post's prose differs from a correct DNI in four ways:

1. ``+=`` for both the layer and the generator weights, i.e. gradient *ascent*
   (written here as a negative learning rate, which is exactly what ``+=`` amounts to);
2. every layer, the last one too, updates with a synthetic gradient;
3. the gradient sent down goes through the weights *after* their update;
4. the generators start from random weights (``randn * 0.2 - 0.1``), not from zero.

Its printed error, sum |(a - y) * a * (1 - a)|, then falls to 0.0 because the sigmoids
saturate, while the bit accuracy stays at chance. ``printed_dni`` shows that, and with
``ascent=False`` the same code with ``-=`` instead.
"""
import numbers

import numpy as np

from .checks import _show, check_bool, check_int, check_positive
from .data import AdditionData
from .layers import MAX_LAYER_SIZE, Layer, Network, SyntheticGradient, check_backward, init_weights
from .metrics import _post_error, evaluate
from .training import TrainingDiverged, _check_epochs


class PostGroupingLayer(Layer):
    """:class:`~dni_course.Layer` with the post's grouping in ``backward`` (see the module's docstring)."""

    def backward(self, grad_output, need_input_grad=True):
        grad_output = check_backward(self, grad_output)
        self.delta = grad_output * (self.output * (1.0 - self.output))
        return self.delta @ self.weights.T if need_input_grad else None


def printed_dni(data, seed, iterations=600, alpha=1e-4, batch_size=1000, hidden=(128, 64),
                ascent=True, stop_below=0.1):
    """Train as the post's printed DNI class does; return per-iteration records.

    ``seed``: the ``np.random.RandomState`` that drew ``data`` (to replay the post) or an int.
    The run stops, as the post's does, once the printed error falls below ``stop_below``;
    ``stop_below=None`` runs all ``iterations``. A run whose numbers overflow stops with
    :class:`~dni_course.TrainingDiverged`, as :func:`~dni_course.train` does.
    Returns a dict of lists: ``printed_error``, ``loss``, ``bit_accuracy``, ``max_weight``.
    """
    if not isinstance(data, AdditionData):
        raise TypeError(f"data must be AdditionData, got {type(data).__name__}")
    alpha = check_positive("alpha", alpha)
    batch_size = check_int("batch_size", batch_size, low=1, high=len(data))
    if stop_below is not None:
        stop_below = check_positive("stop_below", stop_below)
    ascent = check_bool("ascent", ascent)
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (list, tuple)):
        raise TypeError(f"hidden must be a list of hidden layer sizes such as (128, 64), "
                        f"got {_show(hidden)}")
    if not hidden:
        raise ValueError("hidden must list at least one hidden layer size, got an empty list")
    hidden = [check_int("each size in hidden", s, low=1, high=MAX_LAYER_SIZE) for s in hidden]
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        rng = seed  # the generator that drew the data, to replay the post's draws
    elif isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number or the np.random.RandomState that drew "
                        f"the data, got {_show(seed)}")
    else:
        rng = np.random.RandomState(check_int("seed", seed, low=0, high=2**32 - 1))
    sizes = [2 * data.bits, *hidden, data.bits]
    weights = sum(a * b + b * b for a, b in zip(sizes[:-1], sizes[1:]))  # each layer's and its generator's
    iterations = _check_epochs(iterations, len(data) // batch_size, 4 * len(data) * weights, stop_below,
                               name="iterations", one="iteration", stopper="stop_below")
    layers, gens = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):  # the post draws each layer, then its generator
        layers.append(Layer(init_weights(n_in, n_out, rng)))
        gen = SyntheticGradient(n_out, dtype=np.float64, bias=False)
        gen.weights[...] = init_weights(n_out, n_out, rng)
        gens.append(gen)
    net = Network(layers)
    rate = -alpha if ascent else alpha
    x, y = data.x, data.y
    record = {"printed_error": [], "loss": [], "bit_accuracy": [], "max_weight": []}
    with np.errstate(over="ignore", invalid="ignore"):
        for iteration in range(iterations):
            error = 0.0
            for start in range(0, len(x) - batch_size + 1, batch_size):
                h, yb = x[start:start + batch_size], y[start:start + batch_size]
                sent = []
                for layer, gen in zip(layers, gens):
                    h = layer.forward(h)
                    layer.backward(gen.predict(h), need_input_grad=False)
                    layer.update(rate)
                    sent.append(layer.delta @ layer.weights.T)  # after the update
                targets = [*sent[1:], h - yb]
                for gen, target in zip(gens, targets):
                    gen.learn(target, rate * batch_size)  # learn() averages; the post sums
                error += _post_error(h, yb)  # unchecked: a NaN here is reported below as divergence
            scores = evaluate(net, data)
            params = [l.weights for l in layers] + [g.weights for g in gens]
            if not (np.isfinite(scores["loss"]) and all(np.isfinite(p).all() for p in params)):
                raise TrainingDiverged(
                    f"training diverged at iteration {iteration} (printed DNI, alpha={alpha:g}, "
                    f"ascent={ascent}, batch_size={batch_size}): the numbers overflowed. "
                    "Try a smaller alpha.")
            record["printed_error"].append(error)
            record["loss"].append(scores["loss"])
            record["bit_accuracy"].append(scores["bit_accuracy"])
            record["max_weight"].append(float(max(np.abs(l.weights).max() for l in layers)))
            if stop_below is not None and error < stop_below:
                break
    return record
