"""Parse, normalise and validate IAM policy documents.

The grammar follows the AWS IAM User Guide, "IAM JSON policy element reference" and
"IAM JSON policy grammar": a document has ``Version`` (optional), ``Id`` (optional) and
``Statement`` (one object or a list); a statement has ``Sid`` (optional), ``Effect``
(``Allow`` | ``Deny``), exactly one of ``Action`` / ``NotAction``, at most one of ``Resource`` /
``NotResource`` (one is required in identity-based policies), ``Condition`` (optional), and in
resource-based policies ``Principal`` / ``NotPrincipal``.

Organizations policies (AWS Organizations User Guide, "SCP syntax" and "RCP syntax"):

- ``kind="scp"``: the identity grammar; ``Principal`` / ``NotPrincipal`` are refused (SCPs name
  no principal).
- ``kind="rcp"``: ``Version`` must be ``2012-10-17``; ``Principal`` is allowed and must be
  ``"*"`` (AWS's RCP examples all write ``"Principal": "*"``; *reading*: a statement without it
  reads as ``"*"``, the only value AWS accepts); ``NotPrincipal`` and ``NotAction`` are refused
  (not RCP elements); every action is ``"*"`` or names one of the services RCPs support
  (:data:`RCP_SERVICES`). *Reading*: ``Allow`` statements are accepted (AWS supports ``Allow``
  only in ``RCPFullAWSAccess``, which is attached at every level; a case that lists its own
  Allows gets them evaluated as written).

Normalisation: a string value becomes a one-element tuple; ``Condition`` becomes a tuple of
``(operator, key, values)`` triples with ``values`` a tuple of strings (JSON booleans and numbers
are rendered the way IAM stores them: ``true``/``false``, decimal digits).

Nothing here imports Jupyter, tornado, boto3 or botocore.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Union

import orjson

__all__ = [
    "PolicyError",
    "Statement",
    "Policy",
    "parse_policy",
    "parse_statement",
    "rcp_action_refused",
    "canonical_json",
    "key_json",
    "POLICY_KINDS",
    "RCP_SERVICES",
]

#: Policy kinds parse_policy understands. ``identity`` covers managed, inline, permissions
#: boundaries and session policies (which name no Principal); ``resource`` is a resource-based
#: policy (Principal/NotPrincipal required, Resource optional); ``scp`` and ``rcp`` are AWS
#: Organizations service and resource control policies (grammar in the module docstring).
POLICY_KINDS = ("identity", "resource", "scp", "rcp")

#: Service prefixes whose actions an RCP may name (AWS Organizations User Guide, "Resource
#: control policies (RCPs)", list of AWS services that support RCPs: Amazon S3, AWS STS, AWS KMS,
#: Amazon SQS, AWS Secrets Manager, Amazon Cognito, Amazon CloudWatch Logs, Amazon DynamoDB,
#: Amazon ECR, Amazon OpenSearch Serverless; the prefixes as AWS's examples in
#: github.com/aws-samples/resource-control-policy-examples write them).
RCP_SERVICES = frozenset(
    {
        "s3",
        "sts",
        "sqs",
        "kms",
        "secretsmanager",
        "cognito-identity",
        "cognito-idp",
        "logs",
        "dynamodb",
        "ecr",
        "aoss",
    }
)

_DOC_FIELDS = {"Version", "Id", "Statement"}
_STMT_FIELDS = {
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "Principal",
    "NotPrincipal",
}
_VERSIONS = ("2012-10-17", "2008-10-17")

#: Deepest nesting :mod:`.lint` accepts (a valid policy nests 6 levels: document, Statement list,
#: statement, Condition, operator, value list). :func:`parse_policy` itself never recurses over
#: the document: JSON decoding/encoding raise RecursionError on absurd depth, turned into
#: PolicyError, and every field check rejects nested values of the wrong shape.
MAX_DEPTH = 64  # the product-wide bound on JSON nesting (iam/jsondepth.py)
#: Longest JSON text accepted by :func:`parse_policy` (IAM's largest quota is 10,240 characters;
#: the margin allows pretty-printed and resource-based documents).
MAX_TEXT_CHARS = 1_000_000


#: Canonical JSON text (sorted keys, no spaces): the digest input.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
#: Compact JSON text in the value's own key order: the parse caches' key. Key order is kept
#: because the parse keeps it (Condition operators and keys are evaluated and explained in
#: document order), so two documents that differ only in key order never share a parse.
_KEY_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

#: The parse caches' keys and the digest's input when orjson encodes the document faithfully
#: (see _PARSED): compact UTF-8 JSON in the document's key order / with keys sorted.
_DUMPS = orjson.dumps
_SORT_KEYS = orjson.OPT_SORT_KEYS

#: The encoder's own string encoding (C), what the encoders above do for a str.
_ENCODE_STR = json.encoder.encode_basestring


def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value``: keys sorted, no spaces, non-ASCII kept as is.

    This is the text :attr:`Policy.digest` hashes.

    Raises:
        TypeError / ValueError: ``value`` is not plain JSON data; RecursionError: it nests
            absurdly deep.
    """
    return _CANONICAL(value)


