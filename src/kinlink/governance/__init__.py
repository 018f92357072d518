"""Governance: agreements and purposes as configuration, retention, subject access, documents."""

from kinlink.governance.loader import RegistryError, registry_check, registry_load
from kinlink.governance.models import Agreement, Purpose, Registry
from kinlink.governance.policy import feeds_for_purpose, ingest_refusal

__all__ = [
    "Agreement",
    "Purpose",
    "Registry",
    "RegistryError",
    "feeds_for_purpose",
    "ingest_refusal",
    "registry_check",
    "registry_load",
]
