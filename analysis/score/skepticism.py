"""The skepticism scorer: does a comment doubt the reliability or truth of reported facts?

The decision is readerpulse.score.classify's: the model's probability and threshold, or, for a model
without skepticism, the cues of the taxonomy's [skepticism] table (1 - 0.5**k for k cues found,
a comment skeptical when that reaches the table's threshold; no table: none is). The cues found
and the words that pushed the model most are kept as evidence.
"""

from __future__ import annotations

import hashlib
import json

from .taxonomy import Taxonomy

SCORER = "skepticism"
VERSION = "skepticism-3-model"


def lexicon_hash(taxonomy: Taxonomy) -> str:
    """SHA-256 of the skepticism cues in force (keywords, exclude phrases, threshold) and the
    scorer version: recorded in scoring_runs.lexicon_hash."""
    table = taxonomy.skepticism
    payload = {
        "version": VERSION,
        "keywords": [k.text for k in table.keywords] if table else [],
        "exclude": [k.text for k in table.exclude] if table else [],
        "threshold": table.threshold if table else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
