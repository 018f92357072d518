"""Governance tests use the outcomes hand-made warehouses."""

from tests.outcomes.conftest import scenario

__all__ = ["scenario"]
