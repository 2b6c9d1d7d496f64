"""Every exercise, as the notebooks hold it: the solution in the notebook is the package's, it
passes its own check, the stub is "not attempted", and a graded run is strict.

Wrong answers (the "incorrect" outcome and its messages) are tested per notebook, in
tests/test_exercises_*.py.
"""
import importlib
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

import dni_course as dc
from dni_course import exercises
from dni_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, Exercise

ROOT = Path(__file__).resolve().parent.parent
MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def notebook_exercises():
    """(notebook, grade_id, solution source without markers, check cell source) for every exercise."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        checks = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in cells
                  if c["metadata"].get("nbgrader", {}).get("grade")}
        for c in cells:
            meta = c["metadata"].get("nbgrader", {})
            if meta.get("solution") and c["cell_type"] == "code":
                source = "".join(c["source"])
                plain = "\n".join(line for line in source.split("\n") if not MARKERS.match(line))
                found.append((path.name, meta["grade_id"], plain, checks.get(meta["grade_id"] + "_check")))
    return found


EXERCISES = notebook_exercises()


def exercise_for(grade_id):
    module, name = grade_id.split("_", 1)
    return getattr(importlib.import_module(f"dni_course.exercises.{module}"), name)


def defined_function(source):
    """Run a solution cell's code and return what it defines (a function or a class)."""
    namespace = {"np": np, "dc": dc}
    exec(compile(source, "<solution>", "exec"), namespace)
    name = re.search(r"^(?:def|class) (\w+)", source, re.M).group(1)
    return namespace[name]


# The solution cell as the student gets it (tools/workbook.py, which writes what nbgrader's
# release writes: tests/test_classroom.py checks that).
_spec = importlib.util.spec_from_file_location("workbook_tool", ROOT / "tools" / "workbook.py")
workbook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workbook)
stub = workbook.blank


def released_cell(notebook, grade_id):
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    return next("".join(c["source"]) for c in cells
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def test_every_notebook_from_01_has_exercises():
    per_notebook = {}
    for notebook, *_ in EXERCISES:
        per_notebook[notebook] = per_notebook.get(notebook, 0) + 1
    numbered = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb") if not p.name.startswith("00"))
    for notebook in numbered:
        assert per_notebook.get(notebook, 0) >= 2, f"{notebook} has fewer than two exercises"


@pytest.mark.parametrize("notebook, grade_id, solution, check", EXERCISES, ids=[e[1] for e in EXERCISES])
def test_notebook_solution_is_the_packages_and_passes(notebook, grade_id, solution, check):
    exercise = exercise_for(grade_id)
    assert isinstance(exercise, Exercise)
    assert solution.strip() == exercise.solution_code().strip(), \
        f"{notebook}: the solution cell of {grade_id} differs from the package's solution text"
    assert exercise.evaluate(defined_function(solution)) == (CORRECT, exercise._success)
    name = grade_id.split("_", 1)[1]
    assert check is not None and f"ex.{name}.check(" in check, f"{notebook}: no check cell for {grade_id}"


@pytest.mark.parametrize("notebook, grade_id, solution, check", EXERCISES, ids=[e[1] for e in EXERCISES])
def test_released_stub_runs_and_is_not_attempted(notebook, grade_id, solution, check):
    answer = defined_function(stub(released_cell(notebook, grade_id)))  # defining it must not raise
    outcome, message = exercise_for(grade_id).evaluate(answer)
    assert outcome == NOT_ATTEMPTED, message
    assert exercise_for(grade_id).evaluate(None)[0] == NOT_ATTEMPTED


# Lines a solution shares with the notebook's other code by nature, not by giving it away.
SHARED_LINES = {"w01, w12, w23 = weights"}


@pytest.mark.parametrize("notebook, grade_id, solution, check", EXERCISES, ids=[e[1] for e in EXERCISES])
def test_no_other_code_cell_shows_the_answer(notebook, grade_id, solution, check):
    # The release replaces the solution with a stub; a student who runs the notebook before
    # writing theirs must not find the answer's lines in another cell (as notebook 02's script
    # once did). Lines of 20 characters or more, comments and spacing left out, are compared.
    def code_lines(source):
        lines = (" ".join(line.split("#")[0].split()) for line in source.split("\n"))
        return {line for line in lines if len(line) >= 20}

    answer = code_lines(solution) - SHARED_LINES
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "nbgrader" not in cell["metadata"]:
            shown = answer & code_lines("".join(cell["source"]))
            assert not shown, f"{notebook}, cell {index}, shows the answer of {grade_id}: {shown}"


def test_graded_runs_fail_anything_but_correct(monkeypatch):
    from dni_course.exercises import dataset

    def wrong(numbers, bits):
        return np.zeros((len(numbers), bits))

    shown = []
    monkeypatch.setattr(exercises, "_show", shown.append)
    dataset.encode.check(wrong)  # interactively: shown, never raised
    assert shown[-1].outcome == INCORRECT
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError, match="Incorrect"):
        dataset.encode.check(wrong)
    with pytest.raises(AssertionError, match="Not attempted"):
        dataset.encode.check(None)
    ns = {"np": np}
    exec(dataset.encode.solution_code(), ns)
    dataset.encode.check(ns["encode"])  # correct: no exception


