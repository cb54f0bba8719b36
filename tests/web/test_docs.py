"""docs/api.md carries the rules table exactly as the code has it."""

import pathlib

from facilitator.domain.rules import as_markdown

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_rules_table_in_docs_matches_code():
    assert as_markdown() in (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
