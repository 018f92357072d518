"""Governance tests use the outcomes fixtures: hand-made warehouses and the assessed city."""

from tests.outcomes.conftest import assessed_city, scenario

__all__ = ["assessed_city", "scenario"]
