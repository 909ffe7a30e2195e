"""The standalone page: ``GET <base_url>/sagemaker-isolation/`` (no labextension needed), and
the HTML fragments it shows (``fragments/report``, ``fragments/explain``, ``fragments/coverage``).

For environments where the JupyterLab 4 panel does not load: SageMaker Studio Classic
(JupyterLab 3 on jupyter_server 1.x), JupyterLab 3 in general, a plain ``jupyter server``. The
page shows the verdict, the execution roles, the findings, the coverage table and the
AccessDenied explainer. It has no report DOM code of its own: the fragment routes answer HTML
rendered by ``render/html.py`` (the renderer the notebook's rich display uses, every value
escaped there) inside JSON, and ``page.js`` starts and polls the check through the ``report``
route, asks for the fragments and inserts them.

The page is plain HTML/CSS/JS kept in ``sagemaker_isolation_ext/static/standalone/``; this
handler inlines the CSS and JS into the HTML (one authenticated response, so the page works the
same on jupyter_server 1.x and 2.x and needs no static-file route) and fills a JSON config block
(``baseUrl``, ``xsrfToken``, ``version``) in which ``<``, ``>`` and ``&`` are escaped so no value
can close the ``<script>`` element. Its Content-Security-Policy lets only the inlined script run
(by its SHA-256), so even markup that slipped into a fragment could not run a script or an
``on*`` handler.

Protection: ``@tornado.web.authenticated`` (an anonymous browser is redirected to the login
page) then ``@authorized`` on resource ``sagemaker-isolation`` (action ``read``), like every
route of the extension. The JSON routes the page calls are protected the same way; its POSTs
carry the ``X-XSRFToken`` header.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import anyio
import tornado.web
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from .. import __version__
from ..render.html import coverage_html, explain_html, report_html
from ..render.text import job_status_words, plural
from .base import AUTH_RESOURCE, IsolationHandler, bad_request
from .check_routes import ReportHandler, coverage_json
from .compat import authorized
from .explain_routes import ExplainHandler

__all__ = [
    "HANDLERS",
    "PAGE_DIR",
    "CoverageFragmentHandler",
    "ExplainFragmentHandler",
    "IsolationPageHandler",
    "ReportFragmentHandler",
    "render_page",
]

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


def _page_script() -> str:
    """page.js as inlined (``</script`` cannot end its element early)."""
    return _parts()[2].replace("</script", "<\\/script")


def page_csp() -> str:
    """The page's own Content-Security-Policy directives: scripts only the inlined page.js (by
    its SHA-256; the config block is JSON, never run), no plugins, no ``<base>``, requests to
    this server only. Raises OSError when the page's files are missing."""
    html = _parts()[0]
    start = html.index("<script>") + len("<script>")
    # The hash covers the element's whole text: the whitespace around the mark too.
    inline = html[start : html.index("</script>", start)].replace(_SCRIPT_MARK, _page_script())
    digest = base64.b64encode(hashlib.sha256(inline.encode("utf-8")).digest()).decode()
    return (
        f"script-src 'sha256-{digest}'; object-src 'none'; base-uri 'none'; "
        "connect-src 'self'; form-action 'self'"
    )


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
    html, css, _ = _parts()
    config = _script_safe_json({"baseUrl": base_url, "xsrfToken": xsrf_token, "version": version})
    # The CSS and JS are ours (package files), but make sure neither can end its element early.
    css = css.replace("</", "<\\/")
    js = _page_script()
    return html.replace(_STYLE_MARK, css).replace(_SCRIPT_MARK, js).replace(_CONFIG_MARK, config)


class IsolationPageHandler(ExtensionHandlerMixin, JupyterHandler):
    """``GET sagemaker-isolation/``: the standalone page (text/html)."""

    auth_resource = AUTH_RESOURCE

    # The CORS preflight answers headers only, like every JSON route of the extension
    # (jupyter_server's APIHandler.options, unauthenticated by design, carries no data).
    options = APIHandler.options

    @property
    def content_security_policy(self) -> str:
        """jupyter_server's policy (``frame-ancestors``, ``report-uri``) plus the page's own
        (:func:`page_csp`)."""
        return f"{super().content_security_policy}; {page_csp()}"

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


# -- the fragments the page inserts (JSON bodies holding HTML from render/html.py) --


class ReportFragmentHandler(ReportHandler):
    """``GET fragments/report?domain_id=&region=&profile=``: the check job's status in words and,
    once the report is ready, the report as HTML (``render.html.report_html``). GET only: a
    check is started with ``POST report``."""

    post = tornado.web.RequestHandler._unimplemented_method  # 405, not ReportHandler.post

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{"status": "none"|"running"|"ready"|"error", "verdict": str|null,
        "finished_at": str|null, "words": str, "error_words": str|null, "html": str|null}``:
        ``words`` is the status line, ``error_words`` the failure (status ``error``), ``html`` the
        report fragment (status ``ready``). 400 for a malformed query value, like ``GET report``.
        """
        status = await self.query_status()
        words, error_words = job_status_words(status)
        report = status.get("report") if status.get("status") == "ready" else None
        self.finish(
            {
                "status": status.get("status"),
                "verdict": (report or {}).get("verdict"),
                "finished_at": status.get("finished_at"),
                "words": words,
                "error_words": error_words,
                "html": report_html(report, page=True) if report else None,
            }
        )


class ExplainFragmentHandler(ExplainHandler):
    """``POST fragments/explain``: the ``explain`` route's answer as HTML
    (``render.html.explain_html``)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Body as ``POST explain``; answers ``{"words": "Explained: N possible causes.",
        "causes": int, "html": str}``. 400 / 413 as ``POST explain``."""
        result = await self.explain_body()
        n = len(result.get("causes") or [])
        self.finish(
            {
                "words": f"Explained: {plural(n, 'possible cause')}.",
                "causes": n,
                "html": explain_html(result, page=True),
            }
        )


class CoverageFragmentHandler(IsolationHandler):
    """``GET fragments/coverage?q=``: the coverage table as HTML (``render.html.coverage_html``)."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{"actions": int, "html": str}`` for the actions mentioning ``q`` (any case);
        400 when ``q`` is longer than 200 characters, like ``GET coverage``."""
        query = self.get_query_argument("q", default="").strip()
        if len(query) > 200:
            raise bad_request("q is too long (at most 200 characters)")
        table = await anyio.to_thread.run_sync(lambda: coverage_json(query))
        self.finish({"actions": len(table.get("actions") or []), "html": coverage_html(table)})


HANDLERS = (
    ("/", IsolationPageHandler),  # the standalone page at <base_url>/sagemaker-isolation/
    ("fragments/report", ReportFragmentHandler),
    ("fragments/explain", ExplainFragmentHandler),
    ("fragments/coverage", CoverageFragmentHandler),
)