def key_json(value: Any) -> str:
    """Compact JSON text of ``value`` in its own key order (non-ASCII kept as is): what the
    parse caches key on (a statement's text is what ``parse_policy(statement_keys=...)``
    takes).

    Raises:
        as :func:`canonical_json`.
    """
    return _KEY_JSON(value)


def _document_key(document: dict, given: Any) -> tuple[str, list[str] | None]:
    """``(key_json(document), key texts of its statements)``, assembling the first from the
    second so that each statement is encoded once and ``given`` texts (the caller's, one per
    statement or None) are not encoded again. Falls back to encoding the whole document
    (statement texts None) when its Statement is neither an object nor a list, or a key is not a
    string. Raises as :func:`key_json`."""
    raw = document.get("Statement")
    if isinstance(raw, dict):
        items, single = [raw], True
    elif isinstance(raw, list):
        items, single = raw, False
    else:
        return _KEY_JSON(document), None
    if given is not None and len(given) != len(items):
        given = None
    texts = []
    for j, st in enumerate(items):
        c = given[j] if given is not None else None
        texts.append(c if c is not None else _KEY_JSON(st))
    st_text = texts[0] if single else "[" + ",".join(texts) + "]"
    parts = []
    for k, v in document.items():
        if k.__class__ is not str:
            return _KEY_JSON(document), None
        if k == "Statement":
            vt = st_text
        else:
            vt = _ENCODE_STR(v) if v.__class__ is str else _KEY_JSON(v)
        parts.append(_ENCODE_STR(k) + ":" + vt)
    return "{" + ",".join(parts) + "}", texts


