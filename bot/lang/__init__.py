"""General language tools, English and Korean: normalization, tokens, stemming, scripts.

The lowest layer: it knows no document and imports nothing else of the bot. Both the
knowledge loaders and the engine build on it.
"""
