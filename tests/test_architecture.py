"""The app map and the dependency rule (docs/development.md, "Architecture").

Parses every module of the apps (imports inside functions included) and fails on:
* an import from an app to one that is not below it (apps of one layer do not import each
  other), except from the composition modules that ask every capability;
* any import cycle whose modules belong to more than one app;
* Django or project code in the pure audit engine;
* an app above ~1,500 lines or a module above ~500 lines of code (not counting blank
  lines, comments and docstrings; the pure engine is a library and not counted in its app).

``python -m tests.test_architecture`` prints the app map with line counts.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# (package, app label, layer): an app imports only apps of a lower layer.
APPS: list[tuple[str, str, int]] = [
    ("orgs.ledger", "ledger", 0),
    ("orgs.plumbing", "plumbing", 0),
    ("orgs", "orgs", 1),
    ("orgs.members", "members", 2),
    ("reviews", "reviews", 3),
    ("reviews.harms", "harms", 4),
    ("reviews.workshops", "workshops", 5),
    ("reviews.feedback", "feedback", 5),
    ("reviews.board", "board", 6),
    ("audits", "audits", 5),
    ("reviews.feedback.pages", "feedback_pages", 6),
    # Model card documents (sections, formats, diff) are pure: no Django, no project app.
    ("reviews.modelcards.documents", "modelcard_documents", 5),
    ("reviews.modelcards", "modelcards", 6),
    # Reference data (framework libraries, the crosswalk and what it infers): imports orgs.
    ("reviews.frameworks", "frameworks", 2),
    ("reviews.controls", "controls", 6),
    ("reviews.compliance", "compliance", 7),
    # PAdES signing and verification of PDFs (pyHanko); knows no other app.
    ("audits.signatures", "signatures", 6),
    # A dossier's PDF side (HTML → PDF/A-3b, the safe fetcher, the signature, the child
    # process that runs them): no Django, so a freshly spawned process imports it as it is.
    ("audits.dossiers.pdf", "dossier_pdf", 7),
    # Gathers what every capability below contributes to a review's dossier.
    ("audits.dossiers", "dossiers", 8),
    ("audits.monitoring", "monitoring", 6),
    ("audits.incidents", "incidents", 7),
]
# Where capabilities meet: these may ask apps above their own (and nothing they import may
# lead back to them, which the cycle check proves).
COMPOSITION = {"reviews.readiness"}
ENGINE = "audits.engine"
# matplotlib draws the charts (engine/charts.py): a library, no Django and no project code.
ENGINE_ALLOWED = {"numpy", "pandas", "pyarrow", "scipy", "matplotlib", "yaml", "__future__"}
MAX_APP_LINES = 1500
MAX_MODULE_LINES = 500
# Apps past the size, each with the ceiling it may not pass and the split that brings it
# back (docs/development.md, "Architecture"). An entry is debt with a plan, not a waiver:
# the ceiling only goes down, and the entry goes when the split lands.
OVER_SIZE: dict[str, tuple[int, str]] = {
    "workshops": (
        1800,
        "consequence scanning becomes its own app, plugged into the board as a format",
    ),
    "harms": (1750, "stakeholders become their own app below harms"),
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package, _label, _layer in APPS:
        base = ROOT / package.replace(".", "/")
        for path in base.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            modules[_module_name(path)] = path
    return modules


MODULES = project_modules()


def app_of(module: str) -> str | None:
    best = None
    for package, label, _layer in APPS:
        inside = module == package or module.startswith(package + ".")
        if inside and (best is None or len(package) > len(best[0])):
            best = (package, label)
    return best[1] if best else None


LAYER = {label: layer for _package, label, layer in APPS}


def _resolve(importer: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The project modules an import statement reaches."""
    is_package = MODULES[importer].name == "__init__.py"
    targets: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base_parts = importer.split(".")
            if not is_package:
                base_parts = base_parts[:-1]
            base_parts = base_parts[: len(base_parts) - (node.level - 1)]
            base = ".".join(base_parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        names = [base]
        names += [f"{base}.{alias.name}" for alias in node.names]
    for name in names:
        # The longest prefix that is a module of ours.
        parts = name.split(".")
        while parts and ".".join(parts) not in MODULES:
            parts.pop()
        if parts:
            targets.append(".".join(parts))
    return targets


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _resolve(module, node):
                    if target != module:
                        graph[module].add(target)
    return graph


def external_imports(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(MODULES):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component)
    return out


def code_lines(path: Path) -> int:
    """Lines of code: not blank, not only a comment, not part of a docstring."""
    source = path.read_text()
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and body:
            first = body[0]
            value = getattr(first, "value", None)
            is_doc = isinstance(value, ast.Constant) and isinstance(value.value, str)
            if isinstance(first, ast.Expr) and is_doc:
                docstrings.update(range(first.lineno, (first.end_lineno or 0) + 1))
    lines: set[int] = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip and token.type != tokenize.ENDMARKER:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def app_line_counts() -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for module, path in MODULES.items():
        if module == ENGINE or module.startswith(ENGINE + "."):
            continue  # a library of its own
        counts[app_of(module) or "?"] += code_lines(path)
    return dict(counts)


GRAPH = import_graph()


def test_the_walk_finds_every_app_and_its_imports():
    assert {app_of(m) for m in MODULES} == set(LAYER)
    assert "reviews.harms.models" in GRAPH["reviews.workshops.services"] | set().union(
        *(GRAPH[m] for m in MODULES if m.startswith("reviews.workshops"))
    )
    # A lazy import inside a function is an import too.
    assert "reviews.workshops.selectors" in GRAPH["reviews.readiness"]


def test_installed_apps_list_the_apps_from_the_bottom_up():
    from django.conf import settings

    ours = [a for a in settings.INSTALLED_APPS if app_of(a)]
    assert ours == [package for package, _label, _layer in APPS]


def test_no_app_imports_an_app_that_is_not_below_it():
    wrong = []
    for module, targets in GRAPH.items():
        source = app_of(module)
        for target in targets:
            dest = app_of(target)
            if dest == source or module in COMPOSITION:
                continue
            if LAYER[dest] >= LAYER[source]:
                wrong.append(f"{module} ({source}) imports {target} ({dest})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle_spans_two_apps():
    cycles = [
        sorted(c)
        for c in strongly_connected(GRAPH)
        if len(c) > 1 and len({app_of(m) for m in c}) > 1
    ]
    assert not cycles, cycles


def test_the_checks_would_catch_a_cycle_and_an_upward_import():
    graph = {"orgs.models": {"reviews.models"}, "reviews.models": {"orgs.models"}}
    found = [c for c in strongly_connected(graph) if len(c) > 1]
    assert sorted(found[0]) == ["orgs.models", "reviews.models"]
    assert LAYER[app_of("reviews.models")] > LAYER[app_of("orgs.models")]


def test_the_audit_engine_is_pure():
    for module in MODULES:
        if module == ENGINE or module.startswith(ENGINE + "."):
            imported = external_imports(module)
            ours = {m for m in GRAPH.get(module, ()) if not m.startswith(ENGINE)}
            assert not ours, f"{module} imports {ours}"
            stdlib_or_allowed = {
                name
                for name in imported
                if name in ENGINE_ALLOWED or name in __import__("sys").stdlib_module_names
            }
            assert imported == stdlib_or_allowed, f"{module} imports {imported - stdlib_or_allowed}"


@pytest.mark.parametrize("app", sorted(LAYER))
def test_no_app_passes_the_size_where_it_becomes_two(app):
    lines = app_line_counts().get(app, 0)
    ceiling, split = OVER_SIZE.get(app, (MAX_APP_LINES, ""))
    assert lines <= ceiling, f"{app}: {lines} lines > {ceiling}" + (f"; {split}" if split else "")
    if app in OVER_SIZE:
        back_under = f"{app} is back under {MAX_APP_LINES}: drop its OVER_SIZE entry"
        assert lines > MAX_APP_LINES, back_under


def test_no_module_passes_the_size_where_it_becomes_a_package():
    big = {m: code_lines(p) for m, p in MODULES.items() if code_lines(p) > MAX_MODULE_LINES}
    assert not big, big


if __name__ == "__main__":
    counts = app_line_counts()
    engine = sum(
        code_lines(p) for m, p in MODULES.items() if m == ENGINE or m.startswith(ENGINE + ".")
    )
    print(f"{'app':<12} {'layer':>5} {'lines':>6}  package")
    for package, label, layer in APPS:
        print(f"{label:<12} {layer:>5} {counts.get(label, 0):>6}  {package}")
    print(f"{'(engine)':<12} {'':>5} {engine:>6}  {ENGINE} (pure library, not counted)")
