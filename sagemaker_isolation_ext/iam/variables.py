"""Policy variables (``${...}``) in Resource and Condition values.

Source: IAM User Guide, "IAM JSON policy elements: Variables and tags":
- ``${key}`` is replaced by the value of context key ``key`` (key names case-insensitive);
- ``${key, 'default'}`` uses ``default`` when the key is not in the request;
- ``${*}``, ``${?}``, ``${$}`` stand for a literal ``*``, ``?``, ``$`` (so ``${*}`` in a
  StringLike or Resource pattern is *not* a wildcard);
- variables exist only in Version ``2012-10-17``; in ``2008-10-17`` (or no Version) ``${...}`` is
  literal text;
- "If AWS cannot resolve a variable this might cause the entire statement to be invalid."
  Our reading: an unresolvable variable (key absent, no default, or a multi-valued key) makes the
  comparison that uses it not match (see conditions.py for the negated operators).

A template resolves to a *pattern string* in which literal ``*``/``?`` coming from ``${*}``,
``${?}`` or from a substituted value are replaced by the private-use sentinels
:data:`LIT_STAR` / :data:`LIT_QMARK`; :func:`sagemaker_isolation_ext.iam.arn.glob_regex` treats
them as literal characters and :func:`unsentinel` turns them back for exact comparisons.
"""

from __future__ import annotations

import re
from typing import Union

from .arn import LIT_QMARK, LIT_STAR, unsentinel
from .request_context import ABSENT, PRESENT, RequestContext

__all__ = [
    "LIT_STAR",
    "LIT_QMARK",
    "UNRESOLVED",
    "Template",
    "Unknown",
    "parse_template",
    "unsentinel",
]

_VAR_RE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT_RE = re.compile(r"^\s*([^,\s][^,]*?)\s*,\s*'([^']*)'\s*$")


class _Unresolved:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNRESOLVED"


#: Result of resolving a template whose variable cannot be resolved (closed world or known absent).
UNRESOLVED = _Unresolved()


class Unknown:
    """Result of resolving a template in open world when a variable's key is unknown.

    Attributes:
        keys: the unknown key names (as written in the policy).
    """

    __slots__ = ("keys",)

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys


def _escape_literal(value: str) -> str:
    return value.replace("*", LIT_STAR).replace("?", LIT_QMARK)


class Template:
    """A string with policy variables.

    Attributes:
        source: the text as written.
        parts: tuple of pieces: ``str`` (pattern text, glob characters active) or
            ``(key_as_written, key_lower, default_or_None)``.
        keys: the variable keys (as written).
    """

    __slots__ = ("source", "parts", "keys")

    def __init__(self, source: str, parts: tuple) -> None:
        self.source = source
        self.parts = parts
        self.keys = tuple(p[0] for p in parts if isinstance(p, tuple))

    def resolve(self, ctx: RequestContext) -> Union[str, _Unresolved, Unknown]:
        """Substitute variables from ``ctx``.

        Returns:
            the pattern string (with sentinels for literal wildcards), :data:`UNRESOLVED`, or an
            :class:`Unknown` naming the unknown keys (open world only).
        """
        out = []
        unknown = []
        unresolved = False
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
                continue
            key, low, default = p
            st = ctx.state(low)
            if st == PRESENT:
                v = ctx.values[low]
                if isinstance(v, tuple):
                    # A multi-valued key cannot be substituted (a list has no single value).
                    unresolved = True
                else:
                    out.append(_escape_literal(v))
            elif st == ABSENT:
                if default is None:
                    unresolved = True
                else:
                    out.append(_escape_literal(default))
            else:
                unknown.append(key)
        if unknown:
            return Unknown(tuple(unknown))
        if unresolved:
            return UNRESOLVED
        return "".join(out)


def parse_template(text: str, variables_enabled: bool) -> Union[str, Template]:
    """Parse ``text``; return it unchanged when it holds no variable (or variables are off).

    Args:
        text: a Resource pattern or a condition value.
        variables_enabled: False for Version 2008-10-17 documents (``${...}`` literal).

    Returns:
        ``text`` itself (a plain pattern) or a :class:`Template`.
    """
    if not variables_enabled or "${" not in text:
        return text
    parts: list = []
    pos = 0
    has_var = False
    for m in _VAR_RE.finditer(text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        inner = m.group(1)
        if inner == "*":
            parts.append(LIT_STAR)
        elif inner == "?":
            parts.append(LIT_QMARK)
        elif inner == "$":
            parts.append("$")
        else:
            dm = _DEFAULT_RE.match(inner)
            if dm:
                key, default = dm.group(1), dm.group(2)
            else:
                key, default = inner.strip(), None
            if not key or "," in key or any(c.isspace() for c in key):
                # Not a variable AWS would recognise: keep the text literally.
                parts.append(_escape_literal(m.group(0)))
            else:
                parts.append((key, key.lower(), default))
                has_var = True
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    if not has_var:
        # Only ${*}/${?}/${$} escapes: a constant pattern with sentinels.
        return "".join(parts)
    return Template(text, tuple(parts))
