"""One bounded pager for every listing loop over AWS pages (tag scan, collector, backfill, apply).

botocore's paginators stop only when a token repeats twice *in a row* (``PaginationError``);
a service that answers tokens cycling A -> B -> A, or empty pages with a fresh token forever,
keeps them going. :func:`bounded_pages` stops a listing, and says why, when:

- any token repeats within the listing (``token-repeated``);
- ``max_empty_pages`` consecutive pages carry no item (``empty-pages``; the Resource Groups
  Tagging API ``GetResources`` legitimately returns some empty pages with a token, so one or a
  few are not an error);
- more than ``max_pages`` pages were read (``page-limit``);
- more than ``max_seconds`` seconds went by since the listing started (``time-limit``).

The limits default to 2,000 pages, 300 s and 50 empty pages per listing and can be changed with
the environment variables ``SAGEMAKER_ISOLATION_MAX_PAGES``,
``SAGEMAKER_ISOLATION_MAX_LISTING_SECONDS`` and ``SAGEMAKER_ISOLATION_MAX_EMPTY_PAGES`` (read
when a listing starts) or by passing a :class:`PageLimits`.

A stopped listing raises :class:`ListingIncomplete` after the pages read so far were yielded;
:func:`list_all` collects the items instead and returns them with the completeness flag. Callers
turn an incomplete listing into a partial result (never a hang, never a complete-looking one).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["PageLimits", "ListingIncomplete", "Listing", "bounded_pages", "list_all",
           "INCOMPLETE_CODE", "client_fetch"]

#: The ``code`` of a snapshot ``errors`` entry (and of tag-scan reasons) for a listing that was
#: stopped by :func:`bounded_pages`; the analysis recognises it (finding ``listing-incomplete``).
INCOMPLETE_CODE = "ListingIncomplete"

_ENV = {
    "max_pages": "SAGEMAKER_ISOLATION_MAX_PAGES",
    "max_seconds": "SAGEMAKER_ISOLATION_MAX_LISTING_SECONDS",
    "max_empty_pages": "SAGEMAKER_ISOLATION_MAX_EMPTY_PAGES",
}


@dataclass(frozen=True)
class PageLimits:
    """Bounds of one listing: ``max_pages`` (pages), ``max_seconds`` (wall-clock seconds since
    the first page was asked for), ``max_empty_pages`` (consecutive pages without items)."""

    max_pages: int = 2000
    max_seconds: float = 300.0
    max_empty_pages: int = 50

    @classmethod
    def from_env(cls, environ: dict | None = None) -> PageLimits:
        """The defaults, overridden by the ``SAGEMAKER_ISOLATION_MAX_*`` variables (a value that
        is not a positive number is ignored)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field, var in _ENV.items():
            raw = env.get(var)
            if not raw:
                continue
            try:
                value = float(raw) if field == "max_seconds" else int(raw)
            except ValueError:
                continue
            if value > 0:
                values[field] = value
        return cls(**values)


class ListingIncomplete(Exception):
    """A listing was stopped by a bound of :class:`PageLimits`.

    Attributes:
        operation: ``service:Operation`` (e.g. ``sagemaker:ListTrainingJobs``).
        reason: ``token-repeated`` | ``empty-pages`` | ``page-limit`` | ``time-limit``.
        pages: pages read before stopping.
        message: one line saying what happened and that the result is partial.
    """

    def __init__(self, operation: str, reason: str, pages: int, detail: str) -> None:
        self.operation, self.reason, self.pages = operation, reason, pages
        self.code = INCOMPLETE_CODE
        self.message = (f"{operation} listing stopped after {pages} page(s): {detail}; the "
                        "listing is incomplete")
        super().__init__(self.message)


@dataclass
class Listing:
    """What :func:`list_all` returns: ``items`` (list), ``complete`` (bool), ``reason``
    (None when complete, else a :class:`ListingIncomplete` reason), ``error`` (the exception
    or None), ``pages`` (int)."""

    items: list
    complete: bool
    reason: str | None = None
    error: ListingIncomplete | None = None
    pages: int = 0


def bounded_pages(
    fetch: Callable[[str | None], dict],
    *,
    operation: str,
    token_key: str = "NextToken",
    items_key: str | None = None,
    limits: PageLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[dict]:
    """Every page of one listing, within ``limits``.

    Args:
        fetch: ``fetch(token) -> page``; ``token`` is None for the first page. It makes the API
            call (botocore errors pass through unchanged).
        operation: ``service:Operation`` for messages.
        token_key: the response field holding the next token (``NextToken``,
            ``PaginationToken``, ``Marker``). IAM's ``IsTruncated: false`` also ends a listing.
        items_key: the response field holding the items; when given, pages without items
            count towards ``max_empty_pages``.
        limits: default :meth:`PageLimits.from_env`.
        clock: monotonic seconds (tests pass a fake).

    Yields:
        each page dict, in order.

    Raises:
        ListingIncomplete: a bound was hit (after the pages before it were yielded).
    """
    limits = limits or PageLimits.from_env()
    started = clock()
    seen: set[str] = set()
    token: str | None = None
    pages = empty = 0
    while True:
        page = fetch(token)
        pages += 1
        yield page
        nxt = page.get(token_key)
        if not nxt or page.get("IsTruncated") is False:
            return
        if items_key is not None:
            empty = 0 if page.get(items_key) else empty + 1
            if empty >= limits.max_empty_pages:
                raise ListingIncomplete(operation, "empty-pages", pages,
                                        f"{empty} consecutive empty pages")
        if nxt in seen or nxt == token:
            raise ListingIncomplete(operation, "token-repeated", pages,
                                    "the service answered a pagination token it had given before")
        seen.add(nxt)
        if pages >= limits.max_pages:
            raise ListingIncomplete(operation, "page-limit", pages,
                                    f"more than {limits.max_pages} pages")
        if clock() - started > limits.max_seconds:
            raise ListingIncomplete(operation, "time-limit", pages,
                                    f"more than {limits.max_seconds:g} s")
        token = nxt


def list_all(
    fetch: Callable[[str | None], dict],
    *,
    operation: str,
    items_key: str,
    token_key: str = "NextToken",
    limits: PageLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Listing:
    """Every item under ``items_key`` of a bounded listing, with its completeness.

    Args: as :func:`bounded_pages`.

    Returns:
        :class:`Listing`; ``complete`` is False (and ``items`` holds what was read) when a
        bound stopped the listing.

    Raises:
        botocore errors of ``fetch`` (a failed call is not an incomplete listing).
    """
    items: list = []
    pages = 0
    try:
        for page in bounded_pages(fetch, operation=operation, token_key=token_key,
                                  items_key=items_key, limits=limits, clock=clock):
            pages += 1
            items.extend(page.get(items_key) or [])
    except ListingIncomplete as exc:
        return Listing(items, False, exc.reason, exc, pages)
    return Listing(items, True, None, None, pages)


def client_fetch(svc, method: str, token_in: str, **kwargs: Any) -> Callable[[str | None], dict]:
    """A ``fetch`` for :func:`bounded_pages` calling boto3 ``svc.<method>(**kwargs)`` with the
    token in parameter ``token_in`` (``NextToken``, ``PaginationToken``, ``Marker``)."""
    call = getattr(svc, method)

    def fetch(token: str | None) -> dict:
        args = dict(kwargs)
        if token:
            args[token_in] = token
        return call(**args)

    return fetch
