"""Exercises of notebook 07: a ReLU layer's backward, a softmax that cannot overflow, linear CKA, and
(Bonus) the weight gradients of a DNI step on a linear model."""
import numpy as np

from ..digits import linear_cka as _linear_cka
from . import Exercise, Incorrect, as_array, as_number, call


def _array(result, name, shape):
    got = as_array(result, f"what {name} returns")
    if got.shape != shape:
        raise Incorrect(f"{name} should return shape {shape} here; yours has shape {got.shape}")
    return got


def _number(result):
    return as_number(result, "what linear_cka returns")


def _test_relu_backward(relu_backward):
    rng = np.random.RandomState(11)
    z = rng.randn(6, 5)
    output = np.maximum(z, 0.0)
    grad_output = rng.randn(6, 5)
    got = _array(call(relu_backward, grad_output, output), "relu_backward", (6, 5))
    off = output == 0
    if np.abs(got[off]).max() > 1e-12:
        raise Incorrect("where a unit is off (output 0) no gradient may pass: its slope is 0")
    if np.allclose(got[~off], (grad_output * output)[~off]) and not np.allclose(output[~off], 1):
        raise Incorrect("where a unit is on, the gradient is scaled by the output; the slope of max(0, z) there is 1")
    if not np.allclose(got[~off], grad_output[~off]):
        raise Incorrect("where a unit is on (output above 0), the gradient must pass unchanged (slope 1)")


def _test_softmax(softmax):
    rng = np.random.RandomState(12)
    z = rng.randn(5, 4) * 2
    got = _array(call(softmax, z), "softmax", (5, 4))
    if not np.allclose(got.sum(axis=1), 1.0):
        raise Incorrect("each row of probabilities must sum to 1 (normalise along axis 1, per example)")
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    if not np.allclose(got, expected):
        raise Incorrect("the probabilities are not exp(z) divided by the row's sum of exp(z)")
    big = np.array([[1000.0, 999.0, 0.0], [-1000.0, -1001.0, -2000.0]])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        got = _array(call(softmax, big), "softmax", (2, 3))
    if not np.isfinite(got).all():
        raise Incorrect("softmax of large inputs such as [1000, 999, 0] gives inf or NaN; the result must stay finite")
    if not np.allclose(got, [[0.7310585786, 0.2689414214, 0.0], [0.7310585786, 0.2689414214, 0.0]]):
        raise Incorrect("softmax of large inputs such as [1000, 999, 0] is wrong (it should equal softmax of [1, 0, -999])")


def _test_linear_cka(linear_cka):
    rng = np.random.RandomState(13)
    a = rng.randn(50, 6)
    b = a @ rng.randn(6, 4) + 0.5 * rng.randn(50, 4)
    got = _number(call(linear_cka, a, b))
    if not np.isclose(_number(call(linear_cka, a, a)), 1.0):
        raise Incorrect("a representation compared with itself must score 1")
    if not np.isclose(_number(call(linear_cka, a + 5.0, b)), got):
        raise Incorrect("the score changes when a constant is added to every row of a; CKA must ignore such a shift")
    if not np.isclose(_number(call(linear_cka, 3.0 * a, b)), got):
        raise Incorrect("the score changes when a is multiplied by 3; CKA must ignore the scale")
    if not np.isclose(got, _linear_cka(a, b)):
        raise Incorrect("the score differs from linear CKA (||A'ᵀB'||² / (||A'ᵀA'|| ||B'ᵀB'||), A', B' centred)")


relu_backward = Exercise(
    "relu_backward", _test_relu_backward,
    hint="The slope of max(0, z) is 1 where the unit is on and 0 where it is off, and a unit is on "
         "exactly where its output is above 0. Multiply the incoming gradient by that slope.",
    solution='''
def relu_backward(grad_output, output):
    """dLoss/dz of a ReLU layer from dLoss/d(output) and the layer's output max(0, z)."""
    return grad_output * (output > 0)
''')

softmax = Exercise(
    "softmax", _test_softmax,
    hint="Subtracting the same number from every entry of a row does not change its softmax. "
         "Subtract each row's largest value before exp(): then no exponent is above 0.",
    solution='''
def softmax(z):
    """Class probabilities from scores z (one row per example), without overflow."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''')

linear_cka = Exercise(
    "linear_cka", _test_linear_cka,
    hint="Centre the columns of both (subtract each column's mean). Then the score is "
         "||aᵀb||² / (||aᵀa|| * ||bᵀb||), with || || the Frobenius norm (np.linalg.norm of a matrix).",
    solution='''
def linear_cka(a, b):
    """Linear CKA of two representations (rows: the same examples; columns: units)."""
    a = a - a.mean(axis=0)
    b = b - b.mean(axis=0)
    cross = np.linalg.norm(a.T @ b) ** 2
    return cross / (np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b))
''')


# Exercise 4 (Bonus): least squares is a resting point of DNI on a linear model ---------------

def _ones_beside(a):
    return np.hstack([a, np.ones((len(a), 1))])


