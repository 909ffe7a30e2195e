"""The admin subcommands of the CLI: ``apply``, ``rollback``, ``changes`` (docs/CLI.md).

:func:`add_parsers` declares their arguments and calls :func:`run_apply`, :func:`run_rollback` and
:func:`run_changes`; this module turns them into calls of ``aws.apply`` and ``audit`` and shapes
the output. Dry-run is the default: without ``--yes`` nothing is written to AWS or the audit
directory.

Exit codes (the CLI's): ``apply`` without ``--yes`` exits with the plan's verdict-after of the
selected roles (0 isolated, 1 not isolated: e.g. the allow variant beside
``AmazonSageMakerFullAccess``, 2 unknown), 3 when the plan fails validation or the input is bad;
2 also when a listing the plan needs was stopped by a paging bound (no plan is built from a
partial listing); with ``--yes`` the same after a successful apply, 4 when an AWS call failed
part-way (the record says what was done; ``rollback`` undoes it), 3 when the plan is stale (a
precondition failed).
``rollback`` exits 0 when done (or nothing to do), 4 when an AWS call failed. ``changes`` 0.
"""

from __future__ import annotations

import argparse
import json
import types
from pathlib import Path
from typing import TextIO

__all__ = ["run_apply", "run_rollback", "run_changes", "VERDICT_EXIT"]

from .errors import EXIT_AWS as _EXIT_AWS
from .errors import EXIT_BAD_INPUT as _EXIT_BAD_INPUT
from .errors import VERDICT_EXIT, UsageError


class _Usage(Exception):
    pass


def _usage_error():
    return UsageError


def _store(args):
    from ..audit import AuditStore, resolve_audit_dir

    return AuditStore(resolve_audit_dir(getattr(args, "audit_dir", None)))


def _session(args):
    from ..aws.session import make_session

    return make_session(types.SimpleNamespace(profile=args.profile, region=args.region))


def _worst(plans: list[dict]) -> int:
    verdicts = [p.get("verdict_after") or "unknown" for p in plans]
    if any(p.get("error") for p in plans):
        verdicts.append("unknown")
    if "not_isolated" in verdicts:
        return 1
    if "unknown" in verdicts:
        return 2
    return 0


def _plan_exit(plan: dict) -> int:
    if not plan["validation"]["ok"]:
        return _EXIT_BAD_INPUT
    return VERDICT_EXIT.get(plan.get("verdict_after"), 2)


