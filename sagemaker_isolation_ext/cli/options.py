"""Argument declarations shared by the command families (README.md and docs/CLI.md document them).

Each helper adds its options to an ``argparse`` parser or argument group, in the order given, with
the flags, defaults and help texts the commands had when each declared its own.
"""

from __future__ import annotations

import argparse

#: ``--region`` help of the commands that call AWS in the configured Region.
REGION_HELP = "AWS Region (default: AWS_REGION, then boto3's chain)"
#: ``--endpoint-url`` help (``check`` names a moto *server*).
ENDPOINT_HELP = "endpoint for every AWS client (e.g. moto)"
#: ``--domain-id`` help of the commands that default to the Studio app's metadata.
DOMAIN_ID_HELP = "domain id d-xxxxxxxxxxxx (default: Studio metadata)"
#: ``--audit-dir`` help where the default is not spelled out.
AUDIT_DIR_HELP = "change records directory"


def add_aws_options(
    parser, *, region_help: str = REGION_HELP, endpoint_help: str = ENDPOINT_HELP
) -> None:
    """Add ``--region``, ``--profile`` and ``--endpoint-url`` (each default None).

    Args:
        parser: an ``argparse.ArgumentParser`` or argument group.
        region_help: the help of ``--region``.
        endpoint_help: the help of ``--endpoint-url``.
    """
    parser.add_argument("--region", help=region_help)
    parser.add_argument("--profile", help="named AWS profile")
    parser.add_argument("--endpoint-url", help=endpoint_help)


def add_format(parser, *choices: str, help: str | None = None) -> None:  # noqa: A002 - argparse's name
    """Add ``--format`` with ``choices`` (default ``("text", "json")``); the first is the default.

    Args:
        parser: an ``argparse.ArgumentParser`` or argument group.
        choices: the output formats, default first.
        help: the option's help (None: argparse shows none).
    """
    choices = choices or ("text", "json")
    parser.add_argument("--format", choices=choices, default=choices[0], help=help)


def add_hidden_metadata_path(parser) -> None:
    """Add ``--metadata-path`` (default None), hidden from ``--help`` (a test and demo hook)."""
    parser.add_argument("--metadata-path", default=None, help=argparse.SUPPRESS)


def add_audit_dir(parser, help: str = AUDIT_DIR_HELP) -> None:  # noqa: A002 - argparse's name
    """Add ``--audit-dir D`` (default None): where change records are written and read."""
    parser.add_argument("--audit-dir", metavar="D", help=help)
