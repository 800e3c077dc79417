"""Imports point one way (pipelines/layers.py): no module imports from a layer above its own, no
import circle anywhere, and no project import inside a function unless LAZY_IMPORTS names it
and a `# lazy:` comment stands beside it. Static: every module under pipelines/ and schemas/ is
parsed with `ast`, imports inside functions included."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from pipelines.layers import LAYERS, LAZY_IMPORTS, layer_of

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("pipelines", "schemas")


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: bool
    lines: tuple[int, int]  # first and last line of the statement


def module_names(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module under pipelines/ and schemas/."""
    found = {}
    for top in PROJECT:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """The project modules `name` imports (`from a import b` counts as a.b where that is a
    module, else as a), each with its line and whether it sits inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def targets(node) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = node.module or ""
        if node.level:  # relative: from the package, up level - 1
            anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
            base = ".".join(anchor + ([base] if base else []))
        return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names]

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                       ast.Lambda))
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for target in targets(child):
                    if target.split(".")[0] in PROJECT:
                        found.append(Import(name, target, child.lineno, inside,
                                            (child.lineno, child.end_lineno or child.lineno)))
            visit(child, inside)

    visit(tree, False)
    return found


def all_imports(root: Path = ROOT) -> tuple[dict[str, Path], list[Import]]:
    modules = module_names(root)
    return modules, [i for name, path in modules.items() for i in imports_of(name, path, modules)]


def layer_problems(modules: dict[str, Path], imports: list[Import], layer_of=layer_of,
                   names=tuple(layer[0] for layer in LAYERS)) -> list[str]:
    """Modules in no layer, and imports from a higher layer, in words."""
    problems = [f"{m} is in no layer: add it to LAYERS in pipelines/layers.py"
                for m in modules if layer_of(m) is None]
    for i in imports:
        low, high = layer_of(i.importer), layer_of(i.imported)
        if low is not None and high is not None and high > low:
            problems.append(f"{i.importer} (layer {names[low]}) imports {i.imported} (layer "
                            f"{names[high]}, higher) at line {i.line}")
    return problems


def circles(imports: list[Import]) -> list[list[str]]:
    """The import circles: every group of modules that reach each other (Tarjan's strongly
    connected components of more than one module, or a module importing itself)."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        graph.setdefault(i.importer, set()).add(i.imported)
        graph.setdefault(i.imported, set())
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def lazy_problems(modules: dict[str, Path], imports: list[Import]) -> list[str]:
    """Project imports inside functions that LAZY_IMPORTS does not allow, or without their
    `# lazy:` comment."""
    problems = []
    for i in imports:
        if not i.in_function:
            continue
        if (i.importer, i.imported) not in LAZY_IMPORTS:
            problems.append(f"{i.importer} imports {i.imported} inside a function (line {i.line}): "
                            "import it at the top, or name it with its reason in LAZY_IMPORTS")
            continue
        text = modules[i.importer].read_text(encoding="utf-8").splitlines()
        first, last = i.lines
        if not any("# lazy:" in line for line in text[max(first - 2, 0):last]):
            problems.append(f"{i.importer} line {i.line}: a `# lazy:` comment beside the import of "
                            f"{i.imported} says why it sits in a function")
    return problems


def test_every_module_is_in_a_layer_and_imports_only_its_own_or_lower_layers():
    modules, imports = all_imports()
    assert len(modules) > 80 and len(imports) > 300  # the parse saw the code
    problems = layer_problems(modules, imports)
    assert not problems, "\n".join(problems)


def test_no_import_circle():
    _, imports = all_imports()
    found = circles(imports)
    assert not found, "\n".join(" <-> ".join(group) for group in found)


def test_project_imports_inside_functions_are_only_the_allowed_lazy_ones():
    modules, imports = all_imports()
    assert not (problems := lazy_problems(modules, imports)), "\n".join(problems)
    used = {(i.importer, i.imported) for i in imports if i.in_function}
    stale = sorted(set(LAZY_IMPORTS) - used)
    assert not stale, f"LAZY_IMPORTS names imports that no longer exist: {stale}"


def test_the_checks_see_an_upward_import_a_circle_and_a_function_import(tmp_path):
    """The three rules on a made-up tree: each breach is found and named."""
    for name, text in {
        "pipelines/__init__.py": "",
        "pipelines/stats/__init__.py": "",
        "pipelines/stats/a.py": "from pipelines.publish import b\n",
        "pipelines/publish/__init__.py": "",
        "pipelines/publish/b.py": "def f():\n    from pipelines.stats import a\n",
        "schemas/__init__.py": "import pipelines.stats.a\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    modules, imports = all_imports(tmp_path)
    problems = layer_problems(modules, imports)
    assert "pipelines.stats.a (layer stats) imports pipelines.publish.b (layer publish, higher) " \
           "at line 1" in problems
    assert "schemas (layer schemas) imports pipelines.stats.a (layer stats, higher) at line 1" in problems
    assert circles(imports) == [["pipelines.publish.b", "pipelines.stats.a"]]
    assert lazy_problems(modules, imports) == [
        "pipelines.publish.b imports pipelines.stats.a inside a function (line 2): import it at "
        "the top, or name it with its reason in LAZY_IMPORTS"]
