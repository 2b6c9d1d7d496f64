"""Exercises of notebook 07: a ReLU layer's backward, a softmax that cannot overflow, linear CKA."""
import numpy as np

from ..digits import linear_cka as _linear_cka
from . import Exercise, Incorrect, call


def _array(result, name, shape):
    try:
        got = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{name} must return an array of numbers, got {type(result).__name__}") from None
    if got.shape != shape:
        raise Incorrect(f"{name} should return shape {shape} here; yours has shape {got.shape}")
    return got


def _number(result):
    try:
        return float(result)
    except (TypeError, ValueError):
        raise Incorrect(f"linear_cka must return one number, got {type(result).__name__}") from None


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
