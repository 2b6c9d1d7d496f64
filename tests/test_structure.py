"""The package's shape: no import circles, and checks.py stays generic (imports nothing of ours)."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dni_course"


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path):
    """Every dni_course module that ``path`` imports, at any level (inside functions too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("dni_course"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("dni_course"):
                continue
            # "from . import plots" imports the submodule plots; "from .data import x" the module data
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                found.add(candidate if candidate in MODULES else module)
    return {m for m in found if m in MODULES and m != name}


MODULES = {module_name(p) for p in PACKAGE.rglob("*.py")}
GRAPH = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def find_circle(graph):
    """One import circle as a list of modules [a, b, ..., a], or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            circle = visit(start, [start])
            if circle:
                return circle
    return None


def test_the_reader_sees_every_import():
    """The graph reader itself: it finds the imports inside functions, too."""
    assert "dni_course.checks" in GRAPH["dni_course.training"]
    assert "dni_course.plots" in GRAPH["dni_course"]
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b"}, "b": set()}) is None


def test_no_import_circles():
    circle = find_circle(GRAPH)
    assert circle is None, "import circle: " + " -> ".join(circle)


def test_checks_imports_nothing_from_the_package():
    assert GRAPH["dni_course.checks"] == set()


TASK_CLASSES = {"AdditionData", "DigitsData"}
# The modules that work for any task (dni_course.task.Task): none names a kind of task. errata
# (the post's 8-bit replay) and metrics (notebook 02's scores of sums, bit by bit) are about
# addition itself, and data and digits define the two kinds.
GENERIC = ("training", "history", "task", "widgets", "sweep", "devices", "plots")


def names_used(path):
    """Every name a module's code uses or imports (docstrings and messages aside)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update(alias.asname or alias.name for alias in node.names)
            found.update(alias.name.rpartition(".")[2] for alias in node.names)
    return found


def test_the_generic_modules_name_no_task_class():
    for module in GENERIC:
        named = names_used(PACKAGE / f"{module}.py") & TASK_CLASSES
        assert not named, f"dni_course.{module} names {sorted(named)}: ask the task (dni_course.task.Task) instead"


def test_the_reader_of_names_sees_a_task_class():
    assert "AdditionData" in names_used(PACKAGE / "errata.py")


def test_checks_stays_small():
    """Only generic checks: a check that guards one function lives beside it."""
    lines = len((PACKAGE / "checks.py").read_text().splitlines())
    assert lines <= 330, f"checks.py has {lines} lines: move the checks that belong to one module beside it"
