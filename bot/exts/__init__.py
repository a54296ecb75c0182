"""Discord extensions, one package per domain: asking, membership, sources, admin."""
