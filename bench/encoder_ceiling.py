"""How far would a neural sentence encoder lift the models? The measurement behind docs/scoring.md
("What a sentence encoder would add"). `make ceiling` runs the three steps:

    .venv/bin/python bench/encoder_ceiling.py texts build/ceiling      # texts and corpus words
    build/encoder-venv/bin/python bench/encoder_embed.py build/ceiling # all-MiniLM-L6-v2 vectors
    .venv/bin/python bench/encoder_ceiling.py measure build/ceiling    # the comparison

`measure` trains readerpulse's models as `readerpulse train` does (data/labels and the real sets'
train parts, TrainConfig's defaults) with extra dense columns for each comment, and prints, per
variant, grouped 5-fold cross-validation of data/labels (two thread shuffles), each file of
data/heldout, and the real sets' held-out parts:

- `shipped features`: none added (the shipped model's recipe);
- `+ encoder sentence vectors`: all-MiniLM-L6-v2's vector of the whole comment (about 130
  comments a second on this machine's two cores: a thousand times too slow to score with);
- `+ word vectors, encoded alone`: the mean of the encoder's vector of each word taken alone;
- `+ word vectors, distilled`: word vectors fitted (ridge) so that their mean reproduces the
  encoder's sentence vector, on the real sets' texts only (no text of data/labels or
  data/heldout), so that cross-validation and held-out figures stay honest. Fast enough to score.

Then, per real set, a model trained on that set's own train part alone (n-grams, encoder, both;
the regularisation picked on the held-out part itself, so optimistic): the most its data gives.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
from readerpulse import external
from readerpulse import train as T
from readerpulse.evaluate import macro_f1
from readerpulse.labels import read_labels
from readerpulse.score import features
from readerpulse.score.model import TONE
from readerpulse.score.taxonomy import load_taxonomy
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "data" / "labels"
HELDOUT = sorted((ROOT / "data" / "heldout").glob("*.csv"))
TONE_CLASSES = ("negative", "neutral", "positive")

Embed = Callable[[pl.Series], np.ndarray]


def texts(out: Path, external_root: Path) -> None:
    """OUT/texts.parquet: every text measured; OUT/corpus_words.parquet: words seen twice in training."""
    out.mkdir(parents=True, exist_ok=True)
    label_texts = [pl.read_csv(p, infer_schema=False)["text"] for p in [*sorted(LABELS.glob("*.csv")), *HELDOUT]]
    loaders = (external.tweeteval, external.goemotions, external.rumoureval)
    real = [loader(external_root, "all")["text"] for loader in loaders]
    every = pl.concat([*label_texts, *real]).drop_nulls().unique(maintain_order=True)
    every.to_frame("text").write_parquet(out / "texts.parquet")
    train = pl.concat([*(pl.read_csv(p, infer_schema=False)["text"] for p in sorted(LABELS.glob("*.csv"))),
                       *(loader(external_root, "train")["text"] for loader in loaders)]).drop_nulls()
    words = features.normalise(train).str.split(" ").explode().to_frame("word").group_by("word").len()
    words = words.filter((pl.col("len") >= 2) & pl.col("word").str.contains(r"^[\p{L}\p{N}]{1,20}$"))
    words.select("word").sort("word").write_parquet(out / "corpus_words.parquet")
    print(f"{every.len()} texts, {words.height} corpus words in {out}")


def _bag(texts: pl.Series, index: dict[str, int]) -> sparse.csr_matrix:
    """Rows: texts; columns: words of `index`; each row's known words weigh 1/their count."""
    rows, cols = [], []
    for row, text in enumerate(features.normalise(texts.fill_null("")).to_list()):
        ids = [index[w] for w in text.split(" ") if w in index]
        rows += [row] * len(ids)
        cols += ids
    bag = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(texts), len(index)))
    counts = np.maximum(np.asarray(bag.sum(axis=1)).ravel(), 1)
    return sparse.csr_matrix(sparse.diags(1 / counts) @ bag)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: np.ndarray = np.asarray(matrix / np.where(norms == 0, 1, norms), dtype=np.float32)
    return unit