def test_a_crash_in_the_students_code_is_incorrect_not_an_error():
    from dni_course.exercises import dataset

    outcome, message = dataset.encode.evaluate(lambda numbers, bits: numbers / 0 + undefined_name)  # noqa: F821
    assert outcome == INCORRECT and "raised" in message


def test_hidden_solutions(monkeypatch):
    from dni_course.exercises import Text, dataset

    shown = []
    monkeypatch.setattr(exercises, "_show", shown.append)
    dataset.encode.solution()
    assert "def encode" in shown[-1].body
    monkeypatch.setenv("DNI_COURSE_HIDE_SOLUTIONS", "1")
    dataset.encode.solution()
    assert "def encode" not in shown[-1].body and "teacher" in shown[-1].body
    dataset.encode.hint()
    assert isinstance(shown[-1], Text) and "Hint" in shown[-1].title


@pytest.mark.parametrize("answer, words", [
    (lambda numbers, bits: np.zeros((len(numbers), bits + 1)), ["shape"]),
    (lambda numbers, bits: np.full((len(numbers), bits), 2), ["0 and 1"]),
    (lambda numbers, bits: dc.to_bits(numbers, bits)[:, ::-1], ["reverse order"]),
    (lambda numbers, bits: dc.to_bits(np.minimum(numbers, 127), bits), ["128, 200, 255"]),
    (lambda numbers, bits: "0101", ["array", "got", "shape"]),
])
def test_encode_wrong_answers_name_the_failed_property(answer, words):
    from dni_course.exercises import dataset

    outcome, message = dataset.encode.evaluate(answer)
    assert outcome == INCORRECT
    assert any(word in message for word in words), message
    assert "[0. 1. 0. 1.]" not in message  # never the expected digits


@pytest.mark.parametrize("answer, words", [
    (lambda rows: dc.from_bits(np.asarray(rows)[:, ::-1]), ["reverse order"]),
    (lambda rows: np.asarray(rows).sum(axis=1), ["decoded to other numbers"]),
    (lambda rows: np.asarray(rows).astype(int) @ 2 ** np.arange(np.shape(rows)[1] - 1, -1, -1), ["above 0.5"]),
    (lambda rows: np.zeros((len(rows), 1)), ["shape"]),
])
def test_decode_wrong_answers_name_the_failed_property(answer, words):
    from dni_course.exercises import dataset

    outcome, message = dataset.decode.evaluate(answer)
    assert outcome == INCORRECT
    assert any(word in message for word in words), message
