"""The teacher's pipeline (tools/classroom.py with nbgrader), headless.

The release is built from notebooks/ in a temporary course folder (classroom/ is never touched).
It must hold no solution and no hidden test; the instructor notebooks pass nbgrader's validation
and the release fails it; three simulated students are autograded (all correct: the instructor
notebook; all wrong: every stub replaced by a wrong answer; untouched: the release as handed
out) and score exactly what the check cells' points say; the untouched release runs under nbval.
Submissions a teacher receives in practice (a renamed download, a file that is not JSON, an
answer that loops until the time limit, a folder with two other notebooks, an empty folder) each
get one line in the terminal and a row in grades.csv, with the score or why there is none.

Release and grading go through nbgrader's Python API in this process (those practical cases
through the command line, to see exactly what the teacher sees). Every notebook runs six
times in all, so nbgrader's validation and nbval run in two processes of their own meanwhile,
on the machine's other core. It takes a few minutes, so it is marked ``classroom``:
``./course test`` runs it, ``./course test -m "not slow and not classroom"`` leaves it out.
Without nbgrader (classroom/requirements.txt) it skips; with ``CI`` set it fails.
"""
import csv
import importlib
import json
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
pytestmark = pytest.mark.classroom

spec = importlib.util.spec_from_file_location("classroom_tool", ROOT / "tools" / "classroom.py")
classroom = importlib.util.module_from_spec(spec)
spec.loader.exec_module(classroom)


def nbgrader_metadata(cell):
    return cell.metadata.get("nbgrader", {})


def exercise_notebooks():
    """Instructor notebooks that have at least one nbgrader cell, by stem."""
    found = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        if any(nbgrader_metadata(cell) for cell in notebook.cells):
            found[path.stem] = notebook
    return found


def full_marks(notebook):
    """What a notebook is worth: the points of its graded cells, from their metadata."""
    return sum(nbgrader_metadata(cell).get("points", 0) for cell in notebook.cells if nbgrader_metadata(cell).get("grade"))


def graded_ids(notebook):
    return sorted(nbgrader_metadata(cell)["grade_id"] for cell in notebook.cells if nbgrader_metadata(cell).get("grade"))


def cells_by_id(notebook):
    return {nbgrader_metadata(cell)["grade_id"]: cell for cell in notebook.cells if nbgrader_metadata(cell)}


def answer_lines(source):
    """The lines between a solution cell's BEGIN and END SOLUTION markers (stripped, not empty)."""
    answer, inside = set(), False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            inside = "BEGIN SOLUTION" in line
        elif inside and line.strip():
            answer.add(line.strip())
    return answer


def package_exercise(grade_id):
    """The package's Exercise behind a solution cell: grade_id '<module>_<name>' is dni_course.exercises.<module>.<name>."""
    module, name = grade_id.split("_", 1)
    return getattr(importlib.import_module(f"dni_course.exercises.{module}"), name)


@pytest.fixture(scope="module")
def instructor():
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        reason = "nbgrader is not installed (pip install -r classroom/requirements.txt)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the classroom pipeline must run")
        pytest.skip(reason)
    notebooks = exercise_notebooks()
    assert notebooks, f"no notebook in {NOTEBOOKS} has exercises (cells with nbgrader metadata)"
    return notebooks


@pytest.fixture(scope="module")
def course(instructor, tmp_path_factory):
    """A course folder with the release built from notebooks/ (as ./course release does)."""
    course = tmp_path_factory.mktemp("classroom")
    assert classroom.release(NOTEBOOKS, course) == list(instructor)
    return course


# nbgrader's validation of the instructor and the student versions, as JSON: {"source/<name>": verdict, ...}
VALIDATE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import classroom
from nbgrader.validator import Validator
course, names = sys.argv[2], sys.argv[3:]
validator = Validator(config=classroom.nbgrader_config(course))

