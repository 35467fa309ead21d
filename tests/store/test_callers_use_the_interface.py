"""Callers rely on the store interface: no code asks which class a store is, or probes it for an
attribute the interface does not promise (both hide a second contract nobody tests)."""

from __future__ import annotations

import ast
from pathlib import Path

import gitdesk

PACKAGE = Path(gitdesk.__file__).resolve().parent


def _name(node: ast.AST) -> str:
    return ast.unparse(node)


def _probes() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) >= 2):
                continue
            where = f"{path.relative_to(PACKAGE.parent).as_posix()}:{node.lineno}"
            if node.func.id == "isinstance" and _name(node.args[1]).endswith("Store"):
                found.append(f"{where}: {_name(node)}")
            if node.func.id in ("getattr", "hasattr") and "store" in _name(node.args[0]).lower():
                found.append(f"{where}: {_name(node)}")
    return found


def test_no_caller_tests_a_store_class_or_probes_a_store():
    assert _probes() == []
