"""The answer engine: from a question to an answer with its source, or "I don't know".

Built on :mod:`bot.knowledge` and :mod:`bot.lang`. Nothing here imports discord, so the
command line starts fast and the engine is tested without a network. Front ends (the
CLI, the Discord layer) talk to :class:`bot.engine.engine.Engine` only.
"""
