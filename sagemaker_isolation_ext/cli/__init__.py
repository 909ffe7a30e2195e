"""The ``sagemaker-isolation`` command line: ``main(argv) -> exit code``.

Layout: ``entry`` (the parser and the dispatch), ``errors`` (usage errors and exit codes), one
module per command family. Exit codes and JSON shapes are contracts (README.md, docs/CLI.md).
"""

from .entry import main

__all__ = ["main"]