def validate(path, attempts=3):  # started again only when the kernel did not start (see classroom.py)
    for attempt in range(attempts):
        try:
            return validator.validate(path)
        except RuntimeError as error:
            if attempt == attempts - 1 or not any(m in str(error) for m in classroom.KERNEL_DID_NOT_START):
                raise

print(json.dumps({f"{version}/{name}": validate(f"{course}/{version}/{name}/{name}.ipynb")
                  for version in ("source", "release") for name in names}))
"""


@pytest.fixture(scope="module")
def in_background(instructor, course):
    """nbgrader's validation and nbval over the untouched release, each in a process of its own.

    These are three of the six runs of every notebook: they go on while this process grades the
    simulated students, so that a 2-core machine does both at once. The first test starts
    them; the two tests after the grading wait for their verdicts. nbval runs the release as a
    student would (interactive: no NBGRADER_ variables, so no check raises).
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("NBGRADER")}
    release = course / "release"
    commands = {
        "validation": [sys.executable, "-c", VALIDATE, str(ROOT / "tools"), str(course), *instructor],
        "nbval": [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(release),
                  "--nbval", "--nbval-current-env", str(release)],
    }
    processes = {}
    for name, command in commands.items():
        with open(course / f"{name}.out", "w") as out, open(course / f"{name}.err", "w") as err:
            process = subprocess.Popen(command, cwd=release, env=env, stdout=out, stderr=err)
        processes[name] = (process, dict(args=command, cwd=release, env=env))
    yield processes
    for process, _ in processes.values():
        if process.poll() is None:
            process.kill()
            process.wait()


def finished(processes, name, course):
    """Wait for a background run: its exit code, standard output and standard error.

    A run that failed only because a kernel did not start (rare, no fault of the notebook: see
    tools/classroom.py) runs once more, in the foreground.
    """
    process, how = processes[name]
    returncode = process.wait(timeout=1200)
    output, errors = (course / f"{name}.out").read_text(), (course / f"{name}.err").read_text()
    if returncode and any(message in output + errors for message in classroom.KERNEL_DID_NOT_START):
        print(f"{name}: a kernel did not start; running it again")
        again = subprocess.run(**how, capture_output=True, text=True, timeout=1200)
        returncode, output, errors = again.returncode, again.stdout, again.stderr
    return returncode, output, errors


def released(course, name):
    return nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)


def test_every_notebook_with_exercises_is_released_from_notebooks(instructor, course, in_background):
    for name in instructor:
        assert (course / "source" / name / f"{name}.ipynb").read_bytes() == (NOTEBOOKS / f"{name}.ipynb").read_bytes()
        assert (course / "release" / name / f"{name}.ipynb").is_file()
    assert sorted(p.name for p in (course / "release").iterdir()) == list(instructor)


def test_release_holds_no_solution_and_no_hidden_test(instructor, course):
    for name, source in instructor.items():
        release = released(course, name)
        text = "\n".join(cell.source for cell in release.cells)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{name}: the release still has a '{marker}' line"
        assert all(not cell.get("outputs") for cell in release.cells), f"{name}: the release keeps outputs"
        kept = cells_by_id(release)
        for grade_id, cell in cells_by_id(source).items():
            if not nbgrader_metadata(cell).get("solution"):
                continue
            stub = kept[grade_id].source
            assert "raise NotImplementedError()" in stub, f"{name}: {grade_id} has no stub in the release"
            solution = package_exercise(grade_id).solution_code().strip("\n")
            assert solution not in text, f"{name}: the solution of {grade_id} is in the release"
            answer = answer_lines(cell.source)
            assert answer, f"{name}: {grade_id} has no answer between its markers"
            left = answer & {line.strip() for line in stub.splitlines()}
            assert not left, f"{name}: the release's {grade_id} keeps lines of the answer: {left}"


