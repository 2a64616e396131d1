"""`readerpulse explain`: scores, thresholds and an exact split of each model output by word."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from readerpulse.cli import main
from readerpulse.score.explain import explain, render, word_contributions
from readerpulse.score.taxonomy import parse_taxonomy

from tests.model_helpers import saved, trained_model

TAXONOMY = b"""
format = 2
[topics.alpha]
label = "Alpha"
keywords = ["ferry"]
[topics.fresh]
label = "A topic added after training"
keywords = ["harbour"]
[skepticism]
keywords = ["who checked"]
"""


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "m.model"
    saved(trained_model(("alpha", "skepticism")), path)
    return path


def test_every_label_with_its_score_threshold_and_reasons(model_path: Path) -> None:
    from readerpulse.score.model import load

    model = load(model_path)
    taxonomy = parse_taxonomy(TAXONOMY)
    report = explain("the ferry again, who checked these numbers? the harbour", taxonomy, model)
    by_label = {e.label: e for e in report.labels}
    assert list(by_label) == ["alpha", "fresh", "skepticism"]
    alpha = by_label["alpha"]
    assert alpha.decided_by == "model" and alpha.hit and alpha.threshold == model.thresholds["alpha"]
    assert alpha.keywords == ["ferry"] and alpha.pushed_up[0][0] in {"ferry", "the ferry", "ferry again"}
    fresh = by_label["fresh"]
    assert fresh.decided_by == "keywords" and fresh.hit and fresh.score == 0.5 and fresh.keywords == ["harbour"]
    assert by_label["skepticism"].hit and by_label["skepticism"].keywords == ["who checked"]
    text = render(report)
    assert "HIT alpha" in text and "(keywords)" in text and "pushed up by:" in text


def test_the_shares_add_up_to_the_model_output(model_path: Path) -> None:
    import numpy as np
    import polars as pl
    from readerpulse.score import features
    from readerpulse.score.classify import keyword_counts, score_texts
    from readerpulse.score.explain import dense_shares
    from readerpulse.score.keywords import keyword_matches
    from readerpulse.score.model import load

    model = load(model_path)
    taxonomy = parse_taxonomy(TAXONOMY)
    text = "lovely ferry, who checked? awful awful"
    alpha = next(e for e in explain(text, taxonomy, model).labels if e.label == "alpha")
    column = model.labels.index("alpha")
    words = sum(word_contributions(text, model, column).values())
    vader, _ = score_texts([text], taxonomy, model)
    counts = keyword_counts(keyword_matches(pl.Series([text]), taxonomy), model.keyword_labels)
    dense = features.dense(pl.Series([text]), vader.select("neg", "neu", "pos", "compound"), counts,
                           np.zeros_like(counts), np.zeros(1, dtype=np.float32))[0]
    others = sum(share for _, share in dense_shares(model, dense, column))  # with the bias
    z = math.log(alpha.score / (1 - alpha.score))
    assert words + others == pytest.approx(z, abs=2e-3)  # the score is rounded to 4 places


def test_explain_command(model_path: Path, tmp_path: Path) -> None:
    taxonomy = tmp_path / "t.toml"
    taxonomy.write_bytes(TAXONOMY)
    result = CliRunner().invoke(
        main, ["explain", "the ferry again", "--taxonomy", str(taxonomy), "--model", str(model_path)]
    )
    assert result.exit_code == 0, result.output
    assert "HIT alpha" in result.stdout and "tone " in result.stdout and "VADER compound" in result.stdout
    missing = CliRunner().invoke(main, ["explain", "x", "--model", str(tmp_path / "none.model")])
    assert missing.exit_code == 2 and "no model file" in missing.stderr and "Traceback" not in missing.output


def test_a_wordless_reply_is_no_model_hit_and_long_text_explains(model_path: Path) -> None:
    from readerpulse.score.classify import score_texts
    from readerpulse.score.model import load

    model = load(model_path)
    taxonomy = parse_taxonomy(TAXONOMY)
    _, result = score_texts(["", "!!! 🙂"], taxonomy, model, ["the ferry again", "who checked"])
    assert result.topic_hits.height == 0 and not result.skepticism["skeptical"].any()
    report = explain("中文 " * 5000 + "ferry", taxonomy, model)  # cut inside a character: no error
    assert report.labels[0].label == "alpha"
