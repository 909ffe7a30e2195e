"""Policy statements as the request-space analyses read them.

Shared by the cross-domain analysis (:mod:`.cross_domain`) and the within-domain one
(:mod:`.within_domain`): which statements apply to an action, the atoms
(:class:`.request_space.Atom`) through which a statement can tell requests apart, whether a
policy mentions a caller key, and which keys are absent on an action's requests. Pure: no AWS
I/O, no Jupyter.
"""

from __future__ import annotations

from ..iam import PolicySet
from ..iam.arn import globs_matcher
from ..iam.conditions import parse_operator
from ..iam.request_context import RequestContext
from ..iam.variables import UNRESOLVED, Template, Unknown, parse_template
from .catalog import Catalog
from .request_space import DOMAIN_TAG_KEYS, Atom

__all__ = [
    "TAG_CONTEXT_KEYS",
    "Stmt",
    "policy_statements",
    "allowing_statements",
    "condition_keys",
    "mentions",
    "statement_atoms",
    "condition_atom",
    "absent_keys",
]

#: The request-context keys of the resource's ``sagemaker:domain-arn`` tag (both spellings).
TAG_CONTEXT_KEYS = (
    "aws:ResourceTag/sagemaker:domain-arn",
    "sagemaker:ResourceTag/sagemaker:domain-arn",
)
_EXISTING_ABSENT = "sagemaker:TaggingAction"

# Operator family -> (atom kind, ignore case) for conditions on a single-valued key.
_FAMILY = {
    "StringEquals": ("literal", False),
    "StringNotEquals": ("literal", False),
    "StringEqualsIgnoreCase": ("literal", True),
    "StringNotEqualsIgnoreCase": ("literal", True),
    "StringLike": ("glob", False),
    "StringNotLike": ("glob", False),
    "ArnEquals": ("arn", False),
    "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", False),
    "ArnNotLike": ("arn", False),
    "Bool": ("literal", True),
    "BinaryEquals": ("literal", False),
}


class Stmt:
    """One statement of one policy, with a matcher for the actions it applies to.

    Args:
        policy: the parsed policy holding the statement (``iam.Policy``; its
            ``variables_enabled`` says whether ``${...}`` are policy variables).
        st: the parsed statement (``iam`` statement: ``effect``, ``actions`` / ``not_actions``,
            ``resources`` / ``not_resources``, ``conditions`` as ``(operator, key, values)``).
        identity: True for an identity policy's statement, False for the permissions
            boundary's.
    """

    __slots__ = ("policy", "st", "identity", "matcher", "negate")

    def __init__(self, policy, st, identity: bool) -> None:
        self.policy = policy
        self.st = st
        self.identity = identity
        pats = st.actions if st.actions is not None else st.not_actions
        self.negate = st.actions is None
        self.matcher = globs_matcher(tuple(p.lower() for p in pats), True)

    def applies(self, action_lower: str) -> bool:
        """Whether the statement's Action (or NotAction) element covers ``action_lower``
        (the action name lower-cased, e.g. ``"sagemaker:describespace"``)."""
        hit = self.matcher(action_lower)
        return not hit if self.negate else hit


def policy_statements(policy_set: PolicySet) -> list[Stmt]:
    """Every statement of the identity policies, then of the boundary (when there is one).

    Args:
        policy_set: the role's policies.

    Returns:
        list of :class:`Stmt`, in policy order.
    """
    stmts = [Stmt(p, st, True) for p in policy_set.identity for st in p.statements]
    if policy_set.boundary is not None:
        stmts += [Stmt(policy_set.boundary, st, False) for st in policy_set.boundary.statements]
    return stmts


def allowing_statements(stmts: list[Stmt], action: str) -> list[Stmt] | None:
    """The statements that apply to ``action``, or None when no identity policy's Allow
    statement applies (no request for the action can then be allowed).

    Args:
        stmts: the role's statements (:func:`policy_statements`).
        action: the action name (any case).

    Returns:
        list of :class:`Stmt` in the order of ``stmts``, or None.
    """
    low = action.lower()
    app = [s for s in stmts if s.applies(low)]
    if any(s.identity and s.st.effect == "Allow" for s in app):
        return app
    return None


def condition_keys(stmts: list[Stmt]) -> tuple[str, ...]:
    """The condition keys the statements name, lower-cased, sorted, each once."""
    return tuple(sorted({k.lower() for s in stmts for _op, k, _v in s.st.conditions}))