def _check_depth(document: Any, name: str) -> None:
    """Raise PolicyError when ``document`` nests deeper than :data:`MAX_DEPTH` (iterative)."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PolicyError(f"document nests deeper than {MAX_DEPTH} levels", policy=name)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


class PolicyError(ValueError):
    """A policy document is malformed.

    The message names the policy, the statement (0-based index and Sid when there is one) and the
    field, e.g. ``policy 'p0' statement #2 (Sid 'ListAPIs'): missing field 'Effect'``.

    Attributes:
        policy: the policy name given to :func:`parse_policy`.
        statement_index: 0-based statement position, or None for document-level problems.
        sid: the statement's Sid, or None.
        field: the offending field name (``"Effect"``, ``"Condition"``, ...), or None.
    """

    def __init__(
        self,
        problem: str,
        *,
        policy: str,
        statement_index: int | None = None,
        sid: str | None = None,
        field: str | None = None,
    ) -> None:
        where = f"policy {policy!r}"
        if statement_index is not None:
            where += f" statement #{statement_index}"
            if sid is not None:
                where += f" (Sid {sid!r})"
        super().__init__(f"{where}: {problem}")
        self.policy = policy
        self.statement_index = statement_index
        self.sid = sid
        self.field = field
        self.problem = problem


Condition = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class Statement:
    """One normalised statement.

    Attributes:
        index: 0-based position in the document's Statement list (0 for a single object).
        sid: the Sid, or None.
        effect: ``"Allow"`` or ``"Deny"``.
        actions / not_actions: tuple of action patterns (exactly one of them is set).
        resources / not_resources: tuple of ARN patterns, or None (both None only in a
            resource-based policy, where the resource is implied).
        conditions: tuple of ``(operator, key, values)``; ``operator`` exactly as written
            (operator names are case-sensitive in AWS), ``key`` as written (matched
            case-insensitively), ``values`` a tuple of strings.
        principal / not_principal: the raw Principal / NotPrincipal value (resource policies),
            normalised to a dict of ``{type: tuple[str, ...]}`` or the string ``"*"``.
    """

    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()
    principal: Any = None
    not_principal: Any = None


@dataclass(frozen=True)
class Policy:
    """A parsed policy.

    Attributes:
        name: the name the caller gave (policy name, inline policy name, file stem, ...).
        version: the document's ``Version``; ``"2008-10-17"`` when absent (AWS treats a document
            without Version as the old language, where ``${...}`` is literal text — IAM User
            Guide, "IAM JSON policy elements: Version").
        statements: the normalised statements, in document order.
        document: the original document (dict), untouched.
        digest: sha256 hex of the canonical JSON of ``document`` (sorted keys, no spaces, UTF-8;
            ``orjson.dumps(document, option=OPT_SORT_KEYS)``, or :func:`canonical_json` when
            orjson cannot encode the document): equal documents have equal digests whatever
            their key order (caches of the analysis key on it).
        kind: one of :data:`POLICY_KINDS`.
    """

    name: str
    version: str
    statements: tuple[Statement, ...]
    document: dict = field(repr=False, compare=False)
    digest: str = ""
    kind: str = "identity"

    @property
    def variables_enabled(self) -> bool:
        """True when ``${...}`` policy variables are substituted (Version 2012-10-17 only)."""
        return self.version == "2012-10-17"


def _scalar_to_str(value: Any) -> str | None:
    """Render a JSON scalar as IAM compares it; None for non-scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return None


def parse_policy(
    document: Union[dict, str],
    name: str,
    *,
    kind: str = "identity",
    statement_keys: Any = None,
) -> Policy:
    """Parse and validate a policy document.

    Args:
        document: the policy as a dict, or as a JSON string.
        name: a name for messages and for :class:`~sagemaker_isolation_ext.iam.StatementRef`.
        kind: ``"identity"`` (default: identity, boundary, session policy), ``"resource"``,
            ``"scp"`` or ``"rcp"`` (grammars in the module docstring).
        statement_keys: optional, one entry per statement of ``document`` (its single
            Statement object counts as one): the statement's :func:`key_json` text when the
            caller already has it, else None. A caller that passes a text that is not the
            statement's :func:`key_json` gets a wrong parse. Without it (the usual call) the
            parse caches key on orjson's encoding of the document and statements.

    Returns:
        a :class:`Policy` (cached: parsing the same document, key order included, under the
        same name and kind again returns the same object; statements are shared between
        documents that repeat them, at the same index).

    Raises:
        PolicyError: the document is not JSON, longer than :data:`MAX_TEXT_CHARS` or nested
            too deep to decode, not an object, has an unknown top-level field, no
            Statement, or a statement with: missing Effect, Effect not Allow/Deny, both or neither
            of Action/NotAction, both Resource and NotResource (or neither, in an identity
            policy), a Condition that is not an object, an operator whose value is not an object,
            a condition value that is not a string/number/boolean (or a list of them), or an
            unknown field; for ``scp`` / ``rcp`` also what their grammars refuse (module
            docstring). An *unknown condition operator* is accepted here; evaluation then
            gives ``unknown`` naming it.
    """
    if kind not in POLICY_KINDS:
        raise ValueError(f"kind must be one of {POLICY_KINDS}, not {kind!r}")
    if not isinstance(name, str):
        raise PolicyError("policy name must be a string", policy=str(name))
    if isinstance(document, (str, bytes)):
        if len(document) > MAX_TEXT_CHARS:
            raise PolicyError(
                f"document is {len(document)} characters, over the {MAX_TEXT_CHARS} accepted",
                policy=name,
            )
        try:
            document = json.loads(document)
        except RecursionError:
            raise PolicyError("document nests too deep", policy=name) from None
        except (ValueError, TypeError) as exc:
            raise PolicyError(f"not valid JSON ({exc})", policy=name) from None
    if not isinstance(document, dict):
        raise PolicyError(
            f"document must be a JSON object, not {type(document).__name__}", policy=name
        )
    fast = statement_keys is None
    if fast:
        try:
            key_text: Any = _DUMPS(document)
        except TypeError:  # orjson.JSONEncodeError is a TypeError: non-str key, big int, ...
            fast = False
        else:
            # orjson writes NaN and infinities as null: such a text is not the value's own
            if b"null" in key_text:
                fast = False
    if not fast:
        key_text, st_keys = _encoded(lambda: _document_key(document, statement_keys), name)
    key = (key_text, name, kind)
    hit = _PARSED.get(key)
    if hit is not None:
        _PARSED.move_to_end(key)
        return hit
    if fast:
        raw = document.get("Statement")
        items = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else None
        st_keys = [_DUMPS(st) for st in items] if items is not None else None
        canon = _DUMPS(document, option=_SORT_KEYS)
    else:
        # surrogatepass: a lone surrogate (valid in a JSON string) must not make hashing raise
        canon = _encoded(lambda: _CANONICAL(document).encode("utf-8", "surrogatepass"), name)
    policy = _parse_document(document, name, kind, canon, st_keys)
    global _parsed_chars
    _PARSED[key] = policy
    _parsed_chars += len(key_text)
    while len(_PARSED) > _PARSED_MAX or _parsed_chars > _PARSED_CHARS_MAX:
        old, _ = _PARSED.popitem(last=False)
        _parsed_chars -= len(old[0])
    return policy


