"""Random feedback: feedback alignment (FA) and direct feedback alignment (DFA) (notebook 09).

Both give each hidden layer a gradient from a generator that never learns: a fixed random
matrix ``B``, drawn once, applied to an error (Czarnecki et al. 2017 relate both methods to
synthetic gradients).

- FA (Lillicrap et al. 2016) sends the error down layer by layer as backprop does, but each
  layer sends it through its fixed matrix ``B`` instead of its own transposed weights ``W.T``:
  backprop's ``delta_above @ W_above.T`` becomes ``delta_above @ B``.
- DFA (Nokland 2016) sends the output layer's error ``e`` (its ``delta``) straight to every
  hidden layer: hidden layer ``i`` gets ``e @ B_i``.

Neither needs the weights of the layers above in the backward pass (no weight transport),
and DFA's hidden layers need not wait for each other's backward pass. The forward pass and the
update are backprop's; only where the hidden layers' gradients come from differs.
"""
import numpy as np

from .checks import big, check_array, check_choice, check_instance, check_int, check_positive, normal
from .layers import Network, check_targets
from .task import check_net_data
from .metrics import cosine_similarity

FEEDBACK_METHODS = ("fa", "dfa")
FEEDBACK_SCALE = 0.5  # the spread of the fixed matrices' entries: N(0, 0.5^2)
MAX_FEEDBACK_SCALE = 1e6  # far above any useful spread: the error sent down would overflow float32
SEES = {"fa": "the delta of the layer above", "dfa": "the output layer's delta"}


class FixedFeedback:
    """A generator whose weights are fixed and random: its guess of dLoss/dh for one hidden
    layer is ``signal @ weights``, where the signal is the delta of the layer above (FA) or
    the output layer's delta (DFA). It has no ``learn``: nothing ever changes ``weights``."""

    def __init__(self, weights, method):
        self.method = check_choice("method", method, FEEDBACK_METHODS)
        self.weights = check_array("weights", weights, (None, None))

    def predict(self, signal):
        """The guess of dLoss/dh: the signal sent through the fixed matrix (backprop: ``W.T``)."""
        return np.dot(signal, self.weights)

    def parameters(self):
        return [self.weights]

    def __eq__(self, other):
        """Equal when of the same method with the same matrix (the exercises' checks compare the
        feedback before and after a student's step, to catch a step that changes it)."""
        return (isinstance(other, FixedFeedback) and self.method == other.method
                and self.weights.shape == other.weights.shape and np.array_equal(self.weights, other.weights))

    __hash__ = None  # equal objects must hash alike, and the matrix may change: no hash


def random_feedback(net, method, seed=0, scale=FEEDBACK_SCALE):
    """One :class:`FixedFeedback` per hidden layer of ``net``, entries drawn from N(0, scale^2).

    For FA, hidden layer ``i`` gets a matrix shaped like the transposed weights of the layer
    above it, ``(n_above, n_i)``; for DFA, one shaped ``(n_outputs, n_i)``.
    """
    check_instance("net", net, Network, " (see dni_course.Network.create)")
    method = check_choice("method", method, FEEDBACK_METHODS)
    seed = check_int("seed", seed, low=0)
    scale = check_positive("scale", scale)
    if scale > MAX_FEEDBACK_SCALE:
        raise ValueError(f"scale must be at most {big(int(MAX_FEEDBACK_SCALE))}, got {scale}: the course uses 0.5, "
                         "and a spread that large makes the error sent down overflow")
    rng = np.random.default_rng(seed)
    sizes = net.sizes
    hidden = sizes[1:-1]
    if method == "fa":
        shapes = [(above, n) for n, above in zip(hidden, sizes[2:])]
    else:
        shapes = [(sizes[-1], n) for n in hidden]
    return [FixedFeedback((scale * normal(rng, shape)).astype(net.dtype), method) for shape in shapes]


