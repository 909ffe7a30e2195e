"""Reuse one domain's analysis of a role for another domain that the role cannot tell apart.

An account overview analyses the same execution roles (and the same template policies, which
differ only in the domain id they name) once per domain. The analysis of a role for domain
``D1`` answers for domain ``D2`` too when a renaming maps one problem onto the other. This
module decides when that holds, and maps the result (docs/ENGINE.md "Sharing between domains").

The renaming. Let ``S`` be the strings that differ between the two analyses: our domain id
(``D1`` vs ``D2``) and, when a policy reads ``sagemaker:UserProfileName``, the names of the user
profiles the role serves (paired in sorted order). ``sigma`` swaps, in every string, each
occurrence of ``a`` with ``b`` and of ``b`` with ``a`` for each pair. It is an involution on all
strings when no string of ``S`` contains another and no suffix of one is a prefix of another
(:func:`occurrences_disjoint`): occurrences are then disjoint and swapping creates none.

Why the answer carries over (the lemma). Write each policy pattern with the differing values
replaced by sentinel letters (``p0``; our id and ``${sagemaker:DomainId}`` become one sentinel,
each profile name and ``${sagemaker:UserProfileName}`` another). The two analyses see
``p0[sentinel := value in D1's analysis]`` and ``p0[sentinel := value in D2's]``. If, in the
automaton of ``p0`` (sentinels as letters no string holds), reading ``a`` and reading ``b``
lead every state to equivalent state sets (:meth:`NFA.indistinguishable`) for every pair, then
for every string ``s`` the first pattern matches ``s`` exactly when the second matches
``sigma(s)``: a sentinel's expansion can only be read over a whole occurrence (occurrences are
disjoint), which ``sigma`` swaps with its partner, and every other reading of an occurrence
reaches the same states. So every condition and Resource element decides ``r`` under D1's
policies as it decides ``sigma(r)`` under D2's. ``sigma`` also maps D1's request space (every
ARN and tag built from the grammars, domain id other than ours) onto D2's when every grammar
automaton is congruent on the pairs and no literal part of an ARN format or fixed context value
(account, Region, principal when read) holds or straddles a string of ``S``
(:func:`fixed_text_clean`). Hence the allowed requests of D2 are exactly ``sigma`` of D1's: the
same actions, statements, unknowns and readings, and witnesses mapped by ``sigma``.

Sentinels replace the values only where the checks read them (Resource, NotResource, values of
string-comparing conditions, Sids, names); operators, Effect, Action, condition keys, ``Null``
flags and Numeric/Date values stay literal (:func:`canonical_texts`).

What is refused (then the role is analysed again): values outside ``[A-Za-z0-9-]``, overlapping
values, pairs that are not one involution (:func:`involutive`), a renamed value inside the
result's own vocabulary (:func:`vocabulary_clean`), a Numeric/Date/IpAddress condition on a key
that carries a renamed value, a pattern or grammar that tells a pair apart, a ``${...}``
variable other than the ones above, and any result whose search ran out of budget. Callers also
re-evaluate each mapped witness with the plain engine (a runtime referee) and fall back to a
fresh analysis on any disagreement.

This module is pure (no AWS, no Jupyter).
"""

from __future__ import annotations

import dataclasses
import json
import re
from functools import lru_cache

from ..iam.automata import NFA, arn_nfa, glob_nfa, literal_nfa
from .request_space import EXTRA_SEGMENTS, arn_pieces, grammar_nfa

__all__ = [
    "OWN",
    "PROFILE_VAR",
    "Instance",
    "canonical_texts",
    "occurrences_disjoint",
    "fixed_text_clean",
    "patterns_congruent",
    "grammars_congruent",
    "swap",
    "Renamer",
    "pairs_between",
    "vocabulary_clean",
    "involutive",
]

