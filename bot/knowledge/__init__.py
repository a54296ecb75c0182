"""The knowledge: loading and validating the files moderators edit, and changing them safely.

Sources and their fact cards, curated Q&A, members, learned alternates, backups, diffs
and the changes ``/kb`` and ``kb`` make. Built on :mod:`bot.lang`; knows nothing of the
engine or of Discord.
"""
