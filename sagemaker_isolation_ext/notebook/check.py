"""Check a domain's isolation from a notebook cell (or any Python code).

```python
from sagemaker_isolation_ext.notebook.check import check_isolation
check_isolation()                                   # the domain of this Studio app (metadata)
check_isolation("d-abc123def456", region="us-east-1")
check_isolation(domain_arn="arn:aws:sagemaker:...:domain/d-...", policy_files=["p.json"])
check_isolation(snapshot="snap.json")
```

It runs the same check service as ``sagemaker-isolation check``
(:mod:`sagemaker_isolation_ext.check`: ``source_from_options``, ``snapshot_from``, ``run_check``)
and returns an :class:`IsolationReport`, which
renders as HTML in Jupyter (``_repr_html_``; every value is HTML-escaped), as the CLI's text in a
terminal (``_repr_pretty_`` / ``str``), and gives the report dict (docs/ARCHITECTURE.md §7) with
``.report`` / ``.to_json()`` and SARIF with ``.to_sarif()``.

Errors: a check that cannot run (bad input, no domain, AWS unreachable) returns an
IsolationReport whose ``verdict`` is ``"unknown"``, ``report`` is None and ``error`` says what
happened and how to fix it (``raise_errors=True`` raises :class:`IsolationCheckError` instead).
It never claims ``isolated`` without a report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

__all__ = ["IsolationReport", "IsolationCheckError", "check_isolation"]

_VERDICT_LABEL = {"isolated": "Isolated", "not_isolated": "Not isolated", "unknown": "Unknown"}


class IsolationCheckError(ValueError):
    """A check that could not run. Attributes: ``kind`` (``bad-input``, ``no-context``,
    ``aws-unreachable``), ``reason`` (finer cause, e.g. ``no-domain``, ``no-credentials``),
    ``message``."""

    def __init__(self, message: str, kind: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.reason = reason or kind

    def to_json(self) -> dict:
        """``{"kind", "reason", "message"}``."""
        return {"kind": self.kind, "reason": self.reason, "message": self.message}


class IsolationReport:
    """The result of one isolation check.

    Attributes:
        report: the report dict (docs/ARCHITECTURE.md §7), or None when the check could not run.
        error: ``{"kind", "reason", "message"}`` when the check could not run, else None.
        policy_files: the ``(name, path)`` pairs of an offline check (for SARIF locations).
    """

    def __init__(
        self,
        report: dict | None,
        error: dict | None = None,
        policy_files: Sequence[tuple[str, str]] = (),
        boundary_file: tuple[str, str] | None = None,
    ) -> None:
        self.report = report
        self.error = error
        self.policy_files = list(policy_files)
        self.boundary_file = boundary_file

    @property
    def verdict(self) -> str:
        """``"isolated"``, ``"not_isolated"`` or ``"unknown"`` (also when the check failed)."""
        if not self.report:
            return "unknown"
        v = self.report.get("verdict")
        return v if v in _VERDICT_LABEL else "unknown"

    @property
    def ok(self) -> bool:
        """True when the check ran (whatever its verdict)."""
        return self.report is not None

    @property
    def roles(self) -> list[dict]:
        """The report's roles (empty when the check failed)."""
        return list((self.report or {}).get("roles") or [])

    @property
    def findings(self) -> list[dict]:
        """The report's findings (empty when the check failed)."""
        return list((self.report or {}).get("findings") or [])

    def to_json(self) -> dict:
        """The report dict (deep copy); ``{"verdict": "unknown", "error": {...}}`` on failure."""
        if self.report is None:
            return {"verdict": "unknown", "error": dict(self.error or {})}
        return json.loads(json.dumps(self.report))

    def to_sarif(self) -> dict:
        """The report as SARIF 2.1.0 (:func:`sagemaker_isolation_ext.render.sarif.report_to_sarif`).

        Raises:
            IsolationCheckError: the check did not run (there is nothing to convert).
        """
        if self.report is None:
            raise IsolationCheckError(
                "no report to convert: " + (self.error or {}).get("message", "the check failed"),
                "bad-input",
            )
        from ..render.sarif import policy_sources, report_to_sarif

        return report_to_sarif(self.report, policy_sources(self.policy_files, self.boundary_file))

    def __str__(self) -> str:
        if self.report is None:
            err = self.error or {}
            return f"Verdict: UNKNOWN (the check did not run)\n{err.get('message', '')}\n"
        from ..render.text import render_report_text

        return render_report_text(self.report)

    def __repr__(self) -> str:
        domain = ((self.report or {}).get("domain") or {}).get("id")
        extra = f" error={self.error.get('reason')!r}" if self.error else ""
        return f"<IsolationReport verdict={self.verdict!r} domain={domain!r}{extra}>"

    def _repr_pretty_(self, p, cycle: bool) -> None:
        """IPython's pretty printer: the CLI's text rendering."""
        p.text(repr(self) if cycle else str(self))

    def _repr_html_(self) -> str:
        """Rich HTML for Jupyter (JupyterLab 3/4, Studio Classic, classic notebook):
        :func:`sagemaker_isolation_ext.render.html.report_html`, every value escaped."""
        from ..render.html import report_html

        return report_html(self.report, error=self.error)


