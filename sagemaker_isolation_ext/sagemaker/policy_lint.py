"""Lint rules that need the SageMaker catalog, added to :func:`iam.lint.lint_policy`'s findings.

``lint_policy_for_sagemaker(document, name, catalog=..., kind=..., policy_type=...)`` returns the
generic findings of :func:`sagemaker_isolation_ext.iam.lint.lint_policy` plus:

=========================  ========  ==========================================================
id                         severity  what
=========================  ========  ==========================================================
``key-never-present``      warning   a condition key none of the statement's ``sagemaker:``
                                     actions can carry (any operator, ``ForAnyValue:`` /
                                     ``ForAllValues:`` included), by
                                     :meth:`Catalog.key_never_present` (the function the
                                     isolation analysis uses)
``resource-tag-on-create`` warning   an ``aws:ResourceTag/`` or ``sagemaker:ResourceTag/``
                                     condition on a statement whose actions create the
                                     resource (``CreateSpace``, ``CreateApp``, ``Create*``):
                                     the new resource has no tags when the request is checked
``pattern-spans-types``    info      a SageMaker resource pattern whose resource-type part is a
                                     wildcard (``arn:aws:sagemaker:*:*:*/d-abc/*``), so it
                                     matches several resource types
=========================  ========  ==========================================================

Which ``Create*`` action creates the resource it is authorised on comes from the committed
``Create*`` table (:mod:`.create_reach`, kinds ``"new"`` and ``"inside"``); ``CreatePresigned*``
URLs open existing resources and are not counted. Sources: Service Authorization Reference,
"Actions, resources, and condition keys for Amazon SageMaker AI" (through the catalog); IAM User
Guide, "Controlling access to AWS resources using tags" (``aws:ResourceTag`` is the tag on the
resource the request acts on; a resource being created has none: use ``aws:RequestTag``).
"""

from __future__ import annotations

import re
from typing import Any

from ..iam.conditions import TRUE, compile_condition
from ..iam.lint import _finding, _strings, lint_policy
from ..iam.request_context import RequestContext
from .create_reach import create_reach

__all__ = ["lint_policy_for_sagemaker", "sagemaker_findings", "SAGEMAKER_FINDING_IDS"]

SAGEMAKER_FINDING_IDS = ("key-never-present", "resource-tag-on-create", "pattern-spans-types")

_SAGEMAKER_ARN = re.compile(r"^arn:[^:]*:sagemaker:[^:]*:[^:]*:(?P<res>.+)$", re.I)


def lint_policy_for_sagemaker(
    document: dict | str,
    name: str,
    catalog: Any,
    *,
    kind: str = "identity",
    policy_type: str = "managed",
) -> list[dict]:
    """Lint one policy with the generic rules and the catalog's SageMaker rules.

    Args:
        document: the policy (dict or JSON text).
        name: a name for messages.
        catalog: a :class:`~.catalog.Catalog` (``load_catalog()``).
        kind, policy_type: as :func:`~sagemaker_isolation_ext.iam.lint.lint_policy`.

    Returns:
        the findings (shape of ``lint_policy``), document-level first, then by statement index
        (the generic findings of a statement before the SageMaker ones).

    Raises:
        ValueError: ``kind`` or ``policy_type`` unknown (as ``lint_policy``).
    """
    findings = lint_policy(document, name, kind=kind, policy_type=policy_type)
    if any(f["id"] == "json-invalid" for f in findings):
        return findings
    if isinstance(document, (str, bytes)):
        import json

        document = json.loads(document)
    extra = sagemaker_findings(document, name, catalog)
    if not extra:
        return findings
    merged = findings + extra
    merged.sort(key=lambda f: -1 if f["statement_index"] is None else f["statement_index"])
    return merged


def _expand(patterns: list[str], catalog: Any) -> tuple[list[str], bool]:
    """``(sagemaker actions of the catalog the patterns match, any non-sagemaker pattern)``."""
    names = list(catalog.actions)
    out: dict[str, None] = {}
    other = False
    for p in patterns:
        if p == "*":
            other = True
            out.update(dict.fromkeys(names))
            continue
        service, _, _ = p.partition(":")
        if service.lower() != "sagemaker":
            other = True
            continue
        rx = re.compile(
            "^" + re.escape(p).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.IGNORECASE
        )
        out.update(dict.fromkeys(n for n in names if rx.match(n)))
    return list(out), other


def _creates(action: str, catalog: Any) -> bool:
    """Whether ``action`` creates (new, or new inside a parent) a resource it is authorised on."""
    info = catalog.actions.get(action)
    short = action.split(":", 1)[1]
    if info is None or not short.startswith("Create") or short.startswith("CreatePresigned"):
        return False
    return any(create_reach(action, r.key).kind in ("new", "inside") for r in info.resource_types)


