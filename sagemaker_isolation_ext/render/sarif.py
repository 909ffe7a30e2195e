"""Isolation report -> SARIF 2.1.0, for CI code scanning (``check --format sarif``).

Pure: the standard library and the pure core (no Jupyter, tornado, boto3).

Format: OASIS "Static Analysis Results Interchange Format (SARIF) Version 2.1.0" (errata 01,
https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os.html).
GitHub code scanning's reading of it ("SARIF support for code scanning",
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
``level`` error/warning/note, ``properties.security-severity`` on rules (a score 0.0-10.0),
``partialFingerprints`` to track a result across commits, and results need a physical location
to be shown inline in a pull request.

Mapping:

- one SARIF ``result`` per report finding, in the report's order;
- ``ruleId`` is the finding's ``id`` (stable: see ``sagemaker/findings.py``); each rule appears
  once in ``tool.driver.rules``, ``ruleIndex`` points at it;
- ``level``: high -> ``error``, medium -> ``warning``, low and info -> ``note``; the finding's
  own severity is kept in ``properties.severity``;
- locations, when policy files were checked (``--policy-file``/``--boundary-file``): the
  statement the finding names (``evidence.policy`` + ``evidence.index``, or each
  ``evidence.allowed_by[]`` entry) located in the file's text (line and column of the
  statement object's ``{`` to its ``}``); a finding that names a policy but no statement, or only
  the role, points at the policy's ``Statement`` element, else at line 1 of the first policy
  file. A statement that cannot be located in the text (a URL-encoded document inside
  get-policy-version output) points at line 1 of its file. Without policy files (live or
  snapshot checks) results carry logical locations only (the role ARN / policy name).
- ``runs[0].properties`` carries the report's ``verdict``, ``domain`` and ``catalog``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..sagemaker.findings import RULES as FINDING_RULES

__all__ = [
    "SARIF_VERSION",
    "SARIF_SCHEMA_URI",
    "RULES",
    "PolicySource",
    "policy_sources",
    "statement_spans",
    "report_to_sarif",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://docs.aws.amazon.com/sagemaker/latest/dg/domain-resource-isolation.html"

#: Known finding ids -> one-line rule description (SARIF shortDescription and fullDescription),
#: from the rule registry (``sagemaker/findings.py``: ``RULES``, each rule's ``title``).
#: An id not listed here still gets a rule, described by its first finding's title.
RULES: dict[str, str] = {r.id: r.title for r in FINDING_RULES.values()}

_LEVEL = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning maps security-severity > 7.0 to high, 4.0-6.9 medium, 0.1-3.9 low.
_SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "2.0", "info": "0.0"}
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2, "info": 3}


@dataclass(frozen=True)
class PolicySource:
    """A checked policy file: ``name`` (the policy name in the report), ``path`` (as given on the
    command line), ``text`` (the file's content) and ``kind`` (``"identity"`` or ``"boundary"``)."""

    name: str
    path: str
    text: str
    kind: str = "identity"


def policy_sources(
    files: Sequence[tuple[str, str | os.PathLike]], boundary: tuple[str, str | os.PathLike] | None
) -> list[PolicySource]:
    """Read the policy files of an offline check into :class:`PolicySource` objects.

    Args:
        files: ``[(policy name, path), ...]`` for ``--policy-file`` (names as the report uses).
        boundary: ``(policy name, path)`` for ``--boundary-file``, or None.

    Returns:
        One PolicySource per file, boundary last.

    Raises:
        OSError, UnicodeDecodeError: a file cannot be read as UTF-8 text.
    """
    out = [PolicySource(n, str(p), Path(p).read_text(encoding="utf-8")) for n, p in files]
    if boundary is not None:
        n, p = boundary
        out.append(PolicySource(n, str(p), Path(p).read_text(encoding="utf-8"), "boundary"))
    return out


# -- locating statements in JSON text ----------------------------------------------------------

_WS = " \t\r\n"


class _Scanner:
    """Minimal JSON scanner that records the text span of every ``Statement`` element.

    Records, for each object key named ``Statement`` (any depth): the span of the value, and
    for an array value the span of each element. Spans are ``(start, end)`` offsets (end
    exclusive). Invalid JSON raises ``ValueError``.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()
        self.found: list[tuple[tuple[int, int], list[tuple[int, int]]]] = []

    def skip(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in _WS:
            pos += 1
        return pos

    def value(self, pos: int, key: str | None = None) -> int:
        """Scan one value at ``pos``; return the offset after it."""
        pos = self.skip(pos)
        if pos >= len(self.text):
            raise ValueError("unexpected end of JSON text")
        ch = self.text[pos]
        if ch == "{":
            end = self.obj(pos)
            if key == "Statement":
                self.found.append(((pos, end), [(pos, end)]))
            return end
        if ch == "[":
            elems: list[tuple[int, int]] = []
            end = self.arr(pos, elems)
            if key == "Statement":
                self.found.append(((pos, end), elems))
            return end
        _, end = self.decoder.raw_decode(self.text, pos)
        return end

    def obj(self, pos: int) -> int:
        pos = self.skip(pos + 1)
        if self.text.startswith("}", pos):
            return pos + 1
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                raise ValueError(f"expected a key at offset {pos}")
            name, pos = self.decoder.raw_decode(self.text, pos)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise ValueError(f"expected ':' at offset {pos}")
            pos = self.skip(self.value(pos + 1, name))
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("}", pos):
                return pos + 1
            raise ValueError(f"expected ',' or '}}' at offset {pos}")

    def arr(self, pos: int, elems: list[tuple[int, int]]) -> int:
        pos = self.skip(pos + 1)
        if self.text.startswith("]", pos):
            return pos + 1
        while True:
            start = self.skip(pos)
            end = self.value(start)
            elems.append((start, end))
            pos = self.skip(end)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("]", pos):
                return pos + 1
            raise ValueError(f"expected ',' or ']' at offset {pos}")


def statement_spans(text: str) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """Where the policy's statements are in a policy file's text.

    Handles every file shape ``check --policy-file`` reads (bare document, get-policy-version
    output, get-role-policy output, ``{"name", "document"}``): the first ``Statement`` key found
    (depth-first, in text order) is the policy's.

    Args:
        text: the file's content.

    Returns:
        ``(statement_element_span, [statement_span, ...])``: offsets ``(start, end)`` of the
        ``Statement`` value and of each statement object, in order (one entry when
        ``Statement`` is a single object). ``(None, [])`` when the text is not JSON or has no
        ``Statement`` key (e.g. a URL-encoded document string).
    """
    scanner = _Scanner(text)
    try:
        start = scanner.skip(0)
        if text.startswith("\ufeff", start):
            start += 1
        scanner.value(start)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to be a policy
        return None, []
    if not scanner.found:
        return None, []
    element, elems = scanner.found[0]
    return element, elems


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in UTF-16-agnostic characters) of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _region(text: str, span: tuple[int, int]) -> dict:
    start_line, start_col = _line_col(text, span[0])
    end_line, end_col = _line_col(text, span[1])
    return {
        "startLine": start_line,
        "startColumn": start_col,
        "endLine": end_line,
        "endColumn": end_col,
    }


def _uri(path: str, base_dir: str | None) -> str:
    """A relative URI (forward slashes) when ``path`` is under ``base_dir`` (default: cwd), else
    an absolute ``file://`` URI."""
    p = Path(path)
    base = Path(base_dir) if base_dir else Path.cwd()
    if not p.is_absolute():
        p = (base / p) if base_dir else (Path.cwd() / p)
    try:
        rel = p.resolve().relative_to(base.resolve())
    except ValueError:
        return p.resolve().as_uri()
    return str(PurePosixPath(*rel.parts))


# -- report -> SARIF ---------------------------------------------------------------------------


def _refs(evidence: object) -> list[dict]:
    """Statement references a finding's evidence names: ``[{"policy", "index"?, "sid"?}]``."""
    if not isinstance(evidence, Mapping):
        return []
    out: list[dict] = []
    if isinstance(evidence.get("policy"), str):
        out.append(
            {
                "policy": evidence["policy"],
                "index": evidence.get("index"),
                "sid": evidence.get("sid"),
            }
        )
    for ref in evidence.get("allowed_by") or []:
        if isinstance(ref, Mapping) and isinstance(ref.get("policy"), str):
            out.append({"policy": ref["policy"], "index": ref.get("index"), "sid": ref.get("sid")})
    if not out:
        for name in evidence.get("policies") or []:
            if isinstance(name, str):
                out.append({"policy": name, "index": None, "sid": None})
    seen, unique = set(), []
    for ref in out:
        key = (ref["policy"], ref["index"])
        if key not in seen:
            seen.add(key)
            unique.append(ref)
    return unique


class _Locator:
    """Maps policy names to file locations, caching each file's statement spans."""

    def __init__(self, sources: Iterable[PolicySource], base_dir: str | None) -> None:
        self.sources = {s.name: s for s in sources}
        self.first = next(iter(self.sources.values()), None)
        self.base_dir = base_dir
        self.spans: dict[str, tuple] = {}

    def _spans(self, src: PolicySource) -> tuple:
        if src.name not in self.spans:
            self.spans[src.name] = statement_spans(src.text)
        return self.spans[src.name]

    def physical(self, src: PolicySource, index: object) -> dict:
        element, elems = self._spans(src)
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(elems):
            region = _region(src.text, elems[index])
        elif element is not None:
            region = _region(src.text, element)
        else:
            region = {"startLine": 1, "startColumn": 1}
        return {
            "artifactLocation": {"uri": _uri(src.path, self.base_dir)},
            "region": region,
        }

    def locations(self, finding: Mapping) -> list[dict]:
        refs = _refs(finding.get("evidence"))
        locs: list[dict] = []
        for ref in refs:
            loc: dict = {}
            src = self.sources.get(ref["policy"])
            if src is not None:
                loc["physicalLocation"] = self.physical(src, ref["index"])
            statement = (
                f"Sid {ref['sid']}"
                if ref.get("sid")
                else (f"statement #{ref['index']}" if ref.get("index") is not None else None)
            )
            logical = {"name": ref["policy"], "kind": "module"}
            if statement:
                logical["fullyQualifiedName"] = f"{ref['policy']} ({statement})"
            loc["logicalLocations"] = [logical]
            locs.append(loc)
        if not any("physicalLocation" in loc for loc in locs) and self.first is not None:
            # Role-wide finding of an offline check: the role is the set of checked files.
            locs.insert(0, {"physicalLocation": self.physical(self.first, None)})
        role = finding.get("role")
        if isinstance(role, str) and role:
            role_loc = {"name": role, "kind": "object"}
            if locs:
                locs[0].setdefault("logicalLocations", []).append(role_loc)
            else:
                locs.append({"logicalLocations": [role_loc]})
        return locs


def _fingerprint(finding: Mapping, locs: list[dict]) -> str:
    """Stable id of a finding across runs: rule, role, first statement reference, title."""
    refs = _refs(finding.get("evidence"))
    first = refs[0] if refs else {}
    key = json.dumps(
        [
            finding.get("id"),
            finding.get("role"),
            first.get("policy"),
            first.get("index"),
            finding.get("title"),
        ],
        sort_keys=True,
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) and value.strip() else default


def _rule(fid: str, severity: str, finding: Mapping) -> dict:
    """The SARIF rule of finding id ``fid``, from its first finding."""
    description = RULES.get(fid) or _text(finding.get("title"), fid)
    return {
        "id": fid,
        "name": "".join(part.capitalize() for part in fid.split("-")),
        "shortDescription": {"text": description},
        "fullDescription": {"text": description},
        "help": {"text": _text(finding.get("fix"), description)},
        "defaultConfiguration": {"level": _LEVEL[severity]},
        "properties": {
            "tags": ["security", "iam", "sagemaker"],
            "security-severity": _SECURITY_SEVERITY[severity],
        },
    }


def report_to_sarif(
    report: Mapping,
    policy_files: Iterable[PolicySource] = (),
    *,
    base_dir: str | None = None,
    tool_version: str | None = None,
) -> dict:
    """Convert an isolation report (docs/ARCHITECTURE.md §7) to a SARIF 2.1.0 log.

    Args:
        report: the dict ``analyze`` returns (uses ``findings``, ``verdict``, ``domain``,
            ``catalog``, ``tool_version``).
        policy_files: the checked policy files (offline checks), to locate statements.
        base_dir: directory URIs are made relative to (default: the current directory, i.e. the
            repository root in CI). Files outside it get absolute ``file://`` URIs.
        tool_version: overrides ``report["tool_version"]``.

    Returns:
        The SARIF log as a JSON-ready dict with one run.

    Raises:
        ValueError: ``report`` is not a mapping or its ``findings`` is not a list.
    """
    if not isinstance(report, Mapping):
        raise ValueError(f"report must be a JSON object, got {type(report).__name__}")
    findings = report.get("findings") or []
    if not isinstance(findings, list):
        raise ValueError("report['findings'] must be a list")
    locator = _Locator(policy_files, base_dir)
    version = tool_version or _text(report.get("tool_version"), "0.0.0")

    rules: list[dict] = []
    rule_index: dict[str, int] = {}
    results: list[dict] = []
    for finding in findings:
        if not isinstance(finding, Mapping):
            continue
        fid = _text(finding.get("id"), "unknown-finding")
        severity = finding.get("severity") if finding.get("severity") in _LEVEL else "medium"
        if fid not in rule_index:
            rule_index[fid] = len(rules)
            rules.append(_rule(fid, severity, finding))
        else:  # the rule's severity is the worst of its findings
            rule = rules[rule_index[fid]]
            level_rank = {"error": 0, "warning": 1, "note": 2}
            if level_rank[_LEVEL[severity]] < level_rank[rule["defaultConfiguration"]["level"]]:
                rule["defaultConfiguration"]["level"] = _LEVEL[severity]
            current = float(rule["properties"]["security-severity"])
            rule["properties"]["security-severity"] = str(
                max(current, float(_SECURITY_SEVERITY[severity]))
            )
        title = _text(finding.get("title"), fid)
        detail = _text(finding.get("detail"), "")
        fix = _text(finding.get("fix"), "")
        message = title
        if detail:
            message += f"\n\n{detail}"
        if fix:
            message += f"\n\nFix: {fix}"
        locs = locator.locations(finding)
        result: dict = {
            "ruleId": fid,
            "ruleIndex": rule_index[fid],
            "level": _LEVEL[severity],
            "message": {"text": message},
            "partialFingerprints": {"sagemakerIsolationFinding/v1": _fingerprint(finding, locs)},
            "properties": {"severity": severity},
        }
        if locs:
            result["locations"] = locs[:1]
            if len(locs) > 1:
                result["relatedLocations"] = [
                    dict(loc, id=i) for i, loc in enumerate(locs[1:], start=1)
                ]
        if isinstance(finding.get("role"), str):
            result["properties"]["role"] = finding["role"]
        results.append(result)

    artifacts = []
    for src in locator.sources.values():
        artifacts.append(
            {
                "location": {"uri": _uri(src.path, base_dir)},
                "roles": ["analysisTarget"],
                "mimeType": "application/json",
            }
        )
    domain = report.get("domain") if isinstance(report.get("domain"), Mapping) else {}
    catalog = report.get("catalog") if isinstance(report.get("catalog"), Mapping) else {}
    run: dict = {
        "tool": {
            "driver": {
                "name": "sagemaker-isolation",
                "version": version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "results": results,
        "invocations": [{"executionSuccessful": True}],
        "properties": {
            "verdict": report.get("verdict", "unknown"),
            "domain": {"id": domain.get("id"), "arn": domain.get("arn")},
            "catalog": {"source": catalog.get("source"), "version": catalog.get("version")},
        },
    }
    if artifacts:
        run["artifacts"] = artifacts
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
