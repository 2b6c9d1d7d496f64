"""The course as a book (tools/book.py, ./course book): the site builds with warnings as errors
and shows the student version: blank exercises, no hidden tests, no instructor's "Correct",
explorers as text, and a Binder button from the README's one repository address."""
import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"

try:
    import jupyter_book  # noqa: F401
except ImportError:
    if os.environ.get("CI"):
        raise  # CI installs the book's tools with the test tools (tests/requirements.txt)
    pytest.skip("the book's tools are not installed: ./course test installs them "
                "(or pip install -r book/requirements.txt)", allow_module_level=True)

sys.path.insert(0, str(ROOT / "tools"))
import book  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return book.build(tmp_path_factory.mktemp("book"))


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_site_passes_its_checks(site):
    assert book.check(site) == []


def test_every_notebook_is_a_page_with_a_binder_button_into_the_workbook(site):
    readme_link = re.search(r"^\[binder\]: (\S+)$", (ROOT / "README.md").read_text(), re.M)[1]
    assert readme_link.endswith("/00_welcome.ipynb")
    for notebook in NOTEBOOKS:
        html = (site / f"{notebook.stem}.html").read_text(encoding="utf-8")
        wanted = readme_link.replace("00_welcome.ipynb", notebook.name)
        assert "/workbook/" in wanted and f'href="{wanted}"' in html, notebook.name
        assert "colab" not in html.lower()


def test_exercises_are_blank_and_checks_say_what_they_do(site):
    for notebook in NOTEBOOKS:
        marks = [cell["metadata"].get("nbgrader", {}) for cell in cells(notebook)]
        html = (site / f"{notebook.stem}.html").read_text(encoding="utf-8")
        checks = sum(bool(mark.get("grade")) for mark in marks)
        assert html.count("Check cell.") == checks, notebook.name
        assert html.count("NotImplementedError") >= sum(bool(m.get("solution")) for m in marks)
        assert "Correct</b>" not in html and "✔" not in html, notebook.name


def test_explorers_are_text_stand_ins(site):
    explorers = 0
    for notebook in NOTEBOOKS:
        widgets = sum(WIDGET in out.get("data", {})
                      for cell in cells(notebook) for out in cell.get("outputs", []))
        html = (site / f"{notebook.stem}.html").read_text(encoding="utf-8")
        assert html.count("Interactive in the notebook.") == widgets, notebook.name
        assert "widget-view" not in html
        explorers += widgets
    assert explorers > 0  # the course has explorers: this test would see them


def test_the_check_finds_each_kind_of_problem(tmp_path):
    notebooks, site = tmp_path / "notebooks", tmp_path / "site"
    notebooks.mkdir()
    site.mkdir()
    (notebooks / "01_x.ipynb").write_text(json.dumps({"cells": [{
        "cell_type": "code", "metadata": {"nbgrader": {"solution": True}}, "outputs": [],
        "source": ["def f(x):\n", "    ### BEGIN SOLUTION\n", "    y = secret_formula(x)\n",
                   "    return y\n", "    ### END SOLUTION\n"]}]}))
    (site / "other.html").write_text('<p id="here">the other page</p>')
    (site / "index.html").write_text(
        '<a href="other.html#here">fine</a> <a href="https://example.org/x">elsewhere</a>'
        '<img src="other.html" alt="a figure"><a href="#">top</a>'
        '<a href="missing.html">broken</a> <a href="other.html#gone">no anchor</a>'
        '<img src="other.html"><img src="other.html" alt=" ">'
        '<pre><span>y</span> = <span>secret_formula</span>(x)</pre>'
        '<p>return y</p> <p>### BEGIN HIDDEN TESTS</p>')
    problems = book.check(site, notebooks)
    assert problems == [
        "index.html: an image without alt text",
        "index.html: an image without alt text",
        "index.html: a hidden-test or solution marker (BEGIN HIDDEN TESTS)",
        "index.html: a solution line: y = secret_formula(x)",
        "index.html: a broken link: missing.html",
        "index.html: a link to a missing anchor: other.html#gone",
    ]


def test_the_binder_address_is_read_from_one_line(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("[binder]: https://mybinder.org/v2/gh/someone/dni/main"
                      "?urlpath=lab/tree/workbook/00_welcome.ipynb\n")
    assert book.binder_link(readme) == {"hub": "https://mybinder.org", "owner": "someone",
                                        "repo": "dni", "ref": "main", "folder": "workbook"}
    for text in ("no link here\n", readme.read_text() * 2):
        readme.write_text(text)
        with pytest.raises(ValueError, match=r"exactly one line '\[binder\]:"):
            book.binder_link(readme)