def mentions(policies, key_lower: str) -> bool:
    """Whether any policy names the condition key ``key_lower`` (lower-cased): as a condition's
    key, or as a policy variable in a condition value or a Resource/NotResource element.

    Args:
        policies: parsed policies (each with ``statements``).
        key_lower: the key, lower-cased (e.g. ``"sagemaker:domainid"``).

    Returns:
        bool.
    """
    for p in policies:
        for st in p.statements:
            for _op, key, values in st.conditions:
                if key.lower() == key_lower:
                    return True
                if any("${" in v and key_lower in v.lower() for v in values):
                    return True
            for r in (st.resources or ()) + (st.not_resources or ()):
                if "${" in r and key_lower in r.lower():
                    return True
    return False


def _resolve(text: str, vars_on: bool, ctx: RequestContext, inexact: set) -> str | None:
    """A pattern for this world, or None when it cannot tell strings apart (unknown/unresolved)."""
    pv = parse_template(text, vars_on)
    if not isinstance(pv, Template):
        return pv
    if any(k.lower() in DOMAIN_TAG_KEYS for k in pv.keys):
        inexact.add("a policy variable reads the resource's domain tag")
        return None
    r = pv.resolve(ctx)
    if r is UNRESOLVED or isinstance(r, Unknown):
        return None
    return r


def statement_atoms(stmts: list[Stmt], ctx: RequestContext, inexact: set) -> tuple[tuple, tuple]:
    """The atoms of the applicable statements: one per Resource/NotResource element and one
    per condition on the domain tag (patterns ORed, as IAM does).

    Args:
        stmts: the statements that apply to the action(s) judged.
        ctx: the caller keys of this world (policy variables are resolved from it).
        inexact: a set that receives the reasons the analysis leaves the exact fragment.

    Returns:
        ``(ARN atoms, domain-tag atoms)``, each a tuple of :class:`.request_space.Atom`
        (an element that matches every ARN gives no atom).
    """
    arn: dict = {}
    tag: dict = {}
    for s in stmts:
        vars_on = s.policy.variables_enabled
        element = s.st.resources if s.st.resources is not None else s.st.not_resources
        pats = []
        for r in element or ():
            pat = _resolve(r, vars_on, ctx, inexact)
            if pat == "*":
                pats = []
                break  # matches every ARN: the element is constant
            if pat is not None:
                pats.append(pat)
        if pats:
            arn[Atom("glob", tuple(sorted(set(pats))), False, "arn")] = None
        for op, key, values in s.st.conditions:
            if key.lower() in DOMAIN_TAG_KEYS:
                atom = condition_atom(op, values, vars_on, ctx, inexact)
                if atom is not None:
                    tag[atom] = None
    return tuple(arn), tuple(tag)


def condition_atom(op: str, values, vars_on: bool, ctx: RequestContext, inexact: set):
    """The :class:`Atom` of one String/Arn condition on a single-valued key: its values ORed
    (policy variables resolved from ``ctx``; a variable that cannot be resolved is added to
    ``inexact``). None for another operator family or when no value can be read."""
    parsed = parse_operator(op)
    if parsed is None or parsed[0] not in _FAMILY:
        return None
    kind, icase = _FAMILY[parsed[0]]
    pats = []
    for v in values:
        pat = _resolve(v, vars_on, ctx, inexact)
        if pat is None:
            continue
        if kind == "arn" and pat != "*" and len(pat.split(":", 5)) != 6:
            continue  # the engine answers unknown for such a value, whatever the string
        pats.append(pat)
    return Atom(kind, tuple(sorted(set(pats))), icase, "tag") if pats else None


_ABSENT_CACHE: dict = {}


def absent_keys(catalog: Catalog, action: str, rt: str, keys: tuple, kind) -> tuple:
    """Keys absent on this action's requests: never-present request keys, and TaggingAction on
    requests that do not create (reading ``tagging-action-absent-on-existing``).

    Args:
        catalog: the action catalog (source: the Service Authorization Reference, via
            :meth:`.catalog.Catalog.key_never_present`).
        action: the action (``"sagemaker:..."``).
        rt: the resource type key.
        keys: the condition keys the policies name (:func:`condition_keys`).
        kind: the ``create_reach`` row kind for Create* actions (``"inside"`` keeps
            ``sagemaker:TaggingAction``), else None.

    Returns:
        tuple of key names (cached per catalog, action, type, keys and kind).
    """
    ck = (id(catalog), action, rt, keys, kind)
    got = _ABSENT_CACHE.get(ck)
    if got is not None:
        return got
    absent = tuple(k for k in keys if catalog.key_never_present(action, k, rt))
    if kind != "inside":
        absent += (_EXISTING_ABSENT,)
    if len(_ABSENT_CACHE) > 65536:
        _ABSENT_CACHE.clear()
    _ABSENT_CACHE[ck] = absent
    return absent
