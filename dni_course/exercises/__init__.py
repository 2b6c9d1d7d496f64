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
:func:`call` runs the student's function and turns the stub's ``NotImplementedError`` or a
``None`` result into "not attempted".
"""
import html
import os

import numpy as np

from ..checks import check_exercise_args

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"


class Incorrect(Exception):
    """The answer runs but is wrong; the message names what is wrong, not the answer."""


class NotAttempted(Exception):
    """The stub is still there (or the answer is empty)."""


def graded():
    """True while nbgrader validates or autogrades a notebook."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def call(function, *args, **kwargs):
    """Call the student's ``function``; a stub (``NotImplementedError``, or nothing returned) is not attempted."""
    if function is None:
        raise NotAttempted("there is no answer yet")
    if not callable(function):
        raise Incorrect(f"expected a function, got {type(function).__name__}")
    try:
        result = function(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted("the function still raises NotImplementedError: replace that line with your code") from None
    if result is None:
        raise NotAttempted("the function returns nothing yet (None)")
    return result


def as_array(value, what):
    """``value`` as a float array, or :class:`Incorrect` saying that ``what`` is not numbers."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} must be an array of numbers, got {type(value).__name__}") from None


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
        try:
            self._test(answer)
        except NotAttempted as reason:
            return NOT_ATTEMPTED, f"{reason}. Write your answer in the cell above, run it, then run this check."
        except Incorrect as reason:
            return INCORRECT, str(reason)
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


def _show(obj):
    try:
        from IPython.display import display
    except ImportError:  # plain Python: print instead
        print(repr(obj))
    else:
        display(obj)
