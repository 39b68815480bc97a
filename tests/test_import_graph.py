"""The apps' import graph is the tree the README's layout section draws, with no cycle.

    lib ← accounts ← cases ← referrals, teamhope, reunification ← reports
                  ← faon (beside cases; referrals builds on it too)

Every `import` counts, at the top of a file or inside a function (a function-level import
is how a cycle hides). The project shell (`familysupport/` outside lib: settings, urls,
celery) sits above everything and nothing imports it. Events (familysupport/lib/events.py),
the timeline, nav and retention registries are how a lower app lets a higher one act.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "cases", "faon", "referrals", "teamhope", "reunification", "reports")

# What each unit may import (besides itself, Django and third-party packages).
ALLOWED: dict[str, set[str]] = {
    "lib": set(),
    "accounts": {"lib"},
    "cases": {"lib", "accounts"},
    "faon": {"lib", "accounts"},
    "referrals": {"lib", "accounts", "cases", "faon"},
    "teamhope": {"lib", "accounts", "cases"},
    "reunification": {"lib", "accounts", "cases"},
    "reports": {"lib", "accounts", "cases", "faon", "referrals", "teamhope", "reunification"},
    "project": {"lib", *APPS},
}

# reports reads other apps only through their `selectors` / `report` modules (issue 15,
# "reports read through selectors"): no file of reports reads a model or form directly.
REPORTS_MAY_READ = ("selectors", "report")


def unit_of(module: str) -> str | None:
    if module == "familysupport.lib" or module.startswith("familysupport.lib."):
        return "lib"
    top = module.split(".")[0]
    if top in APPS:
        return top
    if top == "familysupport":
        return "project"
    return None  # Django, the standard library, third-party packages


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> list[Path]:
    roots = [ROOT / "familysupport", *(ROOT / app for app in APPS)]
    return sorted(
        path for root in roots for path in root.rglob("*.py") if "migrations" not in path.parts
    )


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every module `path` imports, anywhere in the file, relative imports resolved."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            # `from cases import selectors` names a module: count it as `cases.selectors`
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return found


def build_graph() -> dict[tuple[str, str], list[str]]:
    """{(unit, imported unit): ["file:line imported.module", ...]}"""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in project_files():
        source = unit_of(module_name(path))
        assert source is not None, path
        for target, line in imports_of(path):
            dest = unit_of(target)
            if dest is not None and dest != source:
                edges[(source, dest)].append(f"{path.relative_to(ROOT)}:{line} {target}")
    return edges


def find_cycle(edges: dict[tuple[str, str], list[str]]) -> list[str] | None:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, dest in edges:
        graph[source].add(dest)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_scanner_sees_function_level_and_relative_imports(tmp_path):
    # The scanner itself must see what hides a cycle: an import inside a function body.
    lib_jobs = ROOT / "familysupport" / "lib" / "jobs.py"
    found = {target for target, _line in imports_of(lib_jobs)}
    assert "familysupport.lib.models" in found  # imported inside functions only
    found = {target for target, _line in imports_of(ROOT / "cases" / "services.py")}
    assert "cases.models" in found  # `from .models import ...`


def test_no_cycle_between_apps():
    edges = build_graph()
    cycle = find_cycle(edges)
    if cycle:
        where = {f"{a} -> {b}": edges[(a, b)][:3] for a, b in itertools.pairwise(cycle)}
        raise AssertionError(f"import cycle {' -> '.join(cycle)}: {where}")


def test_every_import_follows_the_tree():
    wrong = {
        f"{source} -> {dest}": where[:5]
        for (source, dest), where in build_graph().items()
        if dest not in ALLOWED[source]
    }
    assert not wrong, wrong


def test_reports_reads_other_apps_through_their_selectors():
    direct = set()
    for path in (ROOT / "reports").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for target, line in imports_of(path):
            dest = unit_of(target)
            if dest in (None, "lib", "reports", "project", "accounts"):
                continue
            parts = target.split(".")
            if len(parts) < 2 or parts[1] in REPORTS_MAY_READ:
                continue
            direct.add(f"{path.relative_to(ROOT)}:{line} {target}")
    assert not direct, sorted(direct)
