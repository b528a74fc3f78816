"""The layers import only downward and the modules form no cycle (imports inside functions count too: a loop
through a deferred import is still a loop a reader has to untangle)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# bottom up; a package may import its own layer's packages only where listed in SIDEWAYS
LAYERS = {"core": 0, "ingestion": 1, "indicators": 1, "outputs": 2, "orchestration": 3, "georisk": 4}
# ingestion dates and detects the language of what it stores with the extractor's own functions
# (indicators.doc_meta), so that a document gets one date however it arrives; the other way is forbidden
SIDEWAYS: set[tuple[str, str]] = {("ingestion", "indicators")}
NO_DAGSTER_BELOW = LAYERS["orchestration"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, with relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            # "from pkg import module" imports the submodule
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def graph() -> dict[str, set[str]]:
    files = [p for pkg in LAYERS for p in (ROOT / pkg).rglob("*.py")]
    mods = {module_name(p): p for p in files}
    g: dict[str, set[str]] = {}
    for m, p in mods.items():
        g[m] = {i for i in imports_of(p) if i in mods and i != m}
    return g


def upward(g: dict[str, set[str]]) -> list[str]:
    bad = []
    for m, deps in g.items():
        top = m.split(".")[0]
        for d in deps:
            dtop = d.split(".")[0]
            if dtop != top and LAYERS[dtop] >= LAYERS[top] and (top, dtop) not in SIDEWAYS:
                bad.append(f"{m} imports {d} ({top} is layer {LAYERS[top]}, {dtop} layer {LAYERS[dtop]})")
    return sorted(bad)


def test_every_import_goes_down_or_stays_in_its_package():
    bad = upward(graph())
    assert not bad, "\n".join(bad)


def test_below_orchestration_nothing_imports_dagster():
    bad = []
    for pkg, layer in LAYERS.items():
        if layer >= NO_DAGSTER_BELOW:
            continue
        for p in (ROOT / pkg).rglob("*.py"):
            for i in imports_of(p):
                if i.split(".")[0] in ("dagster", "dagster_dbt", "dagster_duckdb", "dagster_webserver"):
                    bad.append(f"{module_name(p)} imports {i}")
    assert not bad, "\n".join(sorted(bad))


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def _is_package(m: str) -> bool:
    return (ROOT / Path(*m.split(".")) / "__init__.py").exists()


def test_no_import_cycle():
    # a package's __init__ importing its own modules is how a package exposes them, not a loop
    g = {m: {d for d in deps if not (_is_package(d) and m.startswith(d + "."))} for m, deps in graph().items()}
    found = cycles(g)
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_checks_see_what_used_to_be_wrong():
    # the loop this layout removed: the CLI's runner loads the definitions, whose automation imported the runner
    g = {"georisk.runner": {"orchestration.definitions"}, "orchestration.definitions": {"orchestration.automation"},
         "orchestration.automation": {"georisk.runner"}}
    assert upward(g) == ["orchestration.automation imports georisk.runner (orchestration is layer 3, georisk layer 4)"]
    assert cycles(g) == [sorted(g)]
    assert upward({"indicators.extract": {"ingestion.store"}}) == [
        "indicators.extract imports ingestion.store (indicators is layer 1, ingestion layer 1)"]


def test_cycle_finder_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
