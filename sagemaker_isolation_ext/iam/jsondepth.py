"""How deep a JSON text nests, found without parsing it (pure; no recursion).

JSON nested deeper than :data:`MAX_JSON_DEPTH` is bad input everywhere in the product: request
bodies (HTTP 400, reason ``too-deep``), ``check``/``lint`` files (exit 3, "nested too deeply").
Python's ``json`` module recurses once per level and raises ``RecursionError`` near 1,000 levels
(and every later recursive walk over a parsed document can too), so the depth is measured on
the raw text *before* ``json.loads``: one linear scan over brackets that skips string contents.

A valid IAM policy nests 6 levels (document, Statement list, statement, Condition, operator,
value list); a Snapshot about 8 plus its policies.
"""

from __future__ import annotations

import json
import re

__all__ = ["MAX_JSON_DEPTH", "JsonTooDeep", "json_depth", "check_json_depth", "load_json_text"]

MAX_JSON_DEPTH = 64
"""Deepest nesting of objects/arrays accepted (``{}`` at the top is depth 1)."""

# A string (escapes skipped; an unterminated one runs to the end of the text) or a bracket.
_TOKENS_STR = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"?|[\[\]{}]')
_TOKENS_BYTES = re.compile(rb'"[^"\\]*(?:\\[\s\S][^"\\]*)*"?|[\[\]{}]')
_OPEN_STR, _OPEN_BYTES = "[{", b"[{"


class JsonTooDeep(ValueError):
    """JSON text nests deeper than the limit. ``depth`` is the depth reached when the scan
    stopped (> ``limit``), ``limit`` the limit."""

    def __init__(self, depth: int, limit: int, what: str = "JSON") -> None:
        self.depth, self.limit = depth, limit
        super().__init__(f"{what} is nested too deeply (more than {limit} levels of objects "
                         "and arrays)")


def json_depth(text: str | bytes | bytearray, stop_above: int | None = None) -> int:
    """The deepest nesting of ``[``/``{`` in JSON ``text``, brackets inside strings ignored.

    Args:
        text: JSON text (str or UTF-8 bytes); it need not be valid JSON (then the number is an
            estimate: ``json.loads`` rejects such text anyway).
        stop_above: stop scanning as soon as the depth exceeds this (the result is then
            ``stop_above + 1``).

    Returns:
        the depth (0 for a scalar). Linear time, constant stack.
    """
    if isinstance(text, (bytes, bytearray)):
        pattern, opens = _TOKENS_BYTES, _OPEN_BYTES
        is_open = (lambda tok: tok[0] in opens)  # noqa: E731 - bytes index gives an int
        opens = set(opens)
    else:
        pattern, opens = _TOKENS_STR, _OPEN_STR
        is_open = (lambda tok: tok[0] in opens)  # noqa: E731
    depth = deepest = 0
    for m in pattern.finditer(text):
        tok = m.group()
        if len(tok) != 1:
            continue  # a string (a one-character token is a bracket or a lone '"')
        if tok in ('"', b'"'):
            continue
        if is_open(tok):
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    return deepest
        else:
            depth -= 1
    return deepest


def check_json_depth(text: str | bytes | bytearray, limit: int = MAX_JSON_DEPTH,
                     what: str = "JSON") -> None:
    """Raise :class:`JsonTooDeep` when ``text`` nests deeper than ``limit``.

    Args:
        text: the raw JSON text, before ``json.loads``.
        limit: deepest accepted nesting.
        what: how messages name the text (``"the request body"``, ``"policy file p.json"``).

    Raises:
        JsonTooDeep: (a ``ValueError``) with message "<what> is nested too deeply (...)".
    """
    depth = json_depth(text, stop_above=limit)
    if depth > limit:
        raise JsonTooDeep(depth, limit, what)


def load_json_text(text: str | bytes | bytearray, what: str) -> object:
    """``json.loads(text)`` after :func:`check_json_depth`.

    Raises:
        ValueError: :class:`JsonTooDeep` ("<what> is nested too deeply ..."), or "<what> is not
            valid JSON: <json's message>".
    """
    check_json_depth(text, what=what)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from None
