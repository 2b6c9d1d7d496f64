"""A student's own copy of the course, with the exercises blank: notebooks/ -> workbook/.

  python tools/workbook.py [--to FOLDER]

``./course lab`` runs it before it opens JupyterLab, and Binder's postBuild when it builds the
course. notebooks/ holds the worked solutions (it is what the tests run and what teachers release
with nbgrader); the workbook is where a student works. Every notebook that has no copy in the
workbook yet is copied with

- each solution (the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``) replaced by
  the stub ``raise NotImplementedError()``, as nbgrader's student release does;
- the hidden tests (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``) taken out of the checks;
- the outputs cleared.

A copy that is already there is never touched: it holds the student's work. Delete one to get a
fresh copy (after the course was updated, say).
"""
import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.M | re.S)


def blank(source):
    """A solution cell's code as the student gets it: the solution replaced by the stub."""
    lines, inside = [], False
    for line in source.split("\n"):
        begin = BEGIN.match(line)
        if begin:
            indent = begin.group(1)
            lines += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
            inside = True
        elif END.match(line):
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"a solution cell has ### BEGIN SOLUTION without ### END SOLUTION:\n{source}")
    return "\n".join(lines)


def student_copy(notebook):
    """The student's version of ``notebook`` (a notebook read as JSON); changed in place and returned."""
    for cell in notebook["cells"]:
        marks = cell["metadata"].get("nbgrader", {})
        source = "".join(cell["source"])
        if marks.get("solution") and cell["cell_type"] == "code":
            source = blank(source)
        if marks.get("grade"):
            source = HIDDEN.sub("", source).rstrip("\n")
        cell["source"] = source.splitlines(keepends=True)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def make(workbook=ROOT / "workbook", notebooks=ROOT / "notebooks"):
    """Copy each notebook that has no copy in ``workbook`` yet; return the paths of the new copies."""
    workbook, made = Path(workbook), []
    sources = sorted(Path(notebooks).glob("*.ipynb"))
    if not sources:
        raise ValueError(f"no notebooks in {notebooks}")
    workbook.mkdir(parents=True, exist_ok=True)
    for source in sources:
        target = workbook / source.name
        if target.exists():
            continue  # the student's work
        notebook = student_copy(json.loads(source.read_text(encoding="utf-8")))
        with open(target, "x", encoding="utf-8") as file:  # "x": never overwrite
            json.dump(notebook, file, indent=1, ensure_ascii=False)
            file.write("\n")
        made.append(target)
    return made


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Copy the course's notebooks, exercises blank, to a workbook folder; "
                    "copies that exist are left as they are.")
    parser.add_argument("--to", type=Path, default=ROOT / "workbook",
                        help="the workbook folder (default: workbook/ beside notebooks/)")
    args = parser.parse_args(argv)
    made = make(args.to)
    where = args.to.resolve()
    if made:
        print(f"{where}: {len(made)} new notebook(s) with the exercises blank (your copies: "
              "work there; notebooks/ has the worked solutions)")
    else:
        print(f"{where}: your copies are all there, left as they are (delete one for a fresh copy)")


if __name__ == "__main__":
    main()
