"""No package of gitdesk imports one that imports it back (issue 14).

The units are gitdesk's sub-packages and top-level modules (``gitdesk.sync.engine`` -> ``sync``,
``gitdesk.config`` -> ``config``); an edge is any import statement, at module level or inside a
function (a deferred import is still a dependency). The layers run one way: faces (``cli``,
``site``) -> services -> stores -> core; see ``tooling/gitdesk/ARCHITECTURE.md``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gitdesk

PACKAGE = Path(gitdesk.__file__).parent


def _unit(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "gitdesk" or parts[1] in ("__init__", "__main__", "__version__"):
        return None
    return parts[1]


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:  # relative: resolve against the importing module's package
        base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
        if node.module:
            return [".".join([*base, node.module])]
        return [".".join([*base, alias.name]) for alias in node.names]
    if node.module == "gitdesk":  # from gitdesk import config
        return [f"gitdesk.{alias.name}" for alias in node.names]
    return [node.module or ""]


def import_graph(root: Path = PACKAGE) -> dict[str, dict[str, str]]:
    """unit -> {imported unit: "file:line" of one import that makes the edge}."""
    edges: dict[str, dict[str, str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        is_package = rel.name == "__init__"
        module = ".".join(rel.parts[:-1] if is_package else rel.parts)
        source = _unit(module)
        if source is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(node, module, is_package):
                target = _unit(name)
                if target and target != source:
                    edges.setdefault(source, {}).setdefault(target, f"{path.relative_to(root)}:{node.lineno}")
    return edges


def cycles(edges: dict[str, dict[str, str]]) -> list[list[str]]:
    """Strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        on_stack.add(unit)
        for nxt in edges.get(unit, {}):
            if nxt not in index:
                visit(nxt)
                low[unit] = min(low[unit], low[nxt])
            elif nxt in on_stack:
                low[unit] = min(low[unit], index[nxt])
        if low[unit] == index[unit]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == unit:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for unit in sorted(edges):
        if unit not in index:
            visit(unit)
    return found


def test_no_import_cycle_between_packages():
    edges = import_graph()
    found = cycles(edges)
    shown = [" <-> ".join(c) + ": " + "; ".join(f"{a} -> {b} ({edges[a][b]})" for a in c for b in edges.get(a, {}) if b in c)
             for c in found]
    assert not found, "import cycles between gitdesk packages:\n" + "\n".join(shown)


def test_the_walker_sees_deferred_and_relative_imports(tmp_path):
    """The checker itself: an import inside a function and a relative import both make edges,
    and a two-package loop is reported (so a green run above means something)."""
    pkg = tmp_path / "gitdesk"
    (pkg / "a").mkdir(parents=True)
    (pkg / "b").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("def f():\n    from gitdesk.b import g\n")
    (pkg / "b" / "__init__.py").write_text("from ..a import f\nfrom gitdesk import core\n")
    (pkg / "core.py").write_text("import os\n")
    edges = import_graph(pkg)
    assert set(edges["a"]) == {"b"} and set(edges["b"]) == {"a", "core"}
    assert cycles(edges) == [["a", "b"]]
