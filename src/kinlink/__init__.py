"""Kinlink: link partner extracts into people and families, shared on a need-to-know basis."""

__version__ = "0.1.0"
