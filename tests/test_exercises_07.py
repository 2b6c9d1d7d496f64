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
