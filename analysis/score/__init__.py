"""Scorers for reader comments: sentiment, topics, skepticism and passage links.

`readerpulse.score.runner.score_database` runs them all over a database; each scorer module also
works on a plain polars frame of comments (used by `readerpulse.evaluate`).
"""
