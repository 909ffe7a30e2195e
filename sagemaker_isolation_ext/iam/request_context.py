"""The request context as the engine reads it: case-insensitive keys, closed or open world.

IAM User Guide, "IAM JSON policy elements: Condition": "Context key names are not
case-sensitive." Values are kept as given (their case matters to most operators).

Readings taken here (documented in docs/ARCHITECTURE.md §1):
- a JSON boolean becomes ``"true"``/``"false"``, a number its decimal text;
- a list is a multi-valued key; an *empty* list is treated as the key being absent (AWS: the
  set operators treat "missing or empty" alike; for Null and ``...IfExists`` we take the same
  reading);
- open world: a key that is not in the context is UNKNOWN unless it matches one of the
  ``absent_keys`` globs (case-insensitive), in which case it is ABSENT.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping, Union

from .arn import globs_matcher

__all__ = ["PRESENT", "ABSENT", "UNKNOWN_KEY", "RequestContext", "ContextValueError"]

PRESENT = 0
ABSENT = 1
UNKNOWN_KEY = 2


class ContextValueError(ValueError):
    """A request context value is not a string, boolean, integer or list of strings."""


def _norm_value(key: str, value: Any) -> Union[str, tuple[str, ...]] | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            s = _norm_value(key, v)
            if not isinstance(s, str):
                raise ContextValueError(
                    f"context key {key!r}: list items must be strings, booleans or numbers"
                )
            out.append(s)
        return tuple(out) if out else None
    raise ContextValueError(
        f"context key {key!r}: value must be a string, boolean, number or list, "
        f"not {type(value).__name__}"
    )


@lru_cache(maxsize=1024)
def _absent_matcher(patterns: tuple):
    for p in patterns:
        if not isinstance(p, str):
            raise ContextValueError(f"absent_keys entries must be strings, not {p!r}")
    return globs_matcher(tuple(p.lower() for p in patterns), True)


class RequestContext:
    """Normalised context of one request.

    Args:
        context: mapping key -> str | bool | int | list[str].
        open_world: see :class:`~sagemaker_isolation_ext.iam.Request`.
        absent_keys: globs on key names (case-insensitive) known to be absent in open world.

    Raises:
        ContextValueError: ``context`` is not a mapping, or a value has an unsupported type.
    """

    __slots__ = ("values", "open_world", "_absent", "_state_cache", "_given_empty")

    def __init__(
        self,
        context: Mapping[str, Any],
        open_world: bool = False,
        absent_keys: tuple[str, ...] = (),
    ) -> None:
        if not isinstance(context, Mapping):
            raise ContextValueError(
                f"the request context must be an object of key: value, not {type(context).__name__}"
            )
        values: dict[str, Union[str, tuple[str, ...]]] = {}
        given_empty: set[str] = set()
        for k, v in context.items():
            if type(v) is str and type(k) is str:
                values[k.lower()] = v
                continue
            if not isinstance(k, str):
                raise ContextValueError(f"context key {k!r} must be a string")
            nv = _norm_value(k, v)
            if nv is not None:
                values[k.lower()] = nv
            else:
                given_empty.add(k.lower())
        self.values = values
        self._given_empty = given_empty
        self.open_world = open_world
        if isinstance(absent_keys, str):
            absent_keys = (absent_keys,)
        elif not isinstance(absent_keys, tuple):
            absent_keys = tuple(absent_keys)
        self._absent = _absent_matcher(absent_keys) if open_world else None
        self._state_cache: dict[str, int] = {}

    def state(self, key_lower: str) -> int:
        """PRESENT, ABSENT or UNKNOWN_KEY for a lower-cased key name."""
        if key_lower in self.values:
            return PRESENT
        if not self.open_world or key_lower in self._given_empty:
            return ABSENT
        st = self._state_cache.get(key_lower)
        if st is None:
            st = ABSENT if self._absent(key_lower) else UNKNOWN_KEY
            self._state_cache[key_lower] = st
        return st
