"""``check`` and ``replay``: a domain's isolation, live, offline or from a saved snapshot (docs/CLI.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from ..render.text import render_report_text
from .errors import EXIT_OK, EXIT_UNKNOWN, VERDICT_EXIT, UsageError
from .options import DOMAIN_ID_HELP, add_aws_options, add_format


def add_parsers(sub) -> None:
    """Declare ``check`` and ``replay`` on the subcommand set ``sub``."""
    check = sub.add_parser(
        "check",
        help="check a domain (live, on policy files, or on a saved snapshot)",
        description=(
            "Check a domain. Live by default (AWS through boto3); --policy-file checks policy "
            "documents offline; --snapshot re-analyses a saved snapshot."
        ),
    )
    live = check.add_argument_group("live check (default)")
    live.add_argument("--domain-id", help=DOMAIN_ID_HELP)
    add_aws_options(live, endpoint_help="endpoint for every AWS client (e.g. a moto server)")
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
    add_format(
        check,
        "text",
        "json",
        "sarif",
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
    from .overview import add_arguments

    add_arguments(check)
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
    add_format(replay)
    replay.set_defaults(func=cmd_replay)


def _stderr_progress(verbose: bool):
    if not (verbose or sys.stderr.isatty()):
        return None

    def progress(stage: str, done: int, total: int) -> None:
        if total:
            print(f"[{stage}] {done}/{total}", file=sys.stderr, flush=True)
        else:
            print(f"[{stage}]", file=sys.stderr, flush=True)

    return progress


#: How the check service names the CLI's options in its messages.
_LABELS = {
    "snapshot": "--snapshot",
    "domain_id": "--domain-id",
    "region": "--region",
    "profile": "--profile",
    "endpoint_url": "--endpoint-url",
    "metadata_path": "--metadata-path",
    "policy_files": "--policy-file",
    "domain_arn": "--domain-arn",
    "boundary_file": "--boundary-file",
}


def _snapshot_for_check(args: argparse.Namespace):
    """Build or read the snapshot the check analyses (``check.source_from_options`` then
    ``check.snapshot_from``): a ``check.CheckInput`` (the context only for a live check).
    Raises UsageError / AwsUnreachable."""
    from .. import check
    from ..aws.errors import ContextError

    try:
        source = check.source_from_options(
            snapshot=args.snapshot,
            domain_arn=args.domain_arn,
            policy_files=args.policy_file,
            boundary_file=args.boundary_file,
            domain_id=args.domain_id,
            region=args.region,
            profile=args.profile,
            endpoint_url=args.endpoint_url,
            metadata_path=args.metadata_path,
            labels=_LABELS,
        )
        return check.snapshot_from(source, progress=_stderr_progress(args.verbose))
    except check.SourceError as exc:
        raise UsageError(exc.message) from None
    except ContextError as exc:
        raise UsageError(exc.message) from None


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
    """``check``: exit 0 isolated, 1 not isolated, 2 unknown (3 bad input, 4 AWS unreachable).
    With ``--all-domains``: :func:`cli.overview.cmd_check_all` (its own exit rules)."""
    _apply_budget(args.analysis_budget)
    from .overview import cmd_check_all, wants_all_domains

    if wants_all_domains(args):
        return cmd_check_all(args, out)
    if args.aws_confirm and (args.snapshot or args.policy_file or args.domain_arn):
        raise UsageError(
            "--aws-confirm needs a live check: offline and --snapshot checks never call AWS "
            "(their report shows the simulator commands to run yourself)"
        )
    checked = _snapshot_for_check(args)
    from .. import check

    if args.save_snapshot:
        from ..sagemaker.snapshot import dump_snapshot

        try:
            with open(args.save_snapshot, "w", encoding="utf-8") as fh:
                fh.write(dump_snapshot(checked.snapshot))
        except OSError as exc:
            raise UsageError(
                f"cannot write snapshot {args.save_snapshot!r}: {exc.strerror or exc}"
            ) from None
    _warn_placeholders(checked.snapshot)
    try:
        report = check.run_check(
            checked,
            aws_confirm=args.aws_confirm is not False,
            progress=_confirm_progress(args, checked),
        ).to_json()
    except check.AnalysisError as exc:  # the snapshot's domain does not parse
        raise UsageError(str(exc)) from None
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


def _confirm_progress(args: argparse.Namespace, checked):
    """The check service's stages on stderr: only the AWS confirmation of a live check (the
    collection reported its own)."""
    progress = _stderr_progress(args.verbose)
    if progress is None or not checked.live or args.aws_confirm is False:
        return None

    def stage(name: str, done: int, total: int) -> None:
        if name == "confirming":
            progress("confirming with AWS's policy simulator", 0, 0)

    return stage


def _sarif_for_check(args: argparse.Namespace, report: dict) -> dict:
    """SARIF 2.1.0 of ``report`` (``sagemaker_isolation_ext.render.sarif``), locating findings in the
    ``--policy-file``/``--boundary-file`` files when given. Raises UsageError (unreadable file)."""
    from ..render.sarif import policy_sources, report_to_sarif
    from ..sagemaker.snapshot import read_policy_file

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
