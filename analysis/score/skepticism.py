"""Skepticism about verification: does a comment doubt the reliability or truth of reported facts?

Cue families (doubt verbs, verification and independence, falsehood words, inflated or
understated numbers, questions about reliability, sarcastic disbelief, ...) each carry a weight.
A comment's score is the noisy-OR of the families that fired, 1 - prod(1 - weight), in [0, 1];
it is skeptical when the score reaches THRESHOLD. Families marked `negatable` do not fire inside
a negation ("I don't doubt the figures", "not saying it's fake"). The fired cues are kept,
written "family: matched text".

Matching is columnar: every family is one regular expression run over the whole batch by polars.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import polars as pl

from analysis.score.matching import (
    TEXT,
    CueGroup,
    Matcher,
    Unit,
    combined_evidence,
    noisy_or,
    prepared_text,
)
from analysis.score.patterns import compile_any, compile_group, compile_pattern

SCORER = "skepticism"
VERSION = "skepticism-1"
THRESHOLD = 0.5
PREFIX = "skepticism."

# A negator, then up to three words within the same clause (no comma or sentence end between).
NEGATOR = (
    "(no|not|never|without|hardly|nobody|don't|doesn't|didn't|isn't|wasn't|aren't|weren't|won't|"
    "wouldn't|haven't|hasn't|can't|cannot|couldn't|shouldn't|ain't)"
)
_CLAUSE_GAP = r"(?:[\s'\"]+[\w']+){0,3}?[\s'\"]+"


@dataclass(frozen=True)
class CueFamily:
    """Cues that count as one piece of evidence of skepticism."""

    name: str
    weight: float
    patterns: tuple[str, ...]
    negatable: bool = False
    exclude: tuple[str, ...] = ()


FAMILIES: tuple[CueFamily, ...] = (
    CueFamily(
        "doubt",
        0.85,
        (
            "(doubt|doubts|doubted|doubting|doubtful|dubious|skeptic*|sceptic*|questionable|unconvinced)",
            "(hard|difficult) to (believe|trust)",
            "(grain|pinch) of salt",
            "believe it when ~3 see",
        ),
        negatable=True,
        # "I doubt I'll sleep tonight": doubt about one's own future, not about reports.
        exclude=("doubt (i|i'll|i'd|i'm|i've|we|we'll|we're|we'd|it'll|it will|there will)",),
    ),
    CueFamily(
        "disbelief",
        0.8,
        (
            "(don't|doesn't|didn't|won't|wouldn't|never) ~2 (believe|buy|trust) ~1 (it|this|that|them|a word|any|anything|either|those|these|the|him|her|their|his|what|a single|one|official)",
            "(believe|trust) (nothing|no one|nobody|neither side|none of)",
            "(nobody|no one) ~1 (believes|trusts|buys)",
            "(not|isn't|aren't|never) ~1 (a fact|facts|fact)",
            "(distrust|mistrust|untrustworthy|unreliable|no credibility|zero credibility|lost ~1 credibility)",
            "(not|isn't|aren't|wasn't|weren't|hardly) ~1 (reliable|credible|accurate|trustworthy|true|real numbers)",
        ),
    ),
    CueFamily(
        "belief_question",
        0.75,
        (
            r"""re:(?i)\b(?:you|anyone|anybody|somebody|people|ppl|we)\s+(?:\w+\s+){0,2}?(?:believe|trust|buy)\s+(?:the|them|this|that|these|those|their|his|her|it|him|anything|a word|what|any)\b[^.!?\n]{0,80}\?""",
            "(can|should|could) we (trust|believe)",
        ),
    ),
    CueFamily(
        "falsehood",
        0.85,
        (
            "(lie|liar|liars|lied|lying to|lying about|lies about|lies and|outright lie*)",
            "(is|are|was|were|been|keeps|keep|caught|somebody's|someone's|everyone's|everybody's|they're|he's|she's|both|obviously|clearly) lying",
            "caught (out|in a lie|lying)",
            "(tell|telling|told|spread*|more|their|his|her|pack of|full of|all|just|outright|blatant|obvious|same old) lies",
            "(fake|faked|fakes|fabricat*|made up|made-up|make-believe|fiction|fictional|fantasy|fairy tale*|falsehood*|hoax*|myth|staged|doctored|photoshop*|false flag|debunk*)",
            "(propaganda|disinformation|misinformation|disinfo|misinfo|cover-up|covering up|whitewash*)",
            "(bs|bullshit|baloney|bogus|baseless|nonsense|rubbish)",
            "(old|recycled|fake) (footage|video*|photos|pictures)",
            "(rewrit*|rewrote) ~1 history",
            "(footage|video|videos|photo|photos|picture|pictures|clip|clips|image|images) ~6 (is|are|was|were) (old|from|recycled|fake|staged|years old)",
        ),
        negatable=True,
    ),
    CueFamily(
        "verification",
        0.85,
        (
            "(can't|cannot|couldn't|impossible to|no way to|unable to|nobody can|no one can|hard to|difficult to) ~2 (verify|confirm|check|investigate|count|know)",
            "(can't|cannot|couldn't|nobody can|no one can) ~2 (say|tell) (how many|how much|whether|if|what)",
            "(nobody|no one) ~2 (has|have|had|knows) ~2 (real|true|actual|exact|accurate|reliable) (number|numbers|figure|figures|count|toll)",
            "(unverified|unconfirmed|unverifiable|unsubstantiated|unsourced|uncorroborated|unproven)",
            "(independent|independently) ~2 (verif*|confirm*|monitor*|observer*|investigat*|journalists|reporters|sources|check*|access|count*)",
            "(await*|pending|need*|require*|without|yet to be|lack of) ~2 (verif*|confirmation|corroboration|evidence|proof|checking|fact-check*)",
            "(who|nobody|no one) ~1 (verified|checked|confirmed|counted)",
            "(not|never|hasn't|haven't|wasn't|weren't|isn't|aren't) ~2 (verified|confirmed|checked|corroborated)",
            "(citation|source|sources|proof) needed",
            "(where's|where is|show) ~1 (proof|evidence|source)",
            "(any|no|zero) (proof|evidence)",
            "(journalists|reporters|media|press|observers|monitors|nobody|no one) ~3 (can't|cannot|couldn't|not allowed|barred|banned|kept out|keeps out|blocked) ~2 (get in|enter|access|in|there)",
            "(keep|keeps|kept|keeping) (journalists|reporters|the press|the media|observers|monitors) out",
        ),
    ),
    CueFamily(
        "inflated_numbers",
        0.85,
        (
            "(inflate|inflates|inflated|inflating|exaggerat*|overstate|overstates|overstated|overstating|understate|understates|understated|understating|undercount*|overcount*|downplay*|lowball*)",
            "(pad|padding|padded|shade|shading|shaded|cook|cooking|cooked|massage|massaging|fudge|fudging) ~2 (numbers|figures|count|books|toll|stats)",
            "(numbers|figures|count|toll|math) ~1 (don't|doesn't|didn't) add up",
            "(doesn't|don't|does not|do not) add up",
            "(math|maths|numbers|figures|count) (is|are|was|were) (off|wrong|fishy)",
            "(real|true|actual) ~2 (number|numbers|count|toll|figure|figures|total) ~3 (higher|lower|bigger|smaller|more|less|worse|different)",
            "(number|numbers|count|toll|figure|figures|total|tally) ~4 (doesn't|does not|don't|do not|didn't) (include|count|account for|cover)",
            "(far|much|way|many) more ~1 (dead|killed|deaths|casualties|victims) than",
            "(guess|estimate|rumou?r) at best",
            "(higher|lower|more|fewer|bigger|smaller|worse) than ~3 (admit*|report*|official*|claim*|acknowledg*|publish*|announc*|they say|they said|they tell)",
            "(thin air|pulled ~2 out of)",
        ),
        negatable=True,
    ),
    CueFamily(
        "reliability_question",
        0.75,
        (
            "how (reliable|accurate|credible|trustworthy|legit|true|real)",
            "how (can|could|do|does|would|will|did) (anyone|anybody|they|we|you|he|she|it) ~2 (know|count|verify|confirm|tell|be sure|trust|believe)",
            "(are|is) (these|those|the|this|that) ~2 (numbers|figures|reports|report|claims|claim|stats|sources|source|count|toll) (real|reliable|accurate|true|credible|legit|correct)",
            "(says|said) who", "according to whom",
            "(any|what's the|what is the|where's the|where is the|is there a|is there any|got a) (source|sources|evidence|proof)",
            "(see|show|share|post|provide|cite|link) ~2 (source|sources|evidence|proof)",
            "(where|how) did (they|you|he|she) get (those|these|that|the|their) (numbers|figures|count)",
        ),
    ),
    CueFamily(
        "uncertainty",
        0.65,
        (
            "(nobody|no one|noone) ~1 (knows|know)",
            "(nobody|no one) can (say|tell|know)",
            "(50/50|fifty-fifty)",
            "(wait|waiting) ~4 before (repeating|believing|trusting|sharing|reporting|taking)",
            "treat ~2 (accordingly|with caution|with care|carefully|as unconfirmed|as rumou?rs?)",
            "(repeat*|treat*|report*|present*|take|taking) ~4 as (fact|facts|gospel|truth)",
            "if (that|this|the|these|those) ~1 (figure|figures|number|numbers|claim|claims|report|reports|story|toll|count) ~1 (holds|hold|is true|are true|checks out|check out|pans out|turns out|is accurate|are accurate|is correct)",
        ),
    ),
    CueFamily(
        "media_bias",
        0.7,
        (
            "(biased|bias|one-sided|slanted|skewed) ~2 (reporting|media|coverage|news|journalis*|press|source*|reporters)",
            "(media|press|coverage|reporting|reporters|journalists) ~2 (biased|one-sided|slanted|propaganda|lies|spin)",
            "(repeat*|parrot*|swallow*|regurgitat*|copy|copies|copying) ~3 (every|whatever|uncritically|blindly|talking points|press release*)",
            "without (checking|questioning|verifying|verification|evidence|proof|question)",
            "(make|makes|making|made) it (sound|look) (like|as if)",
            "(come|comes|came|coming) from one side",
            "(from|by) (a|one|either|the) (party|parties|side) (to|in|of) the (conflict|war|fighting)",
            "(favour|favor|favours|favors|suit|suits|serve|serves) (their|its|his|her) own (side|narrative|agenda|story)",
            "one side of the (war|conflict|story)",
            "(both|either|all|every) (side|sides) ~2 (lie|lying|lies|exaggerat*|inflat*|spin|incentive)",
            "incentive to (shade|inflate|lie|exaggerate|spin|downplay|inflate)",
            "(state|regime) (media|tv|television|propaganda|outlets)",
            "(state|government|regime|kremlin|moscow|baku|yerevan|ankara) (backed|controlled|run|owned|funded) (tv|media|channels|channel|outlets|press|news|television)",
            "(mouthpiece|talking point*)",
        ),
    ),
    CueFamily(
        "sarcastic_disbelief",
        0.7,
        (
            "sure ~1 and i'm the",
            "and i'm the (queen|king|pope|tooth fairy)",
            "yeah ~1 right",
            r"re:(?i)\bri{2,}ght\b",
            "(nice|good) try",
            "(insult|insults|insulting) (our|my|your|people's|everyone's) intelligence",
            "who (are|is) (you|they|he|she) (kidding|fooling)",
            "(pull|pulling) the other one",
            "(think|thinks) (we're|we are) (stupid|idiots|fools|dumb)",
            "(totally|very|so|completely|perfectly|entirely|super) (believable|credible|trustworthy|plausible|convincing)",
            "of course (they|he|she|it) (did|does|would|said|says)",
            "sure (he|she|they|it) (does|do|did|will|is|are)",
            "just like (he|she|they|it) ~2 (promised|said|claimed|swore)",
            "(funny|strange|odd|curious|interesting) ~1 (nobody|no one|none of|not one)",
            "my foot",
            # A claim answered by a one-word sentence: "... according to Baku. Right."
            r"re:(?im)(?:^|[.!?]\s+)(?:right|sure|riiight|yeah right|uh-huh|of course|totally)[.!]+(?:\s|$)",
        ),
    ),
    CueFamily(
        "contradiction",
        0.7,
        (
            "(say|says|said|suggest|suggests|show|shows|showed|tell|tells|told|prove|proves) otherwise",
            "(contradict*|doesn't match|don't match|does not match|do not match)",
        ),
    ),
    CueFamily(
        "track_record",
        0.65,
        (
            "also (said|says|claimed|claims|told us|promised|swore)",
            "the same ~3 (that|who) (said|says|claimed|told|promised|swore)",
            "(long|proven|poor) (record|track record|history) of ~1 (lying|lies|rewriting|denial*|fabricat*|propaganda)",
        ),
    ),
    CueFamily(
        "concealment",
        0.6,
        (
            "(never|won't|don't|doesn't|didn't|refuse|refuses|refused) ~2 (publish|release|disclose|admit|reveal)",
            "(hiding|hide|hides|hid|conceal*|covering) ~2 (losses|numbers|figures|casualties|dead|truth|real)",
        ),
    ),
    CueFamily(
        "inauthentic",
        0.65,
        (
            "(copy-paste*|copy and paste|copypasta|troll farm*|astroturf*|sock-puppet*)",
            "(bot|bots|paid) (accounts|trolls|posters|commenters|comments)",
            "(russian|azeri|armenian|paid|state) (bots|trolls)",
            "same (sentence|comment|text|message|post|words) as",
        ),
    ),
    CueFamily(
        "hedge",
        0.4,
        (
            "(allegedly|supposedly|purportedly|so-called|reportedly)",
            "(they|he|she|officials|baku|yerevan|moscow|the ministry|the army|the government) (claim|claims|claimed|insist|insists|insisted)",
        ),
    ),
    CueFamily(
        "mock_quote",
        0.35,
        (
            r"""re:(?i)"[^"\n]{2,80}"[^\w"\n]{0,3}(?:lol|lmao|haha|sure|yeah right|says|said|claims|claimed|they say|apparently|my foot|right)\b""",
            r"""re:(?i)\b(?:says|said|claims|claimed|insists|insisted|promises|promised|calls it|called it|so-called|saying)\s+(?:\w+\s+){0,2}?"[^"\n]{2,80}\"""",
        ),
    ),
)


def cue_groups() -> tuple[CueGroup, ...]:
    """The families compiled to cue groups; negatable families carry their negation mask."""
    groups = []
    for family in FAMILIES:
        regex = compile_any(family.patterns)
        masks = [compile_any(family.exclude)] if family.exclude else []
        if family.negatable:
            negator = compile_pattern(NEGATOR)
            masks.append(f"(?:{negator})(?:{_CLAUSE_GAP}|\\s+)(?:{regex})")
        mask = "|".join(f"(?:{m})" for m in masks) or None
        compiled = compile_group(family.patterns)
        groups.append(
            CueGroup(
                family.name,
                family.weight,
                compiled.chunks,
                mask,
                expressions=compiled.expressions,
                chunk_of=compiled.chunk_of,
            )
        )
    return tuple(groups)


def lexicon_hash() -> str:
    """SHA-256 of the cue families, weights, negation rule and threshold in force."""
    payload = {
        "families": [asdict(f) for f in FAMILIES],
        "negator": NEGATOR,
        "threshold": THRESHOLD,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


_GROUPS: tuple[CueGroup, ...] | None = None
_MATCHER: Matcher | None = None


def _groups() -> tuple[CueGroup, ...]:
    global _GROUPS
    if _GROUPS is None:
        _GROUPS = cue_groups()
    return _GROUPS


def _matcher() -> Matcher:
    global _MATCHER
    if _MATCHER is None:
        _MATCHER = Matcher([Unit(PREFIX + g.name, (g.mask,) if g.mask else (), g) for g in _groups()])
    return _MATCHER


def score_skepticism(comments: pl.DataFrame, key: str = "comment_pk") -> pl.DataFrame:
    """One row per comment: key, score (0..1), skeptical, cues ("family: matched text")."""
    groups = _groups()
    base = comments.select(key, prepared_text())
    matcher = _matcher()
    matches = matcher.match(base[TEXT])
    scored = pl.concat(
        [base.with_columns(pl.int_range(pl.len(), dtype=pl.Int32).alias("_row")), matches.flags], how="horizontal"
    ).with_columns(score=noisy_or(groups, PREFIX))
    # Cues are extracted only where some family matched, from the families that matched.
    matched = scored.filter(pl.col("score") > 0)
    found = matcher.extract_many(matches, [(PREFIX + group.name, matched["_row"]) for group in groups])
    pieces = [(frame, group.name) for frame, group in zip(found, groups, strict=True)]
    cues = matched.select(key, "score").with_columns(combined_evidence(pieces, matched.height).alias("cues"))
    unmatched = scored.filter(pl.col("score") == 0).select(
        key, "score", pl.lit([], dtype=pl.List(pl.String)).alias("cues")
    )
    return (
        pl.concat([cues, unmatched])
        .sort(key)
        .with_columns(skeptical=pl.col("score") >= THRESHOLD)
        .select(key, "score", "skeptical", "cues")
    )
