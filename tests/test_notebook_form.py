"""The notebooks' form: a short core (tools/count_words.py's limits) and code that fits the column."""
import importlib.util
import pathlib

import json

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("count_words", ROOT / "tools" / "count_words.py")
count_words = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(count_words)
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_is_within_the_limits(path):
    result = count_words.count(path)
    assert count_words.over_limits(result) == [], f"{path.name}: {result}"


def _notebook(tmp_path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(s) for s in sources])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_the_counter_splits_core_bonus_and_answers(tmp_path):
    path = _notebook(
        tmp_path,
        "# Title\none two three",
        "## Bonus: side topic\nfour five\n### still bonus\nsix",
        "## Back in the core\nseven <details><summary>Answer</summary>a b c d</details>")
    result = count_words.count(path)
    # core: "Title", "one two three", "Back in the core", "seven"
    assert result["core"] == 1 + 3 + 4 + 1
    assert result["bonus"] == 3 + 2 + 2 + 1
    assert result["answer"][0] == 5  # "Answer" and a b c d (the tags are not words)


def test_the_counter_fails_a_long_core(tmp_path):
    cell = " ".join(["word"] * 301)
    result = count_words.count(_notebook(tmp_path, cell, cell, "## Bonus\n" + cell))
    broken = count_words.over_limits(result)
    assert broken == ["cell 0 over 300"]  # 602 core words: within the 1800
    result = count_words.count(_notebook(tmp_path, *[" ".join(["w"] * 250)] * 8))
    assert count_words.over_limits(result) == ["core over 1800"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_code_lines_fit_the_notebook_column(path):
    # JupyterLab shows about 90 characters of code beside the file browser without scrolling
    cells = json.loads(path.read_text())["cells"]
    long = [(index, line) for index, cell in enumerate(cells) if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).split("\n") if len(line) > 90]
    assert not long, f"{path.name}: code lines over 90 characters (cell, line): {long}"
