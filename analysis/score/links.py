"""Passage links: which passages of its own article a comment most likely responds to.

TF-IDF cosine over stemmed content terms (our stop-word list), computed columnar: comment and
passage terms are exploded into rows, joined on (article_id, term), and the products summed per
(comment, passage). Document frequencies are counted over the passages of each article, so a
word every paragraph uses ("Azerbaijan") counts for little and a rarer one ("verification") for
a lot. Only body passages are linked (not the title or section headings); the best TOP_K above
MIN_SIMILARITY are kept with their rank. A comment with nothing similar enough gets no link.

`PassageIndex.link_reference` is that definition, in polars. `PassageIndex.link` computes the
same rows in C (`_links.c`), one pass over each comment and no rows per term: the text is
normalised and tokenised as `term_frame` does, each distinct token is mapped once to its term
(here, with the same polars expressions and stemmer; a word that cannot stem to a passage term is
not stemmed, see _stem_prefixes) and the term to its index in the passages' vocabulary, and only
the terms of the comment's own article are weighed. What the C code needs
to know about Unicode (which code points polars' regex calls word characters, letters and digits,
and their lower case) is asked of polars too, once per code point met; a text with a code point
whose lower case depends on its context (capital sigma) or is more than one code point is linked
by the reference. tests/score/test_links_native.py checks that both give the same rows.
"""

from __future__ import annotations

import hashlib
import threading
from array import array
from collections.abc import Sequence

import polars as pl
import pyarrow as pa

from ..text import term_frame
from ..text.buffers import text_buffers
from ..text.stopwords import STOPWORDS
from ..text.tokens import fold_punctuation_expr, stem

try:
    from . import _links
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "the native passage-link module readerpulse.score._links is not built: run "
        "`.venv/bin/pip install -e . --no-deps` (needs gcc and the Python headers)"
    ) from exc

SCORER = "links"
METHOD = "tfidf-cosine-v1"
VERSION = METHOD
TOP_K = 3
MIN_SIMILARITY = 0.15
LINKABLE_KINDS = ("paragraph", "bullet", "faq_question", "faq_answer", "narrative")
LINK_SCHEMA = {
    "comment_pk": pl.Int64,
    "article_id": pl.String,
    "passage_no": pl.Int32,
    "rank": pl.Int32,
    "similarity": pl.Float64,
    "method": pl.String,
}


def lexicon_hash() -> str:
    """SHA-256 of the stop-word list and the linking parameters."""
    payload = "\n".join(sorted(STOPWORDS)) + f"\n{METHOD} {TOP_K} {MIN_SIMILARITY} {LINKABLE_KINDS}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _weights(tf: pl.LazyFrame, idf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """(1 + ln tf) * idf, L2-normalised per document identified by `keys`."""
    return (
        tf.join(idf, on=["article_id", "term"], how="inner")
        .with_columns(w=(1 + pl.col("tf").cast(pl.Float64).log()) * pl.col("idf"))
        .with_columns(w=pl.col("w") / (pl.col("w") ** 2).sum().sqrt().over(keys))
        .select(*keys, "term", "w")
    )


_STOPWORD_LIST = list(STOPWORDS)

# What polars makes of each code point met so far: flags for _links and the folded lower case.
# Shared by the indexes of a process, so polars is asked once per code point.
_CODEPOINTS: dict[int, tuple[int, int]] = {}
_CODEPOINTS_LOCK = threading.Lock()


def _describe(codepoints: Sequence[int]) -> None:
    """Add `codepoints` and their lower cases to _CODEPOINTS, as polars sees them."""
    todo = sorted(set(codepoints) - _CODEPOINTS.keys())
    while todo:
        described = pl.DataFrame({"c": [chr(c) for c in todo]}, schema={"c": pl.String}).select(
            word=pl.col("c").str.contains(r"^\w$"),
            digit=pl.col("c").str.contains(r"^\d$"),
            letter=pl.col("c").str.contains(r"^[^\W\d_]$"),
            lower=fold_punctuation_expr(pl.col("c")).str.to_lowercase(),
        )
        more: set[int] = set()
        for c, word, digit, letter, lower in zip(todo, *(s.to_list() for s in described), strict=True):
            # Capital sigma's lower case depends on its neighbours ("ς" ending a word).
            special = len(lower) != 1 or c == 0x03A3
            flags = (
                _links.F_WORD * bool(word)
                + _links.F_DIGIT * bool(digit)
                + _links.F_LETTER * bool(letter)
                + _links.F_SPECIAL * special
            )
            low = c if special else ord(lower)
            _CODEPOINTS[c] = (flags, low)
            more.add(low)
        todo = sorted(more - _CODEPOINTS.keys())


def _codepoint_arrays(codepoints: Sequence[int]) -> tuple[bytes, bytes, bytes]:
    """set_codepoints' arguments for `codepoints` (described) and their lower cases."""
    todo = sorted(set(codepoints) | {_CODEPOINTS[c][1] for c in codepoints})
    return (
        array("I", todo).tobytes(),
        bytes(_CODEPOINTS[c][0] for c in todo),
        array("I", [_CODEPOINTS[c][1] for c in todo]).tobytes(),
    )