def _short_list(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _absent_result(op: str, key: str, values: Any = "x") -> bool | None:
    """What the engine's condition gives when ``key`` is absent (None: not evaluable)."""
    items = values if isinstance(values, list) else [values]
    texts = tuple(
        ("true" if v else "false") if isinstance(v, bool) else str(v)
        for v in items
        if isinstance(v, (str, bool, int, float))
    ) or ("x",)
    try:
        code = compile_condition((op, key, texts), True, "lint")(RequestContext({}))
    except Exception:  # noqa: BLE001 - a malformed operator/value is the generic lint's finding
        return None
    return code == TRUE


def sagemaker_findings(document: dict, name: str, catalog: Any) -> list[dict]:
    """The catalog-based findings of one parsed policy document (see the module table).

    Args:
        document: the policy as a dict (statements that are not objects are skipped; the
            generic lint reports them).
        name: a name for messages.
        catalog: a :class:`~.catalog.Catalog`.

    Returns:
        findings in :func:`~sagemaker_isolation_ext.iam.lint.lint_policy`'s shape, by statement.
    """
    raw = document.get("Statement") if isinstance(document, dict) else None
    statements = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    out: list[dict] = []
    for i, st in enumerate(statements):
        if isinstance(st, dict):
            out.extend(_statement(st, i, name, catalog))
    return out


def _statement(st: dict, i: int, name: str, catalog: Any) -> list[dict]:
    out: list[dict] = []
    sid = st.get("Sid") if isinstance(st.get("Sid"), str) else None
    where = f"policy {name!r} statement #{i}" + (f" (Sid {sid!r})" if sid is not None else "")

    def add(fid: str, severity: str, problem: str, field: str) -> None:
        out.append(_finding(fid, severity, f"{where}: {problem}", i, sid, field))

    effect = st.get("Effect")
    actions, other = (
        ([], True) if "Action" not in st else _expand(_strings(st.get("Action")), catalog)
    )
    cond = st.get("Condition")
    if isinstance(cond, dict) and actions:
        creating = [a for a in actions if _creates(a, catalog)]
        for op, block in cond.items():
            if not isinstance(block, dict) or not isinstance(op, str):
                continue
            for key in block:
                if not isinstance(key, str):
                    continue
                low = key.lower()
                if creating and (
                    low.startswith("aws:resourcetag/") or low.startswith("sagemaker:resourcetag/")
                ):
                    tag = key.split("/", 1)[1]
                    add(
                        "resource-tag-on-create",
                        "warning",
                        f"{op} on {key!r} applies to actions that create the resource "
                        f"({_short_list(creating)}): a resource being created has no tags yet, "
                        f"so for these requests {key!r} is missing"
                        + (
                            " and this Allow does not grant them"
                            if effect == "Allow" and _absent_result(op, key, block[key]) is False
                            else ""
                        )
                        + f"; check the tags a create request carries with "
                        f"aws:RequestTag/{tag} in a separate statement",
                        "Condition",
                    )
                if other and not low.startswith("sagemaker:"):
                    continue  # a non-SageMaker action may carry aws: keys
                if all(catalog.key_never_present(a, key) for a in actions):
                    absent = _absent_result(op, key, block[key])
                    if absent is None:
                        continue
                    if absent:
                        effect_words = "the condition is always met" + (
                            ", so this Deny applies whatever the request"
                            if effect == "Deny"
                            else " (it restricts nothing)"
                        )
                    else:
                        effect_words = "the condition is never met, so this " + (
                            "Deny never applies" if effect == "Deny" else "Allow grants nothing"
                        )
                    add(
                        "key-never-present",
                        "warning",
                        f"{op} on {key!r}: none of this statement's actions "
                        f"({_short_list(actions)}) can carry {key!r} (Service Authorization "
                        f"Reference): the key is always missing and {effect_words}",
                        "Condition",
                    )
    for fld in ("Resource", "NotResource"):
        for r in _strings(st.get(fld)):
            m = _SAGEMAKER_ARN.match(r)
            if not m or "/" not in m.group("res"):
                continue
            res = m.group("res")
            type_part = res.split("/", 1)[0]
            if "*" not in type_part and "?" not in type_part:
                continue
            rx = re.compile(
                "^" + re.escape(type_part).replace(r"\*", ".*").replace(r"\?", ".") + "$"
            )
            depth = res.count("/")
            types = [
                k
                for k, rt in catalog.resource_types.items()
                if rx.match(k) and rt.arn_format.split(":", 5)[-1].count("/") >= depth
            ]
            if len(types) < 2:
                continue
            add(
                "pattern-spans-types",
                "info",
                f"{fld} {r!r} has a wildcard where the resource type goes, so it matches "
                f"{len(types)} resource types ({_short_list(types, 6)}); write one ARN per "
                "type (for example 'arn:aws:sagemaker:*:*:space/...') to say which ones you mean",
                fld,
            )
    return out
