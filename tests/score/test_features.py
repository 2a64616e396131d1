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


def test_top_words_equal_the_reference() -> None:
    rng = np.random.default_rng(3)
    weights = rng.standard_normal((1 << 10, 2)).astype(np.float32)
    texts = pl.Series(TEXTS + ["the ferry, the ferry again and again", "Ελληνικά ferry 中文 again"])
    normal = features.normalise(texts)
    scores, best, spans = features.project_top(texts, 10, weights, 4)
    assert np.allclose(scores, features.project(texts, 10, weights))
    for row, text in enumerate(normal.to_list()):
        for column in range(2):
            expected = features.top_words_reference(text, 10, weights[:, column], 4)
            got = [
                (text[start : start + length], float(value))
                for value, (start, length) in zip(best[row, column], spans[row, column], strict=True)
                if value > 0
            ]
            assert [w for w, _ in got] == [w for w, _ in expected], (text, column)
            assert np.allclose([v for _, v in got], [v for _, v in expected], atol=1e-5)


def test_a_long_text_is_cut_before_a_character() -> None:
    # 3-byte characters: MAX_BYTES falls inside one; C and Python cut before it alike
    texts = ["中文 " * (features.MAX_BYTES // 7 + 50), "é" * (features.MAX_BYTES // 2 + 3)]
    assert abs(features.hashed(pl.Series(texts), 10) - features.hashed_reference(texts, 10)).max() < 1e-6
    normal = features.normalise(pl.Series(texts)).to_list()
    assert features.cut(normal[0]).decode()  # decodes: no half character
    weights = np.random.default_rng(5).standard_normal((1 << 10, 1)).astype(np.float32)
    _, best, spans = features.project_top(pl.Series(texts[:1]), 10, weights, 3)
    expected = features.top_words_reference(normal[0], 10, weights[:, 0], 3)
    got = [normal[0][s : s + n] for v, (s, n) in zip(best[0, 0], spans[0, 0], strict=True) if v > 0]
    assert got == [w for w, _ in expected]


def test_skipped_words_are_no_top_words() -> None:
    rng = np.random.default_rng(9)
    weights = np.abs(rng.standard_normal((1 << 10, 1))).astype(np.float32)  # every share positive
    skip = features.bucket_mask(["the", "and"], 10)
    text = "the ferry and the harbour and the"
    _, best, spans = features.project_top(pl.Series([text]), 10, weights, 6, skip=skip)
    got = [text[s : s + n] for v, (s, n) in zip(best[0, 0], spans[0, 0], strict=True) if v > 0]
    assert got == [w for w, _ in features.top_words_reference(text, 10, weights[:, 0], 6, skip)]
    assert "the" not in got and "and" not in got and "and the" not in got
    assert {"the ferry", "ferry and", "ferry"} & set(got)  # a pair with one content word stays
