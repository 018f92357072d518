"""The returns documentation is generated from the specs and kept current."""

from __future__ import annotations

from pathlib import Path

from kinlink.returns import specs_load
from kinlink.returns.docs import returns_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "returns.md"


def test_docs_returns_md_is_current():
    assert DOC.read_text(encoding="utf-8") == returns_markdown(), (
        "docs/returns.md is stale: run 'kinlink returns doc --out docs/returns.md'"
    )


def test_the_doc_has_a_row_for_every_field_of_every_spec():
    text = returns_markdown()
    for spec in specs_load().values():
        section = text.split(f"## `{spec.name}`", 1)[1].split("\n## ", 1)[0]
        for field in spec.fields:
            assert f"| `{field.name}` | {field.type} |" in section, (spec.name, field.name)
