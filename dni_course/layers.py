"""Layers, networks and synthetic-gradient generators.

Each piece keeps its forward and backward rule side by side. The loss is summed over a
batch, so the weight updates sum over the batch, as in the post. It is
``0.5 * sum((output - target) ** 2)`` (the post's, notebooks 02-06), whose gradient with
respect to the output is ``output - target``; or, for a classifier whose last layer is a
:class:`SoftmaxLayer` (notebook 07), the cross-entropy ``-sum(target * log(output))``, whose
gradient with respect to the softmax's input is again ``output - target``. So the training
loop hands every output layer ``output - target``.
"""
import math

import numpy as np

from .checks import (_show, big, check_array, check_batch, check_bool, check_choice, check_dtype, check_instance,
                     check_int, check_output_target, check_rate, check_rng, check_rows, check_weights, make_rng,
                     normal)

INITS = ("post", "centred", "he")
ACTIVATIONS = ("sigmoid", "relu", "linear")
OUTPUTS = ("sigmoid", "softmax", "linear")
GEN_INPUTS = ("raw", "centred", "normalised")  # what a generator does to its input [h, labels]
NORM_EPS = 1e-5  # added to the variance, as in batch normalisation: a constant column stays finite
MAX_LAYER_SIZE = 10_000  # units in one layer: the course's widest has 256
LAYER_SIZE_WHY = "The course's widest layer has 256 units: a wider one than that limit is taken for a typo"
# Bounds on a network's size, so that a typo (a size of 10**7, a list of a million sizes) stops
# with a message instead of filling the memory. Each is far above anything the course builds.
# Layers of weights: each is a Python object stepped one after the other, so 1000 layers make
# one batch step take about 10 ms. The course's deepest network has 6.
MAX_LAYERS = 1000
# Weights of one network or one generator: 80 MB at float64, and drawing them at random needs
# about three times that for a moment. The course's largest network has 12 032.
MAX_WEIGHTS = 10_000_000
# Numbers in one pass of a network over a batch (rows x the sum of its layer sizes): 268 MB at
# float64, and backward keeps as many again. The course's largest pass (the 1438 training digits
# through 6 layers) holds 566 572.
MAX_ACTIVATIONS = 2 ** 25


def prepare_input(a, mode):
    """A generator's input batch ``a`` as given (``"raw"``), minus its mean over the batch per
    column (``"centred"``), or also divided by its standard deviation over the batch
    (``"normalised"``: batch normalisation without a learned scale and shift).

    Why: sigmoid outputs are all positive, so their shared mean is one input direction with a
    huge eigenvalue that caps a linear generator's learning rate (notebook 05). The result is a
    fixed preprocessing for the generator's step: no gradient flows back through it into ``h``.

    ``a`` is a batch: a 2-D array of finite real numbers (a list of rows too). The generators
    call :func:`_prepare_input`, which checks nothing: their input is checked where it enters.
    """
    mode = check_choice("mode", mode, GEN_INPUTS)
    a = check_array("a", a, (None, None))
    if a.dtype.kind != "f":
        a = a.astype(float)  # whole numbers: the mean and the spread are fractions
    return _prepare_input(a, mode)


def _prepare_input(a, mode):
    """:func:`prepare_input` without its checks (the generators' hot path)."""
    if mode == "raw":
        return a
    centred = a - a.mean(axis=0)
    return centred if mode == "centred" else centred / np.sqrt(a.var(axis=0) + NORM_EPS)


