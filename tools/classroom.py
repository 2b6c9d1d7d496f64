"""Hand the course out as graded assignments with nbgrader, and grade what students hand in.

  python tools/classroom.py release   every notebook with exercises -> classroom/release/<assignment>/
  python tools/classroom.py grade     classroom/submitted/<student>/<assignment>/ -> classroom/grades.csv

(``./course release`` and ``./course grade`` install classroom/requirements.txt and run these.)

release: each notebook in notebooks/ with exercises (cells with nbgrader metadata) is one
assignment named after the notebook (01_dataset, ...). It is copied to
classroom/source/<assignment>/ (notebooks/ stays the one source of truth: edit there, release
again), and nbgrader writes the student version to classroom/release/<assignment>/ with the
solutions replaced by stubs, the hidden tests removed and the outputs cleared.

grade: every submission classroom/submitted/<student>/<assignment>/<assignment>.ipynb is
autograded by nbgrader (the student is added to the gradebook if new; the check cells are put
back from the source, hidden tests included, so editing a check gains nothing) into
classroom/autograded/, and
the gradebook is exported to classroom/grades.csv in nbgrader's own format (student_id,
assignment, score, max_score, ...). A student with no submission for an assignment scores 0.

Both run nbgrader through its Python API in this one process (each nbgrader command would spend
seconds importing) with the settings in classroom/nbgrader_config.py, so plain ``nbgrader``
commands run in classroom/ see the same course.
"""
import argparse
import contextlib
import os
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
    return config


@contextlib.contextmanager
def nbgrader_api(course):
    """nbgrader's NbGraderAPI for the course folder ``course``."""
    config = nbgrader_config(course)
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
    """``(student, assignment)`` for every folder classroom/submitted/<student>/<assignment>/."""
    submitted = Path(course) / "submitted"
    return [(assignment.parent.name, assignment.name)
            for student in sorted(submitted.iterdir()) if student.is_dir()
            for assignment in sorted(student.iterdir()) if assignment.is_dir()] if submitted.is_dir() else []


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


def grade(course=ROOT / "classroom"):
    """Autograde every submission, then write grades.csv. Returns ``{(student, assignment): (score, max_score)}``.

    A submission that cannot be graded (a renamed notebook, say) does not stop the others: it is
    reported at the end, after grades.csv is written, with a RuntimeError. One whose kernel did
    not start is tried again (see ``autograde``).
    """
    course = Path(course)
    found = submissions(course)
    if not found:
        raise ValueError(f"no submissions in {course / 'submitted'}: put each student's notebook in "
                         "submitted/<student>/<assignment>/<assignment>.ipynb")
    from nbgrader.plugins import CsvExportPlugin

    with nbgrader_api(course) as api:
        gradebook = api.gradebook
        try:  # the notebook names each released assignment expects
            released = {assignment.name: sorted(f"{notebook.name}.ipynb" for notebook in assignment.notebooks)
                        for assignment in gradebook.assignments}
        finally:
            gradebook.close()
        unknown = sorted({assignment for _, assignment in found} - set(released))
        if unknown:
            raise ValueError(f"submissions for {unknown}, which were never released here; released: "
                             f"{sorted(released)} (run ./course release first)")
        graded, problems = [], []
        for student, assignment in found:
            start = time.perf_counter()
            folder = course / "submitted" / student / assignment
            missing = [name for name in released[assignment] if not (folder / name).is_file()]
            if missing:
                problems.append(f"{student}/{assignment}: no {', '.join(missing)} in {folder} (found: "
                                f"{sorted(p.name for p in folder.iterdir())}); save the student's notebook "
                                "under the name it was released with")
                continue
            result = autograde(api, assignment, student)
            if not result["success"]:
                problems.append(f"{student}/{assignment}: nbgrader could not grade it:\n{result.get('log', '')}")
                continue
            graded.append((student, assignment))
            print(f"graded {student}/{assignment} in {time.perf_counter() - start:.1f} s")
        gradebook = api.gradebook
        try:
            CsvExportPlugin(to=str(course / "grades.csv"), parent=api).export(gradebook)
            scores = {(student, assignment): (gradebook.find_submission(assignment, student).score,
                                              gradebook.find_assignment(assignment).max_score)
                      for student, assignment in graded}
        finally:
            gradebook.close()
    for (student, assignment), (score, max_score) in scores.items():
        print(f"{student:<20} {assignment:<28} {score:g} / {max_score:g}")
    print(f"grades in {course / 'grades.csv'}")
    if problems:
        raise RuntimeError(f"{len(problems)} of {len(found)} submissions not graded (grades.csv gives them 0, or an earlier grading's score):\n"
                           + "\n".join(problems))
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Release the course's notebooks as nbgrader assignments, or grade the submissions.",
        epilog="Layout (nbgrader's, under --course): source/ and release/<assignment>/ from release; "
               "submitted/<student>/<assignment>/ in, autograded/ and grades.csv out from grade.")
    parser.add_argument("command", choices=["release", "grade"],
                        help="release: build the student version of every notebook with exercises; "
                             "grade: autograde every submission and write grades.csv")
    parser.add_argument("--course", type=Path, default=ROOT / "classroom",
                        help="nbgrader's course folder (default: %(default)s)")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks",
                        help="the instructor notebooks to release (default: %(default)s)")
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
            grade(args.course)
    except (ValueError, RuntimeError) as error:
        sys.exit(f"classroom.py {args.command}: {error}")
    print(f"{args.command} took {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
