"""The package's layers: lower modules never import higher ones, and no two modules import each other.

Every import is read from the source (module level and inside functions alike: a function-level
import is still a dependency, only a later one).
"""
import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "w2v"

#: Lowest first.  A module may import modules of its own layer or of lower ones.  Patterns ending in
#: ".*" stand for a package and everything in it.
LAYERS = (
    ("foundations", ("w2v.errors", "w2v.compression", "w2v.atomic", "w2v.progress", "w2v.tokenize", "w2v.utils")),
    ("kernels", ("w2v.kernels", "w2v.kernels.*")),
    ("data", ("w2v.params", "w2v.store", "w2v.corpus", "w2v.vocab", "w2v.phrases", "w2v.gensim_io",
              "w2v.word2vec_io")),
    ("training core", ("w2v.train", "w2v.train.*")),
    ("vectors", ("w2v.vectors", "w2v.formats", "w2v.evaluate", "w2v.download", "w2v.datasets",
                  "w2v.answers")),
    ("model", ("w2v.model",)),
    ("applications", ("w2v.items", "w2v.items.*", "w2v.illustrate", "w2v.illustrate.*", "w2v.lm", "w2v.lm.*",
                      "w2v.serve", "w2v.serve.*")),
    ("public API", ("w2v",)),
    ("command line", ("w2v.cli", "w2v.cli.*", "w2v.__main__")),
)

#: Known cycles being removed elsewhere; each entry says where.  Keep this empty.
ALLOWED_CYCLES = set()


def module_name(path):
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name):
    """The w2v modules that module ``name`` imports, anywhere in its source."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:   # `from . import x` names a module when x is one
                child = f"{target}.{alias.name}"
                if child in MODULES:
                    found.add(child)
                elif not _is_extension(child):   # a compiled module (w2v._textio) depends on nothing
                    found.add(target)
    return {m for m in found if m in MODULES and m != name}


def _is_extension(name):
    folder = SRC.joinpath(*name.split(".")[:-1])
    stem = name.rpartition(".")[2]
    return (folder / f"{stem}.c").exists() or any(folder.glob(f"{stem}.*.so"))


GRAPH = {name: imports_of(name) for name in MODULES}


def layer_of(name):
    for rank, (_, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if name == pattern or (pattern.endswith(".*") and name.startswith(pattern[:-1])):
                return rank
    raise AssertionError(f"{name} is in no layer: add it to LAYERS in tests/test_layering.py")


def test_every_module_has_a_layer():
    for name in MODULES:
        layer_of(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_higher_layer(name):
    mine = layer_of(name)
    higher = sorted(m for m in GRAPH[name] if layer_of(m) > mine)
    assert not higher, (f"{name} ({LAYERS[mine][0]}) imports {', '.join(higher)} from a higher layer "
                        f"({', '.join(LAYERS[layer_of(m)][0] for m in higher)})")


def _cycles():
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    cycles = [c for c in _cycles() if c not in ALLOWED_CYCLES]
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(sorted(c)) for c in cycles)


def test_the_checker_sees_function_level_imports_and_cycles(tmp_path, monkeypatch):
    """The checker itself: a function-level import of a higher layer and a two-module cycle are found."""
    assert "w2v.model" in GRAPH["w2v.items.model"]          # imported inside _train_vectors
    monkeypatch.setitem(GRAPH, "w2v.vocab", GRAPH["w2v.vocab"] | {"w2v.corpus"})
    monkeypatch.setitem(GRAPH, "w2v.corpus", GRAPH["w2v.corpus"] | {"w2v.vocab"})
    assert frozenset({"w2v.vocab", "w2v.corpus"}) in _cycles()
