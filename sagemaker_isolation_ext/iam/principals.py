"""Who is asking: the request principal, and how a resource-based policy's Principal names it.

Sources (IAM User Guide):
- "AWS JSON policy elements: Principal": principals are named by account (``"123456789012"`` or
  ``"arn:aws:iam::123456789012:root"``: the account *delegates* to its identity policies), by IAM
  role ARN, by role session ARN (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``), by IAM user
  ARN, or ``"*"`` (everyone). "You cannot use a wildcard to match part of a principal name or
  ARN": a ``*`` inside a Principal value is literal text here.
- "Permissions boundaries for IAM entities", section "Resource-based policies": within an
  account, an implicit deny in a permissions boundary does *not* limit what a resource-based
  policy grants to an IAM user ARN or directly to a session principal (assumed-role ARN), but it
  *does* limit what is granted to the underlying IAM role ARN.
- "Session policies" (IAM User Guide, "Policies and permissions in IAM"): permissions a
  resource-based policy grants to the role (or user) ARN are added before the session is created
  and are limited by the session policy; those granted to the session ARN are added after and are
  not limited by it.
- Role names are unique within an account whatever their path, and "are not distinguished by
  case" (IAM API Reference, CreateRole, RoleName; IAM User Guide, "IAM identifiers"), so a role
  ARN with a path names the same role as the session's ``assumed-role/ROLE`` part, compared
  case-insensitively.

Grant kinds returned by :func:`grant_kind`:
- ``"direct"``: the statement names this very session, this IAM user, or everyone (``"*"``).
  *Reading* for ``"*"``: AWS does not say whether a grant to everyone is limited by a
  permissions boundary or session policy; we treat it as a direct grant (not limited), the
  reading that can only turn a deny into an allow, never the reverse — so it cannot produce a
  false "isolated".
- ``"role"``: the statement names the underlying IAM role (limited by boundary and session policy).
- ``"account"``: the statement names the principal's account (the account delegates: the
  identity-based policies must allow, as if no resource policy granted anything).
- ``None``: the statement does not name this principal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RequestPrincipal", "principal_of", "grant_kind", "GRANT_KINDS"]

GRANT_KINDS = ("direct", "role", "account")

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_SESSION_RE = re.compile(r"^arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/(.+)$")
_ROLE_RE = re.compile(r"^arn:([^:]+):iam::(\d{12}):role/(?:.*/)?([^/]+)$")
_USER_RE = re.compile(r"^arn:([^:]+):iam::(\d{12}):user/(?:.*/)?([^/]+)$")
_ROOT_RE = re.compile(r"^arn:([^:]+):iam::(\d{12}):root$")


@dataclass(frozen=True)
class RequestPrincipal:
    """The request principal, decomposed.

    Attributes:
        arn: the principal ARN as given.
        kind: ``"session"`` (assumed-role session), ``"role"``, ``"user"``, ``"root"`` or
            ``"other"`` (not an IAM ARN we recognise).
        account: the 12-digit account id, or None.
        role_name: the role name (sessions and roles) as given; compared case-insensitively
            (see the module docstring).
        user_name: the IAM user name (users), as given.
    """

    arn: str
    kind: str
    account: str | None
    role_name: str | None = None
    user_name: str | None = None


def principal_of(arn: str, context_principal_arn: str | None = None) -> RequestPrincipal:
    """Decompose a request principal ARN.

    Args:
        arn: the request principal (``Request.principal``), e.g.
            ``arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker``.
        context_principal_arn: ``aws:PrincipalArn`` from the context when present (for a session
            this is the role ARN; used when ``arn`` itself is not recognised).

    Returns:
        a :class:`RequestPrincipal` (kind ``"other"`` when neither ARN is recognised).
    """
    for candidate in (arn, context_principal_arn):
        if not isinstance(candidate, str):
            continue
        m = _SESSION_RE.match(candidate)
        if m:
            return RequestPrincipal(arn, "session", m.group(2), role_name=m.group(3))
        m = _ROLE_RE.match(candidate)
        if m:
            return RequestPrincipal(arn, "role", m.group(2), role_name=m.group(3))
        m = _USER_RE.match(candidate)
        if m:
            return RequestPrincipal(arn, "user", m.group(2), user_name=m.group(3))
        m = _ROOT_RE.match(candidate)
        if m:
            return RequestPrincipal(arn, "root", m.group(2))
    return RequestPrincipal(arn, "other", None)


def _entry_kind(entry: str, who: RequestPrincipal) -> str | None:
    """How one ``Principal.AWS`` entry names ``who`` (see module docstring)."""
    if entry == "*":
        return "direct"
    if _ACCOUNT_RE.match(entry):
        return "account" if entry == who.account else None
    m = _ROOT_RE.match(entry)
    if m:
        return "account" if m.group(2) == who.account else None
    m = _SESSION_RE.match(entry)
    if m:
        return "direct" if who.kind == "session" and entry == who.arn else None
    m = _ROLE_RE.match(entry)
    if m:
        same = (
            who.kind in ("session", "role")
            and m.group(2) == who.account
            and who.role_name is not None
            and m.group(3).lower() == who.role_name.lower()
        )
        return "role" if same else None
    m = _USER_RE.match(entry)
    if m:
        same = (
            who.kind == "user"
            and m.group(2) == who.account
            and who.user_name is not None
            and m.group(3).lower() == who.user_name.lower()
        )
        return "direct" if same else None
    return None


_RANK = {"direct": 3, "role": 2, "account": 1}


def grant_kind(principal, who: RequestPrincipal) -> str | None:
    """How a normalised ``Principal`` value names ``who``.

    Args:
        principal: :attr:`Statement.principal` (``"*"`` or ``{type: tuple[str, ...]}``).
        who: the request principal.

    Returns:
        the strongest of ``"direct"`` > ``"role"`` > ``"account"`` among the entries naming
        ``who``, or None. Only the ``AWS`` principal type can name an IAM principal (``Service``,
        ``Federated`` and ``CanonicalUser`` entries never match here).
    """
    if principal == "*":
        return "direct"
    best = None
    for entry in principal.get("AWS", ()):
        k = _entry_kind(entry, who)
        if k is not None and (best is None or _RANK[k] > _RANK[best]):
            best = k
    return best