def run_apply(args: argparse.Namespace, out: TextIO) -> int:
    """``apply``: plan (default) or, with ``--yes``, apply; see the module docstring for exits.

    Raises:
        cli.UsageError: conflicting options, unreadable/altered plan file, bad role ARN.
        AwsUnreachable: AWS not reachable (exit 4 in ``cli.main``).
    """
    from ..audit import AuditError
    from ..aws import apply as A
    from ..aws.errors import ContextError
    from ..aws.target import resolve_context
    from ..sagemaker import policy_plan as P

    usage = _usage_error()
    if args.plan and (args.variant or args.role_arn or args.all_domains or args.plan_out):
        raise usage(
            "--plan F applies a saved plan as it is: it cannot be combined with "
            "--variant, --role-arn, --all-domains or --plan-out"
        )
    if args.all_domains and (args.domain_id or args.role_arn):
        raise usage("--all-domains cannot be combined with --domain-id or --role-arn")
    if args.all_domains and args.yes:
        raise usage(
            "--all-domains only plans; apply one domain at a time with --domain-id "
            "(or save a plan with --plan-out and apply it with --plan F --yes)"
        )
    variant = args.variant or "allow"
    if args.plan:
        try:
            plan = P.load_plan(Path(args.plan).read_text(encoding="utf-8"))
        except OSError as exc:
            raise usage(f"cannot read plan {args.plan!r}: {exc.strerror or exc}") from None
        except P.PlanError as exc:
            raise usage(f"{args.plan}: {exc}") from None
        if args.domain_id and args.domain_id != plan["domain"]["id"]:
            raise usage(f"the plan is for domain {plan['domain']['id']}, not {args.domain_id}")
        region = args.region or plan.get("region")
        ctx = types.SimpleNamespace(
            endpoint_url=args.endpoint_url, profile=args.profile, region=region
        )
        session = _session(types.SimpleNamespace(profile=args.profile, region=region))
    else:
        try:
            ctx = resolve_context(
                domain_id=args.domain_id,
                region=args.region,
                profile=args.profile,
                endpoint_url=args.endpoint_url,
                **({"metadata_path": args.metadata_path} if args.metadata_path else {}),
            )
        except ContextError as exc:
            if not (args.all_domains and exc.reason == "no-domain"):
                raise usage(exc.message) from None
            ctx = resolve_context(
                domain_id="d-placeholder",
                region=args.region,
                profile=args.profile,
                endpoint_url=args.endpoint_url,
            )
        session = _session(ctx)
        try:
            if args.all_domains:
                plans = A.make_plans_all_domains(ctx, variant, session=session)
                if args.plan_out:
                    _write(args.plan_out, {"plans": plans})
                if args.format == "json":
                    out.write(json.dumps({"plans": plans}, indent=2) + "\n")
                else:
                    for p in plans:
                        out.write(
                            P.render_plan_text(p)
                            if "steps" in p
                            else f"domain {p['domain']['id']}: {p['error']['message']}\n"
                        )
                        out.write("\n")
                bad = [p for p in plans if "validation" in p and not p["validation"]["ok"]]
                return _EXIT_BAD_INPUT if bad else _worst(plans)
            plan = A.make_plan(ctx, variant, args.role_arn or None, session=session)
        except P.PlanError as exc:
            raise usage(str(exc)) from None
        except A.IncompleteListingError as exc:
            import sys

            print(f"sagemaker-isolation apply: {exc.message}", file=sys.stderr)
            return VERDICT_EXIT["unknown"]
        if args.plan_out:
            _write(args.plan_out, plan)
    if not args.yes:
        out.write(
            json.dumps(plan, indent=2) + "\n"
            if args.format == "json"
            else P.render_plan_text(plan)
            + "Dry run: nothing changed. Re-run with --yes to apply this plan.\n"
        )
        return _plan_exit(plan)
    if not plan["validation"]["ok"]:
        out.write(P.render_plan_text(plan))
        raise usage("the plan failed validation; nothing applied")
    try:
        rec = A.apply_plan(
            plan,
            _store(args),
            session=session,
            endpoint_url=ctx.endpoint_url,
            who=A.who_am_i(session, ctx.endpoint_url, "cli"),
        )
    except (A.ApplyError, AuditError) as exc:
        raise usage(str(exc)) from None
    if args.format == "json":
        out.write(json.dumps(rec, indent=2) + "\n")
    else:
        out.write(P.render_plan_text(plan) + _record_text(rec))
    if rec["status"] == "failed":
        codes = {(s.get("error") or {}).get("code") for s in rec["steps"]} | {
            (rec.get("error") or {}).get("code")
        }
        return _EXIT_BAD_INPUT if "PreconditionFailed" in codes else _EXIT_AWS
    return VERDICT_EXIT.get(plan.get("verdict_after"), 2)


def _write(path: str, obj) -> None:
    try:
        Path(path).write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise _usage_error()(f"cannot write {path!r}: {exc.strerror or exc}") from None


def _record_text(rec: dict) -> str:
    lines = [f"Change {rec['id']} ({rec['kind']}): {rec['status']}"]
    for s in rec["steps"]:
        what = s.get("detail") or (s.get("error") or {}).get("message") or ""
        lines.append(f"  {s['index'] + 1}. {s['op']}: {s['status']}{' - ' + what if what else ''}")
    if rec.get("error"):
        lines.append(f"  error: {rec['error'].get('code')}: {rec['error'].get('message')}")
    if rec["kind"] == "apply" and rec["status"] in ("failed", "succeeded"):
        lines.append(f"Undo with: sagemaker-isolation rollback --change {rec['id']} --yes")
    return "\n".join(lines) + "\n"