def _encoded(encode: Any, name: str) -> Any:
    """``encode()`` (a json-module encoding of a document), its errors as PolicyError (the C
    encoders' own recursion guard rejects absurdly deep documents)."""
    try:
        return encode()
    except RecursionError:
        raise PolicyError("document nests too deep", policy=name) from None
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"document is not plain JSON data ({exc})", policy=name) from None


#: Parsed policies by (document text, name, kind): a Policy is immutable, so the same document
#: parsed again (every line of a ``simulate --cases`` file, every role of a domain) is free. The
#: text is ``orjson.dumps(document)`` (bytes, the document's own key order), or the
#: :func:`key_json` str when orjson cannot encode the document faithfully (a non-str key, an
#: integer past 64 bits, a lone surrogate, NaN): the two kinds of key never compare equal.
_PARSED: OrderedDict[tuple[str, str, str], Policy] = OrderedDict()
_PARSED_MAX = 4096
#: ... and at most this many characters of key text in all (documents can be large; a parsed
#: policy holds its decoded document and, once compiled, its compiled form, some 20 times its
#: text). Measured on scripts/gen_simulate_bench.py's files: 16 M made a file of distinct
#: documents take twice the CPU of no cache at all (288 MB held); 4 M keeps the repeat-heavy
#: file's documents and costs the distinct file little.
_PARSED_CHARS_MAX = 4_000_000
_parsed_chars = 0


#: Parsed statements by (text of the statement, as for _PARSED, kind): a new document that
#: repeats known statements (at any position, under any name) parses only its new ones; a hit at
#: another position is copied with its own index. A statement's parse depends on nothing else
#: (the policy name and position only appear in error messages, and errors are not cached).
_STMT_PARSED: dict[tuple[Any, str], Statement] = {}
_STMT_PARSED_MAX = 16384
_STMT_CHARS_MAX = 16_000_000
_stmt_chars = 0


def _at_index(st: Statement, index: int) -> Statement:
    """``st`` at another position: a copy with ``index`` changed (nothing else of a statement's
    parse depends on its position; a frozen dataclass copied without running its __init__)."""
    out = object.__new__(Statement)
    out.__dict__.update(st.__dict__)
    out.__dict__["index"] = index
    return out


def _remember_statement(key: tuple[Any, str], st: Statement) -> None:
    global _stmt_chars
    if len(_STMT_PARSED) >= _STMT_PARSED_MAX or _stmt_chars + len(key[0]) > _STMT_CHARS_MAX:
        _STMT_PARSED.clear()
        _stmt_chars = 0
    _STMT_PARSED[key] = st
    _stmt_chars += len(key[0])