def embedders(out: Path) -> dict[str, Embed | None]:
    sentences = np.load(out / "sentences.npy")
    all_texts = pl.read_parquet(out / "texts.parquet")["text"].to_list()
    row_of = {text: i for i, text in enumerate(all_texts)}
    words = pl.read_parquet(out / "words.parquet")["word"].to_list()
    index = {w: i for i, w in enumerate(words)}
    alone = np.load(out / "words.npy")
    # distil: word vectors whose mean reproduces the sentence vector, on the real sets' texts only
    labelled = {t for p in [*sorted(LABELS.glob("*.csv")), *HELDOUT] for t in pl.read_csv(p, infer_schema=False)["text"].drop_nulls()}
    fit_rows = [i for i, t in enumerate(all_texts) if t not in labelled]
    bag = _bag(pl.Series([all_texts[i] for i in fit_rows]), index)
    residual = Ridge(alpha=0.1, fit_intercept=False).fit(bag, sentences[fit_rows] - bag @ alone)
    distilled = alone + np.asarray(residual.coef_.T, dtype=np.float32)

    def encoder(texts: pl.Series) -> np.ndarray:
        rows: np.ndarray = sentences[[row_of[t] for t in texts.fill_null("").to_list()]]
        return rows

    return {
        "shipped features": None,
        "+ encoder sentence vectors": encoder,
        "+ word vectors, encoded alone": lambda texts: _unit(np.asarray(_bag(texts, index) @ alone)),
        "+ word vectors, distilled": lambda texts: _unit(np.asarray(_bag(texts, index) @ distilled)),
    }


def _with(feats: T.Featurised, extra: np.ndarray | None, bits: int) -> T.Featurised:
    """The extra columns between the n-grams and the dense features (`for_output` masks the latter)."""
    if extra is None:
        return feats
    dim = 1 << bits
    m = feats.matrix
    return T.Featurised(sparse.hstack([m[:, :dim], sparse.csr_matrix(extra), m[:, dim:]], format="csr"), feats.keyword_labels)


def _f1(y: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum(predicted & (y == 1)))
    return 2 * tp / float(np.sum(predicted) + np.sum(y == 1)) if tp else 0.0


class Bench:
    def __init__(self, external_root: Path) -> None:
        self.config = T.TrainConfig()
        self.taxonomy = load_taxonomy(ROOT / "data" / "topics.toml")
        self.topics = [t.id for t in self.taxonomy.topics]
        self.count = T.keyword_counter(self.taxonomy)
        self.rows = T.training_rows(read_labels([LABELS], self.topics), external_root, self.config)
        self.labels = self.rows.labels
        self.root = external_root

    def featurise(self, frame: pl.DataFrame, embed: Embed | None) -> T.Featurised:
        feats = T.featurise(frame, self.labels, self.count, self.config.bits)
        return _with(feats, None if embed is None else embed(frame["text"]), self.config.bits)

    def cross_validate(self, feats: T.Featurised, repeats: int = 2, folds: int = 5) -> dict[str, float]:
        frame = self.rows.frame
        news = np.flatnonzero((frame["source"] == "labels").to_numpy())
        threads = frame["thread"].to_numpy()[news]
        scores: dict[str, list[float]] = {label: [] for label in (*self.labels, TONE)}
        for repeat in range(repeats):
            unique = np.unique(threads)
            fold_of = dict(zip(unique, np.random.default_rng(repeat).permutation(len(unique)) % folds, strict=True))
            fold = np.array([fold_of[t] for t in threads])
            hits = {label: np.zeros(frame.height, bool) for label in self.labels}
            tone = np.zeros(frame.height)
            for k in range(folds):
                test = news[fold == k]
                keep = np.ones(frame.height, bool)
                keep[test] = False
                train = np.flatnonzero(keep)
                sub = T.TrainingRows(frame[train], self.labels, self.rows.sources)
                model = T.fit(sub, self.count, self.config, T.Featurised(feats.rows(train), feats.keyword_labels))
                outputs = model.outputs_of(feats.rows(test) @ np.vstack([model.sparse_weights, model.dense_weights]) + model.bias)
                for label in model.labels:
                    hits[label][test] = outputs[label].to_numpy() >= model.thresholds[label]
                tone[test] = outputs[TONE].to_numpy()
            for label in self.labels:
                y = frame[label].to_numpy().astype(float)[news]
                known = ~np.isnan(y)
                scores[label].append(_f1(y[known].astype(int), hits[label][news][known]))
            human = frame[TONE].to_numpy()[news]
            scores[TONE].append(float(np.corrcoef(human, tone[news])[0, 1]))
        return {label: float(np.mean(values)) for label, values in scores.items()}

    def _frame(self, rows: pl.DataFrame, thread: str = "id") -> pl.DataFrame:
        return rows.select(
            "id", pl.lit("x").alias("source"), pl.col(thread).alias("thread"), "text",
            (pl.col("parent_text") if "parent_text" in rows.columns else pl.lit(None, pl.String)).alias("parent_text"),
            pl.lit(1.0).alias("weight"),
            *(pl.col(label) if label in rows.columns else pl.lit(None, pl.Int8).alias(label) for label in self.labels),
            (pl.col(TONE) if TONE in rows.columns else pl.lit(None, pl.Float64)).alias(TONE),
        )

    def held_out(self, embed: Embed | None, feats: T.Featurised) -> list[str]:
        """The figures of a model fitted on all training rows (`feats`: their features)."""
        model = T.fit(self.rows, self.count, self.config, feats)
        weights = np.vstack([model.sparse_weights, model.dense_weights])
        lines = []

        def outputs(frame: pl.DataFrame) -> pl.DataFrame:
            z: np.ndarray = self.featurise(frame, embed).matrix @ weights + model.bias
            return model.outputs_of(z)

        for path in HELDOUT:
            frame = self._frame(T.news_rows(read_labels([path], self.topics)), "thread")
            out = outputs(frame)
            cells = []
            for label in model.labels:
                y = frame[label].to_numpy().astype(float)
                known = ~np.isnan(y)
                if known.any():
                    cells.append(f"{label} {_f1(y[known].astype(int), out[label].to_numpy()[known] >= model.thresholds[label]):.2f}")
            cells.append(f"tone r {np.corrcoef(frame[TONE].to_numpy(), out[TONE].to_numpy())[0, 1]:.2f}")
            lines.append(f"    {path.name}: " + ", ".join(cells))
        real = []
        for name, loader in (("TweetEval", external.tweeteval), ("GoEmotions", external.goemotions)):
            rows = loader(self.root, "heldout")
            out = outputs(self._frame(rows))
            label = out.select(model.tone_label(pl.col(TONE)).alias("l"))["l"].to_list()
            real.append(f"{name} tone macro-F1 {macro_f1(rows['tone_class'].to_list(), label, TONE_CLASSES):.3f}")
        rows = external.rumoureval(self.root, "heldout")
        out = outputs(self._frame(rows, "thread"))
        hit = out["skepticism"].to_numpy() >= model.thresholds["skepticism"]
        real.append(f"RumourEval skepticism F1 {_f1(rows['skepticism'].to_numpy(), hit):.3f}")
        lines.append("    real sets' held-out parts: " + ", ".join(real))
        return lines


