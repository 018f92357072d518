"""Feed definitions as configuration: the shipped reference definitions and a council's own."""

from kinlink.sources.loader import (
    DefinitionError,
    builtin_definition_paths,
    definition_for_file,
    definition_load,
    definition_parse,
    definitions_load,
)
from kinlink.sources.models import ColumnSpec, FeedDefinition, FilesSpec, Governance, PersonSlot

__all__ = [
    "ColumnSpec",
    "DefinitionError",
    "FeedDefinition",
    "FilesSpec",
    "Governance",
    "PersonSlot",
    "builtin_definition_paths",
    "definition_for_file",
    "definition_load",
    "definition_parse",
    "definitions_load",
]