#: Sentinel letters (no request string holds them): our domain id / ``${sagemaker:DomainId}``,
#: ``${sagemaker:UserProfileName}``; profile name ``i`` is ``chr(0x10 + i)``.
OWN = "\x01"
PROFILE_VAR = "\x03"
_PROFILE_BASE = 0x10
_CLEAN = re.compile(r"[A-Za-z0-9-]+")
_VAR = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*", "?", "$"}
# Operators whose test is not a string pattern (the automata say nothing about them).
_NON_STRING = ("Numeric", "Date", "IpAddress", "NotIpAddress")
_RENAMED_KEYS = (
    "sagemaker:domainid",
    "sagemaker:userprofilename",
    "aws:resourcetag/",
    "sagemaker:resourcetag/",
)


@dataclasses.dataclass(frozen=True)
class Instance:
    """What one analysis of a role depends on besides its policy documents.

    Attributes:
        domain_id: our domain id.
        profiles: sorted names of the user profiles that use the role (the analysis' worlds
            enumerate them when a policy reads ``sagemaker:UserProfileName``).
        profile_sensitive: a policy reads ``sagemaker:UserProfileName``.
    """

    domain_id: str
    profiles: tuple[str, ...]
    profile_sensitive: bool

    def values(self) -> list[tuple[str, str]]:
        """``[(value, sentinel)]``: the strings that are renamed between analyses."""
        out = [(self.domain_id, OWN)]
        if self.profile_sensitive:
            out += [(p, chr(_PROFILE_BASE + i)) for i, p in enumerate(self.profiles)]
        return out


def _replace_all(text: str, values: list[tuple[str, str]]) -> str:
    if not values:
        return text
    table = dict(values)
    rx = re.compile("|".join(re.escape(v) for v, _s in sorted(values, key=lambda x: -len(x[0]))))
    return rx.sub(lambda m: table[m.group(0)], text)


def canonical_texts(docs: list[tuple[str, dict]], inst: Instance) -> tuple | None:
    """The key part of a role's policies: each ``(name, canonical JSON)`` with the renamed values
    replaced by their sentinels where the checks read them (:func:`_sentinels_where_checked`;
    elsewhere they stay literal); None when the values cannot be renamed (see module docstring)
    or a document holds a control character (it could read as a sentinel).

    Args:
        docs: ``[(policy name, document)]`` (identity policies, then the boundary).
        inst: the analysis' :class:`Instance`.
    """
    vals = inst.values()
    if len({v for v, _s in vals}) != len(vals) or not occurrences_disjoint([v for v, _ in vals]):
        return None
    if not all(_CLEAN.fullmatch(v) for v, _s in vals):
        return None
    out = []
    for name, doc in docs:
        if "\\u00" in json.dumps(doc):
            return None  # a control character could be mistaken for a sentinel
        text = json.dumps(_sentinels_where_checked(doc, vals), sort_keys=True,
                          separators=(",", ":"))  # fmt: skip
        out.append((_replace_all(name, vals), text))
    return tuple(out)


def _compares_strings(op) -> bool:
    """The operator compares its values with the key's value as strings (String*, Arn*, Bool,
    Binary, with any set qualifier or ``IfExists``): the automata judge these. ``Null`` reads
    its value as a flag, Numeric/Date/IpAddress as numbers, dates and ranges: their values
    stay literal (a profile named ``true`` is not the flag ``true``)."""
    if not isinstance(op, str):
        return False
    base = op.split(":", 1)[1] if ":" in op else op
    return base.startswith(("String", "Arn", "Bool", "Binary"))


def _sentinels_where_checked(doc, vals):
    """``doc`` with the renamed values replaced by sentinels only where the congruence checks
    read them: Resource / NotResource entries, condition values and Sids (a Sid only names the
    statement in the report). Everything else (Effect, Action, NotAction, condition operators
    and keys, Principal) stays literal, so two policies whose operators or actions differ by a
    renamed value (profiles ``Equals`` and ``Like``: ``StringEquals`` / ``StringLike``) never
    share a key."""
    if not isinstance(doc, dict):
        return doc
    sts = doc.get("Statement")
    if sts is None:
        return doc

    def rep(v):
        if isinstance(v, str):
            return _replace_all(v, vals)
        if isinstance(v, list):
            return [rep(x) for x in v]
        return v

    def statement(st):
        if not isinstance(st, dict):
            return st
        out = dict(st)
        for k in ("Resource", "NotResource", "Sid"):
            if k in out:
                out[k] = rep(out[k])
        cond = out.get("Condition")
        if isinstance(cond, dict):
            out["Condition"] = {
                op: ({key: rep(v) for key, v in body.items()}
                     if isinstance(body, dict) and _compares_strings(op) else body)
                for op, body in cond.items()
            }  # fmt: skip
        return out

    new = dict(doc)
    new["Statement"] = [statement(x) for x in sts] if isinstance(sts, list) else statement(sts)
    return new


