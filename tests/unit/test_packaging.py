"""Issue 15, points 7 and 14: every third-party import is declared, and building the package
metadata prints no deprecation warning."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {"agent", "graphs", "loaders", "evals", "examples", "benchmarks"}
# modules that come with an extra of a declared requirement: psycopg[pool]
VIA_EXTRAS = {"psycopg_pool"}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {re.split(r"[<>=\[; !~]", r, maxsplit=1)[0].lower().replace("_", "-") for r in reqs}


def _sources() -> dict[str, str]:
    files = {
        str(p): p.read_text()
        for d in ("agent", "graphs", "loaders", "evals")
        for p in (ROOT / d).rglob("*.py")
    }
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        files[str(nb)] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return files


def _imports(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_every_third_party_import_is_declared() -> None:
    declared, dists = _declared(), packages_distributions()
    missing = {}
    for path, source in _sources().items():
        for module in _imports(source) - OURS - VIA_EXTRAS - set(sys.stdlib_module_names) - {"__future__"}:
            names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
            if not names & declared:
                missing.setdefault(module, Path(path).relative_to(ROOT).as_posix())
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_building_the_metadata_prints_no_deprecation_warning(tmp_path: Path) -> None:
    code = f"import setuptools.build_meta as b; b.prepare_metadata_for_build_wheel({str(tmp_path)!r})"
    proc = subprocess.run(
        [sys.executable, "-W", "default", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Deprecat" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr[-2000:]