def test_workbook_copies_are_the_release(instructor, course, tmp_path):
    # tools/workbook.py gives students learning alone what nbgrader's release gives a class.
    spec = importlib.util.spec_from_file_location("workbook_tool", ROOT / "tools" / "workbook.py")
    workbook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(workbook)
    workbook.make(tmp_path)
    for name in instructor:
        ours = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        theirs = released(course, name)
        assert [(c.cell_type, c.source) for c in ours.cells] == [(c.cell_type, c.source) for c in theirs.cells], name


def wrong_answers(notebook):
    """The release with every stub replaced by an answer that runs and is wrong (it returns 0).

    This student also empties every check cell: grading must put the checks back.
    """
    wrong = nbformat.from_dict(notebook)
    for cell in wrong.cells:
        if nbgrader_metadata(cell).get("solution") and cell.cell_type == "code":
            cell.source = re.sub(r"raise NotImplementedError\(\)", "return 0  # a wrong answer", cell.source)
        if nbgrader_metadata(cell).get("grade"):
            cell.source = "pass  # no check here"
    return wrong


def check_errors(notebook):
    """grade_id -> the error text of each graded cell that raised, in an autograded notebook."""
    return {nbgrader_metadata(cell)["grade_id"]: " ".join(f"{o.ename}: {o.evalue}" for o in cell.outputs
                                                          if o.output_type == "error")
            for cell in notebook.cells if nbgrader_metadata(cell).get("grade")
            and any(o.output_type == "error" for o in cell.outputs)}


def test_simulated_students_score_what_the_points_say(instructor, course, capfd):
    students = {
        "all_correct": lambda name: nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4),
        "all_wrong": lambda name: wrong_answers(released(course, name)),
        "untouched": lambda name: released(course, name),
    }
    for student, answers in students.items():
        for name in instructor:
            folder = course / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(answers(name), folder / f"{name}.ipynb")

    scores = classroom.grade(course)

    expected = {}
    for name, source in instructor.items():
        expected[("all_correct", name)] = (full_marks(source), full_marks(source), "")
        expected[("all_wrong", name)] = (0, full_marks(source), "")
        expected[("untouched", name)] = (0, full_marks(source), "")
    assert scores == expected
    assert grades_csv(course) == expected
    # What the teacher sees: a line per submission, in the order graded, then where the grades are.
    out, err = capfd.readouterr()
    assert out.splitlines() == [f"{student}/{name}: {score:g} of {max_score:g} points"
                                for (student, name), (score, max_score, _) in sorted(expected.items())] + [
        f"grades in {course / 'grades.csv'}: {len(expected)} of {len(expected)} submissions graded"]
    assert err == "", err[-3000:]  # no kernel's warning (each used to say it ran over TCP)

    # The zeros for the right reasons: a wrong answer is judged incorrect, an untouched stub not attempted.
    for name, source in instructor.items():
        checks = graded_ids(source)
        autograded = {student: nbformat.read(course / "autograded" / student / name / f"{name}.ipynb", as_version=4)
                      for student in students}
        assert check_errors(autograded["all_correct"]) == {}
        for student, verdict in (("all_wrong", "Incorrect"), ("untouched", "Not attempted")):
            errors = check_errors(autograded[student])
            assert sorted(errors) == checks, f"{student}/{name}: every check should fail"
            for grade_id, error in errors.items():
                assert verdict in error, f"{student}/{name}/{grade_id}: expected '{verdict}', got {error}"


def grades_csv(course):
    """grades.csv as {(student, assignment): (score, max_score, note)}."""
    with open(course / "grades.csv", newline="") as f:
        return {(row["student_id"], row["assignment"]): (float(row["score"]), float(row["max_score"]), row["note"])
                for row in csv.DictReader(f)}


