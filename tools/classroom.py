"""Hand the course out as graded assignments with nbgrader, and grade what students hand in.

  python tools/classroom.py release   every notebook with exercises -> classroom/release/<assignment>/
  python tools/classroom.py grade     classroom/submitted/<student>/<assignment>/ -> classroom/grades.csv

(``./course release`` and ``./course grade`` install classroom/requirements.txt and run these.)

release: each notebook in notebooks/ with exercises (cells with nbgrader metadata) is one
assignment named after the notebook (01_dataset, ...). It is copied to
classroom/source/<assignment>/ (notebooks/ stays the one source of truth: edit there, release
again), and nbgrader writes the student version to classroom/release/<assignment>/ with the
solutions replaced by stubs, the hidden tests removed and the outputs cleared.

grade: every folder classroom/submitted/<student>/<assignment>/ is one submission. Its notebook
is <assignment>.ipynb or, under any other name, the folder's only notebook (a browser saves a
second download of 02_baseline.ipynb as "02_baseline (1).ipynb"): nbgrader grades a copy of the
folder in classroom/renamed/ with the notebook under its released name, and the student's file
stays as it is. nbgrader autogrades it (the student is added to the gradebook if new; the check
cells are put back from the source, hidden tests included, so editing a check gains nothing) into
classroom/autograded/. One line per submission says its score, or why it has none:

  alice/01_dataset: 2 of 2 points
  bob/01_dataset: 2 of 2 points; saved as 01_dataset (1).ipynb: graded as 01_dataset.ipynb
  carol/01_dataset: not graded: the file is not a valid notebook (JSON error at line 3)
  dave/01_dataset: 1 of 2 points; a cell ran longer than the time limit (120 s) and was stopped: dataset_encode

The gradebook is exported to classroom/grades.csv in nbgrader's own format (student_id,
assignment, score, max_score, ...) with one more column, note: the same remark, or "no
submission" (nbgrader's 0 for a student without one). Every submission folder has its row: one
that cannot be graded (no notebook, several and none of the released name, not a notebook, a
kernel that died) scores 0, and nbgrader's log of a failure of its own goes to
classroom/grading.log. That is no error: the command fails only when it cannot grade at all (no
submissions, or submissions for an assignment never released).

Both run nbgrader through its Python API in this one process (each nbgrader command would spend
seconds importing) with the settings in classroom/nbgrader_config.py, so plain ``nbgrader``
commands run in classroom/ see the same course.
"""
import argparse
import contextlib
import os
import re
import shutil
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "classroom" / "nbgrader_config.py"


def read_notebook(path):
    import nbformat  # here, not at the top: --help works in any Python

    return nbformat.read(path, as_version=4)


def exercise_cells(notebook):
    """The cells of ``notebook`` (a NotebookNode) that nbgrader treats: solutions and checks."""
    return [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution")
            or cell.metadata.get("nbgrader", {}).get("grade")]


def points(notebook):
    """Points a notebook's check cells are worth, from their nbgrader metadata."""
    return sum(cell.metadata["nbgrader"].get("points", 0) for cell in notebook.cells
               if cell.metadata.get("nbgrader", {}).get("grade"))


def assignments(notebooks):
    """Notebook paths in ``notebooks`` that have exercises, in course order."""
    return [path for path in sorted(Path(notebooks).glob("*.ipynb"))
            if exercise_cells(read_notebook(path))]


def nbgrader_config(course):
    """The settings of classroom/nbgrader_config.py, for the course folder ``course``."""
    from traitlets.config import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    config.CourseDirectory.root = str(Path(course).resolve())
    # Each kernel that runs a notebook would print ipykernel's warning that it talks to nbgrader
    # over TCP without encryption (on this machine's loopback): once per submission, and nothing
    # a teacher can act on. Its errors still show.
    arguments = list(config.Execute.get("extra_arguments", []))
    config.Execute.extra_arguments = arguments + ["--IPKernelApp.log_level=ERROR"]
    return config


@contextlib.contextmanager
def nbgrader_api(course, timeout=None):
    """nbgrader's NbGraderAPI for the course folder ``course`` (``timeout``: seconds a cell may run
    when grading, instead of classroom/nbgrader_config.py's)."""
    config = nbgrader_config(course)
    if timeout is not None:
        config.Execute.timeout = timeout
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from sqlalchemy.exc import SAWarning

    # nbgrader starts `alembic` (its gradebook migrations) by name: this interpreter's bin first.
    bin_dir = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + path
    with warnings.catch_warnings():
        # Autograding a new submission makes SQLAlchemy warn about how nbgrader adds it to its
        # gradebook (the submission is saved all the same): nothing a teacher can act on, and an
        # SAWarning is a RuntimeWarning, which the project's test settings turn into errors.
        warnings.filterwarnings("ignore", r"Object of type <Submitted\w+> not in session", SAWarning)
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        api.log_level = "WARN"
        yield api