# What the Snowball stemmer may leave at the end of a stem in place of the word's own letters
# ("happy" -> "happi", "hoped" -> "hope", "ability" -> "abl", "dying" -> "die", "skies" -> "sky").
STEM_TAILS = ("", "e", "i", "l", "ie", "le", "y")


def _stem_prefixes(vocabulary: list[str]) -> frozenset[str] | None:
    """What a token must start with for its stem to be one of `vocabulary` (None: anything).

    The Snowball stemmer only rewrites the end of a lower-case word that starts with a letter: a
    stem is the word's first letter or more, then at most one of STEM_TAILS (checked for every
    word of the 1M-comment corpus and 800,000 generated ones, and in the tests). So a word that
    stems to v starts with v less one of those tails.
    """
    if "" in vocabulary:
        return None
    return frozenset(
        v[: len(v) - len(tail)]
        for v in vocabulary
        for tail in STEM_TAILS
        if v.endswith(tail) and len(v) > len(tail)
    )


def _token_terms(tokens: list[str], prefixes: frozenset[str] | None = None) -> list[str | None]:
    """The content term of each token (None: none), by `term_frame`'s expressions and stemmer.

    With `prefixes` (see _stem_prefixes), a word that cannot stem to the vocabulary is not
    stemmed, and its term is None.
    """
    kept = (
        pl.DataFrame({"token": tokens}, schema={"token": pl.String})
        .with_row_index("i")
        .lazy()
        .filter(~pl.col("token").is_in(_STOPWORD_LIST) & (pl.col("token").str.len_chars() > 1))
        .with_columns(
            pl.when(pl.col("token").str.contains(r"^\d"))
            .then(pl.col("token").str.replace_all(",", "", literal=True))
            .otherwise(pl.col("token").str.replace(r"'s$", ""))
            .alias("token")
        )
        .filter(~pl.col("token").is_in(_STOPWORD_LIST) & (pl.col("token").str.len_chars() > 1))
        .collect()
    )
    terms: list[str | None] = [None] * len(tokens)
    for i, token in zip(kept["i"].to_list(), kept["token"].to_list(), strict=True):
        if token[:1].isdigit():
            terms[i] = token
        elif (
            prefixes is None
            or token != token.lower()
            or any(token[:n] in prefixes for n in range(1, len(token) + 1))
        ):
            terms[i] = stem(token)
    return terms


def _buffer(series: pl.Series, dtype: pl.DataType) -> memoryview:
    """The values of a series without nulls, as native bytes of `dtype` (Int32, Int64, Float64)."""
    arr = series.cast(dtype).rechunk().to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    width = arr.type.bit_width // 8
    view = memoryview(arr.buffers()[1]).cast("B")
    return view[arr.offset * width : (arr.offset + len(arr)) * width]