def _parse_document(
    document: dict, name: str, kind: str, canon: bytes, st_keys: list | None = None
) -> Policy:
    unknown = sorted(set(document) - _DOC_FIELDS)
    if unknown:
        raise PolicyError(
            f"unknown top-level field {unknown[0]!r} (allowed: Version, Id, Statement)",
            policy=name,
            field=unknown[0],
        )
    version = document.get("Version", "2008-10-17")
    if kind == "rcp" and document.get("Version") != "2012-10-17":
        raise PolicyError(
            f"field 'Version' of an RCP must be '2012-10-17', not {document.get('Version')!r}",
            policy=name,
            field="Version",
        )
    if version not in _VERSIONS:
        raise PolicyError(
            f"field 'Version' must be '2012-10-17' or '2008-10-17', not {version!r}",
            policy=name,
            field="Version",
        )
    if "Statement" not in document:
        raise PolicyError("missing field 'Statement'", policy=name, field="Statement")
    raw = document["Statement"]
    if isinstance(raw, dict):
        raw_list = [raw]
    elif isinstance(raw, list):
        raw_list = raw
    else:
        raise PolicyError(
            "field 'Statement' must be an object or a list of objects",
            policy=name,
            field="Statement",
        )
    if st_keys is None:
        statements = tuple(_parse_statement(s, i, name, kind) for i, s in enumerate(raw_list))
    else:
        parsed = []
        for i, s in enumerate(raw_list):
            skey = (st_keys[i], kind)
            st = _STMT_PARSED.get(skey)
            if st is None:
                st = _parse_statement(s, i, name, kind)
                _remember_statement(skey, st)
            elif st.index != i:
                st = _at_index(st, i)
            parsed.append(st)
        statements = tuple(parsed)
    return Policy(
        name=name,
        version=version,
        statements=statements,
        document=document,
        digest=hashlib.sha256(canon).hexdigest(),
        kind=kind,
    )


def _str_list(value: Any, fld: str, err) -> tuple[str, ...]:
    if value.__class__ is str:
        return (value,)
    if value.__class__ is list and value and set(map(type, value)) == _STR_ONLY:
        return tuple(value)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    if isinstance(value, list) and not value:
        raise err(f"field {fld!r} must not be an empty list", fld)
    raise err(f"field {fld!r} must be a string or a list of strings", fld)


_STR_ONLY = {str}


def parse_statement(raw: Any, index: int, policy: str, kind: str = "identity") -> Statement:
    """Parse and validate one statement (decoded JSON) as :func:`parse_policy` does.

    Args:
        raw: the statement (dict).
        index: its 0-based position (kept on the Statement, named in messages).
        policy: the policy name, for messages.
        kind: one of :data:`POLICY_KINDS`.

    Returns:
        the :class:`Statement`.

    Raises:
        PolicyError: what :func:`parse_policy` refuses in a statement.
    """
    return _parse_statement(raw, index, policy, kind)


