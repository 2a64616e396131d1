"""A synthetic reader-comment corpus as canonical JSON Lines, the same for the same size and seed.

    .venv/bin/python bench/corpus.py --comments 100000 --out build/bench/corpus-100000

Writes `articles.jsonl` (articles with a body of 8-24 paragraphs: passages to link to) and one
`comments-week-NN.jsonl` per week of comments (the way weekly exports arrive). The comments:

* spread over WEEKS weeks; most arrive within a day or two of their article, some weeks later;
* articles get very different amounts (a few stories draw most comments);
* threads: about 45% are replies to an earlier comment of the same article (reply chains reach
  depth 8 and more), the rest start threads;
* text: 1-6 sentences (3% of comments are long, 10-40 sentences) assembled from templates with
  slots (numbers, places, actors, commenters), on the story's topics (UN inaction, Russia's role,
  casualty figures, aid, Turkey, Western reactions, Armenian politics, the blockade), skeptical
  phrasings ("I doubt these figures", "can't verify", "sure, and I'm the Queen"), negated ones
  ("not saying it's fake"), and plain chatter; with noise: typos, ALL CAPS, emoji, URLs,
  @mentions, non-ASCII names and words, "!!!" and "??", ellipses, abbreviations (U.N., Mr.,
  e.g.), quotes, HTML entities, line breaks;
* 1% deleted, 0.5% spam; commenters from a pool (some with non-ASCII names), a few very active;
* timestamps mostly ISO 8601 with Z, some with an offset, some "YYYY-MM-DD HH:MM:SS".

Generation is plain Python with `random.Random(seed)` (about 15 s per million comments); the
files are not timed by the benchmark.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

WEEKS = 8
START = datetime(2023, 9, 4, tzinfo=UTC)  # a Monday

# --- vocabulary for the slots -------------------------------------------------------------------

PLACES = ["Stepanakert", "Goris", "Yerevan", "Baku", "Lachin", "Shusha", "Khankendi", "Kornidzor",
          "Martakert", "Askeran", "Ganja", "Tbilisi", "Sochi", "Prague", "Ստեփանակերտ", "Şuşa"]
BODIES = ["the UN", "the U.N.", "the Security Council", "the UNSC", "the General Assembly",
          "the ICJ", "the OSCE", "the Minsk Group", "the EU mission", "the international community",
          "the UN Secretary-General", "UNHCR", "the Council of Europe", "the United Nations"]
STATES = ["Russia", "Moscow", "the Kremlin", "Putin", "Azerbaijan", "Baku", "Aliyev", "Armenia",
          "Pashinyan", "Turkey", "Türkiye", "Erdogan", "Ankara", "Iran", "France", "Macron",
          "Washington", "the US", "the EU", "Brussels", "Москва"]
WESTERN = ["the US", "the EU", "France", "Macron", "Washington", "Brussels", "Blinken", "Germany",
           "the State Department", "the European Parliament"]
CASUALTY = ["dead", "killed", "wounded", "casualties", "deaths", "injured", "victims"]
NUMBERS = ["27", "32", "100+", "200", "5,000", "120k", "over 200", "two hundred", "dozens of",
           "hundreds of", "192", "6", "nearly 100,000", "at least 30", "~24"]
AID = ["food", "medicine", "fuel", "baby formula", "insulin", "blankets", "water"]
FEELINGS = ["heartbreaking", "awful", "terrible", "shameful", "infuriating", "sad", "unbelievable",
            "disgusting", "tragic", "predictable", "outrageous", "depressing"]
GOOD = ["great", "excellent", "clear", "balanced", "thorough", "helpful", "brave", "fair"]
FIRST = ["anna", "david", "lena", "karen", "stepan", "tatev", "ali", "elnur", "jacob", "maria",
         "nina", "omar", "pia", "sam", "vartan", "zoë", "josé", "łukasz", "ayşe", "анна", "dmitri",
         "gohar", "leyla", "marc", "sophie", "tom", "yusuf", "hasmik", "ilham", "kate"]
LAST = ["_yvn", "_baku", "88", "_writes", "_m", "_from_lyon", "77", "_s", "watcher", "_news",
        "_dad", "_observer", "1990", "_k", "_p", "_real", "", "_2023", "_eu", "_tbilisi"]
EMOJI = ["💔", "🙏", "😡", "🤦", "👍", "😢", "🔥", "🙄", "😂", "💯", "🇦🇲", "🇦🇿", "🤔", "😞"]
URLS = ["https://example.org/news/karabakh-update", "http://bit.ly/3xYzAb", "www.example.com/report.pdf",
        "https://twitter.com/someone/status/1704", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"]

# --- sentence templates ---------------------------------------------------------------------------

TOPICAL = [
    "Where is {body} in all of this?",
    "{Body} met again and produced another statement.",
    "{Body} did nothing, as usual.",
    "What good is {body} if it can't stop this?",
    "{Body} urges restraint. Everybody feel safer now?",
    "International law means nothing if nobody enforces it.",
    "The Security Council couldn't agree on a single sentence.",
    "{Body} will send a fact finding mission next year lol",
    "The Kremlin made its choice a long time ago.",
    "Russian peacekeepers just watched from their checkpoints near {place}.",
    "Moscow is too busy with Ukraine to care about {place}.",
    "{State} and {state} cut a deal over everyone's heads.",
    "The so-called peacekeepers were never going to fight for anyone.",
    "The death toll is now {number} according to the ombudsman.",
    "They said {number} {casualty} the first night, then more.",
    "{Number} {casualty} in a day and nobody blinks.",
    "How many {casualty} will it take before someone acts?",
    "The Red Cross convoy finally reached {place} with {aid} and {aid}.",
    "Families are arriving in {place} after 30 hours on the road.",
    "Please donate {aid} if you can, the shelters in {place} need it.",
    "People in {place} have had no {aid} for weeks.",
    "Erdogan is openly celebrating, Turkey got what it wanted.",
    "Ankara supplied the drones, let's not pretend otherwise.",
    "Pashinyan should resign, the protests in Yerevan are growing.",
    "The opposition in Yerevan is calling for a vote of no confidence.",
    "{Western} condemned the offensive but words change nothing.",
    "{Western} expressed deep concern. Again.",
    "Sanctions? From {western}? Don't make me laugh.",
    "The Lachin corridor was closed for nine months before this.",
    "{Number} people left their homes in a week, that's an exodus.",
    "This is ethnic cleansing in slow motion and {western} is watching.",
    "The blockade of {place} should have been the warning.",
    "Mr. Aliyev says civilians have nothing to fear.",
    "The U.S. State Dept. issued a statement at approx. 5 p.m. local time.",
    "Both sides, e.g. {state} and {state}, have their own version of events.",
    "Refugees from {place} are sleeping in cars at the border.",
]
SKEPTICAL = [
    "How reliable are these casualty numbers, honestly?",
    "I doubt either side is telling the truth about the figures.",
    "Would be nice to have some independent verification.",
    "Propaganda from both sides as usual.",
    "Sure, and I'm the Queen of England.",
    "Nobody can verify anything coming out of {place} right now.",
    "The numbers don't add up if you look at the hospital reports.",
    "Take those figures with a grain of salt.",
    "I don't believe a word the ministry says.",
    "That footage is old, it was debunked last year.",
    "Says who? Any source for that?",
    "The real toll is probably much higher than {state} admits.",
    "Journalists can't get in, so who exactly counted the {casualty}?",
    "State media repeats every number without checking.",
    "\"Only military targets\" lol, yeah right.",
    "You believe the MoD? Seriously?",
    "These figures are inflated, every side does it.",
    "Allegedly. Supposedly. We'll see.",
    "Same comment as yesterday, copy-paste bots everywhere.",
]
NEGATED = [
    "Not saying it's fake, just that nobody actually knows yet.",
    "I don't doubt the figures, I doubt anyone will act on them.",
    "No reason to doubt the Red Cross on this one.",
    "I can't believe how brave the volunteers are.",
    "I doubt I'll sleep tonight after reading this.",
    "Just verified by phone with my cousin in {place}, she's safe.",
]
CHATTER = [
    "My thoughts are with everyone caught up in this.",
    "Thank you for the reporting, very {good} article.",
    "does anyone know if the border at {place} is open",
    "this is {feeling}",
    "Great to see aid arriving at last!",
    "Peace at last, hopefully for good this time.",
    "Why does the article not mention the blockade?",
    "My grandmother was born in {place}.",
    "What a {feeling} week for the region.",
    "teh situation is getting worse every day",
    "Good on the volunteers, they are doing incredible work.",
    "Exactly this.",
    "Well said, {user}.",
    "I have family in {place} and we haven't heard from them since Tuesday.",
    "Can someone explain what the Minsk Group actually did for 30 years?",
    "The map in paragraph 3 is wrong, {place} is further north.",
    "Subscribed just for this coverage, keep it up.",
    "History will not be kind to any of them.",
    "I'm so tired of reading the same news every autumn...",
    "ok but who is paying for all of this",
    "First time commenting here. Long time reader.",
    "Praying for the people of {place} 🙏",
    "It's {feeling}, simply {feeling}.",
    "Why is nobody talking about the winter coming?",
    "Nice try, {user}, but the facts say otherwise.",
    "Azerbaijan says only military targets were hit.",
    "Baku and Yerevan both claim victory in the talks.",
    "Not a {good} look for anyone involved.",
    "Read the whole thing twice. Still don't understand the end game.",
    "The comments here are better than the article tbh.",
]
OPENERS = ["", "", "", "", "", "", "Honestly, ", "lol ", "Wait, ", "So ", "Again: ", "Exactly. ",
           "Sad. ", "Well... ", "Hmm. ", "Ugh. ", "Yes. ", "No. ", "Look, ", "FYI: "]
POOLS = [(TOPICAL, 0.42), (SKEPTICAL, 0.16), (NEGATED, 0.04), (CHATTER, 0.38)]
POOL_CUMULATIVE = list(accumulate(weight for _, weight in POOLS))
LOREM_WORDS = [
    "the", "of", "and", "to", "in", "is", "that", "it", "for", "was", "on", "are", "as", "with",
    "they", "be", "at", "this", "have", "from", "or", "one", "had", "by", "but", "not", "what",
    "all", "were", "when", "we", "there", "can", "an", "your", "which", "their", "said", "if",
    "do", "will", "each", "about", "how", "up", "out", "them", "then", "she", "many", "some",
    "so", "these", "would", "other", "into", "has", "more", "her", "two", "like", "him", "see",
    "time", "could", "no", "make", "than", "first", "been", "its", "who", "now", "people", "my",
    "made", "over", "did", "down", "only", "way", "find", "use", "may", "long", "little", "very",
    "after", "words", "called", "just", "where", "most", "know", "government", "war", "peace",
    "region", "border", "village", "city", "night",
]


class CommentWriter:
    """Comment texts for one seed: templates, slots and noise."""

    def __init__(self, rng: random.Random, users: list[str]) -> None:
        self.rng = rng
        self.users = users

    def _fill(self, template: str) -> str:
        rng = self.rng
        if "{" not in template:
            return template
        values = {
            "body": rng.choice(BODIES), "state": rng.choice(STATES), "place": rng.choice(PLACES),
            "number": rng.choice(NUMBERS), "casualty": rng.choice(CASUALTY), "aid": rng.choice(AID),
            "western": rng.choice(WESTERN), "feeling": rng.choice(FEELINGS), "good": rng.choice(GOOD),
            "user": "@" + rng.choice(self.users),
        }
        values.update({k.capitalize(): v[:1].upper() + v[1:] for k, v in values.items()})
        return template.format(**values)

    def sentence(self) -> str:
        rng = self.rng
        pool = POOLS[bisect.bisect(POOL_CUMULATIVE, rng.random() * POOL_CUMULATIVE[-1])][0]
        text = self._fill(rng.choice(pool))
        r = rng.random()
        if r < 0.12:  # a clause of plain words, so that texts are rarely repeated
            extra = " ".join(rng.choice(LOREM_WORDS) for _ in range(rng.randint(3, 14)))
            text = text.rstrip(".!?") + ", " + extra + rng.choice((".", ".", "!", "?", ""))
        elif r < 0.16:
            text = text.upper()
        elif r < 0.22:
            text = text.rstrip(".") + rng.choice(("!!!", "??", "?!", "...", "!!", " 😡😡"))
        return text

    def _noise(self, text: str) -> str:
        rng = self.rng
        words = text.split(" ")
        for i, word in enumerate(words):
            r = rng.random()
            if r < 0.015 and len(word) > 3:  # typo: swap two letters
                k = rng.randrange(len(word) - 1)
                words[i] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
            elif r < 0.022 and len(word) > 3:  # typo: a letter dropped
                k = rng.randrange(len(word))
                words[i] = word[:k] + word[k + 1 :]
            elif r < 0.03:
                words[i] = word.upper()
        text = " ".join(words)
        r = rng.random()
        if r < 0.10:
            text += " " + rng.choice(EMOJI) * rng.randint(1, 3)
        elif r < 0.13:
            text += " " + rng.choice(URLS)
        elif r < 0.17:
            text = "@" + rng.choice(self.users) + " " + text
        elif r < 0.18:
            text = text.replace(" and ", " &amp; ", 1)
        elif r < 0.19:
            text = "\u201c" + text + "\u201d"
        return text

    def comment(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.03:
            count = rng.randint(10, 40)
        else:
            count = rng.choice((1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6))
        glue = "\n" if rng.random() < 0.1 else (" " if rng.random() < 0.97 else "  ")
        text = rng.choice(OPENERS) + glue.join(self.sentence() for _ in range(count))
        if rng.random() < 0.02:
            text += "\n\n" + rng.choice(("Edit: typo.", "EDIT: source below.", "-- sent from my phone"))
        return self._noise(text)


# --- articles -------------------------------------------------------------------------------------

ARTICLE_SENTENCES = [
    "Azerbaijan launched what it called local anti-terrorist measures in {place} on Tuesday.",
    "The ombudsman said at least {number} people had been killed, including civilians.",
    "The figures await independent verification.",
    "Russian peacekeepers deployed in the region since 2020 did not intervene.",
    "The UN Security Council held an emergency meeting at the request of France.",
    "Secretary-General Antonio Guterres urged an immediate end to the fighting.",
    "The Red Cross said its convoys carrying {aid} had reached {place}.",
    "Thousands of families gathered at the airport in {place} hoping to leave.",
    "Armenian Prime Minister Nikol Pashinyan said Armenia was not involved in the fighting.",
    "Protesters in Yerevan demanded his resignation for a third day.",
    "Turkey's President Erdogan expressed support for Azerbaijan's operation.",
    "The European Union called for a return to negotiations.",
    "The Lachin corridor, the only road to Armenia, had been blocked for nine months.",
    "Local authorities said the enclave would dissolve by the end of the year.",
    "Officials in {place} reported shortages of {aid} and {aid}.",
    "Washington said it was deeply concerned and considering its options.",
    "Journalists were not allowed into the region to confirm the reports.",
    "The Kremlin said it was in contact with both Baku and Yerevan.",
    "Aid agencies warned of a humanitarian crisis as winter approached.",
    "More than {number} refugees had crossed into Armenia by Sunday.",
    "Hospitals in {place} were overwhelmed with the wounded.",
    "The talks in Yevlakh ended without a public statement.",
    "Satellite images showed villages around {place} emptied of their residents.",
    "Analysts said the offensive redrew the map of the South Caucasus.",
]
HEADLINES = ["Talks begin on the future of {place}", "Thousands flee {place} as fighting ends",
             "UN meets as death toll rises to {number}", "Aid reaches {place} after months of blockade",
             "Protests grow in Yerevan", "What the fall of {place} means for the region"]


def _article(rng: random.Random, index: int, published: datetime) -> dict[str, str]:
    writer = CommentWriter(rng, ["editor"])
    paragraphs = []
    for _ in range(rng.randint(8, 24)):
        paragraph = " ".join(writer._fill(rng.choice(ARTICLE_SENTENCES)) for _ in range(rng.randint(1, 4)))
        paragraphs.append(paragraph)
    return {
        "article_id": f"bench-{index:05d}",
        "url": f"https://news.example.org/2023/{index:05d}",
        "title": writer._fill(rng.choice(HEADLINES)),
        "published_at": published.isoformat().replace("+00:00", "Z"),
        "byline": rng.choice(["Sophia Chen", "Arman Grigoryan", "Leyla Aliyeva", "Staff"]),
        "body": "\n\n".join(paragraphs),
    }


def _timestamp(rng: random.Random, moment: datetime) -> str:
    r = rng.random()
    if r < 0.85:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if r < 0.95:
        return moment.astimezone(_PLUS4).isoformat()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


_PLUS4 = __import__("datetime").timezone(timedelta(hours=4))


def generate(out: Path, comments: int, seed: int = 2023) -> dict[str, int]:
    """Write the corpus into `out`; return its counts."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_articles = max(20, comments // 2000)
    span = timedelta(weeks=WEEKS)
    published = sorted(START + span * rng.random() * 0.9 for _ in range(n_articles))
    with (out / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for index, when in enumerate(published):
            fh.write(json.dumps(_article(rng, index, when), ensure_ascii=False) + "\n")

    users = [rng.choice(FIRST) + rng.choice(LAST) + (str(rng.randint(1, 999)) if rng.random() < 0.5 else "")
             for _ in range(max(50, comments // 8))]
    user_weights = list(accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(users))))
    article_weights = list(accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(n_articles)))
    order = list(range(n_articles))
    rng.shuffle(order)  # popularity independent of date
    writer = CommentWriter(rng, users)

    threads: dict[int, list[tuple[str, datetime, int]]] = {}  # article -> (comment id, time, depth)
    weeks: dict[int, list[str]] = {}
    replies = max_depth = 0
    for number in range(comments):
        article = order[bisect.bisect(article_weights, rng.random() * article_weights[-1])]
        seen = threads.setdefault(article, [])
        parent = None
        depth = 0
        if seen and rng.random() < 0.45:
            # mostly recent comments get the replies
            parent_id, parent_time, parent_depth = seen[max(0, len(seen) - 1 - int(rng.expovariate(0.15)))]
            parent, depth = parent_id, parent_depth + 1
            when = parent_time + timedelta(minutes=rng.expovariate(1 / 90))
            replies += 1
            max_depth = max(max_depth, depth)
        else:
            when = published[article] + timedelta(hours=rng.expovariate(1 / 30))
        when = min(when, START + span - timedelta(seconds=1))
        comment_id = f"c{number:07d}"
        seen.append((comment_id, when, depth))
        r = rng.random()
        status = "deleted" if r < 0.01 else ("spam" if r < 0.015 else None)
        author = rng.choice(users) if rng.random() < 0.3 else users[
            bisect.bisect(user_weights, rng.random() * user_weights[-1])]
        record = {
            "comment_id": comment_id,
            "article_id": f"bench-{article:05d}",
            "parent_id": parent,
            "author": author,
            "posted_at": _timestamp(rng, when),
            "text": writer.comment(),
        }
        if status:
            record["status"] = status
        weeks.setdefault((when - START).days // 7, []).append(json.dumps(record, ensure_ascii=False))
    for week, lines in sorted(weeks.items()):
        (out / f"comments-week-{week + 1:02d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"articles": n_articles, "comments": comments, "replies": replies, "max_depth": max_depth,
            "users": len(users), "files": len(weeks) + 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.comments, args.seed)))


if __name__ == "__main__":
    main()