def check(result, what):
    """Raise with nbgrader's own log when one of its steps failed."""
    if not result["success"]:
        raise RuntimeError(f"nbgrader could not {what}:\n{result.get('log', '')}\n{result.get('error', '')}")


def release(notebooks=ROOT / "notebooks", course=ROOT / "classroom"):
    """Copy every notebook with exercises to source/ and generate its student version in release/.

    Returns the assignment names.
    """
    course = Path(course)
    found = assignments(notebooks)
    if not found:
        raise ValueError(f"no notebook in {notebooks} has exercises (cells with nbgrader metadata): nothing to release")
    names = []
    with nbgrader_api(course) as api:
        for path in found:
            start = time.perf_counter()
            name = path.stem
            source = course / "source" / name
            source.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, source / path.name)
            check(api.generate_assignment(name, force=True, create=True), f"generate the student version of {name}")
            notebook = read_notebook(path)
            exercises = sum(bool(cell.metadata["nbgrader"].get("solution")) for cell in exercise_cells(notebook))
            print(f"{name:<28} {exercises:3d} exercises {points(notebook):4g} points"
                  f"  {time.perf_counter() - start:5.1f} s")
            names.append(name)
    print(f"student versions in {course / 'release'}")
    return names


def submissions(course):
    """``(student, assignment)`` for every folder classroom/submitted/<student>/<assignment>/
    (hidden ones, such as Jupyter's .ipynb_checkpoints, left out)."""
    submitted = Path(course) / "submitted"
    return [(assignment.parent.name, assignment.name)
            for student in sorted(submitted.iterdir()) if student.is_dir() and not student.name.startswith(".")
            for assignment in sorted(student.iterdir())
            if assignment.is_dir() and not assignment.name.startswith(".")] if submitted.is_dir() else []


# What nbgrader's log says when a notebook's kernel exited or hung before it ran a cell. It is rare
# and no fault of the notebook (a known cause: jupyter_client picks free ports and the kernel binds
# them a moment later, so a busy machine's other process can take one in between); it happened
# once in this project's CI while other kernels were starting. A new kernel then does the job.
KERNEL_DID_NOT_START = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def autograde(api, assignment, student, attempts=3):
    """nbgrader's autograde of one submission, started again (up to ``attempts`` times in all)
    when its kernel did not start. Any other failure is returned at once."""
    for attempt in range(1, attempts + 1):
        result = api.autograde(assignment, student, force=True, create=True)
        log = result.get("log") or ""
        if result["success"] or not any(message in log for message in KERNEL_DID_NOT_START):
            return result
        if attempt < attempts:
            print(f"{student}/{assignment}: the notebook's kernel did not start (attempt {attempt} of "
                  f"{attempts}); trying again")
    return result


# Where grading puts a copy of each submission saved under another name (a browser's download of
# 02_baseline.ipynb arrives as "02_baseline (1).ipynb"), renamed to what nbgrader reads:
# renamed/<student>/<assignment>/<assignment>.ipynb. The student's own file is never changed.
RENAMED = "renamed"
# nbgrader's log of each submission it could not grade, beside grades.csv.
LOG = "grading.log"


class NotGraded(Exception):
    """A submission that cannot be graded; the message says why, in one line."""


def notebook_to_grade(folder, names):
    """The notebook to grade in a submission ``folder``, for an assignment released as the
    notebooks ``names``: ``(path, note)``, ``path`` None when every released name is there.

    A single notebook under another name is the student's (``note`` says it was graded as the
    released name). Raises NotGraded when the folder has no notebook, or several and none of the
    released name.
    """
    if all((folder / name).is_file() for name in names):
        return None, ""
    notebooks = sorted(path for path in folder.glob("*.ipynb") if path.is_file() and not path.name.startswith("."))
    if len(names) == 1 and len(notebooks) == 1:
        return notebooks[0], f"saved as {notebooks[0].name}: graded as {names[0]}"
    found = ", ".join(path.name for path in notebooks)
    if notebooks and len(names) == 1:
        raise NotGraded(f"{len(notebooks)} notebooks and none is {names[0]}: {found}")
    if notebooks:
        missing = [name for name in names if not (folder / name).is_file()]
        raise NotGraded(f"no {', '.join(missing)} (found: {found})")
    others = sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))
    if not others:
        raise NotGraded("the folder is empty")
    raise NotGraded(f"no notebook in the folder (found: {', '.join(others)})")