def test_instructor_version_passes_validation_and_release_fails_it(instructor, course, in_background):
    returncode, output, errors = finished(in_background, "validation", course)
    assert returncode == 0 and output.strip(), errors[-5000:]
    verdicts = json.loads(output.splitlines()[-1])
    for name in instructor:
        verdict = verdicts[f"source/{name}"]
        assert verdict == {}, f"{name}: the instructor version fails nbgrader validation: {verdict}"
        verdict = verdicts[f"release/{name}"]
        assert sorted(verdict) == ["failed"], f"{name}: unexpected validation result of the release: {verdict}"
        failed = {cell["source"] for cell in verdict["failed"]}
        checks = {cell.source.strip() for grade_id, cell in cells_by_id(released(course, name)).items()
                  if nbgrader_metadata(cell).get("grade")}
        assert failed == checks, f"{name}: in the release, every check should fail and only they"


def test_untouched_release_runs_without_error_under_nbval(instructor, course, in_background):
    returncode, output, errors = finished(in_background, "nbval", course)
    assert returncode == 0, output[-5000:] + errors[-2000:]
    passed = re.search(r"(\d+) passed", output)
    cells = sum(cell.cell_type == "code" for name in instructor for cell in released(course, name).cells)
    assert passed and int(passed.group(1)) == cells, output[-2000:]


def test_release_refuses_notebooks_without_exercises(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), folder / "00_plain.ipynb")
    with pytest.raises(ValueError, match="has exercises"):
        classroom.release(folder, tmp_path / "course")


def grade_command(course, *options):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "classroom.py"), "grade", "--course", str(course),
                           *options], capture_output=True, text=True, timeout=600)


def test_grade_fails_only_when_it_cannot_grade_at_all(instructor, course, tmp_path):
    with pytest.raises(ValueError, match="no submissions"):
        classroom.grade(tmp_path)
    result = grade_command(tmp_path)
    assert result.returncode == 1 and "no submissions" in result.stderr
    shutil.copyfile(course / "gradebook.db", tmp_path / "gradebook.db")  # what was released (and graded) there
    never = tmp_path / "submitted" / "someone" / "99_never_released"
    never.mkdir(parents=True)
    with pytest.raises(ValueError, match="never released"):
        classroom.grade(tmp_path)


def looping(notebook):
    """``notebook`` with its first answer stuck in a loop that never ends; and that answer's grade_id."""
    looping = nbformat.from_dict(notebook)
    cell = next(cell for cell in looping.cells if nbgrader_metadata(cell).get("solution"))
    cell.source = "while True:  # the student's loop never ends\n    pass\n" + cell.source
    return looping, nbgrader_metadata(cell)["grade_id"]


