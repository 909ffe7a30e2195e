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
precondition failed), 3 when the plan would stop Studio flows that work now and were not each
confirmed with ``--allow-break FLOW[,FLOW]`` (``--yes`` alone is not enough; the plan's own
``allow_break``, stored when it was built, counts too).
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
from .options import (
    DOMAIN_ID_HELP,
    add_audit_dir,
    add_aws_options,
    add_format,
    add_hidden_metadata_path,
)


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
    from ..aws import apply as A
    from ..sagemaker import policy_plan as P

    allow_break = _check_apply_options(args)
    variant = args.variant or "allow"
    profile = {"experience": args.experience, "private_spaces": args.private_spaces}
    if args.plan:
        plan, ctx, session = _load_saved_plan(args)
    else:
        ctx = _apply_context(args)
        session = _session(ctx)
        try:
            if args.all_domains:
                return _plan_all_domains(args, ctx, variant, session, out, profile)
            plan = A.make_plan(
                ctx,
                variant,
                args.role_arn or None,
                session=session,
                allow_break=allow_break,
                **profile,
            )
        except P.PlanError as exc:
            raise _usage_error()(str(exc)) from None
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
    return _apply_plan(args, plan, ctx, session, out, allow_break)


def _check_apply_options(args) -> list[str]:
    """Refuse option combinations ``--plan F`` cannot take; return the ``--allow-break`` ids.

    Raises:
        cli.UsageError: a conflicting option, or an unknown flow id.
    """
    from ..sagemaker.flows import flow_ids

    usage = _usage_error()
    if args.plan and (
        args.variant
        or args.role_arn
        or args.all_domains
        or args.plan_out
        or args.experience
        or args.private_spaces
    ):
        raise usage(
            "--plan F applies a saved plan as it is: it cannot be combined with "
            "--variant, --role-arn, --all-domains, --plan-out, --experience or --private-spaces"
        )
    if args.all_domains and (args.domain_id or args.role_arn):
        raise usage("--all-domains cannot be combined with --domain-id or --role-arn")
    if args.all_domains and args.yes:
        raise usage(
            "--all-domains only plans; apply one domain at a time with --domain-id "
            "(or save a plan with --plan-out and apply it with --plan F --yes)"
        )
    allow_break = sorted(
        {i.strip() for v in args.allow_break or () for i in v.split(",") if i.strip()}
    )
    unknown = [i for i in allow_break if i not in set(flow_ids())]
    if unknown:
        raise usage(
            f"--allow-break: unknown flow id(s) {', '.join(unknown)}; known: "
            + ", ".join(flow_ids())
        )
    return allow_break


def _refuse_breaking(plan: dict, allow_break: list[str], args, out: TextIO) -> None:
    """Refuse, before any AWS write, a plan that stops Studio flows not confirmed by id: the
    plan (text) or ``{"refused": "flows-would-break", "flows", "plan"}`` (json) is written.

    Raises:
        cli.UsageError: the message names the ``--allow-break`` to give (exit 3).
    """
    from ..aws import apply as A
    from ..sagemaker import policy_plan as P

    pending = P.unconfirmed_breaks(plan, allow_break)
    if not pending:
        return
    if args.format == "json":
        refused = {"refused": "flows-would-break", "flows": pending, "plan": plan}
        out.write(json.dumps(refused, indent=2) + "\n")
    else:
        out.write(P.render_plan_text(plan))
    raise _usage_error()(str(A.FlowsWouldBreak(pending)))


def _load_saved_plan(args: argparse.Namespace):
    """``(plan, ctx, session)`` of ``--plan F``: the saved plan (checked by ``load_plan``), the
    endpoint/profile/Region to apply it with (``--region`` or the plan's) and a boto3 session.
    Raises ``cli.UsageError``: unreadable or altered file, or a plan for another domain."""
    from ..sagemaker import policy_plan as P

    usage = _usage_error()
    try:
        plan = P.load_plan(Path(args.plan).read_text(encoding="utf-8"))
    except OSError as exc:
        raise usage(f"cannot read plan {args.plan!r}: {exc.strerror or exc}") from None
    except P.PlanError as exc:
        raise usage(f"{args.plan}: {exc}") from None
    if args.domain_id and args.domain_id != plan["domain"]["id"]:
        raise usage(f"the plan is for domain {plan['domain']['id']}, not {args.domain_id}")
    region = args.region or plan.get("region")
    ctx = types.SimpleNamespace(endpoint_url=args.endpoint_url, profile=args.profile, region=region)
    session = _session(types.SimpleNamespace(profile=args.profile, region=region))
    return plan, ctx, session


