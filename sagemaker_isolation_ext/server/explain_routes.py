"""The ``explain`` route: an AccessDenied message explained (docs/openapi.yaml, docs/EXPLAIN.md)."""

from __future__ import annotations

import json

import anyio
import tornado.web
from tornado.web import HTTPError

from .base import (
    IsolationHandler,
    _bad_request,
    validate_domain_id,
    validate_profile,
    validate_region,
)
from .compat import authorized  # jupyter_server 1.x and 2.x (compat.py)

#: Largest ``POST explain`` body accepted, in bytes (a 64 KiB message JSON-escaped fits easily).
MAX_EXPLAIN_BODY_BYTES = 256 * 1024


EXPLAIN_FIELDS = {"message", "offline", "domain_id", "region", "profile"}


class ExplainHandler(IsolationHandler):
    """``POST explain``: explain one AccessDenied message (docs/EXPLAIN.md)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Body ``{"message": str, "offline"?: bool, "domain_id"?, "region"?, "profile"?}``;
        answers the explanation (``aws.evidence.explain_text``). Live evidence (read-only AWS
        calls with short timeouts) runs off the event loop. 400 on bad input, 413 when the body
        is larger than ``MAX_EXPLAIN_BODY_BYTES``."""
        if len(self.request.body or b"") > MAX_EXPLAIN_BODY_BYTES:
            raise HTTPError(
                413,
                f"the request body is larger than {MAX_EXPLAIN_BODY_BYTES} bytes; paste only "
                "the error message (the explainer reads its first 64 KiB)",
                reason="body-too-large",
            )
        body = self.json_body()
        unknown = sorted(set(body) - EXPLAIN_FIELDS)
        if unknown:
            raise _bad_request(
                f"unknown field(s) {', '.join(unknown)}; allowed: "
                f"{', '.join(sorted(EXPLAIN_FIELDS))}"
            )
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            raise _bad_request("message is required: the AccessDenied error text (a string)")
        offline = body.get("offline", False)
        if not isinstance(offline, bool):
            raise _bad_request(f"offline must be true or false, got {offline!r}")
        domain_id = validate_domain_id(body.get("domain_id"))
        region = validate_region(body.get("region"))
        profile = validate_profile(body.get("profile"))
        app = self.extensionapp
        from ..aws.evidence import explain_text
        from ..aws.target import ContextError

        def run() -> dict:
            return explain_text(
                message,
                offline=offline,
                domain_id=domain_id or app.domain_id or None,
                region=region or app.region or None,
                profile=profile or app.profile or None,
                endpoint_url=app.endpoint_url or None,
                metadata_path=app.metadata_path or None,
            )

        try:
            result = await anyio.to_thread.run_sync(run)
        except ContextError as exc:
            raise _bad_request(exc.message) from None
        self.finish(json.dumps(result))


HANDLERS = (("explain", ExplainHandler),)
