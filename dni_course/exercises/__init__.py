"""Coding exercises with instant feedback (notebooks 01 on).

Each exercise is an :class:`Exercise` with three calls, as in the notebooks::

    ex.encode.check(encode)   # correct / incorrect (says which property failed) / not attempted
    ex.encode.hint()          # a nudge
    ex.encode.solution()      # the answer, as code

A check tests what the student's code *does* on small fixed inputs (shapes, signs, values, a
gradient check), never its text, and never prints the expected answer. Interactively a check
only displays its verdict. When nbgrader runs the notebook (``NBGRADER_EXECUTION`` is set, by
``validate`` and ``autograde``) anything but "correct" raises, so the test cell loses its points.

A teacher who does not want solutions on request sets ``DNI_COURSE_HIDE_SOLUTIONS=1`` in the
students' environment.

Writing a check: a function of the student's answer that returns when the answer is right and
raises :class:`Incorrect` (with a message naming the failed property) or :class:`NotAttempted`.
:func:`call` runs the student's function on copies of the check's inputs, says so when the
function changes one of them, and turns the stub's ``NotImplementedError`` or a ``None`` result
into "not attempted". So the check's own inputs stay as it made them, for its expected answers.
A check that takes longer than ``TIME_LIMIT`` seconds is stopped (every solution passes in
well under 0.1 s).
"""
import copy
import html
import inspect
import os
import re
import signal
import threading
import time

import numpy as np

from ..checks import _show as _describe
from ..checks import check_callable, check_text

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"
TIME_LIMIT = 10.0  # seconds a check may take with the student's answer
# After the time limit the stop is raised again every RETRY seconds, so that an answer which
# catches it (``except BaseException``, or a bare ``except:``) and goes on is stopped again.
RETRY = 0.25


class Incorrect(Exception):
    """The answer runs but is wrong; the message names what is wrong, not the answer."""


class NotAttempted(Exception):
    """The stub is still there (or the answer is empty)."""


def graded():
    """True while nbgrader validates or autogrades a notebook."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def call(function, *args, may_change=(), returns=True):
    """Call the student's ``function`` on copies of ``args`` and return its result.

    An argument listed in ``may_change`` is passed itself: changing it is the exercise (a step
    that updates a network). Any other argument the function changes is :class:`Incorrect`.
    A stub (``NotImplementedError``, or ``None`` returned when ``returns``) is not attempted.
    """
    if function is None:
        raise NotAttempted("there is no answer yet")
    if not callable(function):
        raise Incorrect(f"expected a function, got {type(function).__name__}")
    given = [arg if any(arg is m for m in may_change) else copy.deepcopy(arg) for arg in args]
    try:
        result = function(*given)
    except NotImplementedError:
        raise NotAttempted("the function still raises NotImplementedError: replace that line with your code") from None
    for name, arg, mine in zip(_argument_names(function, len(args)), args, given):
        if mine is not arg and not identical(arg, mine):
            raise Incorrect(f"your code changed its inputs: {name} is not as it was passed in. Leave {name} "
                            f"unchanged: compute new values, or work on a copy of it")
    if returns and result is None:
        raise NotAttempted("the function returns nothing yet (None)")
    return result


def identical(a, b):
    """``a`` and ``b`` hold the same values (arrays, lists and tuples of them, numbers); NaN equals NaN."""
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _argument_names(function, n):
    """The names the student gave the first ``n`` parameters (or "argument 1", ...)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        parameters = []
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:n]
    return names + [f"argument {i + 1}" for i in range(len(names), n)]


def as_array(value, what):
    """``value`` as a float array, or :class:`Incorrect` saying that ``what`` is not numbers.

    Only real numbers pass: an array (or list) of strings such as '1', of True/False, or of other
    objects is refused, although numpy would turn '1' and True into 1.0 without a word."""
    if isinstance(value, (str, bytes)):
        raise Incorrect(f"{what} must be an array of numbers, not strings (write 1, not '1'), got {_describe(value)}")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged lists
        raise Incorrect(f"{what} must be an array of numbers, got {type(value).__name__}") from None
    if array.dtype.kind in "fiu":
        return array.astype(float, copy=False)
    kind = {"U": "strings (write 1, not '1')", "S": "strings (write 1, not '1')",
            "b": "True/False (turn them into numbers, for example with .astype(int))",
            "c": "complex numbers"}.get(array.dtype.kind, f"{type(value).__name__} holding other objects")
    raise Incorrect(f"{what} must hold numbers, got {kind}")


def as_number(value, what):
    """``value`` as one float (a number, or an array holding one), or :class:`Incorrect`."""
    if isinstance(value, (bool, np.bool_)):
        raise Incorrect(f"{what} must be one number, got True/False")
    if isinstance(value, (str, bytes)):
        raise Incorrect(f"{what} must be one number, not a string (write 1, not '1'), got {_describe(value)}")
    number = as_array(value, what)
    if number.size != 1:
        raise Incorrect(f"{what} must be one number, got an array of shape {number.shape}")
    return float(number.reshape(()))


def finite(values, what):
    """:class:`Incorrect` unless every number in ``values`` is finite (a gradient check needs them)."""
    if not np.isfinite(values).all():
        raise Incorrect(f"{what} holds NaN or infinite values")


