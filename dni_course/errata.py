"""The post's printed DNI class, replayed with our own pieces (notebook 04).

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
import numpy as np

from .checks import check_int, check_positive
from .data import AdditionData
from .layers import Layer, Network, SyntheticGradient, init_weights
from .metrics import evaluate, post_error


def printed_dni(data, seed, iterations=600, alpha=1e-4, batch_size=1000, hidden=(128, 64),
                ascent=True, stop_below=0.1):
    """Train as the post's printed DNI class does; return per-iteration records.

    ``seed``: the ``np.random.RandomState`` that drew ``data`` (to replay the post) or an int.
    The run stops, as the post's does, once the printed error falls below ``stop_below``.
    Returns a dict of lists: ``printed_error``, ``loss``, ``bit_accuracy``, ``max_weight``.
    """
    if not isinstance(data, AdditionData):
        raise TypeError(f"data must be AdditionData, got {type(data).__name__}")
    iterations = check_int("iterations", iterations, low=1)
    alpha = check_positive("alpha", alpha)
    batch_size = check_int("batch_size", batch_size, low=1, high=len(data))
    rng = np.random.RandomState(seed) if isinstance(seed, int) else seed
    sizes = [2 * data.bits, *hidden, data.bits]
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
        for _ in range(iterations):
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
                error += post_error(h, yb)
            scores = evaluate(net, data)
            record["printed_error"].append(error)
            record["loss"].append(scores["loss"])
            record["bit_accuracy"].append(scores["bit_accuracy"])
            record["max_weight"].append(float(max(np.abs(l.weights).max() for l in layers)))
            if error < stop_below:
                break
    return record
