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
import os
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO

from .errors import EXIT_AWS, EXIT_BAD_INPUT, EXIT_OK, EXIT_UNKNOWN, Parser, UsageError


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (documented in docs/CLI.md)."""
    parser = Parser(
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

    from . import admin, check, engine, explain, tags

    for family in (check, engine, admin, tags, explain):
        family.add_parsers(sub)
    return parser


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
