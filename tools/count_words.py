"""Count the words a student reads in each notebook's core, and check the course's limits.

    python tools/count_words.py [notebooks/NN_name.ipynb ...]   (default: every notebook)

The core is every markdown cell outside the Bonus sections, without its folded answers.
A Bonus section starts at a heading whose text begins with "Bonus" and runs to the next
heading of the same or a higher level that does not. A folded answer is a <details> block.
Limits: a core of at most 1800 words, no core cell over 300, no folded answer over 120.
Exits 1 when a notebook is over a limit.
"""
import pathlib
import re
import sys

import nbformat

CORE_WORDS = 1800
CELL_WORDS = 300
ANSWER_WORDS = 120

DETAILS = re.compile(r"<details>.*?</details>", re.S)
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def words(text):
    """Words as a reader sees them: HTML tags and comments do not count."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return len(re.findall(r"[^\s|*`#>-]\S*", text))


def split_bonus(source, bonus_level):
    """Split one cell's lines into core and Bonus text; returns (core, bonus, level after)."""
    core, bonus = [], []
    in_fence = False
    for line in source.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        heading = None if in_fence else HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            if heading.group(2).strip().lower().startswith("bonus"):
                if bonus_level is None or level <= bonus_level:
                    bonus_level = level
            elif bonus_level is not None and level <= bonus_level:
                bonus_level = None
        (core if bonus_level is None else bonus).append(line)
    return "\n".join(core), "\n".join(bonus), bonus_level


def count(path):
    """A notebook's counts: core words, its longest core cell, its longest answer, Bonus words."""
    notebook = nbformat.read(str(path), as_version=4)
    result = {"core": 0, "bonus": 0, "cell": (0, None), "answer": (0, None)}
    bonus_level = None
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        core, bonus, bonus_level = split_bonus(cell.source, bonus_level)
        for answer in DETAILS.findall(cell.source):
            result["answer"] = max(result["answer"], (words(answer), index), key=lambda a: a[0])
        core_words = words(DETAILS.sub(" ", core))
        result["core"] += core_words
        result["bonus"] += words(DETAILS.sub(" ", bonus))
        result["cell"] = max(result["cell"], (core_words, index), key=lambda c: c[0])
    return result


def over_limits(result):
    """The limits a notebook's counts break, as short phrases (empty when within all)."""
    broken = []
    if result["core"] > CORE_WORDS:
        broken.append(f"core over {CORE_WORDS}")
    if result["cell"][0] > CELL_WORDS:
        broken.append(f"cell {result['cell'][1]} over {CELL_WORDS}")
    if result["answer"][0] > ANSWER_WORDS:
        broken.append(f"answer in cell {result['answer'][1]} over {ANSWER_WORDS}")
    return broken


def main(paths):
    root = pathlib.Path(__file__).resolve().parent.parent
    paths = [pathlib.Path(p) for p in paths] or sorted((root / "notebooks").glob("[0-9]*.ipynb"))
    print(f"{'notebook':<28} {'core':>5} {'longest cell':>13} {'longest answer':>15} "
          f"{'bonus':>6}  limits ({CORE_WORDS}, {CELL_WORDS}, {ANSWER_WORDS})")
    failed = False
    for path in paths:
        result = count(path)
        broken = over_limits(result)
        failed = failed or bool(broken)
        cell = f"{result['cell'][0]} (#{result['cell'][1]})"
        answer = f"{result['answer'][0]} (#{result['answer'][1]})"
        print(f"{path.stem:<28} {result['core']:>5} {cell:>13} {answer:>15} "
              f"{result['bonus']:>6}  {'; '.join(broken) or 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
