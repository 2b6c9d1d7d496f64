"""tools/workbook.py: the student's copies of the notebooks, exercises blank, in workbook/.

Every solution becomes nbgrader's stub, hidden tests and outputs go, everything else is kept,
and a copy that exists is never touched. tests/test_classroom.py checks that the copies'
exercise cells are the ones nbgrader's release writes.
"""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("workbook_tool", ROOT / "tools" / "workbook.py")
workbook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(workbook)


def cells(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def test_copies_blank_every_exercise_and_keep_the_rest(tmp_path, capsys):
    workbook.main(["--to", str(tmp_path / "wb")])
    assert "11 new notebook(s)" in capsys.readouterr().out
    originals = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (tmp_path / "wb").iterdir()) == [p.name for p in originals]
    blanked = 0
    for original in originals:
        copy = cells(tmp_path / "wb" / original.name)
        assert [c["cell_type"] for c in copy] == [c["cell_type"] for c in cells(original)]
        for old, new in zip(cells(original), copy):
            text, marks = source(new), old["metadata"].get("nbgrader", {})
            assert "SOLUTION" not in text and "HIDDEN TESTS" not in text, (original.name, text)
            if old["cell_type"] == "code":
                assert new["outputs"] == [] and new["execution_count"] is None
            if marks.get("solution"):
                blanked += 1
                assert text == workbook.blank(source(old)) and "raise NotImplementedError()" in text
                # The lines outside the solution (the def line, the docstring) are kept.
                assert text.splitlines()[0] == source(old).splitlines()[0]
            elif marks.get("grade"):
                assert text == source(old).split("### BEGIN HIDDEN TESTS")[0].rstrip("\n")
                assert text.startswith("ex.") and ".check(" in text
            else:
                assert text == source(old) and new["metadata"] == old["metadata"]
    assert blanked == 23  # every exercise of notebooks 01-10


def test_a_copy_that_exists_is_never_touched(tmp_path, capsys):
    folder = tmp_path / "wb"
    assert len(workbook.make(folder)) == 11
    mine = folder / "02_baseline.ipynb"
    mine.write_text('{"my": "work"}', encoding="utf-8")
    (folder / "03_layer_refactor.ipynb").unlink()
    assert workbook.make(folder) == [folder / "03_layer_refactor.ipynb"]
    assert mine.read_text(encoding="utf-8") == '{"my": "work"}'
    workbook.main(["--to", str(folder)])
    assert "left as they are" in capsys.readouterr().out


def test_blank_keeps_the_indent_and_refuses_an_unclosed_solution():
    cell = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n'
    assert workbook.blank(cell) == ('def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n'
                                    "    raise NotImplementedError()\n")
    with pytest.raises(ValueError, match="without ### END SOLUTION"):
        workbook.blank("def f(x):\n    ### BEGIN SOLUTION\n    return x\n")
    with pytest.raises(ValueError, match="no notebooks"):
        workbook.make(Path("/nonexistent-wb"), notebooks=ROOT / "tests")
