"""Check a domain's isolation from a notebook cell (or any Python code).

```python
from sagemaker_isolation_ext.notebook.check import check_isolation
check_isolation()                                   # the domain of this Studio app (metadata)
check_isolation("d-abc123def456", region="us-east-1")
check_isolation(domain_arn="arn:aws:sagemaker:...:domain/d-...", policy_files=["p.json"])
check_isolation(snapshot="snap.json")
```

It runs the same layers as ``sagemaker-isolation check`` (aws.context, aws.collect or the
offline snapshot builders, sagemaker.analysis) and returns an :class:`IsolationReport`, which
renders as HTML in Jupyter (``_repr_html_``; every value is HTML-escaped), as the CLI's text in a
terminal (``_repr_pretty_`` / ``str``), and gives the report dict (docs/ARCHITECTURE.md §7) with
``.report`` / ``.to_json()`` and SARIF with ``.to_sarif()``.

Errors: a check that cannot run (bad input, no domain, AWS unreachable) returns an
IsolationReport whose ``verdict`` is ``"unknown"``, ``report`` is None and ``error`` says what
happened and how to fix it (``raise_errors=True`` raises :class:`IsolationCheckError` instead).
It never claims ``isolated`` without a report.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["IsolationReport", "IsolationCheckError", "check_isolation"]

_VERDICT_LABEL = {"isolated": "Isolated", "not_isolated": "Not isolated", "unknown": "Unknown"}
_VERDICT_COLOUR = {"isolated": "#388e3c", "not_isolated": "#d32f2f", "unknown": "#f57c00"}
_MAX_ACTIONS = 10


def _e(value) -> str:
    """HTML-escape any value (quotes included); None is empty."""
    return html.escape("" if value is None else str(value), quote=True)


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
        """Rich HTML for Jupyter (JupyterLab 3/4, Studio Classic, classic notebook); every value
        from the report is escaped with ``html.escape``; colours work on light and dark themes."""
        from ..render.text import _SEVERITY_ORDER, _role_words, _used_by_words

        verdict = self.verdict
        parts = [
            '<div class="sagemaker-isolation-report" style="font-family: var(--jp-ui-font-family,'
            ' sans-serif); line-height: 1.4">',
            f'<p><span style="display:inline-block;padding:2px 10px;border-radius:2px;color:#fff;'
            f'font-weight:700;background:{_VERDICT_COLOUR[verdict]}">'
            f"{_e(_VERDICT_LABEL[verdict])}</span>",
        ]
        if self.report is None:
            err = self.error or {}
            parts.append(
                f" <strong>The check did not run</strong> "
                f"(<code>{_e(err.get('reason'))}</code>)</p><p>{_e(err.get('message'))}</p></div>"
            )
            return "".join(parts)
        r = self.report
        d = r.get("domain") or {}
        cat = r.get("catalog") or {}
        parts.append(
            f" domain <code>{_e(d.get('id'))}</code> <small>{_e(d.get('arn'))}</small></p>"
            f"<p><small>default experience: {_e(d.get('default_experience'))} &middot; "
            f"catalog {_e(cat.get('source'))} {_e(cat.get('version'))} &middot; "
            f"{_e(r.get('generated_at'))}</small></p>"
        )
        parts.append(
            '<table><thead><tr><th style="text-align:left">Role</th>'
            '<th style="text-align:left">Used by</th><th style="text-align:left">Verdict</th>'
            '<th style="text-align:left">Allowed on other domains\' resources</th>'
            "</tr></thead><tbody>"
        )
        for role in self.roles:
            leaking = [e for e in role.get("cross_domain") or [] if not e.get("accepted")]
            items = "".join(
                f"<li><code>{_e(e.get('action'))}</code> &larr; "
                + _e(
                    "; ".join(
                        f"{ref.get('policy')} ("
                        + (
                            f"Sid {ref['sid']}"
                            if ref.get("sid")
                            else f"statement #{ref.get('index')}"
                        )
                        + ")"
                        for ref in e.get("allowed_by") or []
                    )
                )
                + _witness_html(e.get("witness"))
                + "</li>"
                for e in leaking[:_MAX_ACTIONS]
            )
            more = (
                f"<li>&hellip; and {len(leaking) - _MAX_ACTIONS} more</li>"
                if len(leaking) > _MAX_ACTIONS
                else ""
            )
            parts.append(
                f'<tr><td><code title="{_e(role.get("arn") or "")}">'
                f"{_e(_role_words(role))}</code></td>"
                f"<td>{_e(', '.join(_used_by_words(u) for u in role.get('used_by') or []))}</td>"
                f"<td>{_e(str(role.get('verdict') or 'unknown').replace('_', ' '))}<br>"
                f"<small>{_e(role.get('verdict_reason'))}</small></td>"
                f"<td>{len(leaking)}" + (f"<ul>{items}{more}</ul>" if items else "") + "</td></tr>"
            )
        parts.append("</tbody></table>")
        parts.append(_aws_confirmation_html(r.get("aws_confirmation")))
        findings = sorted(self.findings, key=lambda f: _SEVERITY_ORDER.get(f.get("severity"), 9))
        high = sum(1 for f in findings if f.get("severity") == "high")
        if verdict == "isolated" and high:
            # The verdict's words never contradict the findings below them.
            parts.append(
                f"<p><strong>The tag checks pass, but {high} high-severity "
                f"finding{'' if high == 1 else 's'} below "
                f"{'says' if high == 1 else 'say'} a role reaches further: read "
                f"{'it' if high == 1 else 'them'} first.</strong></p>"
            )
        if findings:
            parts.append("<p><strong>Findings</strong> (most severe first)</p><ol>")
            for f in findings:
                parts.append(
                    f"<li><strong>[{_e(f.get('severity'))}] {_e(f.get('title'))}</strong> "
                    f"<small><code>{_e(f.get('id'))}</code></small>"
                    f"<br>{_e(f.get('detail'))}"
                    + (
                        f'<br><strong>Fix:</strong> <code style="white-space:pre-wrap">'
                        f"{_e(f.get('fix'))}</code>"
                        if f.get("fix")
                        else ""
                    )
                    + "</li>"
                )
            parts.append("</ol>")
        errors = r.get("errors") or []
        if errors:
            parts.append(f"<p><strong>AWS calls that failed ({len(errors)})</strong></p><ul>")
            for e in errors[:_MAX_ACTIONS]:
                parts.append(
                    f"<li><code>{_e(e.get('operation'))}</code> {_e(e.get('target'))}: "
                    f"{_e(e.get('code'))}</li>"
                )
            parts.append("</ul>")
        parts.append("</div>")
        return "".join(parts)


def _witness_html(witness) -> str:
    """The witness under a leaking action: request, AWS's answer (badge) and the simulator
    command, in a ``<details>`` (empty without a witness). Every value escaped."""
    from ..sagemaker.simulator_commands import aws_badge, witness_request_lines

    if not isinstance(witness, dict):
        return ""
    badge = aws_badge(witness)
    aws = witness.get("aws") or {}
    colour = "#388e3c" if aws.get("agrees") else "#d32f2f" if aws.get("cause") else "#616161"
    badge_html = (
        f' <span style="border:1px solid {colour};color:{colour};border-radius:2px;'
        f'padding:0 4px">{_e(badge)}</span>'
        if badge
        else ""
    )
    detail = (
        f"<br><small>{_e(aws.get('cause_text'))}</small>"
        if aws.get("cause_text") and not aws.get("agrees")
        else ""
    )
    req = "<br>".join(_e(line) for line in witness_request_lines(witness))
    cmd = (
        f'<pre style="white-space:pre-wrap;word-break:break-all">'
        f"{_e(witness.get('simulator_command'))}</pre>"
        if witness.get("simulator_command")
        else ""
    )
    return (
        f"<details><summary>witness{badge_html}</summary>"
        f"<small><code>{req}</code></small>{detail}{cmd}</details>"
    )


def _aws_confirmation_html(conf) -> str:
    """The report-level AWS policy simulator note (and offline policy files), escaped."""
    if not isinstance(conf, dict) or not conf.get("note"):
        return ""
    files = "".join(
        f"<li><code>{_e(f.get('file'))}</code>: {_e(f.get('kind'))} policy "
        f"<code>{_e(f.get('policy'))}</code></li>"
        for f in conf.get("policy_files") or []
    )
    return (
        f"<p><strong>AWS policy simulator:</strong> {_e(conf.get('note'))}</p>"
        + (f"<p>The commands read these policy documents from files:</p><ul>{files}</ul>"
           if files else "")
    )


def _snapshot(
    domain_id,
    region,
    profile,
    endpoint_url,
    metadata_path,
    domain_arn,
    policy_files,
    boundary_file,
    snapshot,
    progress,
) -> dict:
    """The Snapshot to analyse, like ``sagemaker-isolation check`` builds it, and the live
    ``AwsContext`` (None offline and for a saved snapshot): ``(snapshot, ctx)``.

    Raises:
        IsolationCheckError: modes mixed, unreadable input, no domain, AWS unreachable.
    """
    from ..sagemaker import snapshot as snap

    live = [
        n
        for n, v in (
            ("domain_id", domain_id),
            ("region", region),
            ("profile", profile),
            ("endpoint_url", endpoint_url),
        )
        if v
    ]
    offline = [
        n
        for n, v in (
            ("domain_arn", domain_arn),
            ("policy_files", policy_files),
            ("boundary_file", boundary_file),
        )
        if v
    ]
    if snapshot is not None:
        if live or offline:
            raise IsolationCheckError(
                f"snapshot cannot be combined with {', '.join(live + offline)}", "bad-input"
            )
        try:
            return (
                snap.load_snapshot(snapshot if isinstance(snapshot, dict) else Path(snapshot)),
                None,
            )
        except (OSError, ValueError) as exc:
            raise IsolationCheckError(str(exc), "bad-input", "bad-snapshot") from None
    if offline:
        if live:
            raise IsolationCheckError(
                f"offline options ({', '.join(offline)}) cannot be combined with {', '.join(live)}",
                "bad-input",
            )
        if not domain_arn or not policy_files:
            raise IsolationCheckError(
                "an offline check needs domain_arn and at least one of policy_files", "bad-input"
            )
        try:
            policies = [snap.read_policy_file(p) for p in policy_files]
            boundary = snap.read_policy_file(boundary_file) if boundary_file else None
            return snap.snapshot_from_policy_files(domain_arn, policies, boundary=boundary), None
        except (OSError, ValueError) as exc:
            raise IsolationCheckError(str(exc), "bad-input", "bad-policy-file") from None

    from ..aws.collect import collect_snapshot
    from ..aws.errors import AwsUnreachable, ContextError
    from ..aws.target import DEFAULT_METADATA_PATH, resolve_context

    try:
        ctx = resolve_context(
            domain_id=domain_id,
            region=region,
            profile=profile,
            endpoint_url=endpoint_url,
            metadata_path=metadata_path if metadata_path is not None else DEFAULT_METADATA_PATH,
        )
    except ContextError as exc:
        raise IsolationCheckError(exc.message, "no-context", exc.reason) from None
    try:
        return collect_snapshot(ctx, progress=progress), ctx
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
    try:
        snap, ctx = _snapshot(
            domain_id,
            region,
            profile,
            endpoint_url,
            metadata_path,
            domain_arn,
            [str(p) for p in policy_files or ()],
            str(boundary_file) if boundary_file else None,
            snapshot,
            progress,
        )
    except IsolationCheckError as exc:
        if raise_errors:
            raise
        return IsolationReport(None, exc.to_json())
    from ..sagemaker.analysis import analyze
    from ..sagemaker.snapshot import read_policy_file

    report = analyze(snap)
    if ctx is None:
        from ..sagemaker.simulator_commands import mark_unconfirmed

        mark_unconfirmed(report, snap)
    else:
        from ..aws.confirm import confirm_report

        confirm_report(report, snap, ctx=ctx, enabled=aws_confirm)
    files = []
    boundary = None
    if policy_files:
        files = [(read_policy_file(p)[0], str(p)) for p in policy_files]
        if boundary_file:
            boundary = (read_policy_file(boundary_file)[0], str(boundary_file))
    return IsolationReport(report, None, files, boundary)
