"""The pattern language: each construct, both regex engines agreeing, clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from analysis.cache import CACHE_ENV
from analysis.score import patterns as patterns_module
from analysis.score.patterns import (
    MASK,
    PatternError,
    compile_any,
    compile_chunks,
    compile_group,
    compile_pattern,
)

VOCAB = {
    "things": ["verify (it|that)"],
    "number": [r"re:\b\d[\d,.]*\+?", "(one|two|hundred*|dozen*)"],
    "loop": ["{loop}"],
}


def matches(pattern: str, text: str) -> list[str]:
    """Matches of the compiled pattern in polars; Python's re must find the same."""
    regex = compile_pattern(pattern, VOCAB)
    found = pl.Series([text]).str.extract_all(regex)[0].to_list()
    assert found == [m.group(0) for m in re.finditer(regex, text)]
    return list(found)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("verif*", "Verification, verified, unverified", ["Verification", "verified"]),
        ("can't verify", "cant verify / can't verify / cannot verify", ["cant verify", "can't verify"]),
        ("cease-fire", "ceasefire, cease-fire, cease fire", ["ceasefire", "cease-fire", "cease fire"]),
        ("UN", "the UN, the un, UNHCR, the UN's", ["UN", "UN"]),
        ("U.N.", "the U.N. said", ["U.N."]),
        ("security council", "Security Council, SECURITY COUNCIL", ["Security Council", "SECURITY COUNCIL"]),
        ("where ~1 is", "Where is it? Where exactly is it? Where on earth is it?", ["Where is", "Where exactly is"]),
        ("(lift|raise) a finger", "won't lift a finger, raise a finger", ["lift a finger", "raise a finger"]),
        ("{number} ~2 dead", "200 dead, two civilians dead, x200 dead", ["200 dead", "two civilians dead"]),
        ("sure and i'm the queen", "Sure, and I'm the Queen of England", ["Sure, and I'm the Queen"]),
    ],
)
def test_constructs(pattern: str, text: str, expected: list[str]) -> None:
    assert matches(pattern, text) == expected


def test_phrases_do_not_run_across_a_sentence_end() -> None:
    assert matches("nobody knows", "Nobody. Knows.") == []
    assert matches("nobody ~2 knows", "Nobody cares. He knows.") == []


def test_phrases_do_not_run_across_a_mask() -> None:
    assert matches("casualty figures", f"casualty{MASK}figures") == []


def test_raw_patterns_pass_through_with_flags_scoped() -> None:
    assert compile_pattern(r"re:(?i)\bfoo") == r"(?i:\bfoo)"
    combined = compile_any([r"re:(?i)\bfoo", "bar"])
    assert re.findall(combined, "FOO bar") == ["FOO", "bar"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(a|b", "missing ')'"),
        ("a)", "unbalanced"),
        ("~2 a", "gap"),
        ("a ~2", "gap"),
        ("(a|)", "empty"),
        ("ver*ify", "'*' may only end a word"),
        ("{nowhere}", "unknown vocabulary list"),
        ("{loop}", "refers to itself"),
        ("re:", "empty raw pattern"),
        ("(kremlin|state)-(backed|run)", "a hyphen joins two words"),
    ],
)
def test_errors_name_the_problem(pattern: str, message: str) -> None:
    with pytest.raises(PatternError, match=re.escape(message)):
        compile_any([pattern], VOCAB)


def test_invalid_raw_expression_is_named() -> None:
    with pytest.raises(PatternError, match=r"re:\(unclosed"):
        compile_any(["fine", "re:(unclosed"])


def test_groups_compile_to_bounded_chunks_that_match_the_same() -> None:
    patterns = [f"word{i} ~2 (alpha|beta|gamma{i})" for i in range(60)]
    chunks = compile_chunks(patterns, budget=500)
    assert len(chunks) > 1
    assert all(len(c) <= 500 + len(compile_pattern(patterns[0])) for c in chunks)
    single = compile_any(patterns)
    for text in ["word7 and beta", "word59 x y gamma59", "word3 gamma4", "nothing here"]:
        assert any(re.search(c, text) for c in chunks) == bool(re.search(single, text))


def test_compiled_groups_are_read_back_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    patterns = ["verif*", "can't {things}", "re:(?i)\\bfoo\\b"]
    cold = compile_group(patterns, VOCAB)
    assert compile_any(patterns, VOCAB) == "|".join(f"(?:{e})" for e in cold.expressions)
    assert len(list(tmp_path.glob("patterns-*.json"))) == 2

    def check(regex: str, pattern: str) -> None:
        raise AssertionError("checked again instead of read from the cache")

    with monkeypatch.context() as patched:
        patched.setattr(patterns_module, "check_regex", check)
        assert compile_group(patterns, VOCAB) == cold
        assert compile_any(patterns, VOCAB) == "|".join(f"(?:{e})" for e in cold.expressions)
    # what does not compile is never kept: it fails every time, with its name
    for _ in range(2):
        with pytest.raises(PatternError, match="unclosed"):
            compile_group([*patterns, "re:(unclosed"], VOCAB)


def test_a_patterns_entry_that_does_not_fit_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    patterns = ["verif*", "can't {things}", "hundred*"]
    cold = compile_group(patterns, VOCAB, budget=60)
    assert len(cold.chunks) > 1
    regex = compile_any(patterns, VOCAB)
    for path in tmp_path.glob("patterns-*.json"):
        entry = json.loads(path.read_text("utf-8"))
        for broken in (
            {**entry, "expressions": [*entry["expressions"][:-1], ""]},
            {**entry, "expressions": entry["expressions"][:-1]},
            {**entry, "chunk_of": [0, 5, 6][: len(entry["expressions"])]} if "chunk_of" in entry else {},
        ):
            path.write_text(json.dumps(broken), "utf-8")
            assert compile_group(patterns, VOCAB, budget=60) == cold
            assert compile_any(patterns, VOCAB) == regex
