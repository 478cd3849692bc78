"""The package's import graph has no cycles: data walks the stages top to bottom, and no
two modules import each other (STYLE.md; issue 12 §2)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import surveyor

ROOT = Path(surveyor.__file__).parent


def module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


MODULES = module_names()


def imported(name: str, path: Path) -> set[str]:
    """The surveyor modules a module imports, at the top or inside functions (those run
    too), but not under ``if TYPE_CHECKING``, which never runs.

    A module importing its own package (``from surveyor import __version__``,
    ``from . import handle_errors``) is no cycle: the package has been initialised
    by then, so such edges are left out.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(alias.name for alias in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return {m for m in found if m in MODULES and m != name and m not in ancestors}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycles():
    graph = {name: imported(name, path) for name, path in MODULES.items()}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_inputs_stage_imports_no_later_stage():
    later = ("surveyor.numbers", "surveyor.reports", "surveyor.typeset", "surveyor.cli",
             "surveyor.pipeline")
    for name, path in MODULES.items():
        if name.startswith("surveyor.inputs"):
            assert not {m for m in imported(name, path) if m.startswith(later)}, name


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"surveyor.__main__"}))
def test_every_module_imports(name):
    importlib.import_module(name)
