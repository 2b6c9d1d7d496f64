"""Every exercise's check against adversarial answers: one that changes its inputs (with a right
or a wrong result), a NaN result, one that raises, one of the wrong type, and a slow one.

A check hands the student copies of its inputs, so it computes its expected answers from data
the answer cannot touch, and it names the input an answer changed. A check stops after
``exercises.TIME_LIMIT`` seconds (lowered here to keep the tests fast).
"""
import functools
import inspect
import re
import signal
import threading
import time

import numpy as np
import pytest

import dni_course as dc
from dni_course import exercises
from dni_course.exercises import (CORRECT, INCORRECT, Exercise, baseline, cdni, dataset, decoupling, digits,
                                  dni, feedback, landscape, layers, recurrent)

MODULES = (dataset, baseline, layers, dni, cdni, decoupling, digits, landscape, feedback, recurrent)
EXERCISES = [v for m in MODULES for v in vars(m).values() if isinstance(v, Exercise)]
CLASS_EXERCISES = {"backward": "backward", "update": "update", "learn": "learn"}  # exercise: its method
FUNCTIONS = [e for e in EXERCISES if e.name not in CLASS_EXERCISES]
CLASSES = [e for e in EXERCISES if e.name in CLASS_EXERCISES]


def ids(exercises):
    return [e.name for e in exercises]


def solution(exercise):
    namespace = {"np": np, "dc": dc}
    exec(exercise.solution_code(), namespace)
    return namespace[re.search(r"^(?:def|class) (\w+)", exercise.solution_code(), re.M).group(1)]


def busy(seconds):
    """Python code that runs for ``seconds`` (a loop, not a sleep: the check must stop it)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def nan_like(result):
    if isinstance(result, (tuple, list)):
        return type(result)(nan_like(r) for r in result)
    return np.full(np.shape(result), np.nan) if np.ndim(result) else float("nan")


def change(value):
    """Change ``value`` in place, if it can be: an array, or a list of numbers or arrays."""
    if isinstance(value, np.ndarray):
        value += 1
        return True
    if isinstance(value, list) and value and all(isinstance(v, (int, float, np.ndarray)) for v in value):
        value[0] = value[0] + 1
        return True
    return False


def changeable(exercise):
    """The positions of the arguments of a function exercise that an answer could change in place."""
    found = []

    def spy(*args):
        found.extend(i for i, a in enumerate(args) if change(a))
        raise NotImplementedError

    exercise.evaluate(spy)
    return found


def answer(exercise, kind, position=None):
    """The solution of a function exercise, turned into an adversarial answer of ``kind``."""
    right = solution(exercise)

    @functools.wraps(right)  # keeps the parameter names, which the messages use
    def wrapped(*args):
        if kind == "raises":
            raise ValueError("something went wrong")
        if kind == "wrong type":
            return "not a result"
        if kind == "slow":
            busy(5.0)
        result = right(*args)
        if kind in ("changes input, right result", "changes input, NaN result"):
            change(args[position])
        return nan_like(result) if "NaN" in kind else result

    return wrapped


def parameter_names(exercise):
    return list(inspect.signature(solution(exercise)).parameters)


def test_every_exercise_is_covered():
    assert len(EXERCISES) == 23 and len(CLASSES) == 3


def test_the_time_limit_leaves_generous_slack():
    # A plain answer, loops included, may be many times slower than the solution: the limit is
    # seconds long, and at least 20 times as long as a whole check takes with the solution
    # (its own reference computations included) on a busy machine.
    assert exercises.TIME_LIMIT >= 5
    for exercise in EXERCISES:
        start = time.perf_counter()
        assert exercise.evaluate(solution(exercise)) == (CORRECT, "every check passed")
        assert time.perf_counter() - start < exercises.TIME_LIMIT / 20, exercise.name


# Function exercises -------------------------------------------------------------------------

CHANGED = [(e, position) for e in FUNCTIONS for position in changeable(e)]


def test_every_function_exercise_has_an_input_that_could_be_changed():
    assert {e.name for e, _ in CHANGED} == {e.name for e in FUNCTIONS}


@pytest.mark.parametrize("kind", ["changes input, right result", "changes input, NaN result"])
@pytest.mark.parametrize("exercise, position", CHANGED, ids=[f"{e.name}-{p}" for e, p in CHANGED])
def test_an_answer_that_changes_an_input_is_told_which(exercise, position, kind):
    outcome, message = exercise.evaluate(answer(exercise, kind, position))
    name = parameter_names(exercise)[position]
    assert outcome == INCORRECT
    assert f"changed its inputs: {name} is not as it was passed in" in message, message


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=ids(FUNCTIONS))
def test_a_nan_result_is_incorrect_and_not_blamed_on_a_crash(exercise):
    outcome, message = exercise.evaluate(answer(exercise, "NaN result"))
    assert outcome == INCORRECT and "raised" not in message, message


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=ids(FUNCTIONS))
def test_an_answer_that_raises_is_told_what_it_raised(exercise):
    outcome, message = exercise.evaluate(answer(exercise, "raises"))
    assert (outcome, message) == (INCORRECT, "your code raised ValueError: something went wrong")


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=ids(FUNCTIONS))
def test_a_result_of_the_wrong_type_is_incorrect_and_not_blamed_on_a_crash(exercise):
    outcome, message = exercise.evaluate(answer(exercise, "wrong type"))
    assert outcome == INCORRECT and "raised" not in message, message
    outcome, message = exercise.evaluate("not a function")
    assert outcome == INCORRECT and "expected a function" in message, message


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=ids(FUNCTIONS))
def test_a_slow_answer_is_stopped_and_told_how_long_the_solution_takes(exercise, monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.2)
    start = time.perf_counter()
    outcome, message = exercise.evaluate(answer(exercise, "slow"))
    assert time.perf_counter() - start < 3  # stopped, not waited for (the answer runs 5 s)
    assert outcome == INCORRECT and "more than 0.2 s" in message, message
    assert re.search(r"with the solution it takes [0-9.e-]+ s here", message), message


def as_text(value, converted):
    """``value`` with every number written as a string ('0.25'), as numpy's astype(str) does."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        converted.append(True)
        return value.astype(str)
    if isinstance(value, (tuple, list)):
        return type(value)(as_text(v, converted) for v in value)
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        converted.append(True)
        return str(value)
    return value