def _in_domain(root: Path, encoder: Embed) -> None:
    """Each real set's own train part alone: the most its data gives (optimistic)."""
    for name, loader, target in (("TweetEval", external.tweeteval, "tone_class"), ("GoEmotions", external.goemotions, "tone_class"),
                                 ("RumourEval", external.rumoureval, "skepticism")):
        train, test = loader(root, "train"), loader(root, "heldout")
        cells = []
        for kind in ("n-grams", "encoder", "both"):
            def x(rows: pl.DataFrame, kind: str = kind) -> sparse.csr_matrix:
                parts = [] if kind == "encoder" else [features.hashed(rows["text"], 18)]
                if kind != "n-grams":
                    parts.append(sparse.csr_matrix(encoder(rows["text"]) * 3))
                return sparse.hstack(parts, format="csr")

            best = 0.0
            for c in (0.3, 1.0, 3.0):
                model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(x(train), train[target].to_numpy())
                predicted = model.predict(x(test))
                score = (macro_f1(test[target].to_list(), predicted.tolist(), TONE_CLASSES) if target == "tone_class"
                         else _f1(test[target].to_numpy(), predicted == 1))
                best = max(best, score)
            cells.append(f"{kind} {best:.3f}")
        metric = "tone macro-F1" if target == "tone_class" else "skepticism F1"
        print(f"  {name} ({train.height} train rows), {metric}: " + ", ".join(cells), flush=True)


def measure(out: Path, external_root: Path) -> None:
    bench = Bench(external_root)
    variants = embedders(out)
    topics = [label for label in bench.labels if label != "skepticism"]
    for name, embed in variants.items():
        feats = bench.featurise(bench.rows.frame, embed)
        cv = bench.cross_validate(feats)
        per_topic = ", ".join(f"{label} {cv[label]:.2f}" for label in topics)
        print(f"{name}\n    cross-validation: mean topic F1 {np.mean([cv[t] for t in topics]):.3f} ({per_topic}); "
              f"skepticism F1 {cv['skepticism']:.3f}; tone r {cv[TONE]:.3f}", flush=True)
        for line in bench.held_out(embed, feats):
            print(line, flush=True)
    encoder = variants["+ encoder sentence vectors"]
    assert encoder is not None
    print("each real set's own train part alone (best of C 0.3, 1, 3 on its held-out part):")
    _in_domain(external_root, encoder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=("texts", "measure"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--external", type=Path, default=ROOT.parent / "shared" / "external")
    args = parser.parse_args(argv)
    (texts if args.step == "texts" else measure)(args.out, args.external)
    return 0


if __name__ == "__main__":
    sys.exit(main())
