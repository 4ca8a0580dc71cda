"""Layers point one way (STYLE.md rules 16-18, docs/architecture.md): read every import of the package, at module
level and inside functions, and fail on an upward import or an import circle between modules."""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "wagtail_booking"

# The layers of docs/architecture.md, from the ground up; a module may import from its own package and from lower
# layers only. Packages sharing a layer may not import each other.
LAYERS = [
    {"conf", "businesses", "formats", "timezones"},
    {"scheduling", "signals", "phone", "outbox", "exports", "throttling", "tasks_backend",
     "site_settings", "encryption"},
    {"snippets"},
    {"bookings"},
    {"checkout"},
    {"packages", "giftcards", "waitlist"},
    {"reports"},
    {"notifications", "sync", "webhooks"},
    {"api", "blocks", "admin", "health", "templatetags", "clients"},
    {"tasks", "wagtail_hooks", "urls", "models", "checks", "management", "migrations"},
    {"apps", "__init__"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path):
    """(line, imported module) for every import of our own package in the file, wherever it sits."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "wagtail_booking":
                continue
            names = [alias.name for alias in node.names]
            # "from . import x" imports the submodule x when there is one
            for name in names:
                candidate = f"{target}.{name}"
                exists = (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists() or (
                    PACKAGE.parent / candidate.replace(".", "/") / "__init__.py").exists()
                yield node.lineno, candidate if exists else target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "wagtail_booking":
                    yield node.lineno, alias.name


def all_modules():
    return {module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts}


def test_no_module_imports_from_a_higher_layer_or_a_sibling_package():
    problems = []
    for module, path in sorted(all_modules().items()):
        unit = unit_of(module)
        assert unit in RANK, f"{module}: add {unit!r} to a layer in this test and in docs/architecture.md"
        for line, target in imports_of(path):
            other = unit_of(target)
            if other == unit or target == "wagtail_booking":
                continue
            if RANK[other] >= RANK[unit]:
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} "
                                f"({other} is not below {unit})")
    assert not problems, "Upward or sideways imports:\n" + "\n".join(problems)


def test_no_import_circles_between_modules():
    modules = all_modules()
    graph = defaultdict(set)
    for module, path in modules.items():
        for _line, target in imports_of(path):
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != module and target in modules and not module.startswith(target + "."):
                if not (modules[target].name == "__init__.py" and module.startswith(target)):
                    graph[module].add(target)
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = "done"

    for module in sorted(modules):
        if module not in state:
            visit(module, [])
    assert not cycles, "Import circles:\n" + "\n".join(cycles)
