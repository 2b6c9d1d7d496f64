"""One training loop for backprop, DNI, cDNI and a control (notebooks 02-07).

The methods differ only in where a hidden layer's gradient comes from:

- ``"backprop"``: the true gradient, sent down from the loss through every layer above;
- ``"dni"``: a synthetic gradient guessed from the layer's own output, so the layer
  updates at once without waiting for the layers above (no update locking);
- ``"cdni"``: the same guess, made from the layer's output and the labels;
- ``"output_only"``: none at all: the hidden layers stay as they started and only the
  last layer learns. A control: whatever DNI adds beyond it comes from its hidden updates.

- ``"fa"``, ``"dfa"``: from fixed random matrices that never learn (notebook 09,
  :mod:`dni_course.feedback`): feedback alignment and direct feedback alignment.

Everything else (batches, measurements, divergence checks) is shared.
"""
import time
from collections import deque
from functools import partial

import numpy as np

from .checks import (_show, big, check_bool, check_callable, check_choice, check_fraction, check_int, check_positive,
                     check_rate, ndim)
from .data import MAX_DIGITS
from .feedback import FEEDBACK_METHODS, FEEDBACK_SCALE, STEPS, random_feedback, update_alignment
from .history import History  # (also dni_course.training.History, its name before it had a module)
from .layers import (GEN_INPUTS, LAYER_SIZE_WHY, MAX_ACTIVATIONS, MAX_LAYER_SIZE, MLPSyntheticGradient, Network,
                     SyntheticGradient, check_targets)
from .metrics import cosine_similarity
from .task import check_net_data, check_task

METHODS = ("backprop", "dni", "cdni", "output_only") + FEEDBACK_METHODS
SYNTHETIC = ("dni", "cdni")  # the methods with generators
SEND_DOWN = ("before", "after")
GENERATORS = ("linear", "mlp")
GEN_ALPHA = 0.03

# Bounds on one run, far above the course's longest (3000 epochs of 10 batches), so that only a
# typo is refused, up front, with the largest allowed value. Measured on the course's machine:
# Epochs: a run keeps a record of every epoch (0.35 KB; 0.9 KB with test data and gradients), so
# 300_000 epochs keep up to 270 MB, and an epoch takes at least 60 microseconds.
MAX_EPOCHS = 300_000
# Weight updates (batch steps) in one run: each takes at least 20 microseconds (the smallest
# network; 35-65 for the course's), so 10**8 of them take from half an hour to two hours.
MAX_STEPS = 10 ** 8
# Multiply-adds in one run, counted as 4 per weight per example per epoch (forward, backward,
# update, and the score after the epoch): 10**14 take over an hour even at one core's top speed.
MAX_MULTIPLY_ADDS = 10 ** 14
# Batches a generator's target may wait (target_delay). Notebook 06 goes up to 100; a target
# 10_000 batches old describes weights that have long moved on. The waiting targets are kept in
# memory too: at most MAX_ACTIVATIONS numbers (see _check_delay).
MAX_TARGET_DELAY = 10_000
# Examples that batches() slices: the most that dc.addition_data makes (2-bit sums). Its list
# of slices for batch_size=1 then takes about 120 MB.
MAX_EXAMPLES = MAX_DIGITS // 2
DELAY_WHY = "Notebook 06 goes up to 100; a target that old describes weights that have long moved on"


def _check_epochs(epochs, n_batches, per_epoch, stop_at, name="epochs", one="epoch", stopper="stop_at"):
    """``epochs`` within MAX_EPOCHS, MAX_STEPS and MAX_MULTIPLY_ADDS, for epochs of ``n_batches``
    batches and ``per_epoch`` multiply-adds; the message says which bound it meets and why.
    ``name``, ``one`` and ``stopper`` name the argument, one pass and the early stop elsewhere
    (``printed_dni``: ``"iterations"``, ``"iteration"``, ``"stop_below"``)."""
    records = (f"A run keeps a record of every epoch, up to 0.9 KB each: {big(MAX_EPOCHS)} take up to 270 MB"
               if one == "epoch" else f"An {one} is a pass over all the data, as an epoch of dc.train is, and "
                                      f"dc.train allows at most {big(MAX_EPOCHS)} epochs")
    high, why = min(
        (MAX_EPOCHS, records),
        (MAX_STEPS // max(n_batches, 1), f"An {one} here is {n_batches} weight updates, and a run may make at most "
                                         f"{big(MAX_STEPS)}: at 20 microseconds or more each, that takes hours"),
        (MAX_MULTIPLY_ADDS // max(per_epoch, 1), f"An {one} here costs about {big(per_epoch)} multiply-adds (4 per "
                                                 f"weight per example), and a run may cost at most "
                                                 f"{big(MAX_MULTIPLY_ADDS)}: over an hour"))
    if stop_at is not None:
        why += f". {stopper} may end the run sooner, but the run must be able to finish without it"
    return check_int(name, epochs, low=1, high=max(high, 1), why=why)


