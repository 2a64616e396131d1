"""The C featuriser against its Python reference, and the projection against the sparse product."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readerpulse.score import features

TEXTS = [
    "The UN did nothing, un-believable! Verified?",
    "who verified this",
    "",
    "Ça va? Don\u2019t trust \u201c200 killed\u201d \U0001f644",
    "   spaces   everywhere   ",
    "a",
    "?!?!",
    "Ελληνικά και русский текст, 中文",
]


def test_normalised_words() -> None:
    out = features.normalise(pl.Series(["Don\u2019t TRUST it?! (Really)", None, "a--b"])).to_list()
    assert out == ["dont trust it ? ! really", "", "a b"]


@pytest.mark.parametrize("bits", [6, 12, 18])
def test_hashed_equals_reference(bits: int) -> None:
    ours = features.hashed(pl.Series(TEXTS), bits)
    reference = features.hashed_reference(TEXTS, bits)
    assert ours.shape == reference.shape == (len(TEXTS), 1 << bits)
    assert abs(ours - reference).max() < 1e-6


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=6))
def test_hashed_equals_reference_on_any_text(texts: list[str]) -> None:
    assert abs(features.hashed(pl.Series(texts, dtype=pl.String), 10) - features.hashed_reference(texts, 10)).max() < 1e-6


def test_project_equals_sparse_product() -> None:
    weights = np.random.default_rng(1).standard_normal((1 << 12, 3)).astype(np.float32)
    texts = pl.Series(TEXTS * 3)
    expected = features.hashed(texts, 12) @ weights
    assert np.allclose(features.project(texts, 12, weights), expected, atol=1e-5)


@pytest.mark.parametrize("k", [1, 10, 16])
def test_padded_weights_give_the_same_sums_and_words(k: int) -> None:
    weights = np.random.default_rng(k).standard_normal((1 << 10, k)).astype(np.float32)
    padded = features.padded(weights)
    assert padded.shape == (1 << 10, features.WIDE) and padded.ctypes.data % 64 == 0
    texts = pl.Series(TEXTS * 2)
    assert np.array_equal(features.project(texts, 10, padded, outputs=k), features.project(texts, 10, weights))
    sums, found = features.project_top(texts, 10, weights, 4, 3)
    padded_sums, padded_found = features.project_top(texts, 10, padded, 4, 3, outputs=k)
    assert np.array_equal(padded_sums, sums)
    assert np.array_equal(padded_found.rows, found.rows) and np.array_equal(padded_found.outputs, found.outputs)
    assert padded_found.words.equals(found.words)
    with pytest.raises(ValueError, match="at most 16"):
        features.padded(np.zeros((4, 17), dtype=np.float32))


def test_each_family_has_unit_weight() -> None:
    # one word "ab": word family 1 feature, char family: " ab " gives 2 trigrams and 1 four-gram
    matrix = features.hashed_reference(["ab"], 20)
    values = sorted(matrix.data.tolist())
    assert values == pytest.approx([1 / np.sqrt(3)] * 3 + [1.0])


def test_long_text_is_cut() -> None:
    long = "word " * (features.MAX_BYTES // 5 + 100)
    short = "word " * (features.MAX_BYTES // 5)
    assert abs(features.hashed(pl.Series([long]), 10) - features.hashed(pl.Series([short]), 10)).max() < 1e-6


def test_project_rejects_wrong_weights() -> None:
    with pytest.raises(ValueError, match="2\\*\\*bits"):
        features.project(pl.Series(["x"]), 12, np.zeros((10, 2), dtype=np.float32))


def test_dense_columns() -> None:
    vader = pl.DataFrame({"neg": [0.1], "neu": [0.8], "pos": [0.1], "compound": [-0.2]})
    dense = features.dense(pl.Series(["Why?? no!"]), vader, np.array([[5.0, 1.0]]), np.array([[0.0, 0.0]]),
                           np.array([1.0]))
    names = features.dense_names(["a", "b"])
    assert dense.shape == (1, len(names))
    row = dict(zip(names, dense[0].tolist(), strict=True))
    assert row["keywords_a"] == 1.0  # capped at 3 keywords
    assert row["keywords_b"] == pytest.approx(1 / 3)
    assert row["questions"] == pytest.approx(2 / 3)
    assert row["is_reply"] == 1.0


def _words(found: features.TopWords, row: int, column: int) -> list[str]:
    """The words project_top found for (row, column); none when the pair is not listed."""
    at = np.flatnonzero((found.rows == row) & (found.outputs == column))
    return found.words[int(at[0])].to_list() if len(at) else []


def _distinct(words: list[str], keep: int) -> list[str]:
    return list(dict.fromkeys(words))[:keep]


def test_top_words_equal_the_reference() -> None:
    rng = np.random.default_rng(3)
    weights = rng.standard_normal((1 << 10, 2)).astype(np.float32)
    texts = pl.Series(TEXTS + ["the ferry, the ferry again and again", "Ελληνικά ferry 中文 again"])
    normal = features.normalise(texts)
    scores, found = features.project_top(texts, 10, weights, 4, 3)
    assert np.allclose(scores, features.project(texts, 10, weights))
    for row, text in enumerate(normal.to_list()):
        for column in range(2):
            expected = [w for w, _ in features.top_words_reference(text, 10, weights[:, column], 4)]
            assert _words(found, row, column) == _distinct(expected, 3), (text, column)


def test_a_repeated_word_takes_two_of_the_top_places() -> None:
    weights = np.zeros((1 << 10, 1), dtype=np.float32)
    weights[features.bucket("w", "ferry", 10)] = 1.0
    weights[features.bucket("w", "harbour", 10)] = 0.5
    weights[features.bucket("w", "gate", 10)] = 0.25
    text = "ferry ferry harbour gate"
    expected = [w for w, _ in features.top_words_reference(text, 10, weights[:, 0], 3)]
    assert expected[:2] == ["ferry", "ferry"]
    _, found = features.project_top(pl.Series([text]), 10, weights, 3, 3)
    assert _words(found, 0, 0) == _distinct(expected, 3) == ["ferry", "harbour"]


def test_words_are_found_only_where_the_sum_reaches_the_bar() -> None:
    rng = np.random.default_rng(4)
    weights = np.abs(rng.standard_normal((1 << 10, 2))).astype(np.float32)
    texts = pl.Series(["the ferry and the harbour", "ferry", ""])
    scores, _ = features.project_top(texts, 10, weights, 4, 3)
    bar = np.array([[np.inf, -np.inf], [scores[1, 0], scores[1, 1] + 1], [-np.inf, -np.inf]], dtype=np.float32)
    _, found = features.project_top(texts, 10, weights, 4, 3, bar=bar)
    listed = sorted(zip(found.rows.tolist(), found.outputs.tolist(), strict=True))
    assert listed == [(0, 1), (1, 0)]  # a bar reached exactly counts; an empty text has no word


def test_a_long_text_is_cut_before_a_character() -> None:
    # 3-byte characters: MAX_BYTES falls inside one; C and Python cut before it alike
    texts = ["中文 " * (features.MAX_BYTES // 7 + 50), "é" * (features.MAX_BYTES // 2 + 3)]
    assert abs(features.hashed(pl.Series(texts), 10) - features.hashed_reference(texts, 10)).max() < 1e-6
    normal = features.normalise(pl.Series(texts)).to_list()
    assert features.cut(normal[0]).decode()  # decodes: no half character
    weights = np.random.default_rng(5).standard_normal((1 << 10, 1)).astype(np.float32)
    _, found = features.project_top(pl.Series(texts[:1]), 10, weights, 3, 3)
    expected = features.top_words_reference(normal[0], 10, weights[:, 0], 3)
    assert _words(found, 0, 0) == _distinct([w for w, _ in expected], 3)


def test_skipped_words_are_no_top_words() -> None:
    rng = np.random.default_rng(9)
    weights = np.abs(rng.standard_normal((1 << 10, 1))).astype(np.float32)  # every share positive
    skip = features.bucket_mask(["the", "and"], 10)
    text = "the ferry and the harbour and the"
    _, found = features.project_top(pl.Series([text]), 10, weights, 6, 6, skip=skip)
    got = _words(found, 0, 0)
    assert got == _distinct([w for w, _ in features.top_words_reference(text, 10, weights[:, 0], 6, skip)], 6)
    assert "the" not in got and "and" not in got and "and the" not in got
    assert {"the ferry", "ferry and", "ferry"} & set(got)  # a pair with one content word stays


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab ?é中", max_size=40), min_size=1, max_size=5))
def test_top_words_equal_the_reference_on_any_text(texts: list[str]) -> None:
    weights = np.random.default_rng(7).standard_normal((1 << 8, 2)).astype(np.float32)
    normal = features.normalise(pl.Series(texts, dtype=pl.String)).to_list()
    scores, found = features.project_top(pl.Series(texts, dtype=pl.String), 8, weights, 4, 3)
    assert np.allclose(scores, features.hashed_reference(texts, 8) @ weights, atol=1e-4)
    for row, text in enumerate(normal):
        for column in range(2):
            expected = [w for w, _ in features.top_words_reference(text, 8, weights[:, column], 4)]
            assert _words(found, row, column) == _distinct(expected, 3)
