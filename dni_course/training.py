"""One training loop for backprop, DNI and cDNI (notebooks 02-05).

The three methods differ only in where a hidden layer's gradient comes from:

- ``"backprop"``: the true gradient, sent down from the loss through every layer above;
- ``"dni"``: a synthetic gradient guessed from the layer's own output, so the layer
  updates at once without waiting for the layers above (no update locking);
- ``"cdni"``: the same guess, made from the layer's output and the labels.

Everything else (batches, measurements, divergence checks) is shared.
"""
import time
from dataclasses import dataclass, field

import numpy as np

from .checks import check_choice, check_int, check_positive, check_fraction
from .data import AdditionData
from .layers import Network, SyntheticGradient
from .metrics import cosine_similarity, evaluate

METHODS = ("backprop", "dni", "cdni")
GEN_ALPHA = 0.03


class TrainingDiverged(RuntimeError):
    """Raised when the weights or the loss stop being finite numbers."""


@dataclass
class History:
    """What a training run recorded, one entry per measured epoch."""

    method: str
    alpha: float
    batch_size: int
    net: Network
    generators: list
    epochs: list = field(default_factory=list)
    train: list = field(default_factory=list)  # dicts from metrics.evaluate
    test: list = field(default_factory=list)
    post_error: list = field(default_factory=list)  # the post's printed error, per epoch
    generator_loss: list = field(default_factory=list)  # per hidden layer, mean per example
    alignment: list = field(default_factory=list)  # cosine(synthetic, true) per hidden layer
    seconds: float = 0.0
    stopped_early: bool = False

    def series(self, metric, split="train"):
        """One metric over the measured epochs, e.g. ``series("bit_accuracy", "test")``."""
        rows = self.train if split == "train" else self.test
        return np.array([row[metric] for row in rows])

    def epochs_to(self, accuracy, split="train"):
        """First measured epoch with bit accuracy at or above ``accuracy``, or None."""
        hits = np.flatnonzero(self.series("bit_accuracy", split) >= accuracy)
        return self.epochs[hits[0]] if hits.size else None

    def final(self, split="train"):
        return (self.train if split == "train" else self.test)[-1]


def batches(n_examples, batch_size):
    """Slices over the data in order. A batch size that does not divide the data
    leaves a smaller last batch, so every example is used once per epoch."""
    return [slice(i, min(i + batch_size, n_examples)) for i in range(0, n_examples, batch_size)]


def backprop_step(net, gens, x, y, alpha, gen_alpha):
    """Forward through every layer, then the true gradient back down, then update all."""
    out = net.forward(x)
    net.backward(out - y)
    net.update(alpha)
    return out


def synthetic_step(net, gens, x, y, alpha, gen_alpha):
    """Each hidden layer updates with its generator's guess as soon as it has its output.

    The gradient it sends down (through its weights before they change) is the target for
    the generator of the layer below. Only the last layer sees the true loss gradient.
    """
    layers = net.layers
    h = x
    for i, layer in enumerate(layers):
        h = layer.forward(h)
        if i < len(layers) - 1:
            grad = gens[i].predict(h, y)
        else:
            grad = h - y
        sent_down = layer.backward(grad, need_input_grad=i > 0)
        layer.update(alpha)
        if i > 0:
            gens[i - 1].learn(sent_down, gen_alpha)
    return h


def gradient_alignment(net, gens, data):
    """Cosine similarity between each hidden layer's synthetic gradient and the true one
    (by full backprop) on the whole of ``data``."""
    x, y = net.check_input(data.x), data.y.astype(net.dtype)
    out = net.forward(x)
    true = net.backward(out - y)
    return [cosine_similarity(g.predict(layer.output, y), t)
            for g, layer, t in zip(gens, net.layers, true)]


