"""Exit codes and usage errors shared by every subcommand (README.md, docs/CLI.md)."""

from __future__ import annotations

import argparse
import sys

EXIT_OK = 0
EXIT_NOT_ISOLATED = 1
EXIT_UNKNOWN = 2
EXIT_BAD_INPUT = 3
EXIT_AWS = 4

VERDICT_EXIT = {"isolated": EXIT_OK, "not_isolated": EXIT_NOT_ISOLATED, "unknown": EXIT_UNKNOWN}


class UsageError(Exception):
    """Bad input or usage: printed as one line on stderr, exit code 3."""


# -- argparse with our exit codes --------------------------------------------------------------


class Parser(argparse.ArgumentParser):
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