def sigmoid(z, out=None):
    """Logistic function, 1 / (1 + exp(-z)), computed in place when ``out`` is given (notebook 02)."""
    z, out = check_sigmoid(z, out)
    out = np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def init_weights(n_in, n_out, rng, init="post", dtype=np.float64):
    """Random starting weights (notebook 02).

    ``"post"`` replays the post's draw ``randn * 0.2 - 0.1``: normal with mean -0.1, the
    uniform-``rand`` idiom applied to a normal distribution by mistake. ``"centred"`` is
    the same spread around 0. ``"he"`` (notebook 07) scales the spread by sqrt(2 / n_in), so
    ReLU layers of any width pass signals on at about the same size.
    """
    n_in, n_out, rng, dtype = check_init_args(n_in, n_out, rng, dtype)
    check_weight_count("n_in and n_out", n_in * n_out, f"got {n_in} x {n_out} =")
    check_choice("init", init, INITS)
    if init == "he":
        return (normal(rng, (n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(dtype)
    w = normal(rng, (n_in, n_out)) * 0.2
    if init == "post":
        w -= 0.1
    return w.astype(dtype)


class Layer:
    """A fully connected sigmoid layer with ``forward``, ``backward`` and ``update`` (notebook 03)."""

    def __init__(self, weights, bias=None):
        self.weights, self.bias = check_layer(weights, bias)
        self.input = self.output = self.delta = None

    def forward(self, x):
        """Remember the input, return activation(x @ W + b): here the sigmoid."""
        x = check_forward(self, x)
        self.input = x
        z = np.dot(x, self.weights)  # np.dot: less call overhead than @ on small 2-D arrays
        if self.bias is not None:
            z += self.bias
        self.output = self.activation(z)
        return self.output

    def activation(self, z):
        """The sigmoid, computed in place: z is forward's own temporary."""
        return sigmoid(z, out=z)

    def backward(self, grad_output, need_input_grad=True):
        """Take dLoss/d(output); keep dLoss/d(pre-activation); return dLoss/d(input).

        The returned gradient uses the weights as they are now, before ``update``.
        """
        grad_output = check_backward(self, grad_output)
        out = self.output
        delta = grad_output * out
        delta *= 1.0 - out  # grad * out * (1 - out), in the post's order, one temporary fewer
        self.delta = delta
        return np.dot(delta, self.weights.T) if need_input_grad else None

    def update(self, alpha):
        """One gradient-descent step on the summed batch loss."""
        alpha = check_update(self, alpha)
        step = np.dot(self.input.T, self.delta)
        step *= alpha  # in place: no second weight-sized temporary
        self.weights -= step
        if self.bias is not None:
            self.bias -= alpha * self.delta.sum(axis=0)

    def parameters(self):
        return [self.weights] if self.bias is None else [self.weights, self.bias]


class ReLULayer(Layer):
    """A fully connected ReLU layer, max(0, x @ W + b) (notebook 07)."""

    def activation(self, z):
        return np.maximum(z, 0.0, out=z)

    def backward(self, grad_output, need_input_grad=True):
        grad_output = check_backward(self, grad_output)
        # The slope is 1 where the unit is on and 0 where it is off.
        self.delta = grad_output * (self.output > 0)
        return np.dot(self.delta, self.weights.T) if need_input_grad else None


class LinearLayer(Layer):
    """A fully connected layer without a nonlinearity, x @ W + b (notebook 07's linear models)."""

    def activation(self, z):
        return z

    def backward(self, grad_output, need_input_grad=True):
        grad_output = check_backward(self, grad_output)
        self.delta = grad_output  # slope 1
        return np.dot(self.delta, self.weights.T) if need_input_grad else None


class SoftmaxLayer(Layer):
    """The output layer of a classifier: class probabilities softmax(x @ W + b) (notebook 07).

    It is always paired with the cross-entropy loss ``-sum(target * log(output))``. For that
    pair the gradient with respect to the softmax's input is simply ``output - target`` (the
    softmax's slope and the logarithm's cancel), and that is what ``backward`` receives.
    """

    def activation(self, z):
        z -= z.max(axis=1, keepdims=True)  # same probabilities, and exp() cannot overflow
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def backward(self, grad_output, need_input_grad=True):
        """Take ``output - target`` (dLoss/d(pre-activation) for cross-entropy); return dLoss/d(input)."""
        grad_output = check_backward(self, grad_output)
        self.delta = grad_output
        return np.dot(self.delta, self.weights.T) if need_input_grad else None


LAYER_TYPES = {"sigmoid": Layer, "relu": ReLULayer, "linear": LinearLayer, "softmax": SoftmaxLayer}


class Network:
    """A stack of layers (notebook 03): sigmoid ones, or ReLU with a softmax output (notebook 07)."""

    def __init__(self, layers):
        self.layers = check_layers(layers, Layer)

    @classmethod
    def create(cls, sizes, seed=0, init="post", bias=False, dtype=np.float32,
               activation="sigmoid", output="sigmoid"):
        """Build a network with layer sizes such as ``(16, 64, 32, 8)``.

        ``seed`` may be an int or a generator; the post's draws are replayed by passing the
        ``np.random.RandomState(1)`` that also drew its dataset, with ``init="post"``.
        ``activation`` is the hidden layers' ("sigmoid", "relu" or "linear") and ``output``
        the last layer's: "sigmoid" or "linear" (squared-error loss) or "softmax"
        (cross-entropy loss, for classes).
        """
        sizes = check_sizes("sizes", sizes)
        dtype = check_dtype("dtype", dtype)
        bias = check_bool("bias", bias)
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("output", output, OUTPUTS)
        rng = make_rng(seed)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            w = init_weights(n_in, n_out, rng, init, dtype)
            kind = LAYER_TYPES[output if i == len(sizes) - 2 else activation]
            layers.append(kind(w, np.zeros(n_out, dtype) if bias else None))
        return cls(layers)

    @property
    def sizes(self):
        return [self.layers[0].weights.shape[0]] + [l.weights.shape[1] for l in self.layers]

    @property
    def dtype(self):
        return self.layers[0].weights.dtype

    def check_input(self, x, name="x"):
        x = check_array(name, x, (None, self.sizes[0]))
        per_row = sum(self.sizes)  # one pass keeps every layer's input and output
        if len(x) * per_row > MAX_ACTIVATIONS:
            raise ValueError(
                f"{name} must have at most {big(MAX_ACTIVATIONS // per_row)} rows for this network, got {len(x)}: one "
                f"pass through layers of sizes {self.sizes} holds rows x {per_row} numbers, and at most "
                f"{big(MAX_ACTIVATIONS)} ({MAX_ACTIVATIONS * 8 >> 20} MB at float64) fit. Pass the rows in parts")
        return x.astype(self.dtype, copy=False)

    def forward(self, x):
        """Outputs of the last layer for a batch ``x``."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output):
        """Backpropagate dLoss/d(output) through every layer; return dLoss/d(hidden) per hidden layer."""
        grads = []
        for i in range(len(self.layers) - 1, -1, -1):
            grad_output = self.layers[i].backward(grad_output, need_input_grad=i > 0)
            grads.append(grad_output)
        return grads[::-1][1:]

    def update(self, alpha):
        for layer in self.layers:
            layer.update(alpha)

    def predict(self, x):
        return self.forward(self.check_input(x))

    def loss(self, output, target):
        """The summed loss whose gradient the training loop follows: cross-entropy after a
        softmax output, squared error otherwise."""
        output, target = check_output_target(output, target)
        if isinstance(self.layers[-1], SoftmaxLayer):
            return -float(np.sum(target * np.log(np.maximum(output, np.finfo(output.dtype).tiny))))
        return 0.5 * float(np.sum((output - target) ** 2))

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def copy(self):
        return Network(type(l)(l.weights.copy(), None if l.bias is None else l.bias.copy())
                       for l in self.layers)


class SyntheticGradient:
    """A linear guesser of dLoss/d(output) for one layer (notebooks 04 and 05).

    It sees the layer's output ``h`` and, when ``n_labels`` > 0, the labels as well (cDNI).
    Its weights start at zero, as in the paper, so its first guesses are zero, not noise.
    ``input_mode`` (see :func:`prepare_input`) centres or normalises [h, labels] with the
    statistics of the batch it is given, so a guess then depends on the rest of its batch.
    """

    def __init__(self, n_out, n_labels=0, dtype=np.float32, bias=True, input_mode="raw"):
        n_out, n_labels, dtype = check_generator_args(n_out, n_labels, dtype)
        check_weight_count("n_out and n_labels", (n_out + n_labels) * n_out,
                           f"got ({n_out} + {n_labels}) x {n_out} =")
        bias = check_bool("bias", bias)
        self.input_mode = check_choice("input_mode", input_mode, GEN_INPUTS)
        self.weights = np.zeros((n_out + n_labels, n_out), dtype)
        self.bias = np.zeros(n_out, dtype) if bias else None
        self.n_labels = n_labels
        self.input = self.guess = None

    def predict(self, h, labels=None):
        """Guess dLoss/dh from ``h`` (and the labels, for cDNI)."""
        h, labels = check_predict(self, h, labels)
        self.input = np.hstack([h, labels]) if self.n_labels else h
        if self.input_mode != "raw":  # learn() steps on this prepared input, as predict saw it
            self.input = _prepare_input(self.input, self.input_mode)
        self.guess = self.input @ self.weights
        if self.bias is not None:
            self.guess += self.bias
        return self.guess

    def learn(self, target, alpha):
        """Step toward ``target`` on the loss 0.5 * mean over the batch of |guess - target|^2.

        The mean (not the sum) keeps one generator learning rate stable at every batch size.
        """
        target, alpha = check_learn(self, target, alpha)
        error = self.guess - target
        scale = alpha / len(error)
        self.weights -= scale * (self.input.T @ error)
        if self.bias is not None:
            self.bias -= scale * error.sum(axis=0)

    def parameters(self):
        return [self.weights] if self.bias is None else [self.weights, self.bias]


class MLPSyntheticGradient:
    """A generator with one hidden ReLU layer: it can guess gradients that are not linear in ``h``.

    Same interface as :class:`SyntheticGradient`. The hidden layer starts random (He's scale
    for ReLU); the last layer starts at zero, so the first guesses are zero, as in the paper.
    """

    def __init__(self, n_out, n_labels=0, hidden=256, dtype=np.float32, seed=0, input_mode="raw"):
        n_out, n_labels, dtype = check_generator_args(n_out, n_labels, dtype)
        per_unit = n_out + n_labels + n_out  # weights in and out of one hidden unit
        if MAX_LAYER_SIZE * per_unit <= MAX_WEIGHTS:
            hidden = check_int("hidden", hidden, low=1, high=MAX_LAYER_SIZE, why=LAYER_SIZE_WHY)
        else:
            hidden = check_int("hidden", hidden, low=1, high=MAX_WEIGHTS // per_unit,
                               why=f"Each hidden unit has {per_unit} weights here (n_out={n_out}, n_labels={n_labels}), "
                                   f"and a generator may have at most {big(MAX_WEIGHTS)} weights (80 MB at float64)")
        self.input_mode = check_choice("input_mode", input_mode, GEN_INPUTS)
        rng = make_rng(seed)
        n_in = n_out + n_labels
        self.hidden_weights = (normal(rng, (n_in, hidden)) * np.sqrt(2.0 / n_in)).astype(dtype)
        self.hidden_bias = np.zeros(hidden, dtype)
        self.weights = np.zeros((hidden, n_out), dtype)
        self.bias = np.zeros(n_out, dtype)
        self.n_labels = n_labels
        self.input = self.hidden = self.guess = None

    def predict(self, h, labels=None):
        """Guess dLoss/dh from ``h`` (and the labels, for cDNI)."""
        h, labels = check_predict(self, h, labels)
        self.input = np.hstack([h, labels]) if self.n_labels else h
        if self.input_mode != "raw":  # learn() steps on this prepared input, as predict saw it
            self.input = _prepare_input(self.input, self.input_mode)
        self.hidden = np.maximum(self.input @ self.hidden_weights + self.hidden_bias, 0.0)
        self.guess = self.hidden @ self.weights + self.bias
        return self.guess

    def learn(self, target, alpha):
        """Step toward ``target`` on 0.5 * mean over the batch of |guess - target|^2 (backprop
        through the generator's own two layers)."""
        target, alpha = check_learn(self, target, alpha)
        scale = alpha / len(target)
        error = self.guess - target
        hidden_error = (error @ self.weights.T) * (self.hidden > 0)  # before the last layer moves
        self.weights -= scale * (self.hidden.T @ error)
        self.bias -= scale * error.sum(axis=0)
        self.hidden_weights -= scale * (self.input.T @ hidden_error)
        self.hidden_bias -= scale * hidden_error.sum(axis=0)

    def parameters(self):
        return [self.hidden_weights, self.hidden_bias, self.weights, self.bias]


# --- Argument checks of the layers and generators. Each is one line at the top of a method,
# so that the method itself still reads as the math it implements.

def check_sizes(name, sizes):
    """A list of at least two layer sizes, each a whole number from 1 to MAX_LAYER_SIZE; at most
    MAX_LAYERS layers of weights and MAX_WEIGHTS weights in all (see their comments)."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a list of layer sizes such as [16, 64, 32, 8], got {_show(sizes)}")
    if len(sizes) > MAX_LAYERS + 1:
        raise ValueError(f"{name} must list at most {MAX_LAYERS + 1} sizes ({MAX_LAYERS} layers of weights), got "
                         f"{len(sizes)} sizes. Each layer is stepped one after the other in Python: {MAX_LAYERS} "
                         f"layers already make every batch step take about 10 ms")
    sizes = [check_int(f"each layer size in {name}", s, low=1, high=MAX_LAYER_SIZE, why=LAYER_SIZE_WHY)
             for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"{name} must list at least an input and an output size, got {sizes}")
    check_weight_count(name, sum(a * b for a, b in zip(sizes[:-1], sizes[1:])), f"got {_show(sizes)}, which make")
    return sizes


def check_weight_count(name, count, got):
    """Refuse a network or generator of more than MAX_WEIGHTS weights; ``got`` says what was asked for."""
    if count > MAX_WEIGHTS:
        raise ValueError(f"{name} must make at most {big(MAX_WEIGHTS)} weights ({MAX_WEIGHTS * 8 // 10 ** 6} MB at "
                         f"float64; more could fill the memory and would train far too slowly), {got} {big(count)}")


def check_sigmoid(z, out):
    """``sigmoid``'s input (numbers, a single number too) as a float array, and where the result
    goes: ``out``, a float array shaped like ``z`` (``z`` itself to work in place), or a new array."""
    if out is z and type(z) is np.ndarray and z.dtype.kind == "f":  # in place, as Layer.forward does: fast
        return z, out
    if not (type(z) is np.ndarray and z.dtype.kind == "f"):
        z = check_array("z", z, shape=None, finite=False).astype(float)
    if out is None:
        return z, np.empty_like(z)
    if type(out) is np.ndarray and out.shape == z.shape and out.dtype.kind == "f":
        return z, out
    raise TypeError(f"out must be None or a float array of shape {z.shape}, got {_show(out)}")


def check_layer(weights, bias):
    """A layer's parameters: a float weight matrix (n_in, n_out) and None or a bias (n_out,) of the same dtype."""
    weights = check_weights("weights", weights)
    if bias is not None:
        bias = check_weights("bias", bias, (weights.shape[1],))
        if bias.dtype != weights.dtype:
            raise TypeError(f"bias must have the dtype of weights, {weights.dtype}, got {bias.dtype}")
    return weights, bias


def check_forward(layer, x):
    """The input of ``layer.forward``: a float batch with one column per row of the weights."""
    weights = layer.weights
    if (type(x) is np.ndarray and x.ndim == 2 and x.shape[1] == weights.shape[0]
            and x.dtype.kind == "f" and x.shape[0]):  # the usual case, fast
        return x
    return check_batch("x", x, weights.shape[0])


def check_backward(layer, grad_output):
    """The gradient given to ``layer.backward``: exactly the shape of the output of the last forward."""
    out = layer.output
    if out is None:
        raise RuntimeError("call forward(x) before backward: backward needs the output it made")
    if type(grad_output) is np.ndarray and grad_output.shape == out.shape and grad_output.dtype.kind == "f":
        return grad_output
    return check_batch("grad_output", grad_output, out.shape[1], rows=out.shape[0])


def check_update(layer, alpha):
    """The step size of ``update`` (any finite number: negative is gradient ascent), after a backward."""
    if layer.delta is None:
        raise RuntimeError("call forward(x) and backward(grad) before update: update needs their results")
    return check_rate("alpha", alpha)


def check_generator_args(n_out, n_labels, dtype):
    """Sizes of a synthetic-gradient generator and its dtype."""
    n_out = check_int("n_out", n_out, low=1, high=MAX_LAYER_SIZE)
    n_labels = check_int("n_labels", n_labels, low=0, high=MAX_LAYER_SIZE)
    return n_out, n_labels, check_dtype("dtype", dtype)


def check_predict(generator, h, labels):
    """A generator's input: ``h`` (n, n_out) and, when it sees labels (cDNI), ``labels`` (n, n_labels).

    A generator without labels (DNI) ignores ``labels``: the training loop passes them to every kind.
    """
    n_labels = generator.n_labels
    if (type(h) is np.ndarray and h.ndim == 2 and h.dtype.kind == "f" and h.shape[0]
            and h.shape[1] == generator.weights.shape[1]
            and (not n_labels or (type(labels) is np.ndarray and labels.dtype.kind == "f"
                                  and labels.shape == (h.shape[0], n_labels)))):  # the usual case, fast
        return h, labels
    h = check_batch("h", h, generator.weights.shape[1])
    if generator.n_labels:
        if labels is None:
            raise ValueError(f"labels must be given to a generator that sees labels (n_labels={generator.n_labels}), got None")
        labels = check_rows("labels", check_batch("labels", labels, generator.n_labels), "h", h)
    return h, labels


def check_learn(generator, target, alpha):
    """A generator's target (the shape of its last guess) and learning rate, after a predict."""
    guess = generator.guess
    if type(target) is np.ndarray and guess is not None and target.shape == guess.shape \
            and target.dtype.kind == "f" and type(alpha) is float and math.isfinite(alpha):  # usual case, fast
        return target, alpha
    if guess is None:
        raise RuntimeError("call predict(h) before learn: learn moves the last guess toward the target")
    target = check_batch("target", target, guess.shape[1], rows=guess.shape[0])
    return target, check_rate("alpha", alpha)


def check_layers(layers, layer_class):
    """A network's layers: a list of ``layer_class`` objects whose sizes chain (each takes the last one's output)."""
    if isinstance(layers, (str, bytes, dict, np.ndarray, layer_class)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a list of Layer objects, got {_show(layers)}")
    given, layers = layers, list(layers)
    if not layers:
        raise ValueError(f"layers must hold at least one Layer, got {_show(given)}")
    for i, layer in enumerate(layers):
        check_instance(f"layers[{i}]", layer, layer_class)
        if i and layer.weights.shape[0] != layers[i - 1].weights.shape[1]:
            raise ValueError(f"layers[{i}] must take {layers[i - 1].weights.shape[1]} inputs (layers[{i - 1}]'s "
                             f"outputs), got weights of shape {layer.weights.shape}")
    return layers


def check_init_args(n_in, n_out, rng, dtype):
    """``init_weights``'s sizes, random generator and dtype."""
    n_in = check_int("n_in", n_in, low=1, high=MAX_LAYER_SIZE)
    n_out = check_int("n_out", n_out, low=1, high=MAX_LAYER_SIZE)
    return n_in, n_out, check_rng("rng", rng), check_dtype("dtype", dtype)


def check_targets(net, x, y):
    """A training step's targets: one row per row of ``x``, one column per output of ``net``
    (a wrong shape would broadcast against the output without an error)."""
    if not isinstance(net, Network):
        check_instance("net", net, Network, " (see dni_course.Network.create)")
    width = net.layers[-1].weights.shape[1]
    if type(y) is np.ndarray and type(x) is np.ndarray and y.ndim == 2 and x.ndim == 2 and y.shape[1] == width \
            and y.dtype.kind == "f" and y.shape[0] == x.shape[0] and y.shape[0]:  # the usual case, fast
        return y
    x = check_batch("x", x, net.layers[0].weights.shape[0])
    y = check_batch("y", y, width)
    return check_rows("y", y, "x", x)
