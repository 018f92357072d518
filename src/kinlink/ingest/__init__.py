"""Ingest: partner files into the warehouse, every row loaded or quarantined, with lineage."""

from kinlink.ingest.models import CheckReport, FileReport, IngestReport
from kinlink.ingest.selectors import batches_list, quarantine_rows, quarantine_summary
from kinlink.ingest.services import file_check, files_discover, ingest_paths

__all__ = [
    "CheckReport",
    "FileReport",
    "IngestReport",
    "batches_list",
    "file_check",
    "files_discover",
    "ingest_paths",
    "quarantine_rows",
    "quarantine_summary",
]