def unreadable(path):
    """Why the file ``path`` is not a notebook nbgrader can read, in one line, or None."""
    import json

    import nbformat

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return "the file is not a valid notebook (not text)"
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return f"the file is not a valid notebook (JSON error at line {error.lineno})"
    try:
        with warnings.catch_warnings():  # nbformat's warnings about old notebooks: nbgrader copes
            warnings.simplefilter("ignore")
            nbformat.reads(text, as_version=4)
    except Exception as error:  # noqa: BLE001 (whatever nbformat rejects, said in a line)
        return f"the file is not a valid notebook ({first_line(error)})"
    return None


def first_line(error):
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def why_it_failed(result, timeout):
    """One line from a failed nbgrader autograde's ``result``: the last error its log names."""
    log = result.get("log") or ""
    if "the kernel became unresponsive" in log:
        return f"a cell ran longer than the time limit ({timeout:g} s) and its kernel could not be stopped"
    if any(message in log for message in KERNEL_DID_NOT_START):
        return "the notebook's kernel did not start (three tries)"
    if "Kernel died" in log or "DeadKernelError" in log:
        return "the notebook's kernel died (the student's code crashed Python or ran out of memory)"
    errors = re.findall(r"^\s*((?:\w+\.)*\w*(?:Error|Exception|Exit)\b.*)$", log + "\n" + (result.get("error") or ""),
                        re.MULTILINE)
    errors = [line for line in errors if not line.startswith(("NbGraderException", "nbgrader.converters.base.NbGraderException"))]
    return f"nbgrader could not grade it ({errors[-1].strip() if errors else 'no error in its log'}); see {LOG}"


def timeouts(notebook):
    """The cells of an autograded notebook that nbgrader stopped at its time limit: grade_id or 'cell N'."""
    return [cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {number}"
            for number, cell in enumerate(notebook.cells, 1)
            if any(output.get("ename") == "CellTimeoutError" for output in cell.get("outputs", []))]


def time_limit(api):
    """Seconds a cell may run when nbgrader grades (its Execute preprocessor's timeout)."""
    from nbgrader.preprocessors import Execute

    return Execute(config=api.config).timeout


def grade(course=ROOT / "classroom", timeout=None):
    """Autograde every submission folder, print one line for each, and write grades.csv.

    Returns ``{(student, assignment): (score, max_score, note)}``, a key for every folder
    submitted/<student>/<assignment>/. ``note`` is "" for a submission graded as handed in;
    otherwise it says what happened (graded under the released name, a cell stopped at the time
    limit, or why it scores 0 ungraded). grades.csv is nbgrader's export with this ``note`` as
    one more column. A submission that cannot be graded does not stop the others and is no error:
    it is removed from the gradebook (it scores 0, not an earlier grading's score), and nbgrader's
    log of any failure of its own goes to grading.log. One whose kernel did not start is tried
    again (see ``autograde``). ``timeout``: seconds a cell may run (default: nbgrader_config.py's).
    Raises ValueError only when there is nothing to grade or no release to grade against.
    """
    course = Path(course)
    found = submissions(course)
    if not found:
        raise ValueError(f"no submissions in {course / 'submitted'}: put each student's notebook in "
                         "submitted/<student>/<assignment>/<assignment>.ipynb")
    from nbgrader.api import MissingEntry
    from nbgrader.plugins import CsvExportPlugin

    with nbgrader_api(course, timeout) as api:
        with api.gradebook as gradebook:  # the notebook names each released assignment expects
            released = {assignment.name: sorted(f"{notebook.name}.ipynb" for notebook in assignment.notebooks)
                        for assignment in gradebook.assignments}
        unknown = sorted({assignment for _, assignment in found} - set(released))
        if unknown:
            raise ValueError(f"submissions for {unknown}, which were never released here; released: "
                             f"{sorted(released)} (run ./course release first)")
        limit = time_limit(api)
        shutil.rmtree(course / RENAMED, ignore_errors=True)
        (course / LOG).unlink(missing_ok=True)
        results, logs = {}, []
        for student, assignment in found:
            folder = course / "submitted" / student / assignment
            try:
                other_name, note = notebook_to_grade(folder, released[assignment])
                for path in [other_name] if other_name else [folder / name for name in released[assignment]]:
                    reason = unreadable(path)
                    if reason:
                        raise NotGraded(reason)
                submitted = api.coursedir.submitted_directory
                if other_name:  # nbgrader reads a renamed copy of the whole folder
                    copy = course / RENAMED / student / assignment
                    shutil.copytree(folder, copy)
                    (copy / other_name.name).rename(copy / released[assignment][0])
                    submitted = RENAMED
                handed_in, api.coursedir.submitted_directory = api.coursedir.submitted_directory, submitted
                try:
                    result = autograde(api, assignment, student)
                finally:
                    api.coursedir.submitted_directory = handed_in
                if not result["success"]:
                    logs.append(f"== {student}/{assignment}\n{result.get('log', '')}\n{result.get('error', '')}")
                    raise NotGraded(why_it_failed(result, limit))
            except NotGraded as reason:
                with api.gradebook as gradebook:  # 0, whatever an earlier grading gave
                    gradebook.update_or_create_student(student)
                    try:
                        gradebook.remove_submission(assignment, student)
                    except MissingEntry:
                        pass
                    max_score = gradebook.find_assignment(assignment).max_score
                shutil.rmtree(course / "autograded" / student / assignment, ignore_errors=True)
                with contextlib.suppress(OSError):  # the student's folder, if that left it empty
                    (course / "autograded" / student).rmdir()
                results[(student, assignment)] = (0, max_score, f"not graded: {reason}")
                print(f"{student}/{assignment}: not graded: {reason}", flush=True)
                continue
            graded_notebooks = [read_notebook(course / "autograded" / student / assignment / name)
                                for name in released[assignment]]
            stopped = [cell for notebook in graded_notebooks for cell in timeouts(notebook)]
            with api.gradebook as gradebook:
                submission = gradebook.find_submission(assignment, student)
                score = max(0.0, submission.score - submission.late_submission_penalty)
                max_score = gradebook.find_assignment(assignment).max_score
                checks = [cell.name for notebook in gradebook.find_assignment(assignment).notebooks
                          for cell in notebook.grade_cells]
            kept = {cell.metadata.get("nbgrader", {}).get("grade_id") for notebook in graded_notebooks
                    for cell in notebook.cells}
            missing = [check for check in checks if check not in kept]
            notes = [note]
            if stopped:
                notes.append(f"a cell ran longer than the time limit ({limit:g} s) and was stopped: {', '.join(stopped)}")
            if missing:  # nbgrader puts back edited checks, not deleted ones: they score 0
                notes.append(f"check cells not in the notebook (0 points): {', '.join(missing)}")
            note = "; ".join(filter(None, notes))
            results[(student, assignment)] = (score, max_score, note)
            print(f"{student}/{assignment}: {score:g} of {max_score:g} points" + (f"; {note}" if note else ""), flush=True)
        with api.gradebook as gradebook:
            CsvExportPlugin(to=str(course / "grades.csv"), parent=api).export(gradebook)
            add_notes(course / "grades.csv", results, gradebook, MissingEntry)
    if logs:
        (course / LOG).write_text("\n\n".join(logs))
    ungraded = sum(note.startswith("not graded") for _, _, note in results.values())
    print(f"grades in {course / 'grades.csv'}: {len(results) - ungraded} of {len(results)} submissions graded"
          + (f"; {ungraded} not graded, the note column says why" if ungraded else ""))
    return results


