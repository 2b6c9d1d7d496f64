"""Exercises of notebook 07 (digits): wrong answers are "incorrect" with a message naming the
failed property, stubs are "not attempted", solutions are "correct"."""
import numpy as np
import pytest

import dni_course as dc
from dni_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from dni_course.exercises import digits as ex


def solution(exercise):
    namespace = {"np": np, "dc": dc}
    exec(exercise.solution_code(), namespace)
    return namespace[exercise.name]


def not_attempted(*args):
    raise NotImplementedError()


@pytest.mark.parametrize("exercise", [ex.relu_backward, ex.softmax, ex.linear_cka])
def test_solution_is_correct_and_stub_is_not_attempted(exercise):
    assert exercise.evaluate(solution(exercise))[0] == CORRECT
    assert exercise.evaluate(not_attempted)[0] == NOT_ATTEMPTED


@pytest.mark.parametrize("answer, words", [
    (lambda g, out: g * out, "scaled by the output"),
    (lambda g, out: g, "off"),
    (lambda g, out: g * out * (1 - out), "unchanged"),  # a sigmoid's slope
    (lambda g, out: (g * (out > 0))[:, :2], "shape"),
])
def test_wrong_relu_backward_is_incorrect(answer, words):
    outcome, message = ex.relu_backward.evaluate(answer)
    assert outcome == INCORRECT and words in message


@pytest.mark.parametrize("answer, words", [
    (lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "inf or NaN"),
    (lambda z: np.exp(z) / np.exp(z).sum(), "sum to 1"),
    (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True), "large inputs"),
    (lambda z: z / z.sum(axis=1, keepdims=True), "exp(z)"),
])
def test_wrong_softmax_is_incorrect(answer, words):
    outcome, message = ex.softmax.evaluate(answer)
    assert outcome == INCORRECT and words in message


def _cka_without_centring(a, b):
    return np.linalg.norm(a.T @ b) ** 2 / (np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b))


@pytest.mark.parametrize("answer, words", [
    (_cka_without_centring, "constant is added"),
    (lambda a, b: np.linalg.norm((a - a.mean(0)).T @ (b - b.mean(0))) ** 2, "itself must score 1"),
    (lambda a, b: np.sqrt(_cka_without_centring(a - a.mean(0), b - b.mean(0))), "differs from linear CKA"),
])
def test_wrong_linear_cka_is_incorrect(answer, words):
    outcome, message = ex.linear_cka.evaluate(answer)
    assert outcome == INCORRECT and words in message, message


def test_dni_gradients_solution_is_correct_and_stub_is_not_attempted():
    assert ex.dni_gradients.evaluate(solution(ex.dni_gradients)) == (CORRECT, "every check passed")
    assert ex.dni_gradients.evaluate(not_attempted)[0] == NOT_ATTEMPTED


def _dni_parts(x, y, w1, w2):
    h = x @ w1
    error = h @ w2 - y
    return h, error, error @ w2.T


def _backprop_gradients(x, y, w1, w2):
    h, error, target = _dni_parts(x, y, w1, w2)
    return x.T @ target, h.T @ error


def _generator_without_bias(x, y, w1, w2):
    h, error, target = _dni_parts(x, y, w1, w2)
    return x.T @ (h @ np.linalg.lstsq(h, target, rcond=None)[0]), h.T @ error


def _flip(which):
    def answer(x, y, w1, w2):
        g = list(solution(ex.dni_gradients)(x, y, w1, w2))
        g[which] = -g[which]
        return tuple(g)
    return answer


@pytest.mark.parametrize("answer, words", [
    (_backprop_gradients, "that is backprop"),
    (_generator_without_bias, "no bias"),
    (_flip(0), "g1 has the wrong sign"),
    (_flip(1), "g2 has the wrong sign"),
    (lambda x, y, w1, w2: (np.zeros_like(w1), np.zeros_like(w2)), "g2 is not"),
    (lambda x, y, w1, w2: solution(ex.dni_gradients)(x, y, w1, w2)[::-1], "shape"),
    (lambda x, y, w1, w2: solution(ex.dni_gradients)(x, y, w1, w2)[0], "pair"),
])
def test_wrong_dni_gradients_is_incorrect(answer, words):
    outcome, message = ex.dni_gradients.evaluate(answer)
    assert outcome == INCORRECT and words in message, message


def test_least_squares_is_a_resting_point_of_the_reference_and_not_of_any_point():
    # The claim notebook 07's Bonus exercise rests on: at least squares both gradients vanish,
    # though dLoss/dh does not; away from it they do not vanish.
    right = solution(ex.dni_gradients)
    x, y, w1, w2 = ex._linear_problem(3, 40, 6, 6, 3, at_least_squares=True)
    g1, g2 = right(x, y, w1, w2)
    assert np.abs(g1).max() < 1e-9 and np.abs(g2).max() < 1e-9
    assert np.abs(_dni_parts(x, y, w1, w2)[2]).max() > 0.1
    g1, g2 = right(x, y, w1 + 0.01, w2)
    assert np.abs(g1).max() > 1e-4 and np.abs(g2).max() > 1e-4