def _parse_statement(raw: Any, index: int, policy: str, kind: str) -> Statement:
    sid = raw.get("Sid") if isinstance(raw, dict) else None
    sid_for_msg = sid if isinstance(sid, str) else None

    def err(problem: str, fld: str | None = None) -> PolicyError:
        return PolicyError(
            problem, policy=policy, statement_index=index, sid=sid_for_msg, field=fld
        )

    if not isinstance(raw, dict):
        raise err(f"statement must be a JSON object, not {type(raw).__name__}")
    unknown = sorted(set(raw) - _STMT_FIELDS)
    if unknown:
        raise err(f"unknown field {unknown[0]!r}", unknown[0])
    if sid is not None and not isinstance(sid, str):
        raise err("field 'Sid' must be a string", "Sid")
    if "Effect" not in raw:
        raise err("missing field 'Effect'", "Effect")
    effect = raw["Effect"]
    if effect not in ("Allow", "Deny"):
        raise err(f"field 'Effect' must be 'Allow' or 'Deny', not {effect!r}", "Effect")

    has_a, has_na = "Action" in raw, "NotAction" in raw
    if has_a and has_na:
        raise err("has both 'Action' and 'NotAction' (exactly one is allowed)", "Action")
    if not has_a and not has_na:
        raise err("missing field 'Action' (or 'NotAction')", "Action")
    actions = _str_list(raw["Action"], "Action", err) if has_a else None
    not_actions = _str_list(raw["NotAction"], "NotAction", err) if has_na else None

    has_r, has_nr = "Resource" in raw, "NotResource" in raw
    if has_r and has_nr:
        raise err("has both 'Resource' and 'NotResource' (at most one is allowed)", "Resource")
    if kind == "identity" and not has_r and not has_nr:
        raise err("missing field 'Resource' (or 'NotResource')", "Resource")
    resources = _str_list(raw["Resource"], "Resource", err) if has_r else None
    not_resources = _str_list(raw["NotResource"], "NotResource", err) if has_nr else None

    has_p, has_np = "Principal" in raw, "NotPrincipal" in raw
    if kind in ("identity", "scp") and (has_p or has_np):
        fld = "Principal" if has_p else "NotPrincipal"
        what = "an identity-based policy" if kind == "identity" else "an SCP"
        raise err(f"field {fld!r} is not allowed in {what}", fld)
    if kind == "rcp":
        _check_rcp_statement(raw, actions, err)
    if kind == "resource":
        if has_p and has_np:
            raise err("has both 'Principal' and 'NotPrincipal'", "Principal")
        if not has_p and not has_np:
            raise err("missing field 'Principal' (or 'NotPrincipal')", "Principal")
    principal = _principal(raw["Principal"], "Principal", err) if has_p else None
    not_principal = _principal(raw["NotPrincipal"], "NotPrincipal", err) if has_np else None

    conditions: list[Condition] = []
    if "Condition" in raw:
        cond = raw["Condition"]
        if not isinstance(cond, dict):
            raise err("field 'Condition' must be an object", "Condition")
        for op, block in cond.items():
            if not isinstance(block, dict):
                raise err(
                    f"condition operator {op!r} must map to an object of key: value(s)",
                    "Condition",
                )
            for key, vals in block.items():
                conditions.append((op, key, _cond_values(vals, op, key, err)))
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        conditions=tuple(conditions),
        principal=principal,
        not_principal=not_principal,
    )


def _check_rcp_statement(raw: dict, actions: tuple[str, ...] | None, err) -> None:
    """The RCP-only rules (AWS Organizations User Guide, "RCP syntax"; module docstring)."""
    if "NotPrincipal" in raw:
        raise err("field 'NotPrincipal' is not allowed in an RCP", "NotPrincipal")
    if "Principal" in raw and raw["Principal"] != "*":
        raise err("field 'Principal' of an RCP must be \"*\"", "Principal")
    if actions is None:
        raise err("field 'NotAction' is not allowed in an RCP", "NotAction")
    for action in actions:
        if rcp_action_refused(action):
            raise err(
                f"action {action!r}: RCPs apply only to the services that support them "
                f"({', '.join(sorted(RCP_SERVICES))})",
                "Action",
            )


def rcp_action_refused(action: str) -> bool:
    """True when an RCP may not name ``action``: not ``"*"`` and not an action of one of
    :data:`RCP_SERVICES` (``service:...``, service prefix compared case-insensitively)."""
    if action == "*":
        return False
    return action.split(":", 1)[0].lower() not in RCP_SERVICES if ":" in action else True


def _cond_values(vals: Any, op: str, key: str, err) -> tuple[str, ...]:
    items = vals if isinstance(vals, list) else [vals]
    out = []
    for v in items:
        s = _scalar_to_str(v)
        if s is None:
            raise err(
                f"condition {op!r} key {key!r}: values must be strings, numbers or booleans",
                "Condition",
            )
        out.append(s)
    return tuple(out)


def _principal(value: Any, fld: str, err) -> Any:
    if value == "*":
        return "*"
    if isinstance(value, dict) and value:
        out = {}
        for ptype, ids in value.items():
            out[ptype] = _str_list(ids, f"{fld}.{ptype}", err)
        return out
    raise err(f"field {fld!r} must be '*' or an object of type: id(s)", fld)