def test_grade_reports_every_submission(instructor, course, tmp_path):
    """Every submission folder gets a line and a row of grades.csv: its score, or 0 and why."""
    shutil.copyfile(course / "gradebook.db", tmp_path / "gradebook.db")  # what was released (and graded) there
    shutil.copytree(course / "source", tmp_path / "source")
    name = next(iter(instructor))
    source, notebook = instructor[name], f"{name}.ipynb"
    marks = full_marks(source)
    stuck, answer = looping(source)
    check = f"{answer}_check"  # the check of that answer: it fails, the others pass
    assert check in graded_ids(source)
    check_points = nbgrader_metadata(cells_by_id(source)[check])["points"]

    def folder(student):
        path = tmp_path / "submitted" / student / name
        path.mkdir(parents=True)
        return path

    nbformat.write(source, folder("handed_in") / notebook)
    renamed = folder("downloaded_twice") / f"{name} (1).ipynb"  # a browser's second download
    nbformat.write(source, renamed)
    handed_in = renamed.read_bytes()
    (folder("not_json") / notebook).write_text('{\n "cells": [\n  {oops\n')
    nbformat.write(stuck, folder("looping") / notebook)
    two = folder("two_notebooks")
    for other in ("first.ipynb", "second.ipynb"):
        nbformat.write(source, two / other)
    folder("empty")
    (tmp_path / "submitted" / "handed_in" / ".ipynb_checkpoints").mkdir()  # Jupyter's, not an assignment
    time_limit = 10  # seconds; every cell of the notebook runs in a fraction of that

    result = grade_command(tmp_path, "--timeout", str(time_limit))

    expected = {
        "empty": (0, "not graded: the folder is empty"),
        "handed_in": (marks, ""),
        "looping": (marks - check_points,
                    f"a cell ran longer than the time limit ({time_limit} s) and was stopped: {answer}"),
        "not_json": (0, "not graded: the file is not a valid notebook (JSON error at line 3)"),
        "downloaded_twice": (marks, f"saved as {renamed.name}: graded as {notebook}"),
        "two_notebooks": (0, f"not graded: 2 notebooks and none is {notebook}: first.ipynb, second.ipynb"),
    }
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stderr == "", result.stderr[-3000:]  # no traceback, no kernel's warning
    lines = result.stdout.splitlines()
    assert lines[:-2] == [f"{student}/{name}: " + (note if note.startswith("not graded") else
                                                   f"{score:g} of {marks:g} points" + (f"; {note}" if note else ""))
                          for student, (score, note) in sorted(expected.items())]
    assert lines[-2] == f"grades in {tmp_path / 'grades.csv'}: 3 of 6 submissions graded; 3 not graded, the note column says why"
    assert re.fullmatch(r"grade took \d+\.\d s", lines[-1])
    rows = grades_csv(tmp_path)
    for student, (score, note) in expected.items():
        assert rows.pop((student, name)) == (score, marks, note)
    others = {note for (student, _), (_, _, note) in rows.items() if student in expected}
    assert others == {"no submission"}  # their other assignments
    # The student's file is as it was handed in; nbgrader graded a renamed copy.
    assert [p.name for p in renamed.parent.iterdir()] == [renamed.name] and renamed.read_bytes() == handed_in
    assert (tmp_path / "renamed" / "downloaded_twice" / name / notebook).read_bytes() == handed_in
    # Nothing stale: a submission that turns unreadable loses its earlier score.
    (tmp_path / "submitted" / "handed_in" / name / notebook).write_text("")
    for student in ("downloaded_twice", "looping", "two_notebooks"):
        shutil.rmtree(tmp_path / "submitted" / student)
    result = grade_command(tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert result.stdout.splitlines()[1] == (f"handed_in/{name}: not graded: the file is not a valid notebook "
                                             "(JSON error at line 1)")
    assert grades_csv(tmp_path)[("handed_in", name)][0] == 0
    assert not (tmp_path / "autograded" / "handed_in").exists()


class FlakyKernels:
    """Stands in for nbgrader's API: autograde fails ``failures`` times with ``log``, then succeeds."""

    def __init__(self, failures, log):
        self.failures, self.log, self.calls = failures, log, 0

    def autograde(self, assignment, student, force, create):
        self.calls += 1
        if self.calls <= self.failures:
            return {"success": False, "log": self.log}
        return {"success": True, "log": ""}


def test_autograde_starts_again_only_when_the_kernel_did_not_start(capsys):
    died = "[ERROR] ... RuntimeError: Kernel died before replying to kernel_info\n"
    api = FlakyKernels(2, died)
    assert classroom.autograde(api, "02_baseline", "ada")["success"] and api.calls == 3
    assert "ada/02_baseline: the notebook's kernel did not start (attempt 2 of 3)" in capsys.readouterr().out
    api = FlakyKernels(3, died)  # three times in a row: reported as nbgrader's failure
    result = classroom.autograde(api, "02_baseline", "ada")
    assert not result["success"] and "Kernel died" in result["log"] and api.calls == 3
    api = FlakyKernels(1, "[ERROR] No such file or directory")  # any other failure: at once
    assert not classroom.autograde(api, "02_baseline", "ada")["success"] and api.calls == 1


def test_command_line_help():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "classroom.py"), "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "release" in result.stdout and "grade" in result.stdout