def _check_delay(target_delay, batch_size, net):
    """The memory that ``target_delay`` waiting batches take: each hidden layer's output and target."""
    hidden = net.sizes[1:-1]
    per_batch = 2 * batch_size * sum(hidden)
    if per_batch and target_delay > MAX_ACTIVATIONS // per_batch:
        raise ValueError(
            f"target_delay must be at most {big(MAX_ACTIVATIONS // per_batch)} with batch_size={batch_size} and "
            f"hidden layers of sizes {hidden}, got {target_delay}: each waiting batch keeps 2 x {batch_size} x "
            f"{sum(hidden)} numbers (the hidden layers' outputs and targets), and at most {big(MAX_ACTIVATIONS)} "
            f"({MAX_ACTIVATIONS * 8 >> 20} MB at float64) may wait")
    return target_delay


def _multiply_adds(net, n_examples, method, n_labels, generator, gen_hidden):
    """About how many multiply-adds one epoch costs: 4 per weight (the generators' too) per example."""
    weights = sum(a * b for a, b in zip(net.sizes[:-1], net.sizes[1:]))
    if method in SYNTHETIC:
        labels = n_labels if method == "cdni" else 0
        weights += sum((n + labels) * n if generator == "linear" else (2 * n + labels) * gen_hidden
                       for n in net.sizes[1:-1])
    return 4 * n_examples * max(weights, 1)


class TrainingDiverged(RuntimeError):
    """Raised when the weights or the loss stop being finite numbers."""


def batches(n_examples, batch_size):
    """Slices over the data in order. A batch size that does not divide the data
    leaves a smaller last batch, so every example is used once per epoch."""
    n_examples = check_int("n_examples", n_examples, low=1, high=MAX_EXAMPLES,
                           why="That is the most examples dc.addition_data makes: a list of more slices could fill "
                               "the memory")
    batch_size = check_int("batch_size", batch_size, low=1)
    return [slice(i, min(i + batch_size, n_examples)) for i in range(0, n_examples, batch_size)]


def backprop_step(net, gens, x, y, alpha, gen_alpha):
    """Forward through every layer, then the true gradient back down, then update all."""
    y = check_targets(net, x, y)
    out = net.forward(x)
    net.backward(out - y)
    net.update(alpha)
    return out


def output_only_step(net, gens, x, y, alpha, gen_alpha):
    """The control: forward through the frozen hidden layers, then train the last layer alone."""
    y = check_targets(net, x, y)
    out = net.forward(x)
    last = net.layers[-1]
    last.backward(out - y, need_input_grad=False)
    last.update(alpha)
    return out


def synthetic_step(net, gens, x, y, alpha, gen_alpha, send_down="before", delayed=None, rates=None):
    """Each hidden layer updates with its generator's guess as soon as it has its output.

    The gradient it sends down (through its weights before they change) is the target for
    the generator of the layer below. Only the last layer sees the true loss gradient.
    ``send_down="after"`` sends it through the weights just updated instead (the post's
    trap 3). ``delayed`` (one :class:`DelayedTargets` per generator) makes targets late.
    ``rates`` (:class:`UpdateRates`) lets a layer sit out some batches.
    """
    y = check_targets(net, x, y)
    check_step_gens(gens, net)
    gen_alpha = check_rate("gen_alpha", gen_alpha)  # checked here, or learn() would call it alpha
    layers = net.layers
    updating = rates.next_batch() if rates is not None else None
    h = x
    for i, layer in enumerate(layers):
        h = layer.forward(h)
        if i < len(layers) - 1:
            grad = gens[i].predict(h, y)  # also when the layer sits out: its generator may still learn
        else:
            grad = h - y
        if updating is not None and not updating[i]:
            continue  # this layer's device is busy: no update and no gradient sent down this batch
        if send_down == "before":
            sent_down = layer.backward(grad, need_input_grad=i > 0)
            layer.update(alpha)
        else:
            layer.backward(grad, need_input_grad=False)
            layer.update(alpha)
            sent_down = np.dot(layer.delta, layer.weights.T) if i > 0 else None
        if i > 0:
            if delayed is None:
                gens[i - 1].learn(sent_down, gen_alpha)
            else:
                delayed[i - 1].learn(layers[i - 1].output, y, sent_down, gen_alpha)
    return h