@pytest.mark.parametrize("kind", ["strings", "True/False"])
@pytest.mark.parametrize("exercise", FUNCTIONS, ids=ids(FUNCTIONS))
def test_a_right_result_written_as_strings_or_bools_is_incorrect_and_says_so(exercise, kind):
    right, converted = solution(exercise), []

    @functools.wraps(right)
    def answer(*args):
        result = right(*args)
        if kind == "strings":
            return as_text(result, converted)
        if isinstance(result, np.ndarray):  # 0/1 digits as True/False, everything else as is
            converted.append(True)
            return result.astype(bool)
        return result

    outcome, message = exercise.evaluate(answer)
    if not converted:
        assert outcome == CORRECT, message  # nothing to convert: the result is not numbers
    elif kind == "strings":
        assert outcome == INCORRECT and "not '1'" in message and "raised" not in message, message
    else:
        assert outcome == INCORRECT and "raised" not in message, message
        if exercise.name in ("encode", "decode"):  # 0/1 kept their values: only the type is wrong
            assert "True/False" in message, message


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=ids(FUNCTIONS))
def test_a_right_result_as_lists_is_correct(exercise):
    right = solution(exercise)

    @functools.wraps(right)
    def answer(*args):
        result = right(*args)
        if isinstance(result, tuple):
            return tuple(r.tolist() if isinstance(r, np.ndarray) else r for r in result)
        return result.tolist() if isinstance(result, np.ndarray) else result

    outcome, message = exercise.evaluate(answer)
    assert outcome == CORRECT, message


# The two answers that the old checks judged correct: wrong, with an input changed so that
# an expected answer computed from it afterwards agreed.

def test_a_wrong_sign_hidden_by_negating_the_weights_is_incorrect():
    right = solution(cdni.label_matrix)

    def label_matrix(output, w_out):
        wrong = -right(output, w_out)
        w_out *= -1
        return wrong

    outcome, message = cdni.label_matrix.evaluate(label_matrix)
    assert outcome == INCORRECT and "w_out is not as it was passed in" in message, message


