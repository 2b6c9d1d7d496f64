"""Layers, networks and synthetic-gradient generators.

Each piece keeps its forward and backward rule side by side. The loss everywhere is
``0.5 * sum((output - target) ** 2)`` over a batch, so its gradient with respect to the
output is ``output - target`` and the weight updates sum over the batch, as in the post.
"""
import numpy as np

from .checks import check_array, check_choice, check_int, make_rng, normal

INITS = ("post", "centred")


def sigmoid(z, out=None):
    """Logistic function, 1 / (1 + exp(-z)), computed in place when ``out`` is given (notebook 02)."""
    out = np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def init_weights(n_in, n_out, rng, init="post", dtype=np.float64):
    """Random starting weights (notebook 02).

    ``"post"`` replays the post's draw ``randn * 0.2 - 0.1``: normal with mean -0.1, the
    uniform-``rand`` idiom applied to a normal distribution by mistake. ``"centred"`` is
    the same spread around 0.
    """
    check_choice("init", init, INITS)
    w = normal(rng, (n_in, n_out)) * 0.2
    if init == "post":
        w -= 0.1
    return w.astype(dtype)


class Layer:
    """A fully connected sigmoid layer with ``forward``, ``backward`` and ``update`` (notebook 03)."""

    def __init__(self, weights, bias=None):
        self.weights = weights
        self.bias = bias
        self.input = self.output = self.delta = None

    def forward(self, x):
        """Remember the input, return sigmoid(x @ W + b)."""
        self.input = x
        z = np.dot(x, self.weights)  # np.dot: less call overhead than @ on small 2-D arrays
        if self.bias is not None:
            z += self.bias
        self.output = sigmoid(z, out=z)
        return self.output

    def backward(self, grad_output, need_input_grad=True):
        """Take dLoss/d(output); keep dLoss/d(pre-activation); return dLoss/d(input).

        The returned gradient uses the weights as they are now, before ``update``.
        """
        out = self.output
        delta = grad_output * out
        delta *= 1.0 - out  # grad * out * (1 - out), in the post's order, one temporary fewer
        self.delta = delta
        return np.dot(delta, self.weights.T) if need_input_grad else None

    def update(self, alpha):
        """One gradient-descent step on the summed batch loss."""
        step = np.dot(self.input.T, self.delta)
        step *= alpha  # in place: no second weight-sized temporary
        self.weights -= step
        if self.bias is not None:
            self.bias -= alpha * self.delta.sum(axis=0)

    def parameters(self):
        return [self.weights] if self.bias is None else [self.weights, self.bias]


class Network:
    """A stack of sigmoid layers (notebook 03)."""

    def __init__(self, layers):
        self.layers = list(layers)

    @classmethod
    def create(cls, sizes, seed=0, init="post", bias=False, dtype=np.float32):
        """Build a network with layer sizes such as ``(16, 64, 32, 8)``.

        ``seed`` may be an int or a generator; the post's draws are replayed by passing the
        ``np.random.RandomState(1)`` that also drew its dataset, with ``init="post"``.
        """
        sizes = [check_int("each layer size", s, low=1) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output size, got {sizes}")
        dtype = check_choice("dtype", np.dtype(dtype), (np.dtype(np.float32), np.dtype(np.float64)))
        rng = make_rng(seed)
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            w = init_weights(n_in, n_out, rng, init, dtype)
            layers.append(Layer(w, np.zeros(n_out, dtype) if bias else None))
        return cls(layers)

    @property
    def sizes(self):
        return [self.layers[0].weights.shape[0]] + [l.weights.shape[1] for l in self.layers]

    @property
    def dtype(self):
        return self.layers[0].weights.dtype

    def check_input(self, x, name="x"):
        x = check_array(name, x, (None, self.sizes[0]))
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

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def copy(self):
        return Network(Layer(l.weights.copy(), None if l.bias is None else l.bias.copy())
                       for l in self.layers)


class SyntheticGradient:
    """A linear guesser of dLoss/d(output) for one layer (notebooks 04 and 05).

    It sees the layer's output ``h`` and, when ``n_labels`` > 0, the labels as well (cDNI).
    Its weights start at zero, as in the paper, so its first guesses are zero, not noise.
    """

    def __init__(self, n_out, n_labels=0, dtype=np.float32, bias=True):
        self.weights = np.zeros((n_out + n_labels, n_out), dtype)
        self.bias = np.zeros(n_out, dtype) if bias else None
        self.n_labels = n_labels
        self.input = self.guess = None

    def predict(self, h, labels=None):
        """Guess dLoss/dh from ``h`` (and the labels, for cDNI)."""
        self.input = np.hstack([h, labels]) if self.n_labels else h
        self.guess = self.input @ self.weights
        if self.bias is not None:
            self.guess += self.bias
        return self.guess

    def learn(self, target, alpha):
        """Step toward ``target`` on the loss 0.5 * mean over the batch of |guess - target|^2.

        The mean (not the sum) keeps one generator learning rate stable at every batch size.
        """
        error = self.guess - target
        scale = alpha / len(error)
        self.weights -= scale * (self.input.T @ error)
        if self.bias is not None:
            self.bias -= scale * error.sum(axis=0)

    def parameters(self):
        return [self.weights] if self.bias is None else [self.weights, self.bias]