def run_rollback(args: argparse.Namespace, out: TextIO) -> int:
    """``rollback --change ID``: show the steps (default) or, with ``--yes``, run them.

    Returns:
        0 done / nothing to do / dry run, 4 an AWS call failed (the record says which).

    Raises:
        cli.UsageError: unknown change id, not an apply record, unwritable audit dir.
    """
    from ..audit import AuditError
    from ..aws import apply as A

    store = _store(args)
    try:
        orig = store.read(args.change)
        session = _session(
            types.SimpleNamespace(profile=args.profile, region=args.region or orig.get("region"))
        )
        rec = A.rollback_change(
            args.change,
            store,
            session=session,
            endpoint_url=args.endpoint_url,
            dry_run=not args.yes,
            who=A.who_am_i(session, args.endpoint_url, "cli") if args.yes else None,
        )
    except (AuditError, A.ApplyError) as exc:
        raise _usage_error()(str(exc)) from None
    if args.format == "json":
        out.write(json.dumps(rec, indent=2) + "\n")
    else:
        out.write(_record_text(rec))
        if rec["status"] == "planned":
            out.write(
                "Dry run: nothing changed. Re-run with --yes to roll back.\n"
                if rec["steps"]
                else "Nothing to roll back: the previous state is in place.\n"
            )
    return _EXIT_AWS if rec["status"] == "failed" else 0


def run_changes(args: argparse.Namespace, out: TextIO) -> int:
    """``changes``: the change records, newest first (JSON: a list of summaries with ``id``)."""
    from ..audit import render_changes_text, summary

    records = _store(args).list()
    if args.format == "json":
        out.write(json.dumps([summary(r) for r in records], indent=2) + "\n")
    else:
        out.write(render_changes_text(records))
    return 0


def add_parsers(sub) -> None:
    """Declare ``apply``, ``rollback`` and ``changes`` on ``sub``."""

    # dry-run unless --yes
    def aws_flags(p):
        p.add_argument("--region", help="AWS Region (default: AWS_REGION, then boto3's chain)")
        p.add_argument("--profile", help="named AWS profile")
        p.add_argument("--endpoint-url", help="endpoint for every AWS client (e.g. moto)")
        p.add_argument(
            "--audit-dir",
            metavar="D",
            help="change records directory (default: "
            "$SAGEMAKER_ISOLATION_AUDIT_DIR, then <jupyter data dir>/"
            "sagemaker-isolation/changes)",
        )

    apply_p = sub.add_parser(
        "apply",
        help="plan (default) or apply the isolation policy to a domain's execution roles",
        description="Plan the isolation policy for a domain's execution roles, with each role's "
        "verdict before and after. Nothing changes without --yes.",
    )
    apply_p.add_argument("--domain-id", help="domain id d-xxxxxxxxxxxx (default: Studio metadata)")
    apply_p.add_argument(
        "--variant",
        choices=("aws-doc", "allow", "deny"),
        default=None,
        help="aws-doc: AWS's policy verbatim; allow (default): Allow-only, isolating as the role's "
        "only SageMaker grant; deny: Deny guards beside broad Allows",
    )
    apply_p.add_argument(
        "--role-arn",
        action="append",
        default=[],
        metavar="ARN",
        help="change only this execution role (repeatable; no profile listing)",
    )
    plan_io = apply_p.add_mutually_exclusive_group()
    plan_io.add_argument("--plan-out", metavar="F", help="write the plan (JSON) to F")
    plan_io.add_argument("--plan", metavar="F", help="use the saved plan F exactly as it is")
    apply_p.add_argument("--yes", action="store_true", help="apply (default: only plan)")
    apply_p.add_argument("--format", choices=("text", "json"), default="text")
    apply_p.add_argument(
        "--all-domains", action="store_true", help="plan for every domain of the account and Region"
    )
    apply_p.add_argument("--metadata-path", default=None, help=argparse.SUPPRESS)
    aws_flags(apply_p)
    apply_p.set_defaults(func=run_apply)

    rollback_p = sub.add_parser(
        "rollback", help="restore the state recorded before a change (dry run without --yes)"
    )
    rollback_p.add_argument(
        "--change", required=True, metavar="ID", help="change id (see `changes`)"
    )
    rollback_p.add_argument("--yes", action="store_true", help="roll back (default: show steps)")
    rollback_p.add_argument("--format", choices=("text", "json"), default="text")
    aws_flags(rollback_p)
    rollback_p.set_defaults(func=run_rollback)

    changes_p = sub.add_parser("changes", help="list the change records, newest first")
    changes_p.add_argument("--format", choices=("text", "json"), default="text")
    changes_p.add_argument("--audit-dir", metavar="D", help="change records directory")
    changes_p.set_defaults(func=run_changes)