def _generator_loss(net, gens, data):
    """Each generator's loss against its current target on ``data``, mean per example."""
    x, y = net.check_input(data.x), data.y.astype(net.dtype)
    layers = net.layers
    hs = []
    h = x
    for layer in layers:
        h = layer.forward(h)
        hs.append(h)
    losses = []
    for i in range(1, len(layers)):
        grad = gens[i].predict(hs[i], y) if i < len(layers) - 1 else hs[i] - y
        target = layers[i].backward(grad)
        guess = gens[i - 1].predict(hs[i - 1], y)
        losses.append(0.5 * float(np.sum((guess - target) ** 2)) / len(x))
    return losses


def _all_finite(net, gens):
    return all(np.isfinite(p).all() for p in net.parameters() + [q for g in gens for q in g.parameters()])


def train(net, data, method="backprop", alpha=0.5, batch_size=10, epochs=100, test=None,
          stop_at=None, track_gradients=False, gen_alpha=GEN_ALPHA, on_epoch=None):
    """Train ``net`` on ``data`` in place and return its :class:`History`.

    ``stop_at`` (a bit accuracy such as 0.99) ends the run once the training data reach it.
    ``track_gradients`` records, each epoch, the generators' loss and the cosine similarity
    between synthetic and true gradients (DNI and cDNI only). ``gen_alpha`` is the
    generators' learning rate; its default, 0.03, is stable at every batch size on the
    8-bit task (their loss is a mean over the batch). ``on_epoch(epoch, history)`` is called
    after each epoch, e.g. to show progress.
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a dni_course Network, got {type(net).__name__}")
    for name, d in (("data", data), ("test", test)):
        if d is not None and not isinstance(d, AdditionData):
            raise TypeError(f"{name} must be AdditionData (see dni_course.addition_data), got {type(d).__name__}")
    method = check_choice("method", method, METHODS)
    alpha = check_positive("alpha", alpha)
    gen_alpha = check_positive("gen_alpha", gen_alpha)
    batch_size = check_int("batch_size", batch_size, low=1, high=len(data))
    epochs = check_int("epochs", epochs, low=1)
    if stop_at is not None:
        stop_at = check_fraction("stop_at", stop_at)
    if (net.sizes[0], net.sizes[-1]) != (2 * data.bits, data.bits):
        raise ValueError(
            f"the network has {net.sizes[0]} inputs and {net.sizes[-1]} outputs, but {data.bits}-bit "
            f"sums need {2 * data.bits} inputs and {data.bits} outputs")
    x = net.check_input(data.x, "data.x")
    if test is not None and test.bits != data.bits:
        raise ValueError(f"test has {test.bits} bits but data has {data.bits}")
    y = data.y.astype(net.dtype)

    n_labels = data.bits if method == "cdni" else 0
    gens = [] if method == "backprop" else [
        SyntheticGradient(n, n_labels, net.dtype) for n in net.sizes[1:-1]]
    step = backprop_step if method == "backprop" else synthetic_step
    history = History(method, alpha, batch_size, net, gens)
    slices = batches(len(x), batch_size)
    start = time.perf_counter()
    # Saturating sigmoids overflow exp() all the time; that is harmless, so silence it
    # and look for real trouble (non-finite numbers) once per epoch instead.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(1, epochs + 1):
            printed = 0.0
            for s in slices:
                step(net, gens, x[s], y[s], alpha, gen_alpha)
                printed += float(np.abs(net.layers[-1].delta).sum())
            scores = evaluate(net, data)
            if not (np.isfinite(scores["loss"]) and _all_finite(net, gens)):
                raise TrainingDiverged(
                    f"training diverged at epoch {epoch} ({method}, alpha={alpha:g}, "
                    f"batch_size={batch_size}): the numbers overflowed. Try a smaller alpha.")
            history.epochs.append(epoch)
            history.train.append(scores)
            history.post_error.append(printed)
            if test is not None:
                history.test.append(evaluate(net, test))
            if track_gradients and gens:
                history.alignment.append(gradient_alignment(net, gens, data))
                history.generator_loss.append(_generator_loss(net, gens, data))
            if on_epoch is not None:
                on_epoch(epoch, history)
            if stop_at is not None and scores["bit_accuracy"] >= stop_at:
                history.stopped_early = True
                break
    history.seconds = time.perf_counter() - start
    return history
