"""Kinlink: bring partner extracts together, link people and families, and share on a need-to-know basis."""

__version__ = "0.1.0"