def occurrences_disjoint(strings: list[str]) -> bool:
    """True when no string contains another and no non-empty proper suffix of one is a prefix of
    one (itself included): the occurrences of these strings in any text are then disjoint, and
    swapping them is an involution that creates no new occurrence."""
    xs = list(dict.fromkeys(strings))
    if any(not x for x in xs):
        return False
    for x in xs:
        for y in xs:
            if x != y and x in y:
                return False
            if any(x[-k:] == y[:k] for k in range(1, min(len(x), len(y)))):
                return False
    return True


def involutive(pairs) -> bool:
    """True when swapping every pair is one well-defined involution: no string is paired with
    two different strings (a profile of one domain named like the other domain's id would
    otherwise make ``sigma`` send two strings to one, and a request on a third domain onto our
    own)."""
    table: dict = {}
    for a, b in pairs:
        if table.setdefault(a, b) != b or table.setdefault(b, a) != a:
            return False
    return True


def vocabulary_clean(renamed: list[str], texts) -> bool:
    """No renamed string occurs (ignoring case) in the analysis' own vocabulary ``texts``: the
    action names, access levels, resource-type names, case names, context-key names and engine
    reasons that a result carries. ``sigma`` rewrites every string of a result, so a profile
    name such as ``Describe`` or ``Write`` would otherwise turn ``sagemaker:DescribeApp`` into
    another name, or an access level into a profile name.

    Args:
        renamed: the strings of every pair (both sides).
        texts: the vocabulary strings of the result to rename.
    """
    low = [x.lower() for x in renamed]
    return not any(x in t.lower() for t in texts for x in low)


def pairs_between(a: Instance, b: Instance) -> list[tuple[str, str]] | None:
    """The renaming from analysis ``a`` to analysis ``b``: ``[(value in a, value in b)]`` for
    the values that differ; None when the two cannot be paired (profile counts differ)."""
    va, vb = a.values(), b.values()
    if len(va) != len(vb) or a.profile_sensitive != b.profile_sensitive:
        return None
    return [(x, y) for (x, _s), (y, _t) in zip(va, vb) if x != y]


def _fragments(pieces) -> list[tuple[str, bool, bool]]:
    """Separator-free runs of literal ARN text: ``(text, follows a placeholder, precedes one)``."""
    out = []
    for i, p in enumerate(pieces):
        if p.placeholder is not None:
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if nxt is not None and nxt.placeholder not in (None, EXTRA_SEGMENTS):
                # Two placeholders side by side: an occurrence could span both values.
                out.append((None, True, True))
            continue
        left = i > 0 and pieces[i - 1].placeholder is not None
        right = i + 1 < len(pieces) and pieces[i + 1].placeholder is not None
        parts = re.split(r"[:/]", p.text)
        for j, f in enumerate(parts):
            out.append((f, left and j == 0, right and j == len(parts) - 1))
    return out


