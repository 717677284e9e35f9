"""Every worked solution runs after the lesson alone, and the solutions come in exercise order.

Executing each solution alone after its lesson would cost many minutes a notebook, so this reads
the code instead: every name a solution reads must be bound by the lesson (the code cells before
"## Exercises"), by the solution's own cells, or be a builtin. The notebook runs themselves
(`make nbtest`) then execute the solutions in order.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import nbtools  # noqa: E402

NOTEBOOKS = nbtools.notebook_paths()
HEADING = re.compile(r"\*\*Worked solution to exercise (\d+)")


def parse(code: str) -> ast.Module:
    """A cell's code as Python (IPython's `%magic` and `!shell` lines left out)."""
    lines = [
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in code.splitlines()
    ]
    return ast.parse("\n".join(lines))


def bound(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere: assignments, loops, imports, defs, arguments."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def read(tree: ast.AST) -> set[str]:
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def first_heading(cells: list[dict], heading: str) -> int:
    """Index of the first markdown cell with a line starting `heading` (len(cells) if none)."""
    return next(
        (
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "markdown"
            and any(line.startswith(heading) for line in nbtools.source(c).splitlines())
        ),
        len(cells),
    )


def lesson_trees(nb: dict) -> list[ast.Module]:
    """The lesson's code cells (those before "## Exercises"), parsed."""
    cells = nb["cells"]
    start = first_heading(cells, "## Exercises")
    return [parse(nbtools.source(c)) for c in cells[:start] if c["cell_type"] == "code"]


def lesson_and_solutions(nb: dict) -> tuple[set[str], list[tuple[int, str]]]:
    """The names the lesson binds, and each worked solution's (number, code)."""
    cells = nb["cells"]
    start = first_heading(cells, "## Exercises")
    lesson = set().union(*(bound(tree) for tree in lesson_trees(nb)))
    solutions: list[tuple[int, str]] = []
    for cell in cells[start + 1 :]:
        text = nbtools.source(cell)
        if cell["cell_type"] == "markdown":
            found = HEADING.match(text)
            if found:
                solutions.append((int(found.group(1)), ""))
            elif text.startswith("## "):
                break
        elif solutions and "solution" in cell["metadata"].get("tags", []):
            number, code = solutions[-1]
            solutions[-1] = (number, code + "\n" + text)
    return lesson, solutions


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_solution_needs_only_the_lesson(path):
    lesson, solutions = lesson_and_solutions(json.loads(path.read_text()))
    known = lesson | set(dir(builtins)) | {"display", "get_ipython"}
    missing = {}
    for number, code in solutions:
        tree = parse(code)
        unknown = read(tree) - known - bound(tree)
        if unknown:
            missing[number] = sorted(unknown)
    assert not missing, f"solutions that need another solution's names: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_come_in_exercise_order(path):
    _, solutions = lesson_and_solutions(json.loads(path.read_text()))
    numbers = [number for number, _ in solutions]
    assert numbers == sorted(set(numbers)), f"solutions in the order {numbers}"


def test_the_name_reader_sees_what_a_cell_needs():
    tree = parse("def f(x):\n    return x + y\nz = [w for w in range(3)]\nprint(f(z))")
    assert read(tree) - bound(tree) - set(dir(builtins)) == {"y"}


def record_cells_code(nb: dict) -> str:
    """The code after the "## Record this run" heading: what the final cells read."""
    cells = nb["cells"]
    start = first_heading(cells, "## Record this run")
    return "\n".join(
        nbtools.source(c) for c in cells[start:] if c["cell_type"] == "code"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_leave_what_the_record_reads_alone(path):
    """A solution that rebinds a lesson name the last cells record would record its value."""
    nb = json.loads(path.read_text())
    lesson, solutions = lesson_and_solutions(nb)
    record = parse(record_cells_code(nb))
    recorded = (
        read(record) - bound(record)
    ) & lesson  # read there, bound by the lesson
    clobbered = {}
    for number, code in solutions:
        hit = (bound(parse(code)) & recorded) - {"_"}
        if hit:
            clobbered[number] = sorted(hit)
    assert not clobbered, f"solutions that rebind names the record reads: {clobbered}"


def functions(tree: ast.Module) -> set[str]:
    """The functions and classes the code defines at the top level (what other cells can call)."""
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {node.name for node in tree.body if isinstance(node, kinds)}


def assigned(tree: ast.Module) -> set[str]:
    """The names the code assigns to at the top level (inside functions they are local)."""
    names, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
        ):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        todo.extend(ast.iter_child_nodes(node))
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_leave_other_cells_functions_alone(path):
    """A solution that assigns to a function another cell defines breaks that cell's rerun."""
    nb = json.loads(path.read_text())
    defined = set().union(*(functions(tree) for tree in lesson_trees(nb)))
    _, solutions = lesson_and_solutions(nb)
    trees = {number: parse(code) for number, code in solutions}
    for tree in trees.values():
        defined |= functions(tree)
    clashes = {}
    for number, tree in trees.items():
        hit = assigned(tree) & (defined - functions(tree))
        if hit:
            clashes[number] = sorted(hit)
    assert not clashes, f"solutions that assign to another cell's function: {clashes}"