class Feedback:
    """A verdict as shown in the notebook: words first (readable without colour), then the reason."""

    STYLE = {CORRECT: ("✔ Correct", "#0b6e4f", "#e6f4ea"),
             INCORRECT: ("✘ Incorrect", "#a4161a", "#fdecea"),
             NOT_ATTEMPTED: ("… Not attempted yet", "#5c4400", "#fff6d5")}

    def __init__(self, name, outcome, message):
        self.name, self.outcome, self.message = name, outcome, message

    def __repr__(self):
        return f"{self.STYLE[self.outcome][0]} ({self.name}): {self.message}"

    def _repr_html_(self):
        label, colour, background = self.STYLE[self.outcome]
        return (f'<div role="status" style="border-left: 4px solid {colour}; background: {background}; '
                f'color: #111; padding: 4px 8px"><b style="color: {colour}">{label}</b> '
                f'({html.escape(self.name)}): {html.escape(self.message)}</div>')


class Text:
    """Hint or solution text: shown as code, plain text for the tests."""

    def __init__(self, title, body, code=False):
        self.title, self.body, self.code = title, body, code

    def __repr__(self):
        return f"{self.title}:\n{self.body}"

    def _repr_html_(self):
        body = html.escape(self.body)
        body = f"<pre>{body}</pre>" if self.code else f"<p>{body}</p>"
        return f"<div><b>{html.escape(self.title)}</b>{body}</div>"


class Exercise:
    """One exercise: ``test(answer)`` judges an answer; ``hint`` and ``solution`` are text."""

    def __init__(self, name, test, hint, solution, success="every check passed"):
        check_exercise_args(name, test, hint, solution, success)
        self.name, self._test, self._hint, self._solution, self._success = name, test, hint, solution, success

    def evaluate(self, answer):
        """``(outcome, message)`` for ``answer``; never raises."""
        start = time.perf_counter()
        try:
            with _stop_after(TIME_LIMIT):
                self._test(answer)
            if time.perf_counter() - start > TIME_LIMIT:  # where it could not be stopped
                raise TooSlow
        except TooSlow:
            return INCORRECT, (f"this check took more than {TIME_LIMIT:g} s with your code, its time limit; "
                               f"with the solution it takes {self._solution_seconds():.2g} s here. Look for "
                               f"a loop that never ends, or one that runs far more often than it needs to")
        except NotAttempted as reason:
            return NOT_ATTEMPTED, f"{reason}. Write your answer in the cell above, run it, then run this check."
        except Incorrect as reason:
            return INCORRECT, str(reason)
        except SystemExit:  # exit() or sys.exit(): in a notebook that would end the check without a verdict
            return INCORRECT, ("your code called exit() (or sys.exit(), or raised SystemExit): a function must "
                               "return its result instead")
        except Exception as error:  # the student's code crashed: say where, not what the answer is
            return INCORRECT, f"your code raised {type(error).__name__}: {error}"
        return CORRECT, self._success

    def check(self, answer):
        """Show the verdict. In a graded run (nbgrader), anything but correct raises AssertionError."""
        outcome, message = self.evaluate(answer)
        feedback = Feedback(self.name, outcome, message)
        if graded() and outcome != CORRECT:
            raise AssertionError(repr(feedback))
        _show(feedback)

    def hint(self):
        _show(Text(f"Hint ({self.name})", self._hint))

    def solution(self):
        if os.environ.get("DNI_COURSE_HIDE_SOLUTIONS"):
            _show(Text(f"Solution ({self.name})", "Solutions are switched off for this class: ask your teacher."))
        else:
            _show(Text(f"Solution ({self.name})", self._solution.strip("\n"), code=True))

    def solution_code(self):
        """The solution as source code (the tests run it through the check)."""
        return self._solution

    def _solution_seconds(self):
        """How long this check takes with the solution, here and now."""
        import dni_course as dc
        namespace = {"np": np, "dc": dc}
        exec(self._solution, namespace)
        solution = namespace[re.search(r"^(?:def|class) (\w+)", self._solution, re.M).group(1)]
        start = time.perf_counter()
        self._test(solution)
        return time.perf_counter() - start


class TooSlow(BaseException):
    """Raised inside the student's code when the time is up (not an ``Exception``, so that their
    ``except Exception`` cannot catch it)."""


class _stop_after:
    """Raise :class:`TooSlow` in the running code after ``seconds``, and again every ``RETRY`` seconds
    until the block ends: a timer signal, which only works in the main thread on Unix (a notebook
    runs there). Elsewhere the caller measures. KeyboardInterrupt is not caught: it still stops.

    The stop is never raised inside ``__exit__``, so the timer is always switched off and the
    previous handler put back, even when a stop falls due while the block ends."""

    def __init__(self, seconds):
        self.seconds, self.previous = seconds, None
        self.active = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def _stop(self, signum, frame):
        if frame is not None and frame.f_code is _stop_after.__exit__.__code__:
            return  # the block is ending: let __exit__ switch the timer off
        raise TooSlow

    def __enter__(self):
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._stop)
            signal.setitimer(signal.ITIMER_REAL, self.seconds, RETRY)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous if self.previous is not None else signal.SIG_DFL)
        return False


def _show(obj):
    try:
        from IPython.display import display
    except ImportError:  # plain Python: print instead
        print(repr(obj))
    else:
        display(obj)


# --- Argument checks of Exercise

def check_exercise_args(name, test, hint, solution, success):
    """An exercise's name, check function and texts (what an exercise's author writes)."""
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty string, got {_describe(name)}")
    check_callable("test", test)
    for label, text in (("hint", hint), ("solution", solution), ("success", success)):
        check_text(label, text)
