"""``explain``: why an AccessDenied happened and what to change (docs/EXPLAIN.md)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from ..render.text import render_explain_text, terminal_safe
from .errors import EXIT_BAD_INPUT, EXIT_OK, UsageError
from .options import add_aws_options, add_format


def add_parsers(sub) -> None:
    """Declare ``explain`` on ``sub``."""
    explain = sub.add_parser(
        "explain",
        help="explain an AccessDenied message: why it happened and what to change",
        description=(
            "Explain an AccessDenied: extract principal, action, resource, operation and reason "
            "from the message, gather read-only evidence (the resource's tags, the principal's "
            "role policies) when AWS credentials are available, and rank the causes. "
            "Causes and ids: docs/EXPLAIN.md."
        ),
    )
    explain.add_argument(
        "message",
        nargs="?",
        default="-",
        metavar="MESSAGE",
        help="the error text; - (default) reads stdin",
    )
    add_format(explain)
    explain.add_argument(
        "--offline", action="store_true", help="no AWS call: explain from the message alone"
    )
    explain.add_argument("--domain-id", help="your domain (default: Studio metadata)")
    add_aws_options(
        explain,
        region_help="AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, the AWS config; "
        "SageMaker calls use the resource's Region)",
    )
    explain.add_argument("--metadata-path", default=None, help="Studio app metadata file")
    explain.add_argument(
        "--verbose",
        action="store_true",
        help="text output: also show the raw answer of a failed evidence call",
    )
    explain.set_defaults(func=cmd_explain)


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    """``explain``: explain one AccessDenied message (docs/EXPLAIN.md).

    Exit 0 when the text was explained, 3 when it is empty, unreadable or not an authorization
    error (the answer is still printed: ``reason: null``), or an option is malformed.
    """
    from ..aws.evidence import explain_text
    from ..aws.target import DEFAULT_METADATA_PATH, ContextError
    from ..sagemaker.access_denied import MAX_INPUT_CHARS

    if args.message == "-":
        try:
            # Read a little more than the parser uses, so "truncated" is still reported.
            text = sys.stdin.read(MAX_INPUT_CHARS + 1) if sys.stdin else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the message from stdin: {exc}") from None
    else:
        text = args.message
    if not text or not text.strip():
        raise UsageError("no message: pass the error text as MESSAGE, or pipe it on stdin (-)")
    try:
        result = explain_text(
            text,
            offline=args.offline,
            domain_id=args.domain_id,
            region=args.region,
            profile=args.profile,
            endpoint_url=args.endpoint_url,
            metadata_path=args.metadata_path or DEFAULT_METADATA_PATH,
        )
    except ContextError as exc:
        raise UsageError(exc.message) from None
    if args.format == "json":
        out.write(json.dumps(result, indent=2) + "\n")
    else:
        out.write(terminal_safe(render_explain_text(result, verbose=args.verbose)))
    return EXIT_OK if result.get("reason") is not None else EXIT_BAD_INPUT
