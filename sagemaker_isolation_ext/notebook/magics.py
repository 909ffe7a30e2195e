"""IPython magics: ``%load_ext sagemaker_isolation_ext``, then ``%isolation check`` / ``explain``.

```
%load_ext sagemaker_isolation_ext
%isolation check                                 # the domain of this Studio app
%isolation check --domain-id d-abc123def456 --region us-east-1
%isolation check --domain-arn ARN --policy-file iso.json --policy-file full.json
%isolation check --snapshot snap.json
%isolation explain                               # the last exception raised in this kernel
%isolation explain --offline An error occurred (AccessDeniedException) when calling ...
%%isolation explain                              # the cell body is the message (multi-line)
%isolation help
```

``check`` takes the options of ``sagemaker-isolation check`` (docs/CLI.md) except ``--format``
and ``--save-snapshot``; it returns
:class:`~sagemaker_isolation_ext.notebook.check.IsolationReport`.
``explain`` takes leading ``--offline``, ``--domain-id D``, ``--region R``, ``--profile P``,
``--endpoint-url U`` and treats the rest of the line verbatim as the message; it returns
:class:`~sagemaker_isolation_ext.notebook.explain.Explanation` (the explain issue's). Both render as rich
HTML in Jupyter with a plain-text fallback (IPython picks ``text/html`` or ``text/plain``).

Bad usage prints one line and the usage, never a traceback, and returns None.

The last exception is the one IPython stored when it showed the traceback (``sys.last_value``,
``sys.last_exc`` on Python 3.12+; ``InteractiveShell._get_exc_info`` sets them).
"""

from __future__ import annotations

import argparse
import shlex
import sys

from IPython.core.magic import Magics, line_cell_magic, magics_class

__all__ = ["IsolationMagics", "load_ipython_extension", "USAGE"]

USAGE = """\
%isolation check [--domain-id D] [--region R] [--profile P] [--endpoint-url U] [--metadata-path F]
                 [--verbose]   (live; --verbose: progress on stderr)
%isolation check --domain-arn ARN --policy-file F [--policy-file F ...] [--boundary-file F]
%isolation check --snapshot F
%isolation explain [--offline] [--domain-id D] [--region R] [text]   (no text: the last exception)
%%isolation explain [--offline] ...   (cell body = the message)
"""

_EXPLAIN_VALUE_OPTIONS = {
    "--domain-id": "domain_id",
    "--region": "region",
    "--profile": "profile",
    "--endpoint-url": "endpoint_url",
}


class MagicUsageError(ValueError):
    """Bad ``%isolation`` usage: shown as one line plus the usage."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser that raises instead of exiting the kernel."""

    def error(self, message: str):  # noqa: D401 - argparse API
        """Raise MagicUsageError with argparse's message."""
        raise MagicUsageError(message)

    def exit(self, status: int = 0, message: str | None = None):
        """``-h`` and errors must not exit the kernel."""
        raise MagicUsageError(message or "see the usage")


def _check_parser() -> argparse.ArgumentParser:
    p = Parser(prog="%isolation check", add_help=False)
    for flag in ("--domain-id", "--region", "--profile", "--endpoint-url", "--metadata-path"):
        p.add_argument(flag)
    p.add_argument("--domain-arn")
    p.add_argument("--policy-file", action="append", default=[])
    p.add_argument("--boundary-file")
    p.add_argument("--snapshot")
    p.add_argument("--verbose", "-v", action="store_true")
    p.add_argument("--aws-confirm", action=argparse.BooleanOptionalAction, default=True)
    return p


def _stderr_progress(stage: str, done: int, total: int) -> None:
    """``--verbose`` progress of a live check, one line per step on stderr."""
    print(f"[{stage}] {done}/{total}" if total else f"[{stage}]", file=sys.stderr, flush=True)


def parse_check(line: str) -> dict:
    """Parse ``%isolation check`` arguments into :func:`check_isolation` keyword arguments.

    Raises:
        MagicUsageError: unknown option, missing value, unbalanced quotes.
    """
    try:
        tokens = shlex.split(line)
    except ValueError as exc:
        raise MagicUsageError(f"cannot split the arguments: {exc}") from None
    ns = _check_parser().parse_args(tokens)
    return {
        "domain_id": ns.domain_id,
        "region": ns.region,
        "profile": ns.profile,
        "endpoint_url": ns.endpoint_url,
        "metadata_path": ns.metadata_path,
        "domain_arn": ns.domain_arn,
        "policy_files": ns.policy_file,
        "boundary_file": ns.boundary_file,
        "snapshot": ns.snapshot,
        "progress": _stderr_progress if ns.verbose else None,
        "aws_confirm": ns.aws_confirm,
    }


def parse_explain(line: str) -> tuple[dict, str]:
    """Split ``%isolation explain`` arguments into (options, message text).

    Leading options are read until the first word that is not one; the rest of the line is the
    message, kept verbatim (quotes, colons and ``--`` inside it are not interpreted).

    Returns:
        ``({"offline": bool, "domain_id"?, "region"?, ...}, text)``.

    Raises:
        MagicUsageError: an option that needs a value has none.
    """
    options: dict = {"offline": False}
    rest = line.strip()
    while rest.startswith("--"):
        word, _, after = rest.partition(" ")
        if word == "--offline":
            options["offline"] = True
            rest = after.strip()
            continue
        if word in _EXPLAIN_VALUE_OPTIONS:
            value, _, after2 = after.strip().partition(" ")
            if not value:
                raise MagicUsageError(f"{word} needs a value")
            options[_EXPLAIN_VALUE_OPTIONS[word]] = value
            rest = after2.strip()
            continue
        if word == "--":
            rest = after.strip()
        break
    return options, rest


@magics_class
class IsolationMagics(Magics):
    """The ``%isolation`` / ``%%isolation`` magic (see the module docstring)."""

    @line_cell_magic
    def isolation(self, line: str = "", cell: str | None = None):
        """``%isolation check|explain|help ...``: returns the report / explanation object."""
        command, _, rest = line.strip().partition(" ")
        try:
            if command == "check":
                if cell is not None and cell.strip():
                    raise MagicUsageError("%%isolation check takes no cell body")
                from .check import check_isolation

                return check_isolation(**parse_check(rest))
            if command == "explain":
                options, text = parse_explain(rest)
                if cell is not None and cell.strip():
                    text = (text + "\n" + cell).strip() if text else cell
                from .explain import explain_access_denied

                return explain_access_denied(text or None, **options)
            if command in ("", "help", "-h", "--help"):
                print(USAGE, end="")
                return None
            raise MagicUsageError(f"unknown subcommand {command!r} (use check or explain)")
        except MagicUsageError as exc:
            print(f"%isolation: error: {exc}", file=sys.stderr)
            print(USAGE, end="", file=sys.stderr)
            return None


def load_ipython_extension(ipython) -> None:
    """Register ``%isolation`` on an IPython shell (``%load_ext sagemaker_isolation_ext``)."""
    ipython.register_magics(IsolationMagics)


def unload_ipython_extension(ipython) -> None:
    """Nothing to undo beyond IPython's own bookkeeping (magics stay until the kernel restarts)."""
    return None
