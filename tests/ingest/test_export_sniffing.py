"""Comment-platform exports are recognised by their content, whatever their file name says."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from readerpulse.ingest import commento, disqus, isso, reddit, remark42, wxr
from readerpulse.ingest.formats import Format, detect
from readerpulse.ingest.inputs import decode_input, open_input
from readerpulse.ingest.model import SourceFile

from tests.ingest.export_helpers import EXTERNAL, FIXTURES, fixture, load

EXPORT_FORMATS: list[Format] = [
    *disqus.FORMATS,
    *wxr.FORMATS,
    *commento.FORMATS,
    *remark42.FORMATS,
    *reddit.FORMATS,
    *isso.FORMATS,
]

MISNAMED = [
    ("disqus", "misnamed.json"),
    ("wxr", "misnamed.csv"),
    ("commento", "misnamed.xml"),
    ("remark42", "misnamed.csv"),
    ("remark42", "userbackup-bugle-20240501.gz"),
    ("reddit", "thread.txt"),
    ("isso", "misnamed.xml"),
]

# Every fixture of ours, with the format that must claim it.
OWN = sorted(
    (path.parent.name, path)
    for path in FIXTURES.glob("*/*")
    if path.parent.name in {fmt.name for fmt in EXPORT_FORMATS}
    and path.name not in {"billion_laughs.xml", "xxe.xml", "truncated.json", "latin1.json"}
)

UPSTREAM = [
    ("disqus", "disqus/isso/disqus.xml"),
    ("disqus", "disqus/remark42/disqus.xml"),
    ("disqus", "disqus/remark42/disqus-deleted-post.xml"),
    ("disqus", "disqus/remark42/disqus-deleted-thread.xml"),
    ("wxr", "wordpress_wxr/isso/wordpress.xml"),
    ("isso", "isso_generic_json/isso/generic.json"),
    ("commento", "commento/remark42-migrator/commento.json"),
    ("commento", "commento/remark42-rest-api/commento.json"),
    ("remark42", "remark42_tree/remark42/tree.json"),
    ("reddit", "reddit/go-reddit/post/post.json"),
    ("reddit", "reddit/go-reddit/post/more.json"),
    ("reddit", "reddit/go-reddit/comment/more.json"),
]


def _source(path: Path) -> SourceFile:
    """The file as the formats see it (unpacked, in UTF-8)."""
    return decode_input(open_input(path))


@pytest.mark.parametrize(("fmt", "name"), MISNAMED)
def test_misleading_extension(conn: duckdb.DuckDBPyConnection, fmt: str, name: str) -> None:
    path = fixture(fmt, name)
    assert detect(_source(path)).name == fmt
    assert load(conn, path).format == fmt


@pytest.mark.parametrize(("fmt", "path"), OWN, ids=[f"{fmt}/{path.name}" for fmt, path in OWN])
def test_exactly_one_export_format_claims_each_fixture(fmt: str, path: Path) -> None:
    source = _source(path)
    assert [f.name for f in EXPORT_FORMATS if f.sniff(source)] == [fmt]
    assert detect(source).name == fmt


@pytest.mark.parametrize(("fmt", "relative"), UPSTREAM)
def test_upstream_fixtures_are_detected(fmt: str, relative: str) -> None:
    path = EXTERNAL / relative
    if not path.exists():
        pytest.skip(f"needs {path}: the shared upstream exports beside the repository clone")
    source = _source(path)
    assert [f.name for f in EXPORT_FORMATS if f.sniff(source)] == [fmt]
    assert detect(source).name == fmt


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("canonical/*")) + sorted(FIXTURES.glob("page/*"))
)
def test_other_formats_are_left_alone(path: Path) -> None:
    source = SourceFile.open_path(path)
    assert [f.name for f in EXPORT_FORMATS if f.sniff(source)] == []


def test_export_formats_come_before_the_catch_all_formats() -> None:
    from readerpulse.ingest.formats import registry

    names = [fmt.name for fmt in registry()]
    assert names[: len(EXPORT_FORMATS)] == [fmt.name for fmt in EXPORT_FORMATS]
