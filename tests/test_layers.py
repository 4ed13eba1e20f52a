"""The house's layers: every import points down, nothing forms a cycle, and the README's diagram says so.

The layers are read from the README's diagram (the block after "Layers, top to bottom"), so the picture
newcomers see, this test and the code cannot drift apart. Imports are read from the source with ``ast`` at
every depth of every module, inside functions too.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = {"tests", "bench", "docs", "migrations", "packs", "bin", "instance", "gunicorn.conf.py"}
ADAPTERS = "adapters"
DOMAIN = "domain"
FRAMEWORKS = {"flask", "werkzeug", "linebot"}


def readme_layers() -> list[tuple[str, set[str]]]:
    """The diagram's rows, top first: (layer name, the packages and top-level modules in it)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Layers, top to bottom.*?```text\n(.*?)```", text, re.S)
    assert block, "the README has no layer diagram"
    layers = []
    for line in block.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith(("│", "↓", "|")):
            continue
        name, _, rest = line.partition(" ")
        units = {word.removesuffix("/").removesuffix(".py") for word in re.findall(r"[a-z_]+(?:/|\.py)", rest)}
        layers.append((name, units))
    return layers


LAYERS = readme_layers()
LAYER_OF = {unit: index for index, (_name, units) in enumerate(LAYERS) for unit in units}
NAME_OF = {index: name for index, (name, _units) in enumerate(LAYERS)}


def project_modules() -> dict[str, Path]:
    """Every module of the project by dotted name (packages by their ``__init__``), tests and tools left out."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in OUTSIDE or rel.parts[0].startswith("."):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = project_modules()


def unit_of(module: str) -> str:
    """The package (or top-level module) a module belongs to."""
    return module.split(".")[0]


def imports_of(module: str, path: Path) -> list[tuple[str, int]]:
    """The modules ``module`` imports anywhere in its source (absolute names), with their line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((candidate if candidate in MODULES else base, node.lineno))
    return found


GRAPH: dict[str, set[str]] = {
    module: {name for name, _line in imports_of(module, path) if name in MODULES}
    for module, path in MODULES.items()
}


def test_every_unit_of_the_project_is_in_the_diagram():
    """Each package and top-level module of the project has a layer in the README's diagram, and each
    name in the diagram exists (``admin`` and ``disaster`` may still be to come)."""
    units = {unit_of(module) for module in MODULES}
    assert units - set(LAYER_OF) == set()
    assert set(LAYER_OF) - units - {"admin", "disaster"} == set()


def test_imports_point_down_the_layers():
    """No module imports a package of a layer above its own, and the adapters never import each other."""
    wrong = []
    for module, targets in GRAPH.items():
        mine = LAYER_OF[unit_of(module)]
        for target in targets:
            theirs = LAYER_OF[unit_of(target)]
            same_unit = unit_of(target) == unit_of(module)
            if theirs < mine or (theirs == mine and NAME_OF[mine] == ADAPTERS and not same_unit):
                wrong.append(f"{module} ({NAME_OF[mine]}) imports {target} ({NAME_OF[theirs]})")
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = iter(range(10**9))

    def visit(node: str) -> None:
        index[node] = low[node] = next(counter)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_no_module_imports_form_a_cycle():
    """No two modules import each other, directly or through others, counting imports inside functions."""
    assert _cycles(GRAPH) == []


def test_no_package_imports_form_a_cycle():
    """No two packages import each other, directly or through others."""
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        packages[unit_of(module)] |= {unit_of(t) for t in targets if unit_of(t) != unit_of(module)}
    assert _cycles(packages) == []


@pytest.mark.parametrize("layer", [DOMAIN, "push"])
def test_domain_and_push_import_neither_flask_nor_linebot(layer):
    """Domain packages and push never import flask, werkzeug or linebot (their commands use ``runtime``)."""
    units = next(units for name, units in LAYERS if name == layer)
    offenders = {
        module: sorted({name.split(".")[0] for name, _line in imports_of(module, path)} & FRAMEWORKS)
        for module, path in MODULES.items() if unit_of(module) in units
    }
    assert {module: bad for module, bad in offenders.items() if bad} == {}


def test_only_messaging_and_the_bot_build_line_messages():
    """LINE message models (``linebot.v3.messaging``) are imported only by ``messaging/`` and ``bot/``."""
    offenders = sorted(
        f"{module}:{line}" for module, path in MODULES.items() if unit_of(module) not in {"messaging", "bot"}
        for name, line in imports_of(module, path) if name.startswith("linebot.v3.messaging")
    )
    assert offenders == []


def test_no_import_is_guarded():
    """No code catches ImportError: a broken import of the project fails loudly, never silently skips."""
    guarded = []
    for path in [*MODULES.values(), *(ROOT / "tests").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                if names & {"ImportError", "ModuleNotFoundError"}:
                    guarded.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if "importorskip(" in source and path.name != "test_layers.py":
            guarded.append(f"{path.relative_to(ROOT)}: importorskip")
    assert guarded == []


def test_no_object_is_probed_for_its_methods():
    """No code asks ``hasattr``: what the code calls on an object is declared on its type or Protocol."""
    probing = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno}" for path in MODULES.values()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr"
    )
    assert probing == []
