"""The course as a book: a static website of the notebooks that needs no kernel.

  python tools/book.py [--out FOLDER]     (./course book runs it; default: _build/book)

Builds the site into FOLDER/html (open FOLDER/html/index.html) from the student version of the
notebooks, as tools/workbook.py makes it (each solution replaced by ``raise NotImplementedError()``,
the hidden tests taken out), but with the outputs of the instructor's saved run, except:

- a check cell shows a note on what the check does instead of the instructor's "Correct";
- an explorer (an ipywidgets output, which needs a kernel) shows a text stand-in: what the
  explorer offers, in the package's own words, and how to run the notebook to use it.

The README is the first page. Each notebook page has a Binder button that opens the notebook in
the workbook Binder's build makes; its address comes from the README's ``[binder]:`` line, the one
place that holds the repository's address. The build is Jupyter Book 1 (Sphinx; requirements in
book/requirements.txt), offline and with warnings as errors; then ``check`` reads the whole site
and fails on a broken local link, an image without alt text, a line of a solution or hidden test
that the student version does not show anyway, or a solution or hidden-test marker.
"""
import argparse
import copy
import html
import json
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from myst_parser.mdit_to_docutils.base import default_slugify

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workbook  # noqa: E402  (tools/ is not a package)

ROOT = workbook.ROOT
WIDGET = "application/vnd.jupyter.widget-view+json"
# A Markdown link to a heading, as Jupyter names it: [text](02_x.ipynb#Heading-text)
HEADING_LINK = re.compile(r"\]\(([^()\s#]*)#([^()\s]+)\)")
BINDER = re.compile(
    r"^\[binder\]:\s*(?P<hub>https://[^/\s]+)/v2/gh/(?P<owner>[^/\s]+)/(?P<repo>[^/\s]+)/"
    r"(?P<ref>[^?\s]+)\?urlpath=lab/tree/(?P<folder>[^\s]+)/[^/\s]+\.ipynb\s*$", re.M)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# Solution lines shorter than this (``return h``, ``else:``) stand in code students see anyway.
SHORTEST_SECRET = 10

CHECK_NOTE = (
    "<b>Check cell.</b> In the notebook it checks your answer to the exercise above: "
    "<i>correct</i>, <i>incorrect</i> with the property that failed, or <i>not attempted</i>. "
    "On this page the exercise is blank, as in your workbook: run the notebook to try it.")
EXPLORER_NOTE = (
    "<b>Interactive in the notebook.</b> {what}. This page is a static copy without a Python "
    "kernel: open the notebook on Binder (the rocket button at the top of the page) or on your "
    "computer with <code>./course lab</code> to use it.")


def binder_link(readme=ROOT / "README.md"):
    """The parts of the README's ``[binder]:`` link: hub, owner, repo, ref and workbook folder."""
    found = BINDER.findall(Path(readme).read_text(encoding="utf-8"))
    if len(found) != 1:
        raise ValueError(f"{readme} must have exactly one line '[binder]: https://HUB/v2/gh/OWNER/"
                         f"REPO/REF?urlpath=lab/tree/FOLDER/NOTEBOOK.ipynb'; found {len(found)}")
    return dict(zip(("hub", "owner", "repo", "ref", "folder"), found[0]))


def note(inner, text):
    """A display output: a framed note in HTML, with ``text`` for plain-text readers."""
    box = "border-left: 4px solid #5b6770; background: #f1f3f4; color: #111; padding: 4px 8px"
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/html": f'<div role="note" style="{box}">{inner}</div>',
                     "text/plain": text}}


def explorer_stand_in(output):
    """The text stand-in of an explorer's output, from the widget's own plain-text form."""
    what = "".join(output["data"].get("text/plain", "")).strip().strip("'\"")
    what = re.sub(r"\s*\([^()]*\)$", "", what).rstrip(".")  # "(run the notebook to ...)": below
    what = what or "An explorer with sliders that retrains and redraws as you move them"
    inner = EXPLORER_NOTE.format(what=html.escape(what))
    return note(inner, re.sub(r"<[^>]+>", "", html.unescape(inner)))


