"""FOC bot: answers questions about the Republic of Korea joining the Freedom Online Coalition.

``bot.lang``, ``bot.knowledge`` and ``bot.engine`` are the platform-neutral core and never
imports discord; ``bot.cli`` is the command line; the Discord layer lives beside them.
"""

__version__ = "0.1.0"