def _check_feedback(net, feedback, method=None):
    """A list of :class:`FixedFeedback` that fits ``net`` (one per hidden layer, of one method)."""
    if isinstance(feedback, (str, bytes)) or not isinstance(feedback, (list, tuple)) \
            or not all(isinstance(f, FixedFeedback) for f in feedback):
        raise TypeError("feedback must be a list of FixedFeedback, one per hidden layer "
                        f"(see dni_course.feedback.random_feedback), got {type(feedback).__name__}")
    hidden = net.sizes[1:-1]
    if len(feedback) != len(hidden):
        raise ValueError(f"feedback must hold one matrix per hidden layer of the network (sizes {net.sizes}: "
                         f"{len(hidden)}), got {len(feedback)}")
    methods = {f.method for f in feedback}
    if len(methods) != 1 or (method is not None and methods != {method}):
        raise ValueError(f"feedback must be all of one method{f' ({method!r})' if method else ''}, "
                         f"got {sorted(methods)}")
    method = methods.pop()
    for i, (f, n) in enumerate(zip(feedback, hidden)):
        rows = net.sizes[i + 2] if method == "fa" else net.sizes[-1]
        if f.weights.shape != (rows, n):
            raise ValueError(f"feedback[{i}] must have shape {(rows, n)} for hidden layer {i + 1} ({method}: "
                             f"it maps {SEES[method]} to the layer's {n} units), got {f.weights.shape}")
    return method


# ---------------------------------------------------------------- the backward passes

def fa_backward(net, feedback, error):
    """FA's backward pass from ``error`` = dLoss/d(output): every layer keeps its delta, and
    each sends it down through its fixed matrix instead of its transposed weights."""
    layers = net.layers
    grad = error
    for i in range(len(layers) - 1, -1, -1):
        layers[i].backward(grad, need_input_grad=False)
        if i > 0:
            grad = feedback[i - 1].predict(layers[i].delta)  # backprop: layers[i].delta @ W_i.T


def dfa_backward(net, feedback, error):
    """DFA's backward pass from ``error`` = dLoss/d(output): the output layer's delta goes
    straight to each hidden layer, through that layer's fixed matrix."""
    last = net.layers[-1]
    last.backward(error, need_input_grad=False)
    for layer, f in zip(net.layers[:-1], feedback):
        layer.backward(f.predict(last.delta), need_input_grad=False)


BACKWARD = {"fa": fa_backward, "dfa": dfa_backward}


# ---------------------------------------------------------------- the training steps

def fa_step(net, feedback, x, y, alpha, gen_alpha=None):
    """One FA step: forward, FA's backward, then every layer updates (``gen_alpha`` is
    unused: the feedback never learns; it is there so that :func:`dni_course.train` can call
    every method's step alike)."""
    y = check_targets(net, x, y)
    out = net.forward(x)
    fa_backward(net, feedback, out - y)
    net.update(alpha)
    return out


def dfa_step(net, feedback, x, y, alpha, gen_alpha=None):
    """One DFA step: forward, DFA's backward, then every layer updates."""
    y = check_targets(net, x, y)
    out = net.forward(x)
    dfa_backward(net, feedback, out - y)
    net.update(alpha)
    return out


STEPS = {"fa": fa_step, "dfa": dfa_step}


# ---------------------------------------------------------------- how well they align

def update_alignment(net, feedback, data):
    """Per hidden layer, the cosine between the weight update that FA or DFA makes on the whole
    of ``data`` and the update backprop would make (1: the same direction, 0: unrelated)."""
    check_net_data(net, data)
    method = _check_feedback(net, feedback)
    x, y = net.check_input(data.x, "data.x"), data.y.astype(net.dtype)
    with np.errstate(over="ignore", under="ignore"):
        out = net.forward(x)
        BACKWARD[method](net, feedback, out - y)
        mine = [layer.input.T @ layer.delta for layer in net.layers[:-1]]
        net.backward(out - y)
        true = [layer.input.T @ layer.delta for layer in net.layers[:-1]]
    return [cosine_similarity(m, t) for m, t in zip(mine, true)]


def weight_agreement(net, feedback):
    """For FA, per hidden layer, the cosine between its fixed matrix ``B`` and the transposed
    weights ``W.T`` of the layer above, which backprop would send the error through. When
    they agree, the layer gets (nearly) backprop's gradient from the layer above."""
    check_instance("net", net, Network, " (see dni_course.Network.create)")
    if _check_feedback(net, feedback) != "fa":
        raise ValueError("weight_agreement needs FA's feedback (method 'fa'): DFA's matrices skip the "
                         "layers in between, so no single weight matrix stands beside them")
    return [cosine_similarity(f.weights, above.weights.T) for f, above in zip(feedback, net.layers[1:])]