class DelayedTargets:
    """Hands a generator its training targets ``delay`` batches late (the paper's asynchrony).

    Each (input, labels, target) waits in a queue; when the one ``delay`` steps old comes
    out, the generator guesses again on that old input with its current weights before it
    learns, so the step is the true gradient of its loss on that old pair.
    """

    def __init__(self, generator, delay):
        if not all(callable(getattr(generator, method, None)) for method in ("predict", "learn")):
            raise TypeError(f"generator must be a generator such as dni_course.SyntheticGradient (with predict "
                            f"and learn), got {_show(generator)}")
        self.generator = generator
        self.delay = check_int("delay", delay, low=0, high=MAX_TARGET_DELAY, why=DELAY_WHY)
        self.waiting = deque()

    def learn(self, h, labels, target, alpha):
        self.waiting.append((h, labels, target))
        if len(self.waiting) > self.delay:
            old_h, old_labels, old_target = self.waiting.popleft()
            self.generator.predict(old_h, old_labels)
            self.generator.learn(old_target, alpha)


class UpdateRates:
    """Which layers update on each batch: layer i on every ``every[i]``-th batch of the run,
    counting from its first batch (so all layers update on batch 0)."""

    def __init__(self, every):
        self.every = check_update_every(every, name="every")
        self.batch = 0

    def next_batch(self):
        updating = [self.batch % k == 0 for k in self.every]
        self.batch += 1
        return updating


