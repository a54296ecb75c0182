"""The platform-neutral core: knowledge loading and validation, normalization, matcher, answers.

Nothing in this package imports discord, so the command line starts fast and the
engine is tested without a network.
"""
