"""Layers, networks and synthetic-gradient generators.

Each piece keeps its forward and backward rule side by side. The loss is summed over a
batch, so the weight updates sum over the batch, as in the post. It is
``0.5 * sum((output - target) ** 2)`` (the post's, notebooks 02-06), whose gradient with
respect to the output is ``output - target``; or, for a classifier whose last layer is a
:class:`SoftmaxLayer` (notebook 07), the cross-entropy ``-sum(target * log(output))``, whose
gradient with respect to the softmax's input is again ``output - target``. So the training
loop hands every output layer ``output - target``.
"""
import numpy as np

from .checks import (LAYER_SIZE_WHY, MAX_ACTIVATIONS, MAX_LAYER_SIZE, MAX_WEIGHTS, big, check_array, check_backward,
                     check_bool, check_choice, check_dtype, check_forward, check_generator_args, check_init_args,
                     check_int, check_layer, check_layers, check_learn, check_output_target, check_predict,
                     check_sigmoid, check_sizes, check_update, check_weight_count, make_rng, normal)

INITS = ("post", "centred", "he")
ACTIVATIONS = ("sigmoid", "relu", "linear")
OUTPUTS = ("sigmoid", "softmax", "linear")
GEN_INPUTS = ("raw", "centred", "normalised")  # what a generator does to its input [h, labels]
NORM_EPS = 1e-5  # added to the variance, as in batch normalisation: a constant column stays finite


def prepare_input(a, mode):
    """A generator's input batch ``a`` as given (``"raw"``), minus its mean over the batch per
    column (``"centred"``), or also divided by its standard deviation over the batch
    (``"normalised"``: batch normalisation without a learned scale and shift).

    Why: sigmoid outputs are all positive, so their shared mean is one input direction with a
    huge eigenvalue that caps a linear generator's learning rate (notebook 05). The result is a
    fixed preprocessing for the generator's step: no gradient flows back through it into ``h``.
    """
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
            self.input = prepare_input(self.input, self.input_mode)
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
            self.input = prepare_input(self.input, self.input_mode)
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
