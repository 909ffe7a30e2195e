"""The ``tags`` subcommand of the CLI: ``tags scan``, ``tags backfill``, ``tags rollback``.

:func:`add_parsers` declares the arguments and dispatches to :func:`run_tags`; this
module calls ``aws.tag_scan`` / ``aws.backfill`` / ``sagemaker.tags`` and shapes the output
(docs/CLI.md, section "tags").

Exit codes:

- ``tags scan``: 0 every resource is this domain's (or never tagged by design); 1 some are
  untagged, another domain's or name a stale domain; 2 the scan is incomplete (a ``List*`` or
  ``GetResources`` call failed for some type, or its listing was stopped by a paging bound; or
  some resource is ``unreadable``; types the scanner has no ``List*`` call for do not count);
  3 bad input; 4 AWS not reachable, credentials expired or the domain not found.
- ``tags backfill``: 0 dry run shown, or every selected resource tagged / already tagged; 1 some
  resources failed or were skipped (conflict, tag limit, unreadable); 3 bad plan or usage;
  4 AWS not reachable.
- ``tags rollback``: 0 done or dry run shown; 1 some tags could not be removed or had changed
  since; 3 unknown change id or not a tag change; 4 AWS not reachable.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path
from typing import TextIO

from sagemaker_isolation_ext.sagemaker import patterns

from ..render.text import (
    render_backfill_text,
    render_scan_text,
    render_tag_rollback_text,
    scan_type_failed,
)
from .options import (
    DOMAIN_ID_HELP,
    add_audit_dir,
    add_aws_options,
    add_format,
    add_hidden_metadata_path,
)

__all__ = ["add_tags_parser", "run_tags"]

_EXIT_OK, _EXIT_PROBLEMS, _EXIT_INCOMPLETE, _EXIT_AWS = 0, 1, 2, 4


def _usage(message: str) -> Exception:
    from .errors import UsageError

    return UsageError(message)


def add_tags_parser(sub) -> argparse.ArgumentParser:
    """Add ``tags`` with its ``scan`` / ``backfill`` / ``rollback`` subcommands to ``sub``."""
    tags = sub.add_parser(
        "tags",
        help="tag coverage: scan, map and backfill sagemaker:domain-arn",
        description="Tag coverage of SageMaker resources for a domain.",
    )
    tsub = tags.add_subparsers(dest="tags_command", metavar="SUBCOMMAND")
    tsub.required = True

    def aws_flags(p):
        add_aws_options(p)
        add_hidden_metadata_path(p)

    scan = tsub.add_parser("scan", help="classify every resource for a domain (read-only)")
    which = scan.add_mutually_exclusive_group()
    which.add_argument("--domain-id", help=DOMAIN_ID_HELP)
    which.add_argument(
        "--all-domains",
        action="store_true",
        help="every domain of the account and Region(s), with their verdicts",
    )
    add_format(scan)
    scan.add_argument(
        "--regions", metavar="R1,R2", help="scan these Regions concurrently (default: --region)"
    )
    scan.add_argument(
        "--rows",
        choices=("problems", "all", "none"),
        default="problems",
        help="resource rows to list: problems (untagged, other/stale domain; default), all, none",
    )
    scan.add_argument(
        "--max-rows",
        type=int,
        default=1000,
        metavar="N",
        help="at most N rows (default 1000; the counts are always complete)",
    )
    scan.add_argument(
        "--no-verdicts",
        action="store_true",
        help="with --all-domains: skip each domain's isolation check",
    )
    scan.add_argument(
        "--plan-out", metavar="F", help="write a backfill plan (JSON) from the proposals to F"
    )
    aws_flags(scan)

    backfill = tsub.add_parser(
        "backfill", help="add sagemaker:domain-arn to resources (dry run without --yes)"
    )
    backfill.add_argument("--domain-id", required=True, help="the domain to tag resources for")
    src = backfill.add_mutually_exclusive_group(required=True)
    src.add_argument("--plan", metavar="F", help="a plan written by `tags scan --plan-out`")
    src.add_argument(
        "--resource-arn", action="append", metavar="ARN", help="tag this resource (repeatable)"
    )
    backfill.add_argument("--yes", action="store_true", help="apply (default: dry run)")
    add_format(backfill)
    add_audit_dir(backfill)
    aws_flags(backfill)

    rollback = tsub.add_parser("rollback", help="remove exactly the tags a backfill added")
    rollback.add_argument("--change", required=True, metavar="ID", help="the backfill's id")
    rollback.add_argument("--yes", action="store_true", help="roll back (default: dry run)")
    add_format(rollback)
    add_audit_dir(rollback)
    aws_flags(rollback)
    return tags


def _context(args, allow_no_domain: bool):
    from ..aws.errors import ContextError
    from ..aws.tag_scan import account_context
    from ..aws.target import DEFAULT_METADATA_PATH

    meta = args.metadata_path or DEFAULT_METADATA_PATH
    try:
        if allow_no_domain:
            return account_context(
                region=args.region,
                profile=args.profile,
                endpoint_url=args.endpoint_url,
                domain_id=getattr(args, "domain_id", None),
                metadata_path=meta,
            )
        from ..aws.target import resolve_context

        return resolve_context(
            domain_id=getattr(args, "domain_id", None),
            region=args.region,
            profile=args.profile,
            endpoint_url=args.endpoint_url,
            metadata_path=meta,
        )
    except ContextError as exc:
        raise _usage(str(exc)) from None


def _progress(verbose: bool):
    if not verbose:
        return None

    def show(info: dict) -> None:
        print(
            f"\r{info['region']}: {info['stage']:<28} pages {info['pages']:>5} resources "
            f"{info['resources']:>7} calls {info['api_calls']:>5}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    return show


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_tags(args: argparse.Namespace, out: TextIO) -> int:
    """Dispatch ``tags scan|backfill|rollback`` (exit codes in the module docstring)."""
    from ..aws.backfill import BackfillError
    from ..aws.tag_scan import TagScanError

    try:
        if args.tags_command == "scan":
            return _scan(args, out)
        if args.tags_command == "backfill":
            return _backfill(args, out)
        return _rollback(args, out)
    except TagScanError as exc:
        print(f"sagemaker-isolation tags {args.tags_command}: {exc.message}", file=sys.stderr)
        return _EXIT_INCOMPLETE if exc.reason == "listing-incomplete" else _EXIT_AWS
    except BackfillError as exc:
        raise _usage(exc.message) from None


def _scan(args, out) -> int:
    from ..aws import tag_scan
    from ..sagemaker import tags as T

    if args.max_rows < 0:
        raise _usage("--max-rows must be >= 0")
    ctx = _context(args, allow_no_domain=args.all_domains)
    if not args.all_domains and not ctx.domain_id:
        raise _usage("pass --domain-id or --all-domains")
    regions = [r.strip() for r in args.regions.split(",") if r.strip()] if args.regions else None
    for region in regions or ():
        if not patterns.is_region(region):
            raise _usage(f"--regions: {region!r} is not an AWS Region name like us-east-1")
    verdicts = None
    if args.all_domains and not args.no_verdicts:

        def verdicts(domain):
            return tag_scan.domain_verdict(ctx, domain)

    rows = "problems" if args.plan_out and args.rows == "none" else args.rows
    result = tag_scan.scan_tags(
        ctx,
        all_domains=args.all_domains,
        regions=regions,
        rows=rows,
        max_rows=args.max_rows,
        verdicts=verdicts,
        progress=_progress(sys.stderr.isatty()),
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    stopped = {t: w for t, w in result["types_not_covered"].items() if "incomplete" in w}
    if args.plan_out and stopped:
        # A backfill plan from a partial listing would miss resources: refuse (exit 2).
        t, why = next(iter(stopped.items()))
        print(
            f"sagemaker-isolation tags scan: no plan written to {args.plan_out}: the listing "
            f"of {len(stopped)} type(s) is incomplete (first: {t}: {why})",
            file=sys.stderr,
        )
        result["plan_out"] = {
            "path": None,
            "refused": "listing-incomplete",
            "types": sorted(stopped),
        }
    elif args.plan_out:
        domain = T.DomainRef(
            **{k: result["domain"][k] for k in ("id", "arn", "name", "region", "account_id")}
        )
        plan = T.build_plan(domain, result["resources"], created_at=_now())
        Path(args.plan_out).write_text(T.dump_plan(plan), encoding="utf-8")
        result["plan_out"] = {
            "path": args.plan_out,
            "items": len(plan["items"]),
            "selected": len(T.plan_items_selected(plan)),
        }
    if args.format == "json":
        out.write(json.dumps(result, indent=2) + "\n")
    else:
        out.write(render_scan_text(result))
    failed = [t for t, why in result["types_not_covered"].items() if scan_type_failed(why)]
    s = result["summary"]
    if failed or s.get("unreadable"):
        return _EXIT_INCOMPLETE
    if s["untagged"] or s["other_domain"] or s["stale_domain"]:
        return _EXIT_PROBLEMS
    return _EXIT_OK


def _store(args):
    from ..audit import AuditStore, resolve_audit_dir

    return AuditStore(resolve_audit_dir(args.audit_dir))


def _backfill(args, out) -> int:
    from ..aws import backfill as B
    from ..aws import tag_scan
    from ..sagemaker import tags as T

    ctx = _context(args, allow_no_domain=False)
    if args.plan:
        try:
            text = Path(args.plan).read_text(encoding="utf-8")
        except OSError as exc:
            raise _usage(f"cannot read plan {args.plan}: {exc.strerror or exc}") from None
        try:
            plan = T.load_plan(text)
        except T.PlanError as exc:
            raise _usage(f"{args.plan}: {exc}") from None
        if plan["domain"].get("id") != ctx.domain_id:
            raise _usage(f"the plan is for domain {plan['domain'].get('id')}, not {ctx.domain_id}")
    else:
        domain = tag_scan.find_domain(ctx)
        bad = [a for a in args.resource_arn if not T.parse_sagemaker_arn(a)]
        if bad:
            raise _usage(f"not a SageMaker ARN: {bad[0]}")
        plan = T.build_plan(domain, [], created_at=_now(), arns=args.resource_arn)
    result = B.apply_plan(
        ctx, plan, dry_run=not args.yes, store=_store(args) if args.yes else None, via="cli"
    )
    out.write(
        json.dumps(result, indent=2) + "\n"
        if args.format == "json"
        else render_backfill_text(result)
    )
    bad_states = {"failed", "conflict", "tag-limit", "unreadable"}
    return _EXIT_PROBLEMS if bad_states & set(result["counts"]) else _EXIT_OK


def _rollback(args, out) -> int:
    from ..aws import backfill as B
    from ..aws.errors import ContextError
    from ..aws.target import resolve_context

    store = _store(args)
    try:
        record = store.read(args.change)
    except ValueError as exc:
        raise _usage(str(exc)) from None
    did = (record.get("domain") or {}).get("id")
    try:
        ctx = resolve_context(
            domain_id=did,
            region=args.region or record.get("region"),
            profile=args.profile,
            endpoint_url=args.endpoint_url,
            metadata_path=None,
        )
    except ContextError as exc:
        raise _usage(str(exc)) from None
    result = B.rollback_change(ctx, args.change, store=store, dry_run=not args.yes, via="cli")
    out.write(
        json.dumps(result, indent=2) + "\n"
        if args.format == "json"
        else render_tag_rollback_text(result, args.change)
    )
    return (
        _EXIT_PROBLEMS
        if {"failed", "changed-since", "unreadable"} & set(result["counts"])
        else _EXIT_OK
    )


def add_parsers(sub) -> None:
    """Declare ``tags scan|backfill|rollback`` on the subcommand set ``sub``."""
    add_tags_parser(sub).set_defaults(func=run_tags)
