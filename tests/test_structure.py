"""Code structure: no import cycles between casetracker packages, and no casetracker -> slackbot."""

import ast
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The app factory and the CLI entry point wire every package together, so they may import anything.
WIRING = {"casetracker/__init__.py", "casetracker/__main__.py"}
TYPE_CHECKING = {"TYPE_CHECKING", "typing.TYPE_CHECKING"}

Import = tuple[str, str, str]  # (source node, target node, "file:line")


def module_name(root: Path, path: Path) -> str:
    """Return the dotted module name of a source file."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(root: Path, dotted: str) -> bool:
    """Tell whether a dotted name is a module or package in the tree."""
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def node_of(dotted: str) -> str | None:
    """Map a module to its graph node: casetracker, casetracker.<sub>, slackbot or None."""
    parts = dotted.split(".")
    if parts[0] == "slackbot":
        return "slackbot"
    if parts[0] == "casetracker":
        return ".".join(parts[:2])
    return None


def runtime_imports(nodes: Iterable[ast.AST]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Yield import statements, skipping `if TYPE_CHECKING:` bodies."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and ast.unparse(node.test) in TYPE_CHECKING:
            yield from runtime_imports(node.orelse)
        else:
            yield from runtime_imports(ast.iter_child_nodes(node))


def imported_modules(root: Path, path: Path) -> Iterator[tuple[str, int]]:
    """Yield (module, line) for each module a file imports, resolving relative imports."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for stmt in runtime_imports([ast.parse(path.read_text(), str(path))]):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                yield alias.name, stmt.lineno
            continue
        base = stmt.module or ""
        if stmt.level:
            anchor = package.rsplit(".", stmt.level - 1)[0] if stmt.level > 1 else package
            base = f"{anchor}.{base}" if base else anchor
        for alias in stmt.names:
            candidate = f"{base}.{alias.name}"
            yield (candidate if is_module(root, candidate) else base), stmt.lineno


def package_imports(root: Path) -> list[Import]:
    """Return every import between different nodes under casetracker/ and slackbot/."""
    found = []
    for path in sorted([*root.glob("casetracker/**/*.py"), *root.glob("slackbot/**/*.py")]):
        if path.relative_to(root).as_posix() in WIRING:
            continue
        source = node_of(module_name(root, path))
        for module, line in imported_modules(root, path):
            target = node_of(module)
            if target and target != source:
                found.append((source, target, f"{path.relative_to(root)}:{line}"))
    return found


def cycles(imports: list[Import]) -> list[str]:
    """Describe one cycle per back edge of a depth-first search over casetracker.* nodes."""
    graph: dict[str, dict[str, str]] = {}
    for source, target, where in imports:
        if source.startswith("casetracker.") and target.startswith("casetracker."):
            graph.setdefault(source, {}).setdefault(target, where)
    found, done, path = [], set(), []

    def visit(node: str) -> None:
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt in path:
                loop = [*path[path.index(nxt) :], nxt]
                edges = "".join(f"\n    {a} -> {b}: {graph[a][b]}" for a, b in pairwise(loop))
                found.append(" -> ".join(loop) + edges)
            elif nxt not in done:
                visit(nxt)
        done.add(path.pop())

    for node in sorted(graph):
        if node not in done:
            visit(node)
    return found


def test_casetracker_packages_do_not_import_each_other_in_a_cycle():
    """Keep the package graph under casetracker/ acyclic."""
    found = cycles(package_imports(REPO))
    assert not found, "import cycles between casetracker packages:\n" + "\n".join(found)


def test_casetracker_does_not_import_slackbot():
    """Keep dependencies pointing from slackbot to casetracker only."""
    found = [w for s, t, w in package_imports(REPO) if s != "slackbot" and t == "slackbot"]
    assert not found, "casetracker imports slackbot at:\n" + "\n".join(found)


def test_only_the_wiring_modules_import_the_casetracker_root():
    """Keep the app factory on top: no package imports the casetracker root itself."""
    found = [w for s, t, w in package_imports(REPO) if t == "casetracker"]
    assert not found, "modules importing the casetracker root package:\n" + "\n".join(found)
