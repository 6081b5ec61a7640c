"""Findings as text for people, JSON for scripts, rdjson for reviewdog, annotations for GitHub.

Every format carries the same facts; only the column convention differs:
characters for people and GitHub, UTF-8 bytes for reviewdog (its rdjson
spec counts bytes), so a finding after Chinese text lands on the right spot
in each tool.
"""
from __future__ import annotations

import json
from typing import Iterable

from ..files.documents import Finding

FORMATS = ("text", "json", "rdjson", "github")


def text_line(path: str, f: Finding) -> str:
    """``path:line:col: old -> new (confidence, reason)``, as :func:`repair.report.format_change_line`."""
    c = f.change
    return f"{path}:{f.line}:{f.col}: {c.old} -> {c.new} ({c.confidence:.2f}, {c.reason})"


def json_line(path: str, f: Finding) -> str:
    """One finding as a JSON object on one line."""
    return json.dumps({"path": path, "line": f.line, "col": f.col, **f.change.to_dict()}, ensure_ascii=False)


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github_line(path: str, f: Finding) -> str:
    """A GitHub Actions workflow command that annotates the line in a pull request."""
    c = f.change
    message = _escape_data(f"{c.old} -> {c.new} ({c.confidence:.2f}, {c.reason})")
    return (f"::warning file={_escape_property(path)},line={f.line},col={f.col},"
            f"endColumn={f.end_col},title=unspin::{message}")


def rdjson_diagnostic(path: str, f: Finding) -> dict:
    """One reviewdog diagnostic with a suggestion reviewdog can apply."""
    c = f.change
    rng = {"start": {"line": f.line, "column": f.byte_col}, "end": {"line": f.line, "column": f.end_byte_col}}
    return {
        "message": f"{c.old} -> {c.new} ({c.confidence:.2f}, {c.reason})",
        "location": {"path": path, "range": rng},
        "severity": "WARNING",
        "code": {"value": c.kind},
        "suggestions": [{"range": rng, "text": c.new}],
    }


def rdjson_document(diagnostics: Iterable[dict]) -> str:
    """The whole rdjson report (reviewdog reads one JSON object)."""
    return json.dumps({"source": {"name": "unspin"}, "severity": "WARNING", "diagnostics": list(diagnostics)},
                      ensure_ascii=False, indent=2)
