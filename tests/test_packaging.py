"""The folder analysis/ installs as the package `readerpulse`: every folder of code or data is
listed (setuptools then packs it and says nothing) and no module reaches for the folder's own name (which would not exist once installed)."""

import os
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_under_the_import_name() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"readerpulse": "analysis"}
    folders = {
        ".".join(("readerpulse", *Path(folder).relative_to(ROOT / "analysis").parts))
        for folder, _, files in os.walk(ROOT / "analysis", followlinks=True)  # defaults/ links
        if "__pycache__" not in folder and any(not f.endswith(".so") for f in files)
    }
    assert folders == set(setuptools["packages"])


def test_no_code_imports_the_folder_name() -> None:
    pattern = re.compile(r"^\s*(from|import) analysis\b", re.M)
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("analysis", "tests", "bench")
        for p in (ROOT / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_packaged_defaults_are_the_top_level_folders() -> None:
    from readerpulse import defaults

    assert defaults.queries_dir().resolve() == ROOT / "queries"
    assert defaults.reports_dir().resolve() == ROOT / "reports"
    assert defaults.taxonomy_path().resolve() == ROOT / "data" / "topics.toml"


def test_package_data_carries_every_query_report_and_the_taxonomy() -> None:
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    packaged = {
        p
        for package, patterns in globs.items()
        if package.startswith("readerpulse.defaults")
        for pattern in patterns
        for p in ROOT.joinpath("analysis", *package.split(".")[1:]).glob(pattern)
    }
    wanted = [*(ROOT / "queries").rglob("*.sql"), *(ROOT / "reports").glob("*.toml"),
              *(ROOT / "reports").glob("*.j2"), ROOT / "data" / "topics.toml"]
    assert {p.resolve() for p in packaged} == {p.resolve() for p in wanted}
