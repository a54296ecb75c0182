"""FOC bot: answers questions about the Republic of Korea joining the Freedom Online Coalition.

``bot.core`` is the platform-neutral engine (knowledge, matcher, answers) and never
imports discord; ``bot.cli`` is the command line; the Discord layer lives beside them.
"""

__version__ = "0.1.0"
