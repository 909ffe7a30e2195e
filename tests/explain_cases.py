"""The AccessDenied messages the explain tests share.

``SHARED``: ``tests/cases/access_denied.jsonl`` (21 real messages) by id; ``OWN``: the expectations
of ``tests/cases/explain_messages.jsonl`` (one per shared message plus our own shapes), in order.
"""

from __future__ import annotations

import json
from pathlib import Path

CASES = Path(__file__).parent / "cases"


def _jsonl(name: str) -> list[dict]:
    text = (CASES / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


SHARED = {case["id"]: case for case in _jsonl("access_denied.jsonl")}
OWN = _jsonl("explain_messages.jsonl")
