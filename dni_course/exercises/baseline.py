"""Exercises of notebook 02: the backward pass of the script, and the two accuracies."""
import numpy as np

from ..baseline import script_weights
from ..gradcheck import numerical_gradient, relative_error
from ..layers import sigmoid
from . import Exercise, Incorrect, as_array, call, finite



def _small_network():
    """A fixed 6-5-4-3 network in float64 and a batch of 7 examples: small enough for finite differences."""
    rng = np.random.RandomState(3)
    x = rng.rand(7, 6)
    y = (rng.rand(7, 3) > 0.5).astype(float)
    return x, y, script_weights([6, 5, 4, 3], rng)


def _forward(x, weights):
    layers = [x]
    for w in weights:
        layers.append(sigmoid(layers[-1] @ w))
    return layers


def _test_deltas(deltas):
    x, y, weights = _small_network()
    l0, l1, l2, l3 = _forward(x, weights)
    result = call(deltas, l1, l2, l3, y, weights)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Incorrect("deltas must return three arrays, d1, d2, d3 (for example `return d1, d2, d3`)")
    got = [as_array(d, name) for d, name in zip(result, ("d1", "d2", "d3"))]
    shapes = [(7, 5), (7, 4), (7, 3)]  # one row per example, one column per unit of the layer
    if [d.shape for d in got] == shapes[::-1]:
        raise Incorrect("the three arrays come back in the wrong order: return d1, d2, d3, the bottom layer's first")
    for d, name, shape, layer in zip(got, ("d1", "d2", "d3"), shapes, ("l1", "l2", "l3")):
        if d.shape != shape:
            raise Incorrect(f"{name} should have the shape of {layer} (one row per example, one column per "
                            f"unit of that layer), here {shape}; yours has shape {d.shape}")
        finite(d, name)

    def loss():
        return 0.5 * float(np.sum((_forward(x, weights)[-1] - y) ** 2))

    # Top layer first: a wrong d3 makes d2 and d1 wrong as well, so name the first that fails.
    inputs = {"d3": l2, "d2": l1, "d1": l0}
    params = {"d3": weights[2], "d2": weights[1], "d1": weights[0]}
    for name, d in (("d3", got[2]), ("d2", got[1]), ("d1", got[0])):
        analytic = inputs[name].T @ d
        numeric = numerical_gradient(loss, params[name])
        if float(np.sum(analytic * numeric)) < 0:
            raise Incorrect(f"{name} has the wrong sign: a step along it would make the loss go up")
        error = relative_error(analytic, numeric)
        if not error < 1e-6:
            below = " (the deltas above it pass)" if name != "d3" else ""
            raise Incorrect(f"{name} fails the gradient check{below}: the weight gradient it gives differs "
                            f"from finite differences of the loss, relative error {error:.1e}")


def _single(value, name):
    """One accuracy as a float: a number, not an array of several, not a string."""
    number = as_array(value, name)
    if number.size != 1:
        raise Incorrect(f"accuracy must return two single numbers, not arrays (average over every bit "
                        f"and over every sum); {name} has shape {number.shape}")
    return float(number.reshape(()))


def _test_accuracy(accuracy):
    target = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0]], dtype=float)
    # Rows 0 and 3: every bit right; row 1: one bit wrong; row 2: two bits wrong. 9 of 12 bits right.
    output = np.array([[0.8, 0.3, 0.6], [0.1, 0.4, 0.9], [0.7, 0.2, 0.55], [0.49, 0.02, 0.3]])
    result = call(accuracy, output, target)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect("accuracy must return two numbers: bit accuracy, then sum accuracy")
    bit, whole = (_single(v, name) for v, name in zip(result, ("bit accuracy", "sum accuracy")))
    if not (0 <= bit <= 1 and 0 <= whole <= 1):
        raise Incorrect(f"accuracies are fractions between 0 and 1; yours are {bit:g} and {whole:g}")
    if np.isclose(bit, 0.5) and np.isclose(whole, 0.75):
        raise Incorrect("the two numbers come back in the wrong order: bit accuracy first, then sum accuracy")
    if not np.isclose(bit, 0.75):
        raise Incorrect("bit accuracy is wrong on outputs that are not exactly 0 or 1: an output counts as "
                        "right when it lies on the same side of 0.5 as its target")
    if whole > 0.5 + 1e-9:
        raise Incorrect("sum accuracy counts a sum with some bits wrong as right: a sum is right only "
                        "when all of its bits are")
    if not np.isclose(whole, 0.5):
        raise Incorrect("sum accuracy is wrong: it should be the fraction of sums (rows) with every bit right")
    # A batch of one sum, all bits right: no averaging along the wrong axis may hide.
    one = call(accuracy, np.array([[0.9, 0.1, 0.8, 0.2]]), np.array([[1.0, 0.0, 1.0, 0.0]]))
    if not isinstance(one, (tuple, list)) or len(one) != 2 or not np.allclose(
            [_single(v, name) for v, name in zip(one, ("bit accuracy", "sum accuracy"))], [1.0, 1.0]):
        raise Incorrect("a single sum with every bit right should score 1.0 on both accuracies")


deltas = Exercise(
    "deltas", _test_deltas,
    hint="Start at the top: the loss's gradient at the output is l3 - target; multiply it (elementwise) "
         "by the sigmoid's slope l3 * (1 - l3) to get d3. To go one layer down, send d3 back through "
         "the weights above (a matrix product with w23 transposed), then multiply by l2's slope.",
    solution='''
def deltas(l1, l2, l3, target, weights):
    """The deltas of a batch: d1, d2, d3, bottom layer first."""
    w01, w12, w23 = weights
    d3 = (l3 - target) * l3 * (1 - l3)
    d2 = d3 @ w23.T * l2 * (1 - l2)
    d1 = d2 @ w12.T * l1 * (1 - l1)
    return d1, d2, d3
''')

accuracy = Exercise(
    "accuracy", _test_accuracy,
    hint="Compare (output > 0.5) with (target > 0.5): that is a True/False array with one entry per bit. "
         "Its mean is the bit accuracy. For the sums, ask whether every entry of a row is True "
         "(.all(axis=1)), then take the mean of that.",
    solution='''
def accuracy(output, target):
    """Bit accuracy and sum accuracy of outputs (one row per sum) against 0/1 targets."""
    right = (output > 0.5) == (target > 0.5)
    return right.mean(), right.all(axis=1).mean()
''')