def _series(name: str, data: bytes, dtype: pl.DataType) -> pl.Series:
    """A series of the native int32 or float64 values in `data`."""
    arrow_type = pa.float64() if dtype == pl.Float64 else pa.int32()
    width = arrow_type.bit_width // 8
    arr = pa.Array.from_buffers(arrow_type, len(data) // width, [None, pa.py_buffer(data)])
    return pl.Series(name, arr, dtype=dtype)


def _offsets(counts: pl.DataFrame, key: str, n: int) -> memoryview:
    """int64 offsets of groups 0..n-1 from rows (key, count)."""
    ends = (
        pl.DataFrame({key: pl.int_range(n, eager=True, dtype=pl.UInt32)})
        .join(counts.with_columns(pl.col(key).cast(pl.UInt32)), on=key, how="left")
        .get_column("count")
        .fill_null(0)
        .cast(pl.Int64)
        .cum_sum()
    )
    return _buffer(pl.concat([pl.Series([0], dtype=pl.Int64), ends]), pl.Int64())


class PassageIndex:
    """TF-IDF vectors of the linkable passages, built once per scoring run."""

    def __init__(self, passages: pl.DataFrame) -> None:
        linkable = passages.filter(pl.col("kind").is_in(LINKABLE_KINDS)).select(
            "article_id", pl.col("passage_no").cast(pl.Int32), "text"
        )
        keys = ["article_id", "passage_no"]
        tf = term_frame(linkable, keys).lazy().group_by(*keys, "term").agg(tf=pl.len())
        n_docs = linkable.lazy().group_by("article_id").agg(n=pl.len())
        self.idf = (
            tf.group_by("article_id", "term")
            .agg(df=pl.len())
            .join(n_docs, on="article_id")
            .with_columns(idf=((1 + pl.col("n")) / (1 + pl.col("df"))).log() + 1)
            .select("article_id", "term", "idf")
            .collect()
        )
        self.vectors = _weights(tf, self.idf.lazy(), keys).collect()
        self._native_index()
        self._lock = threading.Lock()
        self._linker: _links.Linker | None = None

    def _native_index(self) -> None:
        """The index as _links wants it: per article its terms (entries) with their idf, per
        entry the passages using it (postings) with their weight, per article its passage numbers."""
        articles = self.idf.select(pl.col("article_id").unique().sort()).with_row_index("art")
        vocabulary = self.idf.select(pl.col("term").unique().sort()).with_row_index("term_id")
        self._articles = articles.get_column("article_id")
        self._article_index = articles.get_column("art").cast(pl.Int32)
        self._term_ids: dict[str, int] = dict(
            zip(vocabulary["term"].to_list(), vocabulary["term_id"].to_list(), strict=True)
        )
        self._stem_prefixes = _stem_prefixes(list(self._term_ids))
        entries = (
            self.idf.join(articles, on="article_id")
            .join(vocabulary, on="term")
            .sort("art", "term_id")
            .with_row_index("entry")
        )
        passage_nos = (
            self.vectors.select("article_id", "passage_no")
            .unique()
            .join(articles, on="article_id")
            .sort("art", "passage_no")
            .with_columns(local=pl.int_range(pl.len(), dtype=pl.Int32).over("art"))
        )
        postings = (
            self.vectors.join(entries.select("article_id", "term", "entry"), on=["article_id", "term"])
            .join(passage_nos.select("article_id", "passage_no", "local"), on=["article_id", "passage_no"])
            .sort("entry", "passage_no")
        )
        self._arrays = {
            "ent_off": _offsets(entries.group_by("art").agg(count=pl.len()), "art", articles.height),
            "ent_term": _buffer(entries["term_id"], pl.Int32()),
            "ent_idf": _buffer(entries["idf"], pl.Float64()),
            "post_off": _offsets(postings.group_by("entry").agg(count=pl.len()), "entry", entries.height),
            "post_pass": _buffer(postings["local"], pl.Int32()),
            "post_w": _buffer(postings["w"], pl.Float64()),
            "pass_off": _offsets(passage_nos.group_by("art").agg(count=pl.len()), "art", articles.height),
            "pass_no": _buffer(passage_nos["passage_no"], pl.Int32()),
        }

    def _new_linker(self) -> _links.Linker:
        linker = _links.Linker(**self._arrays, min_similarity=MIN_SIMILARITY, top_k=TOP_K)
        with _CODEPOINTS_LOCK:
            _describe(range(128))  # all of ASCII, which the C code then reads fastest
            linker.set_codepoints(*_codepoint_arrays(list(_CODEPOINTS)))
        return linker

    def link(self, comments: pl.DataFrame) -> pl.DataFrame:
        """Links of a batch of comments (comment_pk, article_id, text): the schema of passage_links.

        The rows of `link_reference`, computed in C (which reads the texts without the GIL).
        """
        if comments.height == 0 or self._articles.len() == 0:
            return pl.DataFrame(schema=LINK_SCHEMA)
        offsets, data = text_buffers(comments.get_column("text"))
        article_index = _buffer(
            comments.get_column("article_id")
            .cast(pl.String)
            .replace_strict(self._articles, self._article_index, default=-1, return_dtype=pl.Int32)
            .fill_null(-1),
            pl.Int32(),
        )
        with self._lock:
            # Taken out while in use: if anything fails half-way, the next batch gets a new one.
            linker, self._linker = self._linker or self._new_linker(), None
            tokens, special, missing, again = linker.tokenize(offsets, data, article_index)
            left = [special]
            while True:
                if tokens:
                    ids = self._term_ids
                    terms = [-1 if t is None else ids.get(t, -1) for t in _token_terms(tokens, self._stem_prefixes)]
                    linker.set_terms(array("i", terms).tobytes())
                if not missing:
                    break
                # Code points met for the first time: described, then their rows again.
                with _CODEPOINTS_LOCK:
                    codepoints = array("I", missing).tolist()
                    _describe(codepoints)
                    linker.set_codepoints(*_codepoint_arrays(codepoints))
                tokens, special, missing, again = linker.tokenize(offsets, data, article_index, again)
                left.append(special)
            rows, passage_no, rank, similarity = linker.score()
            self._linker = linker
        picked = _series("row", rows, pl.Int32())
        links = pl.DataFrame(
            [
                comments.get_column("comment_pk").gather(picked).cast(pl.Int64),
                comments.get_column("article_id").gather(picked).cast(pl.String),
                _series("passage_no", passage_no, pl.Int32()),
                _series("rank", rank, pl.Int32()),
                _series("similarity", similarity, pl.Float64()),
                pl.repeat(METHOD, picked.len(), dtype=pl.String, eager=True).alias("method"),
            ]
        )
        if any(left):
            to_reference = _series("row", b"".join(left), pl.Int32()).sort()
            links = pl.concat([links, self.link_reference(comments[to_reference])])
            return links.sort("comment_pk", "rank")
        if comments.get_column("comment_pk").is_sorted():
            return links
        return links.sort("comment_pk", "rank")

    def link_reference(self, comments: pl.DataFrame) -> pl.DataFrame:
        """`link` as joins of exploded term rows in polars: the definition `link` reproduces."""
        keys = ["comment_pk", "article_id"]
        tf = term_frame(comments, keys).lazy().group_by(*keys, "term").agg(tf=pl.len())
        vectors = _weights(tf, self.idf.lazy(), keys)
        return (
            vectors.join(self.vectors.lazy(), on=["article_id", "term"], how="inner", suffix="_p")
            .group_by("comment_pk", "article_id", "passage_no")
            .agg(similarity=(pl.col("w") * pl.col("w_p")).sum().round(4))
            .filter(pl.col("similarity") >= MIN_SIMILARITY)
            .with_columns(
                rank=pl.col("similarity")
                .rank("ordinal", descending=True)
                .over("comment_pk", order_by="passage_no")
                .cast(pl.Int32)
            )
            .filter(pl.col("rank") <= TOP_K)
            .with_columns(method=pl.lit(METHOD))
            .select(list(LINK_SCHEMA))
            .sort("comment_pk", "rank")
            .collect()
            .cast(LINK_SCHEMA)  # type: ignore[arg-type]
        )
