"""The standalone page: ``GET <base_url>/sagemaker-isolation/`` (no labextension needed).

For environments where the JupyterLab 4 panel does not load: SageMaker Studio Classic
(JupyterLab 3 on jupyter_server 1.x), JupyterLab 3 in general, a plain ``jupyter server``. The
page shows the verdict, the execution roles, the findings, the coverage table and the
AccessDenied explainer, from the same JSON routes as the panel (docs/openapi.yaml).

The page is plain HTML/CSS/JS kept in ``sagemaker_isolation_ext/static/standalone/``; this
handler inlines the CSS and JS into the HTML (one authenticated response, so the page works the
same on jupyter_server 1.x and 2.x and needs no static-file route) and fills a JSON config block
(``baseUrl``, ``xsrfToken``, ``version``) in which ``<``, ``>`` and ``&`` are escaped so no value
can close the ``<script>`` element.

Protection: ``@tornado.web.authenticated`` (an anonymous browser is redirected to the login
page) then ``@authorized`` on resource ``sagemaker-isolation`` (action ``read``), like every
route of the extension. The JSON routes the page calls are protected the same way; its POSTs
carry the ``X-XSRFToken`` header.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import tornado.web
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from .. import __version__
from .compat import authorized

__all__ = ["PAGE_DIR", "IsolationPageHandler", "render_page"]

AUTH_RESOURCE = "sagemaker-isolation"  # same as handlers.AUTH_RESOURCE (not imported: no cycle)

#: Where page.html, page.css and page.js live.
PAGE_DIR = Path(__file__).resolve().parent.parent / "static" / "standalone"

_STYLE_MARK = "/*__STYLE__*/"
_SCRIPT_MARK = "/*__SCRIPT__*/"
_CONFIG_MARK = "/*__CONFIG__*/"


@lru_cache(maxsize=1)
def _parts() -> tuple[str, str, str]:
    """``(html, css, js)`` of the page, read once per process.

    Raises:
        OSError: the package's static files are missing (a broken install).
    """
    return tuple(  # type: ignore[return-value]
        (PAGE_DIR / name).read_text(encoding="utf-8")
        for name in ("page.html", "page.css", "page.js")
    )


def _script_safe_json(value: dict) -> str:
    """JSON that can sit inside a ``<script>`` element: ``<``, ``>``, ``&`` and the JS line
    separators U+2028/U+2029 are written as ``\\uXXXX`` escapes (still the same JSON value)."""
    text = json.dumps(value, sort_keys=True)
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text


def render_page(base_url: str, xsrf_token: str, version: str = __version__) -> str:
    """The page's HTML with its CSS, JS and config inlined.

    Args:
        base_url: the server's base URL (``"/"`` or e.g. ``"/jupyter/default/"`` in Studio
            Classic); the page calls ``<base_url>sagemaker-isolation/<route>``.
        xsrf_token: the value of the ``_xsrf`` cookie (sent back as ``X-XSRFToken`` on POSTs).
        version: the extension's version.

    Returns:
        The complete HTML document (str).

    Raises:
        OSError: the page's static files are missing.
    """
    html, css, js = _parts()
    config = _script_safe_json({"baseUrl": base_url, "xsrfToken": xsrf_token, "version": version})
    # The CSS and JS are ours (package files), but make sure neither can end its element early.
    css = css.replace("</", "<\\/")
    js = js.replace("</script", "<\\/script")
    return html.replace(_STYLE_MARK, css).replace(_SCRIPT_MARK, js).replace(_CONFIG_MARK, config)


class IsolationPageHandler(ExtensionHandlerMixin, JupyterHandler):
    """``GET sagemaker-isolation/``: the standalone page (text/html)."""

    auth_resource = AUTH_RESOURCE

    # The CORS preflight answers headers only, like every JSON route of the extension
    # (jupyter_server's APIHandler.options, unauthenticated by design, carries no data).
    options = APIHandler.options

    @tornado.web.authenticated
    @authorized
    def get(self) -> None:
        """Serve the page; ``Cache-Control: no-store`` (it embeds the XSRF token)."""
        token = self.xsrf_token
        token = token.decode("ascii") if isinstance(token, bytes) else str(token)
        try:
            page = render_page(self.base_url, token)
        except OSError as exc:
            raise tornado.web.HTTPError(
                500, f"the standalone page's files are missing from the install: {exc}"
            ) from None
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(page)


class IsolationPageRedirectHandler(IsolationPageHandler):
    """``GET sagemaker-isolation`` (no trailing slash): a redirect to the page, so the address
    people type does not end in a 404. Authenticated and authorized like the page itself."""

    @tornado.web.authenticated
    @authorized
    def get(self) -> None:
        """302 to ``<base_url>sagemaker-isolation/`` (the query string is kept)."""
        # jupyter_server 1.x gives base_url unescaped (``/a@b/``), 2.x escaped (``/a%40b/``):
        # quote what is not already a %-escape, so the Location is a valid URL path on both.
        target = quote(self.base_url.rstrip("/"), safe="/%") + "/sagemaker-isolation/"
        if self.request.query:
            target += "?" + self.request.query
        self.redirect(target)
