"""The route table of the server extension: every route family in one list."""

from __future__ import annotations

from jupyter_server.utils import url_path_join

from . import check_routes, explain_routes, overview_routes, tag_routes
from .base import ROUTE_PREFIX
from .page_routes import IsolationPageHandler, IsolationPageRedirectHandler

HANDLERS = (
    check_routes.HANDLERS
    + explain_routes.HANDLERS
    + (("/", IsolationPageHandler),)  # the standalone page at <base_url>/sagemaker-isolation/
    + tag_routes.TAGS_HANDLERS
    + overview_routes.OVERVIEW_HANDLERS
)


def route_table() -> list[tuple[str, type]]:
    """``[(pattern, handler_class), ...]`` relative to the server's base URL.

    Each pattern is ``url_path_join("/", "sagemaker-isolation", name)``, plus
    ``/sagemaker-isolation`` itself (a redirect to the page); ExtensionApp prepends the base URL
    with ``url_path_join`` when it registers them.
    """
    routes = [(url_path_join("/", ROUTE_PREFIX, name), cls) for name, cls in HANDLERS]
    # <base_url>/sagemaker-isolation without the slash: a redirect to the page.
    routes.append(("/" + ROUTE_PREFIX, IsolationPageRedirectHandler))
    return routes