def test_an_uphill_step_hidden_by_changing_the_targets_is_incorrect():
    def output_only_step(net, x, y, alpha):
        out = net.forward(x)
        net.layers[-1].backward(y - out, need_input_grad=False)  # uphill
        net.layers[-1].update(alpha)
        y[...] = 2 * out - y  # so that output - y is the uphill gradient
        return out

    outcome, message = cdni.output_only_step.evaluate(output_only_step)
    assert outcome == INCORRECT and "y is not as it was passed in" in message, message


# Right answers that change their inputs used to get a message pointing elsewhere.

def test_decode_that_rounds_its_rows_in_place_is_told_so():
    def decode(rows):
        rows[...] = rows > 0.5
        return rows.astype(int) @ 2 ** np.arange(rows.shape[1] - 1, -1, -1)

    outcome, message = dataset.decode.evaluate(decode)
    assert outcome == INCORRECT and "rows is not as it was passed in" in message, message


def test_a_dni_step_that_changes_the_labels_is_told_so_and_may_change_net_and_generators():
    right = solution(dni.dni_step)

    def dni_step(net, gens, x, y, alpha, gen_alpha):
        out = right(net, gens, x, y, alpha, gen_alpha)
        y *= 0.5
        return out

    outcome, message = dni.dni_step.evaluate(dni_step)
    assert outcome == INCORRECT and "y is not as it was passed in" in message, message
    assert dni.dni_step.evaluate(right)[0] == CORRECT  # it changes the network and the generators


# Class exercises: the student writes a method; changing its object (the layer or the
# generator) is the exercise, but not its arguments nor the arrays it shares with others.

def subclass(exercise, method):
    return type("Answer", (solution(exercise),), {CLASS_EXERCISES[exercise.name]: method})


def overridden(exercise, before=None, after=None, result=None):
    """A subclass of the solution whose method runs ``before(self, args)`` first, then the
    solution's method, then ``after(self, args)``; ``result(value)`` replaces what it returns."""
    base = solution(exercise)
    parent = getattr(base, CLASS_EXERCISES[exercise.name])

    def method(self, *args, **kwargs):
        if before:
            before(self, args)
        value = parent(self, *args, **kwargs)
        if after:
            after(self, args)
        return result(value) if result else value

    functools.update_wrapper(method, parent)
    return subclass(exercise, method)


def _set_nan(self, args):
    for p in self.parameters():
        p[...] = np.nan


CLASS_CASES = {
    # exercise: [(answer, words the message must hold)]
    "backward": [
        (overridden(layers.backward, after=lambda self, a: change(a[0])), "changed its inputs: grad_output"),
        (overridden(layers.backward, after=lambda self, a: change(self.output)), "changed self.output"),
        (overridden(layers.backward, after=lambda self, a: change(self.input)), "changed self.input"),
        (overridden(layers.backward, after=lambda self, a: change(a[0]), result=lambda v: None if v is None else -v),
         "changed its inputs: grad_output"),
        (overridden(layers.backward, result=lambda v: None if v is None else nan_like(v)), "NaN"),
        (overridden(layers.backward, after=lambda self, a: setattr(self, "delta", nan_like(self.delta))), "self.delta holds NaN"),
        (overridden(layers.backward, result=lambda v: "not a result"), "array of numbers"),
    ],
    "update": [
        (overridden(layers.update, after=lambda self, a: change(self.input)), "changed self.input"),
        (overridden(layers.update, after=lambda self, a: change(self.output)), "changed self.output"),
        (overridden(layers.update, before=lambda self, a: setattr(self, "delta", -self.delta),
                    after=lambda self, a: change(self.output)), "changed self.output"),
        (overridden(layers.update, after=_set_nan), "self.weights holds NaN"),
    ],
    "learn": [
        (overridden(dni.learn, after=lambda self, a: change(a[0])), "changed its inputs: target"),
        (overridden(dni.learn, after=lambda self, a: change(self.input)), "changed self.input"),
        (overridden(dni.learn, before=lambda self, a: setattr(self, "guess", -self.guess),
                    after=lambda self, a: change(a[0])), "changed its inputs: target"),
        (overridden(dni.learn, after=_set_nan), "the weights or the bias holds NaN"),
    ],
}
CASES = [(e, a, w) for e in CLASSES for a, w in CLASS_CASES[e.name]]