def add_notes(csv_path, results, gradebook, MissingEntry):
    """Add the column ``note`` to nbgrader's grades.csv: what grading said about each submission,
    or "no submission" where the gradebook has none (nbgrader's 0)."""
    import csv

    with open(csv_path, newline="") as file:
        rows = list(csv.reader(file))
    header, rows = rows[0], rows[1:]
    assignment, student = header.index("assignment"), header.index("student_id")
    with open(csv_path, "w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header + ["note"])
        for row in rows:
            key = (row[student], row[assignment])
            if key in results:
                note = results[key][2]
            else:
                try:
                    gradebook.find_submission(row[assignment], row[student])
                    note = ""
                except MissingEntry:
                    note = "no submission"
            writer.writerow(row + [note])


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Release the course's notebooks as nbgrader assignments, or grade the submissions.",
        epilog="Layout (nbgrader's, under --course): source/ and release/<assignment>/ from release; "
               "submitted/<student>/<assignment>/ in, autograded/, renamed/, grades.csv and grading.log out "
               "from grade.")
    parser.add_argument("command", choices=["release", "grade"],
                        help="release: build the student version of every notebook with exercises; "
                             "grade: autograde every submission and write grades.csv")
    parser.add_argument("--course", type=Path, default=ROOT / "classroom",
                        help="nbgrader's course folder (default: %(default)s)")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks",
                        help="the instructor notebooks to release (default: %(default)s)")
    parser.add_argument("--timeout", type=int, metavar="SECONDS",
                        help="grade: how long a cell may run before it is stopped (default: "
                             "c.Execute.timeout in classroom/nbgrader_config.py)")
    args = parser.parse_args(argv)
    try:
        import nbgrader  # noqa: F401 (imported where used; here only to say how to install it)
    except ImportError:
        sys.exit(f"nbgrader is not installed for {sys.executable}: pip install -r classroom/requirements.txt "
                 "(./course release and ./course grade install it)")
    start = time.perf_counter()
    try:
        if args.command == "release":
            release(args.notebooks, args.course)
        else:
            grade(args.course, args.timeout)
    except (ValueError, RuntimeError) as error:
        sys.exit(f"classroom.py {args.command}: {error}")
    print(f"{args.command} took {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