def fixed_text_clean(renamed: list[str], catalog, partition: str, account: str,
                     fixed_values: list[str]) -> bool:
    """No literal part of any ARN format of ``catalog`` (nor the domain tag's), and no fixed
    context value, holds or straddles a renamed string (occurrences would then fall outside the
    placeholders ``sigma`` renames)."""
    frags = _catalog_fragments(id(catalog), catalog, partition, account)
    for x in renamed:
        # Compared without case: a case variant inside a fixed value would still match an
        # IgnoreCase condition on the renamed string while staying as it is.
        if any(x.lower() in v.lower() for v in fixed_values):
            return False
        for f, left, right in frags:
            if f is None:
                return False
            if x in f:
                return False
            ks = range(1, min(len(x), len(f) + 1))
            if left and any(x[-k:] == f[:k] for k in ks):
                return False  # an occurrence could start in the placeholder before f
            if right and any(x[:k] == f[-k:] for k in ks):
                return False  # ... or end in the placeholder after f
            if left and right and f and f in x[1:-1]:
                return False  # ... or cover f from one placeholder to the next
    return True


_FRAG_CACHE: dict = {}


def _catalog_pieces(catalog, partition: str, account: str) -> list:
    """The pieces of every ARN format of ``catalog`` and of the domain tag (cached)."""
    key = ("p", id(catalog), partition, account)
    got = _FRAG_CACHE.get(key)
    if got is None:
        formats = {rt.arn_format for rt in catalog.resource_types.values() if rt.arn_format}
        formats.add("arn:${Partition}:sagemaker:${Region}:${Account}:domain/${DomainId}")
        got = [arn_pieces(fmt, partition, account) for fmt in sorted(formats)]
        if len(_FRAG_CACHE) > 16:
            _FRAG_CACHE.clear()
        _FRAG_CACHE[key] = got
    return got


def _catalog_fragments(cid: int, catalog, partition: str, account: str) -> list:
    key = ("f", cid, partition, account)
    got = _FRAG_CACHE.get(key)
    if got is None:
        frags = {fr: None for pieces in _catalog_pieces(catalog, partition, account)
                 for fr in _fragments(pieces)}  # fmt: skip
        got = _FRAG_CACHE[key] = list(frags)
    return got


def _grammar_nfas(cid: int, catalog, partition: str, account: str) -> tuple:
    key = ("g", cid, partition, account)
    got = _FRAG_CACHE.get(key)
    if got is None:
        names = {p.placeholder: None for pieces in _catalog_pieces(catalog, partition, account)
                 for p in pieces if p.placeholder is not None}  # fmt: skip
        got = _FRAG_CACHE[key] = tuple(grammar_nfa(n) for n in names)
    return got


def grammars_congruent(pairs, catalog, partition: str, account: str) -> bool:
    """Every placeholder grammar of ``catalog``'s ARN formats (and the Region's) reads each pair
    alike: ``sigma`` maps names of the grammar onto names of the grammar."""
    nfas = _grammar_nfas(id(catalog), catalog, partition, account)
    return all(n.indistinguishable(a, b) for n in nfas for a, b in pairs)


def _check_texts(policies, inst: Instance, account: str) -> list[str] | None:
    """Every string a pattern is built from, with sentinels; None when one cannot be judged."""
    vals = inst.values()
    out: dict = {}
    for pol in policies:
        for st in pol.statements:
            strings = list(st.resources or ()) + list(st.not_resources or ())
            for op, key, values in st.conditions:
                low = key.lower()
                if any(n in op for n in _NON_STRING) and (
                    low in _RENAMED_KEYS[:2] or low.startswith(_RENAMED_KEYS[2:])
                ):
                    return None
                strings.extend(values)
            for s in strings:
                text = _replace_all(s, vals)

                def var(m: re.Match) -> str:
                    name = m.group(1)
                    low = name.lower()
                    if name in _ESCAPES:
                        return m.group(0)
                    if low == "sagemaker:domainid":
                        return OWN
                    if low == "sagemaker:userprofilename":
                        return PROFILE_VAR
                    if low in ("aws:principalaccount", "aws:resourceaccount"):
                        return account
                    raise _Refuse(name)

                try:
                    text = _VAR.sub(var, text) if "${" in text else text
                except _Refuse:
                    return None
                out[text] = None
    return list(out)


class _Refuse(Exception):
    pass


@lru_cache(maxsize=8192)
def _pattern_nfas(text: str) -> tuple[NFA, ...]:
    out = [glob_nfa(text), glob_nfa(text, True), literal_nfa(text), literal_nfa(text, True)]
    try:
        out.append(arn_nfa(text))
    except ValueError:
        pass
    return tuple(out)