def gradient_alignment(net, gens, data):
    """Cosine similarity between each hidden layer's synthetic gradient and the true one
    (by full backprop) on the whole of ``data``."""
    check_net_data(net, data)
    check_gens(gens, net)
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
          stop_at=None, track_gradients=False, gen_alpha=GEN_ALPHA, on_epoch=None,
          send_down="before", generator="linear", gen_hidden=256, target_delay=0, gen_seed=0,
          measure_every=1, update_every=None, gen_input="raw", feedback_seed=0,
          feedback_scale=FEEDBACK_SCALE, stop_when=None):
    """Train ``net`` on ``data`` in place and return its :class:`History`.

    ``stop_at`` (a bit accuracy such as 0.99) ends the run once the training data reach it;
    ``stop_when(history)``, if given, is asked after every epoch whether to end the run there
    (the explorers end a run that has settled: ``widgets.settled``).
    ``track_gradients`` records, each epoch, the generators' loss and the cosine similarity
    between synthetic and true gradients (DNI and cDNI only). ``gen_alpha`` is the
    generators' learning rate; its default, 0.03, is stable at every batch size on the
    8-bit task (their loss is a mean over the batch). ``on_epoch(epoch, history)`` is called
    after each epoch, e.g. to show progress. The training scores are recorded every epoch;
    the held-out scores and the gradient records, which cost more, every ``measure_every``
    epochs and at the last one (their epochs are in ``History.measured``).

    Options of the methods with generators (``"dni"``, ``"cdni"``; any other method refuses
    a value other than the default):

    - ``send_down``: ``"before"`` (right) sends each layer's gradient down through its
      weights before they are updated; ``"after"`` through the updated ones (trap 3).
    - ``generator``: ``"linear"`` or ``"mlp"`` (one hidden ReLU layer of ``gen_hidden``
      units, drawn from ``gen_seed``; its last layer starts at zero).
    - ``target_delay``: each generator learns from the target of ``target_delay`` batches ago
      (counted in the targets it receives, when the layer above sits out batches).
    - ``update_every``: one whole number per layer, e.g. ``(1, 2, 1)``: layer i updates only on
      every ``update_every[i]``-th batch, as a slower device would. On the other batches it
      still goes forward, but neither updates nor sends a gradient down, so the generator
      below it gets no target then.
    - ``gen_input``: what each generator does to its input [h, labels] first: ``"raw"`` (as
      given), ``"centred"`` (minus the batch's mean per column) or ``"normalised"`` (also divided
      by the batch's standard deviation, as batch normalisation does). Needs batch_size >= 2.

    Options of ``"fa"`` and ``"dfa"``: ``feedback_seed`` draws their fixed matrices, with entries
    from N(0, ``feedback_scale``^2). ``track_gradients`` records, per hidden layer, the cosine
    between their weight update and backprop's (:func:`dni_course.feedback.update_alignment`).
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a dni_course Network, got {type(net).__name__}")
    check_task("data", data)
    if test is not None:
        check_task("test", test)
        if type(test) is not type(data):  # the rest of data.check_test(test) once net is known to fit
            raise TypeError(f"test must be {type(data).__name__} like data, got {type(test).__name__}")
    method = check_choice("method", method, METHODS)
    send_down = check_choice("send_down", send_down, SEND_DOWN)
    generator = check_choice("generator", generator, GENERATORS)
    gen_input = check_choice("gen_input", gen_input, GEN_INPUTS)
    gen_hidden = check_int("gen_hidden", gen_hidden, low=1, high=MAX_LAYER_SIZE, why=LAYER_SIZE_WHY)
    track_gradients = check_bool("track_gradients", track_gradients)
    if on_epoch is not None:
        check_callable("on_epoch", on_epoch)
    if stop_when is not None:
        check_callable("stop_when", stop_when)
    target_delay = check_int("target_delay", target_delay, low=0, high=MAX_TARGET_DELAY, why=DELAY_WHY)
    gen_seed = check_int("gen_seed", gen_seed, low=0)
    measure_every = check_int("measure_every", measure_every, low=1)
    if update_every is not None:
        update_every = check_update_every(update_every, len(net.layers))
    if method not in SYNTHETIC:
        for name, value, default in (("send_down", send_down, "before"), ("generator", generator, "linear"),
                                     ("target_delay", target_delay, 0), ("update_every", update_every, None),
                                     ("gen_input", gen_input, "raw")):
            if value != default:
                raise ValueError(f"{name}={value!r} needs a method with generators ('dni' or 'cdni'), "
                                 f"got method={method!r}; leave {name} at {default!r}")
    feedback_seed = check_int("feedback_seed", feedback_seed, low=0)
    if method not in FEEDBACK_METHODS and (feedback_seed, feedback_scale) != (0, FEEDBACK_SCALE):
        raise ValueError(f"feedback_seed and feedback_scale need a method with random feedback ('fa' or "
                         f"'dfa'), got method={method!r}; leave them at 0 and {FEEDBACK_SCALE}")
    alpha = check_positive("alpha", alpha)
    gen_alpha = check_positive("gen_alpha", gen_alpha)
    batch_size = check_int("batch_size", batch_size, low=1, high=len(data))
    if gen_input != "raw" and batch_size < 2:
        raise ValueError(f"gen_input={gen_input!r} uses statistics over a batch, so it needs batch_size of at "
                         f"least 2, got {batch_size}; or leave gen_input at 'raw'")
    if stop_at is not None:
        stop_at = check_fraction("stop_at", stop_at)
    target_delay = _check_delay(target_delay, batch_size, net)
    n_batches = -(-len(data) // batch_size)
    epochs = _check_epochs(epochs, n_batches, _multiply_adds(net, len(data), method, data.y.shape[1], generator,
                                                             gen_hidden), stop_at)
    data.check_network(net)
    if test is not None:
        data.check_test(test)
    x = net.check_input(data.x, "data.x")
    if test is not None:
        net.check_input(test.x, "test.x")  # scored every measure_every epochs: refused now if too big
    y = data.y.astype(net.dtype)

    n_labels = y.shape[1] if method == "cdni" else 0
    if method in FEEDBACK_METHODS:
        gens = random_feedback(net, method, feedback_seed, feedback_scale)
    elif method not in SYNTHETIC:
        gens = []
    elif generator == "linear":
        gens = [SyntheticGradient(n, n_labels, net.dtype, input_mode=gen_input) for n in net.sizes[1:-1]]
    else:
        gens = [MLPSyntheticGradient(n, n_labels, gen_hidden, net.dtype, seed=gen_seed + i, input_mode=gen_input)
                for i, n in enumerate(net.sizes[1:-1])]
    if method == "backprop":
        step = backprop_step
    elif method == "output_only":
        step = output_only_step
    elif method in FEEDBACK_METHODS:
        step = STEPS[method]
    elif send_down == "before" and target_delay == 0 and update_every is None:
        step = synthetic_step  # the plain path, as notebooks 04 and 05 show it
    else:
        delayed = [DelayedTargets(g, target_delay) for g in gens] if target_delay else None
        rates = UpdateRates(update_every) if update_every is not None else None
        step = partial(synthetic_step, send_down=send_down, delayed=delayed, rates=rates)
    metric = data.metric  # the score stop_at reads: bit accuracy on sums, accuracy on digits
    history = History(method, alpha, batch_size, net, gens, metric=metric)
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
            scores = data.evaluate(net)
            if not (np.isfinite(scores["loss"]) and _all_finite(net, gens)):
                also = f", or a smaller gen_alpha (the generators' rate, {gen_alpha:g})" if method in SYNTHETIC else ""
                raise TrainingDiverged(
                    f"training diverged at epoch {epoch} ({method}, alpha={alpha:g}, "
                    f"batch_size={batch_size}): the numbers overflowed. Try a smaller alpha{also}.")
            history.epochs.append(epoch)
            history.train.append(scores)
            history.post_error.append(printed)
            done = stop_at is not None and scores[metric] >= stop_at
            if epoch % measure_every == 0 or epoch == epochs or done:
                history.measured.append(epoch)
                if test is not None:
                    history.test.append(test.evaluate(net))
                if track_gradients and method in FEEDBACK_METHODS:
                    history.alignment.append(update_alignment(net, gens, data))
                elif track_gradients and gens:
                    history.alignment.append(gradient_alignment(net, gens, data))
                    history.generator_loss.append(_generator_loss(net, gens, data))
            if on_epoch is not None:
                on_epoch(epoch, history)
            if done or (stop_when is not None and stop_when(history)):
                history.stopped_early = True
                break
    history.seconds = time.perf_counter() - start
    return history


# --- Argument checks of the training loop

def check_gens(gens, net):
    """A run's generators: a list with one generator per hidden layer of ``net``, of the right sizes."""
    if isinstance(gens, (str, bytes)) or not isinstance(gens, (list, tuple)):
        raise TypeError(f"gens must be a list of generators, one per hidden layer, got {_show(gens)}")
    hidden = [layer.weights.shape[1] for layer in net.layers[:-1]]
    if len(gens) != len(hidden):
        raise ValueError(f"gens must hold one generator per hidden layer of net (sizes {net.sizes}: "
                         f"{len(hidden)}), got {len(gens)}")
    for i, (gen, size) in enumerate(zip(gens, hidden)):
        if not (callable(getattr(gen, "predict", None)) and hasattr(gen, "weights")):
            raise TypeError(f"gens[{i}] must be a generator such as dni_course.SyntheticGradient, got {_show(gen)}")
        if gen.weights.shape[1] != size:
            raise ValueError(f"gens[{i}] must guess gradients for {size} units (hidden layer {i + 1}), "
                             f"got a generator for {gen.weights.shape[1]}")
    return gens