def _snapshot(options: dict, progress):
    """The snapshot to analyse, like ``sagemaker-isolation check`` builds it (the check
    service's ``source_from_options(**options)`` + ``snapshot_from``): a ``check.CheckInput``.

    Raises:
        IsolationCheckError: modes mixed, unreadable input, no domain, AWS unreachable.
    """
    from .. import check
    from ..aws.errors import AwsUnreachable, ContextError

    try:
        source = check.source_from_options(**options)
        return check.snapshot_from(source, progress=progress)
    except check.SourceError as exc:
        raise IsolationCheckError(exc.message, "bad-input", exc.reason) from None
    except ContextError as exc:
        raise IsolationCheckError(exc.message, "no-context", exc.reason) from None
    except AwsUnreachable as exc:
        raise IsolationCheckError(exc.message, "aws-unreachable", exc.reason) from None


def check_isolation(
    domain_id: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    *,
    metadata_path: str | os.PathLike | None = None,
    domain_arn: str | None = None,
    policy_files: Sequence[str | os.PathLike] = (),
    boundary_file: str | os.PathLike | None = None,
    snapshot: str | os.PathLike | dict | None = None,
    progress=None,
    raise_errors: bool = False,
    aws_confirm: bool = True,
) -> IsolationReport:
    """Check a domain's resource isolation and return an :class:`IsolationReport`.

    Three modes, as ``sagemaker-isolation check`` (docs/CLI.md); they do not mix:

    - live (default): ``domain_id`` (default: Studio's metadata file), ``region``, ``profile``,
      ``endpoint_url``, ``metadata_path`` (default ``/opt/ml/metadata/resource-metadata.json``);
      reads SageMaker and IAM through boto3 (read-only calls);
    - offline: ``domain_arn`` + ``policy_files`` (+ ``boundary_file``): one role holding these
      identity policies, no AWS call;
    - ``snapshot``: a saved Snapshot (path or dict), no AWS call.

    Args:
        progress: optional ``callable(stage: str, done: int, total: int)`` (live mode).
        raise_errors: raise :class:`IsolationCheckError` instead of returning a failed report.
        aws_confirm: live mode: confirm each witness with IAM's policy simulator when the
            caller may (``aws.confirm``; at most 100 calls); False: no simulator call. Offline
            and snapshot modes never call AWS; every mode shows the simulator commands.

    Returns:
        IsolationReport (``.verdict``, ``.report``, ``.error``, ``.to_sarif()``).

    Raises:
        IsolationCheckError: only with ``raise_errors=True``, when the check cannot run.
    """
    from .. import check

    try:
        options = {
            "snapshot": snapshot,
            "domain_arn": domain_arn,
            "policy_files": [str(p) for p in policy_files or ()],
            "boundary_file": str(boundary_file) if boundary_file else None,
            "domain_id": domain_id,
            "region": region,
            "profile": profile,
            "endpoint_url": endpoint_url,
            "metadata_path": metadata_path,
        }
        checked = _snapshot(options, progress)
        report = check.run_check(checked, aws_confirm=aws_confirm).to_json()
    except check.AnalysisError as exc:
        failed = IsolationCheckError(str(exc), "bad-input", "bad-snapshot")
        if raise_errors:
            raise failed from None
        return IsolationReport(None, failed.to_json())
    except IsolationCheckError as exc:
        if raise_errors:
            raise
        return IsolationReport(None, exc.to_json())
    return IsolationReport(report, None, checked.policy_files, checked.boundary_file)
