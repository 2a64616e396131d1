"""The store sits below the layers that use it: no module under analysis/store/ imports from
ingest, score, report or the CLI (ingest builds what the store accepts; the store knows no reader)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"
NAME = "readerpulse"  # the import name of analysis/
ABOVE = ("ingest", "score", "report", "cli")  # the packages and modules that use the store


def _above(module: str) -> bool:
    return any(module == f"{NAME}.{name}" or module.startswith(f"{NAME}.{name}.") for name in ABOVE)


def _imported(node: ast.Import | ast.ImportFrom, parts: list[str]) -> list[str]:
    """The modules (or names in a module) a statement imports, as absolute dotted names; `parts`
    is the importing module's own dotted name, split."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: one level is the module's package, each more its parent
        base = parts[: len(parts) - node.level]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    # `from pkg import name` may import the submodule pkg.name
    return [module, *(f"{module}.{alias.name}" for alias in node.names)]


def imports_from_above(package: Path, layer: str = "store") -> list[str]:
    """`file:line: module` for each import, under `package`/`layer`, of a module of the layers
    above (relative or absolute, at the top of the module or inside a function)."""
    found = []
    for path in sorted((package / layer).rglob("*.py")):
        rel = path.relative_to(package)
        parts = [NAME, *rel.with_suffix("").parts]  # an __init__.py: its relative imports start in its package
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        statements = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
        for node in sorted(statements, key=lambda node: node.lineno):
            names = _imported(node, parts)
            above = [name for name in names if _above(name)]
            if above and isinstance(node, ast.ImportFrom) and _above(names[0]):
                above = above[:1]  # `from ..ingest.model import A, B`: one finding, the module
            found.extend(f"{rel.as_posix()}:{node.lineno}: {name}" for name in above)
    return found


def test_the_store_imports_nothing_from_the_layers_above() -> None:
    assert imports_from_above(PACKAGE) == []


def test_the_check_reads_the_store_itself() -> None:
    # the same walk over a layer that does use the store finds those imports: it reads real modules
    found = imports_from_above(PACKAGE, "ingest")
    assert any(f.startswith("ingest/api.py:") and f.endswith(": readerpulse.ingest.formats") for f in found)


def test_every_form_of_import_from_above_is_found(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "sub").mkdir(parents=True)
    (store / "__init__.py").write_text("from ..score import runner\nfrom .db import run\n")
    (store / "writer.py").write_text(
        "from __future__ import annotations\n"
        "\n"
        "from ..ingest import bounds\n"
        "from ..ingest.model import Batch, SourceFile\n"
        "from ..ingest.scan import CommentScan\n"
        "from ..text import SCORED_CHARS\n"
        "from .db import registered\n"
    )
    (store / "other.py").write_text(
        "import polars as pl\n"
        "import readerpulse.report.weekly\n"
        "from readerpulse.cli import main\n"
        "from readerpulse import score, errors\n"
        "from .. import labels, ingest\n"
        "from . import ingest_rows\n"  # a store module so named: not the ingest package
        "from readerpulse.scores import x\n"  # nor a module whose name merely starts the same
        "\n"
        "def late():\n"
        "    from ..cli import echo\n"
        "    return echo\n"
    )
    (store / "sub" / "deep.py").write_text("from ...ingest.api import ingest\nfrom ..db import run\n")
    assert imports_from_above(tmp_path) == [
        "store/__init__.py:1: readerpulse.score",
        "store/other.py:2: readerpulse.report.weekly",
        "store/other.py:3: readerpulse.cli",
        "store/other.py:4: readerpulse.score",
        "store/other.py:5: readerpulse.ingest",
        "store/other.py:10: readerpulse.cli",
        "store/sub/deep.py:1: readerpulse.ingest.api",
        "store/writer.py:3: readerpulse.ingest",
        "store/writer.py:4: readerpulse.ingest.model",
        "store/writer.py:5: readerpulse.ingest.scan",
    ]
