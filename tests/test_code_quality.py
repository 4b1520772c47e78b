"""The package's shape: layers import only downwards, and ruff (configured in pyproject.toml) is clean."""

from __future__ import annotations

import ast
import shutil
import subprocess

from tests.conftest import REPO

# Lower number = lower layer. A package may import only packages of a lower layer (never a sibling or above).
LAYERS = {
    "fileio": 0, "data": 0,
    "text": 1,
    "llm": 2,
    "safety": 3,
    "retrieval": 4, "evals": 4,
    "checks": 5, "lab": 5,
    "course": 6,
    "records": 7,
    "hackathon": 8, "hub": 8, "demo": 8,
    "cli": 9,
    "__main__": 10,
}


def _imports() -> set[tuple[str, str, str]]:
    """(importing package, imported package, file) for every aidojo import in aidojo/, lazy ones included."""
    found = set()
    for path in (REPO / "aidojo").rglob("*.py"):
        parts = path.relative_to(REPO / "aidojo").parts
        if parts == ("__init__.py",):
            continue
        source = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
            for name in names:
                if name.startswith("aidojo.") and name.split(".")[1] != source:
                    found.add((source, name.split(".")[1], str(path.relative_to(REPO))))
    return found


def test_every_package_has_a_layer():
    packages = {p.name.removesuffix(".py") for p in (REPO / "aidojo").iterdir()
                if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.name != "__init__.py")}
    assert packages <= set(LAYERS), f"add to LAYERS: {packages - set(LAYERS)}"


def test_layers_import_only_downwards():
    wrong = sorted(f"{path}: {src} (layer {LAYERS[src]}) imports {dst} (layer {LAYERS.get(dst)})"
                   for src, dst, path in _imports() if LAYERS.get(dst, 99) >= LAYERS.get(src, -1))
    assert not wrong, "\n".join(wrong)


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(REPO / ".venv" / "bin" / "ruff")
    proc = subprocess.run([ruff, "check", "aidojo", "tests", "benchmarks", "scripts", "grader", "hackathon_templates"], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