def _dni_gradients(x, y, w1, w2, features=_ones_beside, true_gradient=False):
    """The reference; ``features`` and ``true_gradient`` give the answers of two mistakes."""
    h = x @ w1
    error = h @ w2 - y
    target = error @ w2.T
    if true_gradient:
        return x.T @ target, h.T @ error
    fit = features(h)
    guess = fit @ np.linalg.lstsq(fit, target, rcond=None)[0]
    return x.T @ guess, h.T @ error


def _linear_problem(seed, n, n_in, n_hidden, n_out, at_least_squares):
    """Inputs with a column of ones (the bias), targets, and weights; at_least_squares sets w2 so
    that x @ w1 @ w2 is the least-squares fit (w1 random, w2 fitted from h = x @ w1, which with
    as many hidden units as inputs spans the inputs)."""
    rng = np.random.RandomState(seed)
    x = _ones_beside(rng.randn(n, n_in - 1))
    y = rng.randn(n, n_out)
    w1 = rng.randn(n_in, n_hidden)
    w2 = np.linalg.lstsq(x @ w1, y, rcond=None)[0] if at_least_squares else rng.randn(n_hidden, n_out)
    return x, y, w1, w2


def _gradient_pair(result, shapes):
    try:
        g1, g2 = result
    except (TypeError, ValueError):
        raise Incorrect("return a pair: (g1, g2), the weight gradients of the two layers") from None
    pair = []
    for got, shape, name in zip((g1, g2), shapes, ("g1", "g2")):
        got = as_array(got, name)
        if got.shape != shape:
            raise Incorrect(f"{name} should have the shape of the weights it belongs to, {shape}; yours has {got.shape}")
        if not np.isfinite(got).all():
            raise Incorrect(f"{name} holds NaN or infinite values")
        pair.append(got)
    return pair


def _test_dni_gradients(dni_gradients):
    # Fewer hidden units (3) than inputs (5): then DNI's layer-1 gradient differs from backprop's.
    x, y, w1, w2 = _linear_problem(14, 20, 5, 3, 2, at_least_squares=False)
    g1, g2 = _gradient_pair(call(dni_gradients, x, y, w1, w2), (w1.shape, w2.shape))
    right1, right2 = _dni_gradients(x, y, w1, w2)
    if np.allclose(g2, -right2):
        raise Incorrect("g2 has the wrong sign: the output layer's error is out - y")
    if not np.allclose(g2, right2):
        raise Incorrect("g2 is not the output layer's true gradient h.T @ (out - y), with h = x @ w1")
    if np.allclose(g1, _dni_gradients(x, y, w1, w2, true_gradient=True)[0]):
        raise Incorrect("g1 uses the true gradient that the output layer sends down: that is backprop. "
                        "In DNI, layer 1 learns from the generator's guess")
    if np.allclose(g1, _dni_gradients(x, y, w1, w2, features=lambda h: h)[0]):
        raise Incorrect("the generator's fit has no bias: fit the target from h with a column of ones beside it")
    if np.allclose(g1, -right1):
        raise Incorrect("g1 has the wrong sign: the guess stands for dLoss/dh, and g1 = x.T @ guess")
    if not np.allclose(g1, right1):
        raise Incorrect("g1 is not x.T @ guess, with guess the best linear fit of the target "
                        "(out - y) @ w2.T from [h, 1]")
    # Other sizes, at the least-squares solution: both gradients vanish there.
    x, y, w1, w2 = _linear_problem(15, 30, 4, 4, 3, at_least_squares=True)
    g1, g2 = _gradient_pair(call(dni_gradients, x, y, w1, w2), (w1.shape, w2.shape))
    right1, right2 = _dni_gradients(x, y, w1, w2)
    if not (np.allclose(g1, right1, atol=1e-9) and np.allclose(g2, right2, atol=1e-9)):
        raise Incorrect("right for one network, wrong for another with other sizes (at the least-squares "
                        "solution, where both gradients should be about 0): take every size from the arrays")


dni_gradients = Exercise(
    "dni_gradients", _test_dni_gradients,
    hint="h = x @ w1 and error = h @ w2 - y; g2 = h.T @ error. The target is error @ w2.T. Put a column "
         "of ones beside h (np.hstack with np.ones((len(h), 1))), fit the target from it with "
         "np.linalg.lstsq(features, target, rcond=None)[0], and the guess is features @ that fit. "
         "Then g1 = x.T @ guess.",
    solution='''
def dni_gradients(x, y, w1, w2):
    """(g1, g2): the weight gradients of one DNI step on the linear network
    out = x @ w1 @ w2, whose generator guesses dLoss/dh by the best linear fit from
    [h, 1]."""
    h = x @ w1
    error = h @ w2 - y                         # dLoss/d(out)
    target = error @ w2.T                      # what the output layer sends down
    features = np.hstack([h, np.ones((len(h), 1))])
    guess = features @ np.linalg.lstsq(features, target, rcond=None)[0]
    return x.T @ guess, h.T @ error
''')