def _apply_context(args: argparse.Namespace):
    """The resolved context (``aws.target.resolve_context``) of the domain to plan; with
    ``--all-domains`` and no domain known, a placeholder domain (only the Region and account
    matter). Raises ``cli.UsageError`` when the context cannot be resolved."""
    from ..aws.errors import ContextError
    from ..aws.target import resolve_context

    try:
        return resolve_context(
            domain_id=args.domain_id,
            region=args.region,
            profile=args.profile,
            endpoint_url=args.endpoint_url,
            **({"metadata_path": args.metadata_path} if args.metadata_path else {}),
        )
    except ContextError as exc:
        if not (args.all_domains and exc.reason == "no-domain"):
            raise _usage_error()(exc.message) from None
        return resolve_context(
            domain_id="d-placeholder",
            region=args.region,
            profile=args.profile,
            endpoint_url=args.endpoint_url,
        )


def _plan_all_domains(
    args: argparse.Namespace, ctx, variant: str, session, out: TextIO, profile: dict
) -> int:
    """``apply --all-domains``: plan every domain, print (and with ``--plan-out`` save) the plans.
    Returns 3 when a plan fails validation, else the worst verdict-after (0/1/2)."""
    from ..aws import apply as A
    from ..sagemaker import policy_plan as P

    plans = A.make_plans_all_domains(ctx, variant, session=session, **profile)
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


def _apply_plan(
    args: argparse.Namespace, plan: dict, ctx, session, out: TextIO, allow_break: list[str]
) -> int:
    """``apply --yes``: apply a validated plan, record it and print the record. Returns the
    verdict-after's exit, 3 when a precondition failed (stale plan), 4 when an AWS call failed.
    Raises ``cli.UsageError`` when the plan failed validation or the apply could not start."""
    from ..audit import AuditError
    from ..aws import apply as A
    from ..sagemaker import policy_plan as P

    if not plan["validation"]["ok"]:
        out.write(P.render_plan_text(plan))
        raise _usage_error()("the plan failed validation; nothing applied")
    _refuse_breaking(plan, allow_break, args, out)
    try:
        rec = A.apply_plan(
            plan,
            _store(args),
            session=session,
            endpoint_url=ctx.endpoint_url,
            who=A.who_am_i(session, ctx.endpoint_url, "cli"),
            allow_break=allow_break,
        )
    except (A.ApplyError, AuditError) as exc:
        raise _usage_error()(str(exc)) from None
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
        add_aws_options(p)
        add_audit_dir(
            p,
            "change records directory (default: "
            "$SAGEMAKER_ISOLATION_AUDIT_DIR, then <jupyter data dir>/"
            "sagemaker-isolation/changes)",
        )

    apply_p = sub.add_parser(
        "apply",
        help="plan (default) or apply the isolation policy to a domain's execution roles",
        description="Plan the isolation policy for a domain's execution roles, with each role's "
        "verdict before and after. Nothing changes without --yes.",
    )
    apply_p.add_argument("--domain-id", help=DOMAIN_ID_HELP)
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
    apply_p.add_argument(
        "--experience",
        choices=("classic", "studio"),
        default=None,
        help="the template profile (default: the domain's, as read: classic only when every "
        "user opens Studio Classic)",
    )
    apply_p.add_argument(
        "--private-spaces",
        action="store_true",
        help="the template with the private-space guards (see policy --private-spaces)",
    )
    apply_p.add_argument(
        "--allow-break",
        action="append",
        default=[],
        metavar="FLOW[,FLOW]",
        help="confirm by id each Studio flow that works now and that the plan would take away "
        "(repeatable or comma-separated); without it such a plan is refused (exit 3), --yes "
        "alone is not enough",
    )
    plan_io = apply_p.add_mutually_exclusive_group()
    plan_io.add_argument("--plan-out", metavar="F", help="write the plan (JSON) to F")
    plan_io.add_argument("--plan", metavar="F", help="use the saved plan F exactly as it is")
    apply_p.add_argument("--yes", action="store_true", help="apply (default: only plan)")
    add_format(apply_p)
    apply_p.add_argument(
        "--all-domains", action="store_true", help="plan for every domain of the account and Region"
    )
    add_hidden_metadata_path(apply_p)
    aws_flags(apply_p)
    apply_p.set_defaults(func=run_apply)

    rollback_p = sub.add_parser(
        "rollback", help="restore the state recorded before a change (dry run without --yes)"
    )
    rollback_p.add_argument(
        "--change", required=True, metavar="ID", help="change id (see `changes`)"
    )
    rollback_p.add_argument("--yes", action="store_true", help="roll back (default: show steps)")
    add_format(rollback_p)
    aws_flags(rollback_p)
    rollback_p.set_defaults(func=run_rollback)

    changes_p = sub.add_parser("changes", help="list the change records, newest first")
    add_format(changes_p)
    add_audit_dir(changes_p)
    changes_p.set_defaults(func=run_changes)