def page(notebook):
    """A notebook as the site shows it (changed in place and returned): see the module's doc."""
    before = copy.deepcopy(notebook["cells"])
    workbook.student_copy(notebook)  # blanks solutions, drops hidden tests, clears outputs
    for cell, old in zip(notebook["cells"], before):
        marks = old["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "markdown":
            # Jupyter's heading anchors keep the case ("#Glossary"), the site's are GitHub's
            source = HEADING_LINK.sub(
                lambda link: f"]({link[1]}#{default_slugify(unquote(link[2]))})",
                "".join(cell["source"]))
            cell["source"] = source.splitlines(keepends=True)
        if cell["cell_type"] != "code" or marks.get("solution"):
            continue  # a blank exercise has no output (run, it raises NotImplementedError)
        if marks.get("grade"):
            plain = re.sub(r"<[^>]+>", "", CHECK_NOTE)
            cell["outputs"] = [note(CHECK_NOTE, plain)]
            continue
        cell["outputs"] = [explorer_stand_in(out) if WIDGET in out.get("data", {}) else out
                           for out in old["outputs"]]
        cell["execution_count"] = old.get("execution_count")
    return notebook


def stage(src, notebooks=ROOT / "notebooks", readme=ROOT / "README.md"):
    """Write the book's sources to ``src``: the README, the pages and Jupyter Book's two files."""
    sources = sorted(Path(notebooks).glob("*.ipynb"))
    if not sources:
        raise ValueError(f"no notebooks in {notebooks}")
    src.mkdir(parents=True)
    shutil.copyfile(readme, src / "index.md")
    for source in sources:
        notebook = page(json.loads(source.read_text(encoding="utf-8")))
        (src / source.name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    link = binder_link(readme)
    title = re.search(r"^# (.+)$", Path(readme).read_text(encoding="utf-8"), re.M).group(1)
    config = {
        "title": title,
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},  # the saved outputs, never a kernel
        "repository": {"url": f"https://github.com/{link['owner']}/{link['repo']}",
                       "branch": link["ref"], "path_to_book": link["folder"]},
        "launch_buttons": {"binderhub_url": link["hub"], "notebook_interface": "jupyterlab",
                           "colab_url": "", "thebe": False},
        "sphinx": {"config": {"myst_heading_anchors": 4}},
        "html": {"use_repository_button": False, "use_issues_button": False,
                 "use_edit_page_button": False},
    }
    toc = {"format": "jb-book", "root": "index",
           "chapters": [{"file": source.stem} for source in sources]}
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")


def build(out=ROOT / "_build" / "book", notebooks=ROOT / "notebooks", readme=ROOT / "README.md"):
    """Build the site into ``out``/html from scratch (warnings are errors); return that folder."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    src, site = out / "src", out / "html"
    stage(src, notebooks, readme)
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "jupyter-book", "config", "sphinx", src], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([bin_dir / "sphinx-build", "-b", "html", "-W", "--keep-going", "-q",
                    "-d", out / "doctrees", src, site], check=True)
    return site


class _Page(HTMLParser):
    """What the checks need from a page: its links, images, element ids and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.images, self.ids, self.text = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) and tag in ("a", "img", "link", "script", "iframe", "source"):
                self.links.append(attrs[name])
        if tag == "img":
            self.images.append((attrs.get("alt") or "").strip())

    def handle_data(self, data):
        self.text.append(data)


def _squeeze(text):
    return re.sub(r"[ \t]+", " ", text).strip()


def _text(output):
    """An output's text as the site shows it: printed text, else the HTML, else plain text."""
    data = output.get("data", {})
    return "".join(output.get("text") or data.get("text/html") or data.get("text/plain") or "")


def secret_lines(notebooks=ROOT / "notebooks"):
    """Lines of solutions and hidden tests that the student version shows nowhere else: not in
    its code, its prose, or the printed output of a cell other than an exercise or a check."""
    secret, shown = set(), []
    for path in sorted(Path(notebooks).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            inside = False
            for line in "".join(cell["source"]).split("\n"):
                if any(marker in line for marker in MARKERS):
                    inside = "BEGIN" in line
                elif inside and len(_squeeze(line)) >= SHORTEST_SECRET:
                    secret.add(_squeeze(line))
        for cell in page(notebook)["cells"]:
            texts = ["".join(cell["source"])] + [_text(out) for out in cell.get("outputs", [])]
            shown += [_squeeze(line) for text in texts for line in text.split("\n")]
    shown = "\n".join(shown)
    return {line for line in secret if line not in shown}


def check(site, notebooks=ROOT / "notebooks"):
    """What is wrong with the built ``site``, one line each (an empty list: nothing)."""
    site, problems, pages = Path(site), [], {}
    secret = secret_lines(notebooks)
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".ipynb", ".md", ".txt", ".js", ".json"):
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        name = path.relative_to(site)
        texts = [raw]
        if path.suffix == ".html":
            pages[path] = parsed = _Page()
            parsed.feed(raw)
            texts.append("".join(parsed.text))
            problems += [f"{name}: an image without alt text" for alt in parsed.images if not alt]
        seen = "\n".join(_squeeze(line) for text in texts for line in text.split("\n"))
        problems += [f"{name}: a hidden-test or solution marker ({marker})"
                     for marker in MARKERS if marker in raw]
        problems += [f"{name}: a solution line: {line}" for line in sorted(secret) if line in seen]
    for path, parsed in pages.items():
        if "_static" in path.relative_to(site).parts:
            continue  # the theme's templates, not pages
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not (parts.path or parts.fragment):
                continue  # another site, data: URIs, or a plain "#"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{path.relative_to(site)}: a broken link: {link}")
            elif parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                problems.append(f"{path.relative_to(site)}: a link to a missing anchor: {link}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the course as a static website, from "
                                     "the student version of the notebooks, and check it.")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "book",
                        help="the build folder (default: _build/book/; emptied first)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    site = build(args.out)
    problems = check(site)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(f"the site in {site} has {len(problems)} problem(s), listed above")
    print(f"{site.resolve() / 'index.html'}: built and checked in "
          f"{time.perf_counter() - start:.0f} s (publish the folder {site.resolve()})")


if __name__ == "__main__":
    main()