def check_step_gens(gens, net):
    """A step's generators: a list with one per hidden layer, each with ``predict`` and ``learn`` (a
    stand-in that records its targets will do; :func:`check_gens` also checks their sizes)."""
    if isinstance(gens, (str, bytes)) or not isinstance(gens, (list, tuple)):
        raise TypeError(f"gens must be a list of generators, one per hidden layer, got {_show(gens)}")
    if len(gens) != len(net.layers) - 1:
        raise ValueError(f"gens must hold one generator per hidden layer of net (sizes {net.sizes}: "
                         f"{len(net.layers) - 1}), got {len(gens)}")
    for i, gen in enumerate(gens):
        if not (callable(getattr(gen, "predict", None)) and callable(getattr(gen, "learn", None))):
            raise TypeError(f"gens[{i}] must be a generator such as dni_course.SyntheticGradient (with predict "
                            f"and learn), got {_show(gen)}")
    return gens


def check_update_every(every, n_layers=None, name="update_every"):
    """``update_every``: one whole number >= 1 per layer (how many batches apart it updates);
    ``n_layers=None`` (:class:`UpdateRates`) allows any number of layers but none."""
    per = (f"with one whole number per layer ({n_layers}), e.g. {tuple([1] * n_layers)}" if n_layers
           else "of whole numbers, one per layer, e.g. (1, 2, 1)")
    if not isinstance(every, (list, tuple, np.ndarray)) or ndim(name, every) != 1 \
            or (n_layers is None and len(every) == 0):
        raise TypeError(f"{name} must be a list {per}, got {_show(every)}")
    every = [check_int(f"each of {name}", k, low=1) for k in every]
    if n_layers is not None and len(every) != n_layers:
        raise ValueError(f"update_every must give one number per layer ({n_layers}), got {len(every)}: {every}")
    return every