def patterns_congruent(policies, inst: Instance, pairs, account: str) -> bool:
    """Every Resource/NotResource pattern and condition value of ``policies`` (read as a glob, a
    literal and an ARN pattern, each with and without case) reads each pair alike, and no
    condition that the automata cannot judge reads a renamed value."""
    texts = _check_texts(policies, inst, account)
    if texts is None:
        return False
    if any(s != s.lower() for pair in pairs for s in pair) and any(
        "IgnoreCase" in op for pol in policies for st in pol.statements for op, _k, _v in
        st.conditions
    ):  # fmt: skip
        # A case variant of a renamed string ("ALICE" for "alice") matches it under an
        # IgnoreCase operator but is not itself renamed: the lemma does not cover it. Renamed
        # strings without upper case have no such variant in the request space (domain tags
        # and ids are lower case; caller keys carry the renamed value itself).
        return False
    key = tuple(pairs)
    return all(_text_congruent(t, key) for t in texts)


@lru_cache(maxsize=65536)
def _text_congruent(text: str, pairs: tuple) -> bool:
    return all(n.indistinguishable(a, b) for n in _pattern_nfas(text) for a, b in pairs)


def swap(obj, pairs):
    """``sigma`` applied to every string inside ``obj`` (str, dict keys and values, lists,
    tuples, sets, dataclass fields), returning a new object where something changed (parts
    without a renamed string are shared, not copied); ``obj`` is not changed.

    Args:
        obj: the value to rename.
        pairs: ``[(a, b)]``; each ``a`` becomes ``b`` and each ``b`` becomes ``a``.
    """
    return Renamer(pairs)(obj)


class Renamer:
    """``sigma`` for one list of pairs, compiled once (see :func:`swap`)."""

    def __init__(self, pairs) -> None:
        table: dict = {}
        for a, b in pairs:
            table[a], table[b] = b, a
        self._table = table
        self._memo: dict = {}
        self._rx = (
            re.compile("|".join(re.escape(v) for v in sorted(table, key=len, reverse=True)))
            if table
            else None
        )

    def text(self, x: str) -> str:
        """``sigma`` of one string (memoised: results repeat the same keys and names)."""
        got = self._memo.get(x)
        if got is None:
            if self._rx is None or not self._rx.search(x):
                got = x
            else:
                got = self._rx.sub(lambda m: self._table[m.group(0)], x)
            if len(self._memo) < 100_000:
                self._memo[x] = got
        return got

    def __call__(self, obj):
        if self._rx is None:
            return obj
        return self._walk(obj, {})

    def _walk(self, obj, memo):
        t = type(obj)
        if t is str:
            return self.text(obj)
        if obj is None or t is bool or t is int or t is float:
            return obj
        if (t is list or t is tuple) and all(type(v) is str for v in obj):
            vals = [self.text(v) for v in obj]
            return obj if all(v is v0 for v, v0 in zip(vals, obj)) else t(vals)
        if isinstance(obj, str):  # a str subclass
            return self.text(obj)
        oid = id(obj)
        got = memo.get(oid)
        if got is not None:
            return got[0]
        w = self._walk
        if isinstance(obj, dict):
            items = [(w(k, memo), w(v, memo)) for k, v in obj.items()]
            same = all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, obj.items()))
            out = obj if same else dict(items)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            vals = [w(v, memo) for v in obj]
            same = all(v is v0 for v, v0 in zip(vals, obj))
            out = obj if same else type(obj)(vals)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {}
            for f in dataclasses.fields(obj):
                if f.metadata.get("rename") is False:
                    continue  # the field declares it holds no renamable text
                v0 = getattr(obj, f.name)
                v = w(v0, memo)
                if v is not v0:
                    changes[f.name] = v
            out = dataclasses.replace(obj, **changes) if changes else obj
        else:
            out = obj
        memo[oid] = (out, obj)  # obj kept alive: ids stay unique during the walk
        return out
