"""environment.yml (conda) and pyproject.toml (pip) list the same dependencies."""

from __future__ import annotations

import tomllib

import yaml
from packaging.requirements import Requirement

from tests.conftest import REPO


def _normalise(specs: list[str]) -> dict[str, str]:
    out = {}
    for spec in specs:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        extras = ",".join(sorted(req.extras))
        out[name + (f"[{extras}]" if extras else "")] = str(req.specifier)
    return out


def test_conda_and_pip_dependency_lists_match():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda_pip = [s for s in pip_section if not s.startswith("-e")]
    assert _normalise(conda_pip) == _normalise(pyproject["project"]["dependencies"])
    assert "-e ." in pip_section  # the kit itself, editable, as `pip install -e .`
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=3.11" and pyproject["project"]["requires-python"] == ">=3.11"
