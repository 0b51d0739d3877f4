"""Anonymous figures for whoever runs the bot: how often each milestone of a conversation was
reached, per day and a few coarse dimensions, kept apart from the sessions.

Why apart: the sessions are purged after the retention period and erased by /vergeet; these counts
must outlive both to show use and progress over a year. They can, because they hold nothing about
anyone: no chat id, no key, no time finer than a day, no free text (see bot/stats/files.py).

Parts: :mod:`bot.stats.files` (the month files, written crash-safely), :mod:`bot.stats.tally` (the
in-memory batch the conversation service adds to, flushed now and then), :mod:`bot.stats.figures`
(the figures, with small numbers hidden) and :mod:`bot.stats.page` / :mod:`bot.stats.cli` (the
page and the CSV of `python -m bot stats`).
"""

from bot.stats.files import CountFiles, Key
from bot.stats.tally import Tally

__all__ = ["CountFiles", "Key", "Tally"]