@pytest.mark.parametrize("exercise, answer_class, words", CASES, ids=[f"{e.name}-{w}" for e, _, w in CASES])
def test_class_exercises_adversarial_answers(exercise, answer_class, words):
    outcome, message = exercise.evaluate(answer_class)
    assert outcome == INCORRECT and words in message, message
    assert "raised" not in message, message


@pytest.mark.parametrize("exercise", CLASSES, ids=ids(CLASSES))
def test_class_exercises_that_raise_or_are_not_a_class(exercise):
    def raises(self, *args, **kwargs):
        raise ValueError("something went wrong")

    assert exercise.evaluate(subclass(exercise, raises)) == (INCORRECT, "your code raised ValueError: something went wrong")
    outcome, message = exercise.evaluate("not a class")
    assert outcome == INCORRECT and "class" in message, message


def test_changing_its_own_object_is_allowed():
    # update may change its layer (here also self.delta, after the step); learn its generator.
    assert layers.update.evaluate(overridden(layers.update, after=lambda self, a: change(self.delta)))[0] == CORRECT
    assert dni.learn.evaluate(overridden(dni.learn, after=lambda self, a: change(self.guess)))[0] == CORRECT


@pytest.mark.parametrize("exercise", CLASSES, ids=ids(CLASSES))
def test_a_slow_method_is_stopped(exercise, monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.2)
    start = time.perf_counter()
    outcome, message = exercise.evaluate(overridden(exercise, before=lambda self, a: busy(5.0)))
    assert time.perf_counter() - start < 3
    assert outcome == INCORRECT and "more than 0.2 s" in message, message


# The time limit itself -----------------------------------------------------------------------

def test_the_timer_is_cleared_and_the_previous_handler_restored():
    def mine(signum, frame):
        raise AssertionError("the previous handler ran")

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        assert dataset.encode.evaluate(solution(dataset.encode))[0] == CORRECT
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_an_except_exception_in_the_answer_cannot_swallow_the_stop(monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.2)

    def softmax(z):
        try:
            busy(5.0)
        except Exception:
            pass
        return solution(digits.softmax)(z)

    start = time.perf_counter()
    assert digits.softmax.evaluate(softmax)[0] == INCORRECT
    assert time.perf_counter() - start < 3


def test_off_the_main_thread_a_slow_answer_is_judged_after_it_returns(monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.2)
    right = solution(digits.softmax)

    def slow(z):
        time.sleep(0.4)
        return right(z)

    verdicts = []
    thread = threading.Thread(target=lambda: verdicts.extend([digits.softmax.evaluate(slow),
                                                              digits.softmax.evaluate(right)]))
    thread.start()
    thread.join()
    (outcome, message), fast = verdicts
    assert outcome == INCORRECT and "more than 0.2 s" in message, message
    assert fast == (CORRECT, "every check passed")


def test_a_graded_run_applies_the_same_limit(monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.2)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError, match="more than 0.2 s"):
        digits.softmax.check(answer(digits.softmax, "slow"))


@pytest.mark.parametrize("how", ["exit()", "sys.exit(0)", "SystemExit"])
def test_an_answer_that_calls_exit_gets_a_verdict(how):
    import sys

    def encode(numbers, bits):
        if how == "exit()":
            exit()
        if how == "sys.exit(0)":
            sys.exit(0)
        raise SystemExit("bye")

    outcome, message = dataset.encode.evaluate(encode)
    assert outcome == INCORRECT and "your code called exit()" in message, message


def test_keyboard_interrupt_still_stops_a_check():
    def encode(numbers, bits):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dataset.encode.evaluate(encode)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_answer_that_catches_the_stop_is_stopped_again(monkeypatch):
    # A bare except (or except BaseException) catches the first stop; the check stops it again,
    # well before the answer's own 4 x 5 s, and leaves no timer running.
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.2)
    right = solution(digits.softmax)

    def softmax(z):
        for _ in range(4):
            try:
                busy(5.0)
            except BaseException:
                pass
        return right(z)

    start = time.perf_counter()
    outcome, message = digits.softmax.evaluate(softmax)
    assert time.perf_counter() - start < 4
    assert outcome == INCORRECT and "more than 0.2 s" in message, message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
