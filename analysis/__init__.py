"""readerpulse: reader-comment and sentiment analysis for newsroom audience teams."""

__version__ = "0.1.0"
