"""The ``explain`` route: an AccessDenied message explained (docs/openapi.yaml, docs/EXPLAIN.md)."""

from __future__ import annotations

import json

import anyio
import tornado.web
from tornado.web import HTTPError

from .base import IsolationHandler, bad_request
from .compat import authorized  # jupyter_server 1.x and 2.x (compat.py)
from .models import ExplainRequest

#: Largest ``POST explain`` body accepted, in bytes (a 64 KiB message JSON-escaped fits easily).
MAX_EXPLAIN_BODY_BYTES = 256 * 1024


class ExplainHandler(IsolationHandler):
    """``POST explain``: explain one AccessDenied message (docs/EXPLAIN.md)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Body ``{"message": str, "offline"?: bool, "domain_id"?, "region"?, "profile"?}``;
        answers the explanation (``aws.evidence.explain_text``). Live evidence (read-only AWS
        calls with short timeouts) runs off the event loop. 400 on bad input, 413 when the body
        is larger than ``MAX_EXPLAIN_BODY_BYTES``."""
        self.finish(json.dumps(await self.explain_body()))

    async def explain_body(self) -> dict:
        """The explanation of the request body's message (see :meth:`post`).

        Raises:
            HTTPError(400): bad input; HTTPError(413): the body is too large.
        """
        if len(self.request.body or b"") > MAX_EXPLAIN_BODY_BYTES:
            raise HTTPError(
                413,
                f"the request body is larger than {MAX_EXPLAIN_BODY_BYTES} bytes; paste only "
                "the error message (the explainer reads its first 64 KiB)",
                reason="body-too-large",
            )
        req = ExplainRequest.from_body(self.json_body())
        app = self.extensionapp
        from ..aws.evidence import explain_text
        from ..aws.target import ContextError

        def run() -> dict:
            return explain_text(
                req.message,
                offline=req.offline,
                domain_id=req.domain_id or app.domain_id or None,
                region=req.region or app.region or None,
                profile=req.profile or app.profile or None,
                endpoint_url=app.endpoint_url or None,
                metadata_path=app.metadata_path or None,
            )

        try:
            return await anyio.to_thread.run_sync(run)
        except ContextError as exc:
            raise bad_request(exc.message) from None


HANDLERS = (("explain", ExplainHandler),)
