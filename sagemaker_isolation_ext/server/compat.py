"""What differs between jupyter_server 1.x and 2.x, in one place.

The extension supports ``jupyter_server>=1.24,<3``: JupyterLab 3 environments (SageMaker Studio
Classic's JupyterServer app images, older notebook images) run 1.x, JupyterLab 4 runs 2.x.
The handlers import the auth API from here, never from ``jupyter_server.auth`` directly.

Differences that matter to this extension (jupyter_server changelogs and source, 1.24.0 vs 2.x):

- ``jupyter_server.auth.decorator.authorized`` and ``Authorizer`` (``settings["authorizer"]``)
  are in 2.x and in late 1.x: they came with jupyter_server PR #165 ("Add authorization layer
  to server request handlers"), released after 1.13.5 (1.24 has them, docstrings marked
  "versionadded 2.0"); 1.13 and earlier have neither. :data:`authorized` is jupyter_server's
  decorator when it exists, else :func:`fallback_authorized`, which gives the same protection:
  403 for a request without a user, then the server's authorizer (when one is configured)
  asked about ``(user, action, handler.auth_resource)`` with the HTTP-method-to-action map of
  2.x (GET/HEAD/OPTIONS -> read, POST/PUT/PATCH/DELETE -> write).
- 2.13 and later have ``ServerApp.allow_unauthenticated_access`` (jupyter_server PR #1392):
  with it False, a handler method lacking ``@tornado.web.authenticated`` is refused and a
  ``JupyterServerAuthWarning`` is emitted. 1.x has no such safety net: an undecorated handler
  would be open to anyone who can reach the port. :func:`unprotected_methods` /
  :func:`ensure_protected` are the 1.x equivalent: the app checks every handler it registers
  and refuses to start with one whose verb lacks ``@tornado.web.authenticated`` or
  ``@authorized`` (on both major versions).
- ``ExtensionApp``, ``ExtensionHandlerMixin``, ``APIHandler`` and ``url_path_join`` exist in both
  with the same behaviour for what this extension uses.

Imports: jupyter_server and tornado only (this module is part of the server layer).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import tornado.web
from jupyter_server import __version__ as JUPYTER_SERVER_VERSION_STRING  # noqa: N812
from tornado.web import HTTPError

__all__ = [
    "JUPYTER_SERVER_VERSION",
    "JUPYTER_SERVER_MAJOR",
    "HAS_NATIVE_AUTHORIZED",
    "HAS_UNAUTHENTICATED_ACCESS_GUARD",
    "HTTP_METHOD_TO_AUTH_ACTION",
    "authorized",
    "fallback_authorized",
    "is_authenticated",
    "is_authorized",
    "unprotected_methods",
    "ensure_protected",
    "UnprotectedHandlerError",
]


def _version_tuple(text: str) -> tuple[int, ...]:
    """``"2.21.1"`` -> ``(2, 21, 1)``; non-numeric tails (``"1.24.0rc1"``) are cut."""
    out = []
    for part in text.split("."):
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        out.append(int(digits))
    return tuple(out)


#: jupyter_server's version as a tuple of ints, e.g. ``(2, 21, 1)`` or ``(1, 24, 0)``.
JUPYTER_SERVER_VERSION: tuple[int, ...] = _version_tuple(JUPYTER_SERVER_VERSION_STRING)
#: 1 or 2.
JUPYTER_SERVER_MAJOR: int = JUPYTER_SERVER_VERSION[0] if JUPYTER_SERVER_VERSION else 0

#: Same map as jupyter_server 2.x ``jupyter_server.auth.utils.HTTP_METHOD_TO_AUTH_ACTION``.
HTTP_METHOD_TO_AUTH_ACTION = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "write",
    "PUT": "write",
    "PATCH": "write",
    "DELETE": "write",
    "WEBSOCKET": "execute",
}


def fallback_authorized(
    action: str | Callable | None = None,
    resource: str | None = None,
    message: str | None = None,
) -> Callable:
    """Equivalent of jupyter_server 2.x ``@authorized`` for servers that lack it.

    Usable bare (``@fallback_authorized``) or with arguments, like the original.

    Behaviour of the decorated method:

    - no authenticated user (``handler.current_user`` falsy): ``HTTPError(403)``;
    - the server has an authorizer (``handler.settings["authorizer"]``): it is asked
      ``is_authorized(handler, user, action, resource)``; False gives ``HTTPError(403)``;
    - no authorizer configured (old servers): an authenticated user is allowed, which is what
      those servers do for every one of their own handlers.

    Args:
        action: ``"read"``, ``"write"`` or ``"execute"``; default from the HTTP method.
        resource: the resource name; default ``handler.auth_resource``.
        message: the 403 message; default ``"User is not authorized to <action> on resource:
            <resource>."`` (the wording of 2.x).

    Returns:
        The decorator (or the decorated method when used bare).
    """

    def wrapper(method: Callable) -> Callable:
        @functools.wraps(method)
        def inner(self, *args: Any, **kwargs: Any):
            act = action or HTTP_METHOD_TO_AUTH_ACTION.get(self.request.method.upper(), "write")
            res = resource or getattr(self, "auth_resource", None)
            msg = message or f"User is not authorized to {act} on resource: {res}."
            user = self.current_user
            if not user:
                raise HTTPError(status_code=403, log_message=msg)
            authorizer = self.settings.get("authorizer")
            if authorizer is not None and not authorizer.is_authorized(self, user, act, res):
                raise HTTPError(status_code=403, log_message=msg)
            return method(self, *args, **kwargs)

        inner._sagemaker_isolation_authorized = True  # type: ignore[attr-defined]
        return inner

    if callable(action):
        method, action = action, None
        return wrapper(method)
    return wrapper


try:  # jupyter_server 2.x and late 1.x
    from jupyter_server.auth.decorator import authorized as _native_authorized
except ImportError:  # pragma: no cover - exercised only on jupyter_server < 1.24
    _native_authorized = None

#: True when jupyter_server ships ``@authorized`` itself.
HAS_NATIVE_AUTHORIZED: bool = _native_authorized is not None
#: True when the server has ``ServerApp.allow_unauthenticated_access`` (2.13+), i.e. refuses
#: undecorated handlers by itself.
HAS_UNAUTHENTICATED_ACCESS_GUARD: bool = JUPYTER_SERVER_VERSION >= (2, 13)

#: The decorator the handlers use: jupyter_server's when present, else :func:`fallback_authorized`.
authorized: Callable = _native_authorized or fallback_authorized


def _wrapper_code(decorator: Callable) -> Any:
    """The code object of the wrapper ``decorator`` creates (shared by every wrapped method)."""

    def probe(self):  # pragma: no cover - never called
        return None

    return decorator(probe).__code__


_AUTHENTICATED_CODE = _wrapper_code(tornado.web.authenticated)
_AUTHORIZED_CODES = {_wrapper_code(fallback_authorized)}
if _native_authorized is not None:
    _AUTHORIZED_CODES.add(_wrapper_code(_native_authorized))


def _chain(fn: Callable) -> Iterable[Callable]:
    """``fn`` and every function it wraps (``__wrapped__`` links, as set by functools.wraps)."""
    seen = 0
    while fn is not None and seen < 20:
        yield fn
        fn = getattr(fn, "__wrapped__", None)
        seen += 1


def is_authenticated(fn: Callable) -> bool:
    """True when ``fn`` is (or wraps) a ``@tornado.web.authenticated`` wrapper."""
    return any(getattr(f, "__code__", None) is _AUTHENTICATED_CODE for f in _chain(fn))


def is_authorized(fn: Callable) -> bool:
    """True when ``fn`` is (or wraps) an ``@authorized`` wrapper (jupyter_server's or ours)."""
    return any(getattr(f, "__code__", None) in _AUTHORIZED_CODES for f in _chain(fn))


# Verbs a handler may leave unprotected: the CORS preflight, which jupyter_server's APIHandler
# answers without credentials on purpose and with headers only.
_EXEMPT_METHODS = frozenset({"OPTIONS"})


def unprotected_methods(handler: type) -> list[str]:
    """HTTP verbs ``handler`` implements without ``@authenticated`` and ``@authorized``.

    Args:
        handler: a ``tornado.web.RequestHandler`` subclass.

    Returns:
        Sorted list of verbs (``["GET", "POST"]`` ...); empty when every verb it implements is
        protected. ``OPTIONS`` is exempt (CORS preflight, headers only).
    """
    missing = []
    for verb in handler.SUPPORTED_METHODS:
        if verb in _EXEMPT_METHODS:
            continue
        fn = getattr(handler, verb.lower(), None)
        if fn is None or fn is tornado.web.RequestHandler._unimplemented_method:
            continue
        if not (is_authenticated(fn) and is_authorized(fn)):
            missing.append(verb)
    return sorted(missing)


class UnprotectedHandlerError(RuntimeError):
    """A handler of this extension would serve a verb without authentication/authorization."""


def ensure_protected(routes: Iterable[tuple]) -> None:
    """Refuse to register a route whose handler leaves a verb unprotected.

    This is, on jupyter_server 1.x, what ``allow_unauthenticated_access=False`` does on 2.x:
    no handler of ours can serve data without ``@tornado.web.authenticated`` and ``@authorized``.
    It runs on 2.x too (a second net).

    Args:
        routes: ``(pattern, handler_class, ...)`` tuples as given to tornado.

    Raises:
        UnprotectedHandlerError: names the pattern, the class and the unprotected verbs.
    """
    problems = []
    for route in routes:
        pattern, handler = route[0], route[1]
        missing = unprotected_methods(handler)
        if missing:
            problems.append(f"{pattern} ({handler.__name__}: {', '.join(missing)})")
    if problems:
        raise UnprotectedHandlerError(
            "refusing to register handlers without @tornado.web.authenticated and @authorized: "
            + "; ".join(problems)
        )
