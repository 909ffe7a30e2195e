"""Wildcard matching for actions, resources and ARNs.

IAM wildcards (IAM User Guide, "IAM JSON policy elements: Action" / "Resource"): ``*`` matches any
run of characters (including none, and including ``:`` and ``/``), ``?`` matches exactly one
character; every other character is literal. Actions are matched case-insensitively, resource
ARNs case-sensitively. A wildcard in the resource-type part of an ARN pattern
(``arn:aws:sagemaker:us-east-1:111122223333:*/*``) is just another glob character.

``ArnEquals``/``ArnLike`` (IAM User Guide, "IAM JSON policy elements: Condition operators", ARN
condition operators): "Each of the six colon-delimited components of the ARN is checked separately
and each can include multi-character match wildcards (*) or single-character match wildcards (?)".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

__all__ = [
    "glob_matcher",
    "globs_matcher",
    "glob_regex",
    "split_arn",
    "arn_matcher",
    "has_wildcard",
    "LIT_STAR",
    "LIT_QMARK",
    "unsentinel",
]

#: Private-use characters standing for a *literal* ``*`` / ``?`` inside a pattern (from the
#: policy variables ``${*}`` / ``${?}`` or from a substituted value; see variables.py).
LIT_STAR = "\ue000"
LIT_QMARK = "\ue001"


def unsentinel(value: str) -> str:
    """Turn :data:`LIT_STAR` / :data:`LIT_QMARK` back into ``*`` / ``?``."""
    if LIT_STAR in value or LIT_QMARK in value:
        return value.replace(LIT_STAR, "*").replace(LIT_QMARK, "?")
    return value


def has_wildcard(pattern: str) -> bool:
    """True when ``pattern`` holds ``*`` or ``?``."""
    return "*" in pattern or "?" in pattern


def _segment_regex(segment: str) -> str:
    out = []
    for ch in segment:
        if ch == "?":
            out.append(".")
        elif ch == LIT_STAR:
            out.append(re.escape("*"))
        elif ch == LIT_QMARK:
            out.append(re.escape("?"))
        else:
            out.append(re.escape(ch))
    return "".join(out)


def glob_regex(pattern: str) -> str:
    """Translate an IAM glob to a regex source (anchoring with ``\\Z`` is the caller's).

    The regex cannot backtrack catastrophically: the text between two ``*`` is matched at its
    leftmost occurrence inside an atomic group (``(?>.*?seg)``) — the greedy-leftmost strategy,
    which is exact for ``*``/``?`` globs because an earlier match leaves more room for the rest —
    so matching costs O(len(value) * len(pattern)) instead of growing exponentially with the
    number of ``*`` (a pattern like ``*a*a*a*a*a*a*b`` took minutes with a naive translation).
    """
    segments = pattern.split("*")
    if len(segments) == 1:
        return _segment_regex(pattern)
    first, middles, last = segments[0], segments[1:-1], segments[-1]
    parts = [_segment_regex(first)]
    parts.extend(f"(?>.*?{_segment_regex(m)})" for m in middles if m)
    parts.append(".*" + _segment_regex(last))
    return "".join(parts)


@lru_cache(maxsize=65536)
def glob_matcher(pattern: str, ignore_case: bool = False) -> Callable[[str], bool]:
    """Return a predicate ``f(value) -> bool`` for one IAM glob.

    Args:
        pattern: the glob (``*``, ``?`` wildcards).
        ignore_case: compare case-insensitively (actions, StringEqualsIgnoreCase-like uses).

    Returns:
        a callable; ``"*"`` matches every string, including ``"*"`` and ``""``.
    """
    if pattern == "*":
        return _always
    if not has_wildcard(pattern):
        literal = unsentinel(pattern)
        if ignore_case:
            low = literal.lower()
            return lambda v: v.lower() == low
        return literal.__eq__
    return _LazyGlobs(frozenset(), (pattern,), ignore_case)


def _literal_prefix(pattern: str) -> str:
    """The text before the first wildcard, with literal-wildcard sentinels turned back."""
    cut = len(pattern)
    for ch in ("*", "?"):
        i = pattern.find(ch)
        if i != -1 and i < cut:
            cut = i
    return unsentinel(pattern[:cut])


_FLAGS = re.DOTALL
_FLAGS_I = re.DOTALL | re.IGNORECASE
_MEMO_MAX = 4096  # per matcher: the analysis asks about each resource ARN several times


class _LazyGlobs:
    """Predicate for exact strings plus wildcard globs (ORed).

    A value is first looked up in the exact set, then rejected cheaply unless it starts with one
    of the globs' literal prefixes. Globs with ``*`` only are matched with ``str.find`` on their
    literal segments (greedy leftmost, no regex: nothing to compile); globs with ``?`` go into
    one alternation regex compiled only when first needed (compiling costs ~0.5 ms a pattern).
    Results are memoised per value (bounded), since the analysis evaluates each resource ARN
    under several tag states.
    """

    __slots__ = (
        "exact",
        "prefixes",
        "segments",
        "source",
        "flags",
        "ignore_case",
        "_match",
        "_memo",
    )

    def __init__(self, exact: frozenset, wild: tuple, ignore_case: bool) -> None:
        self.exact = exact
        self.ignore_case = ignore_case
        prefixes = []
        segments = []
        regex = []
        for p in wild:
            if "?" in p:
                regex.append(p)
                prefix = _literal_prefix(p)
                prefixes.append(prefix.lower() if ignore_case else prefix)
                continue
            parts = p.split("*")
            if LIT_STAR in p or LIT_QMARK in p:
                parts = [unsentinel(x) for x in parts]
            if ignore_case:
                parts = [x.lower() for x in parts]
            first, last = parts[0], parts[-1]
            prefixes.append(first)
            segments.append((first, tuple(x for x in parts[1:-1] if x), last, len(first) + len(last)))
        self.prefixes = tuple(prefixes)
        self.segments = tuple(segments)
        self.source = "(?:" + "|".join(glob_regex(p) for p in regex) + r")\Z" if regex else None
        self.flags = _FLAGS_I if ignore_case else _FLAGS
        self._match = None
        self._memo: dict[str, bool] = {}

    def __call__(self, value: str) -> bool:
        key = value.lower() if self.ignore_case else value
        if key in self.exact:
            return True
        if not key.startswith(self.prefixes):
            return False
        memo = self._memo
        got = memo.get(value)
        if got is None:
            got = self._wild(key, value)
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[value] = got
        return got

    def _wild(self, key: str, value: str) -> bool:
        n = len(key)
        for first, middles, last, fixed in self.segments:
            if n < fixed or not key.startswith(first) or not key.endswith(last):
                continue
            pos, end = len(first), n - len(last)
            for m in middles:
                i = key.find(m, pos, end)
                if i < 0:
                    break
                pos = i + len(m)
            else:
                return True
        if self.source is None:
            return False
        m = self._match
        if m is None:
            m = self._match = re.compile(self.source, self.flags).match
        return m(value) is not None


def _always(_v: str) -> bool:
    return True


def _never(_v: str) -> bool:
    return False


def globs_matcher(patterns: tuple, ignore_case: bool = False) -> Callable[[str], bool]:
    """One predicate for a list of globs (ORed): true when any pattern matches.

    Memoised per pattern tuple (LRU, 16384 entries) unless the tuple holds more than
    :data:`_MATCHER_CACHE_PATTERNS` patterns (a huge list is built for its caller only, so the
    count-bounded cache cannot hold gigabytes). See :func:`_globs_matcher` for the matching.

    Args:
        patterns: tuple of globs.
        ignore_case: compare case-insensitively (the caller then passes lower-cased values).

    Returns:
        a callable ``f(value) -> bool``.
    """
    if len(patterns) > _MATCHER_CACHE_PATTERNS:
        return _globs_matcher.__wrapped__(patterns, ignore_case)
    return _globs_matcher(patterns, ignore_case)


_MATCHER_CACHE_PATTERNS = 1000


@lru_cache(maxsize=16384)
def _globs_matcher(patterns: tuple, ignore_case: bool = False) -> Callable[[str], bool]:
    """One predicate for a list of globs (ORed): true when any pattern matches.

    Exact patterns go in a set; wildcard patterns are matched behind a literal-prefix check, by
    segment search (``*`` only) or one alternation regex (with ``?``) — see :class:`_LazyGlobs`.

    Args:
        patterns: tuple of globs.
        ignore_case: compare case-insensitively (the caller then passes lower-cased values).

    Returns:
        a callable ``f(value) -> bool``.
    """
    if "*" in patterns:
        return _always
    literal = []
    wild = []
    for p in patterns:
        (wild if "*" in p or "?" in p else literal).append(p)
    if LIT_STAR in "".join(literal) or LIT_QMARK in "".join(literal):
        literal = [unsentinel(p) for p in literal]
    exact = frozenset(map(str.lower, literal) if ignore_case else literal)
    if not wild:
        if not exact:
            return _never
        if ignore_case:
            return lambda v: v.lower() in exact
        return exact.__contains__
    return _LazyGlobs(exact, tuple(wild), ignore_case)


def split_arn(arn: str) -> tuple[str, str, str, str, str, str] | None:
    """Split an ARN into its six parts.

    ``arn:partition:service:region:account:resource``; the resource part keeps any further
    colons. Returns None when ``arn`` does not start with ``arn:`` or has fewer than six parts.
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]


@lru_cache(maxsize=16384)
def arn_matcher(pattern: str) -> Callable[[str], bool]:
    """Predicate for ``ArnLike``/``ArnEquals`` with one pattern, part by part.

    Each of the six parts of ``pattern`` is a case-sensitive glob matched against the same part of
    the value. A value that is not an ARN never matches. A pattern that is exactly ``"*"`` matches
    any value.

    Raises:
        ValueError: ``pattern`` has fewer than six colon-separated parts (the documentation does
            not say how such a pattern compares, so the engine reports ``unknown``).
    """
    if pattern == "*":
        return _always
    pparts = pattern.split(":", 5)
    if len(pparts) != 6:
        raise ValueError(
            f"{unsentinel(pattern)!r} is not an ARN pattern (arn:partition:service:region:"
            "account:resource)"
        )
    matchers = [glob_matcher(p) for p in pparts]

    def match(value: str) -> bool:
        vparts = value.split(":", 5)
        if len(vparts) != 6:
            return False
        for f, part in zip(matchers, vparts):
            if not f(part):
                return False
        return True

    return match
