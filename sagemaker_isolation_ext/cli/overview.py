"""``check --all-domains``: every domain of some accounts and Regions (README "Account overview
contract", docs/CLI.md).

Exit codes: 1 if any domain is not isolated; else 2 if any is unknown or any account/Region
failed; else 0 (0 with the words "no domains found" when there are none); 4 when nothing at all
could be read (no credentials, the caller's identity unreadable, or no account/Region answered
``ListDomains``); 3 bad usage. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from ..sagemaker.patterns import is_region
from .errors import EXIT_AWS, UsageError

#: Options of a one-domain check that ``--all-domains`` does not take.
_ONE_DOMAIN_ONLY = (
    ("--domain-id", "domain_id"),
    ("--metadata-path", "metadata_path"),
    ("--snapshot", "snapshot"),
    ("--save-snapshot", "save_snapshot"),
    ("--policy-file", "policy_file"),
    ("--boundary-file", "boundary_file"),
    ("--domain-arn", "domain_arn"),
    ("--aws-confirm", "aws_confirm"),
)
#: Options that only mean something with ``--all-domains``.
_ALL_DOMAINS_ONLY = (
    ("--regions", "regions"),
    ("--all-regions", "all_regions"),
    ("--accounts", "accounts"),
    ("--org", "org"),
    ("--assume-role", "assume_role"),
)


def add_arguments(check: argparse.ArgumentParser) -> None:
    """Declare the ``--all-domains`` options on the ``check`` parser."""
    grp = check.add_argument_group("every domain at a glance (--all-domains)")
    grp.add_argument("--all-domains", action="store_true",
                     help="check every domain of the account(s) and Region(s): verdicts, the "
                     "reach matrix between domains, and the fixes to do next")
    regions = grp.add_mutually_exclusive_group()
    regions.add_argument("--regions", metavar="R1,R2",
                         help="Regions to list (default: --region, then AWS_REGION)")
    regions.add_argument("--all-regions", action="store_true",
                         help="every Region botocore knows for SageMaker in the partition")
    accounts = grp.add_mutually_exclusive_group()
    accounts.add_argument("--accounts", metavar="FILE",
                          help="other account ids, one per line, entered with sts:AssumeRole")
    accounts.add_argument("--org", action="store_true",
                          help="the accounts of the AWS Organization (organizations:ListAccounts)")
    grp.add_argument("--assume-role", metavar="NAME", default=None,
                     help="role assumed in the other accounts (default "
                     "OrganizationAccountAccessRole)")


def wants_all_domains(args: argparse.Namespace) -> bool:
    """True when the ``--all-domains`` path runs; raises UsageError for options of the other
    mode given with it (or its options given without it)."""
    if not getattr(args, "all_domains", False):
        given = [flag for flag, attr in _ALL_DOMAINS_ONLY if getattr(args, attr, None)]
        if given:
            raise UsageError(f"{', '.join(given)} only go with --all-domains")
        return False
    given = [flag for flag, attr in _ONE_DOMAIN_ONLY if getattr(args, attr, None)]
    if given:
        raise UsageError(f"--all-domains cannot be combined with {', '.join(given)}")
    return True


def parse_regions(text: str | None) -> list[str] | None:
    """The Regions of ``--regions R1,R2`` in order, without duplicates; None when not given.

    Each entry must be a Region name of some partition's ``regionRegex`` (botocore
    ``partitions.json``, :func:`patterns.is_region`). Whether SageMaker serves a well-formed
    Region in the caller's partition is decided once the partition is known (an error row,
    ``aws/overview.py``).

    Raises:
        UsageError (exit 3): an empty entry (``us-east-1,,eu-west-1``, a trailing comma, only
            spaces) or a malformed one (``us_east_1``); the message names the entry and its
            position.
    """
    if text is None:
        return None
    entries = [r.strip() for r in text.split(",")]
    for n, r in enumerate(entries, 1):
        where = f"entry {n} of {len(entries)}"
        if not r:
            raise UsageError(f"--regions {text[:120]!r}: {where} is empty; give Region names "
                             "separated by commas, e.g. us-east-1,eu-west-1")
        if not is_region(r):
            raise UsageError(f"--regions: {where}, {r[:64]!r}, is not a Region name (no AWS "
                             "partition's Region pattern matches it); e.g. us-east-1,eu-west-1")
    return list(dict.fromkeys(entries))


def _progress(verbose: bool):
    """Progress lines on stderr (always for --all-domains: a run over many domains is long)."""

    def progress(stage: str, done: int, total: int) -> None:
        print(f"[{stage}] {done}/{total}" if total else f"[{stage}]", file=sys.stderr,
              flush=True)

    return progress


def cmd_check_all(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``check --all-domains`` and print the overview; returns the exit code."""
    from ..aws.overview import (
        DEFAULT_ASSUME_ROLE,
        AccountsFileError,
        read_accounts_file,
        session_region,
    )
    from ..aws.tag_scan import account_context
    from ..check import check_all_domains
    from ..render.overview import NO_DOMAINS, overview_to_sarif, render_overview_text
    from ..sagemaker.overview import contract_json, exit_code

    regions = parse_regions(args.regions)
    accounts = None
    if args.accounts:
        try:
            accounts = read_accounts_file(args.accounts)
        except AccountsFileError as exc:
            raise UsageError(str(exc)) from None
    from ..aws.errors import ContextError

    try:
        ctx = account_context(region=session_region(regions) or args.region,
                              profile=args.profile, endpoint_url=args.endpoint_url)
    except ContextError as exc:
        raise UsageError(exc.message) from None
    try:
        result = check_all_domains(ctx, regions=regions or [ctx.region],
                                   all_regions=args.all_regions, accounts=accounts,
                                   org=args.org, assume_role=args.assume_role or
                                   DEFAULT_ASSUME_ROLE, progress=_progress(args.verbose))
    except ValueError as exc:  # a bad role name
        raise UsageError(str(exc)) from None
    ov = result.overview
    code = exit_code(ov, nothing_read=result.nothing_read)
    if args.format == "json":
        out.write(json.dumps(contract_json(ov), indent=2) + "\n")
    elif args.format == "sarif":
        out.write(json.dumps(overview_to_sarif(result.reports.values(), ov), indent=2) + "\n")
    else:
        out.write(render_overview_text(ov))
    if not ov["domains"] and args.format != "text":
        print(f"sagemaker-isolation check: {NO_DOMAINS}", file=sys.stderr)
    if code == EXIT_AWS:
        print("sagemaker-isolation check: nothing could be read: no account and no Region "
              "answered sagemaker:ListDomains (see the errors)", file=sys.stderr)
    return code
