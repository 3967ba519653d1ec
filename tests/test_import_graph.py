"""The import graph of ``engine/``: no cycles, and no module importing a layer above its own.

Every ``import`` is read from the source (module level and inside functions; imports under
``if TYPE_CHECKING:`` are for type checkers only and are skipped), so a function-level import
that "works around" a cycle is still a cycle here. The layers, lowest first, are the
architecture's dependency direction; a module may import its own layer and those below.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[1] / "engine"

LAYERS: list[tuple[str, ...]] = [
    ("engine.errors", "engine.settings", "engine.logs", "engine.extras", "engine.bundled"),
    ("engine.models",),
    ("engine.privacy", "engine.secrets"),
    ("engine.recipe",),
    ("engine.extraction",),
    ("engine.backends",),
    ("engine.runner",),
    ("engine", "engine.api"),  # the façade: engine/__init__.py and engine/api.py
    ("engine.harness",),
    ("engine.workers",),
    ("engine.cli", "engine.__main__"),
]


KNOWN_CYCLES: dict[frozenset[str], str] = {}
"""Cycles owned by work in progress elsewhere, each with its reason. The test fails on any
other cycle, and on a listed one that no longer exists (so this list only shrinks)."""


def layer_of(module: str) -> int:
    """The layer of the longest prefix of ``module`` named in LAYERS."""
    best, found = -1, None
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), index
    if found is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(ENGINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ENGINE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, except the bodies of ``if TYPE_CHECKING:`` (their ``else`` runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The ``engine`` modules ``name`` imports at run time (a package's ``__init__`` when a
    name is imported from it, the submodule when a submodule is)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m in known and m != name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def test_every_module_has_a_layer(graph: dict[str, set[str]]) -> None:
    for name in graph:
        layer_of(name)


def test_no_module_imports_a_layer_above_its_own(graph: dict[str, set[str]]) -> None:
    upward = sorted(f"{source} (layer {layer_of(source)}) imports {target} "
                    f"(layer {layer_of(target)})"
                    for source, targets in graph.items() for target in targets
                    if layer_of(target) > layer_of(source))
    assert not upward, "upward imports:\n" + "\n".join(upward)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    cycles = [frozenset(c) for c in strongly_connected(graph)]
    new = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    assert not new, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in new)
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in cycles]
    assert not gone, f"no longer a cycle, remove from KNOWN_CYCLES: {gone}"


def test_the_checker_sees_cycles_and_upward_imports(tmp_path: Path) -> None:
    """The two checks above would fail on a graph that has what they look for."""
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]]
    assert layer_of("engine.cli.sync") > layer_of("engine.runner.session")
    tree_text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import engine.cli\n"
    path = tmp_path / "probe.py"
    path.write_text(tree_text + "def f():\n    import engine.api\n", encoding="utf-8")
    assert imports_of("probe", path, {"engine.cli", "engine.api"}) == {"engine.api"}
