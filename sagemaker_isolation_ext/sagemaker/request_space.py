"""The space of requests on another domain's resources, searched exactly with automata.

"Isolated" is a claim about *every* request a role could make on another domain's resources: any
resource name, any app type, any other domain id, any tag value (issue "Sound verdicts",
docs/ENGINE.md "Isolation analysis"). This module enumerates that space *symbolically*:

1. For one action and resource type, the requests differ only in strings: the resource ARN
   (the type's ARN format with each ``${Placeholder}`` ranging over its grammar, see
   :func:`load_grammars`, and ``${Region}`` over any Region name of our partition) and the value
   of the resource's ``sagemaker:domain-arn`` tag (the ARN of another domain of our account in
   any Region, ``d-...`` ranging over botocore's ``DomainId`` grammar; only our own domain, our
   Region and id together, is excluded).
2. The policies can tell two such requests apart only through *atoms*: whether a Resource or
   NotResource pattern matches the ARN, and whether a String/Arn/Bool/Binary condition value on
   the domain tag matches the tag value (every other condition key is either fixed per *world*,
   see :class:`World`, or unknown to the analysis, which the engine handles the same way for every
   string). Two requests with the same atom values get the same engine decision.
3. :func:`signatures` explores the product of the grammar automata and the atom automata
   breadth first and returns every reachable combination of atom values with a shortest witness.
   Evaluating the plain engine on one witness per combination therefore decides every request of
   the space: exact, not a sample.

Readings (stated in the report): a name's length limit above ``automata.MAX_EXPANDED_REPEAT`` is
not enforced (a wider space); a placeholder without a known grammar is any string; characters
outside printable ASCII are represented by ``é`` and the Kelvin sign (the grammars and patterns
seen in practice never tell other non-ASCII characters apart).
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Iterable

from ..iam.automata import (
    NFA,
    UnsupportedRegex,
    any_of,
    arn_nfa,
    enum_nfa,
    glob_nfa,
    glob_trie_nfa,
    label_has,
    literal_nfa,
    regex_nfa,
)
from .patterns import KNOWN_REGIONS, REGION_REGEXES

__all__ = [
    "Atom",
    "Budget",
    "BudgetExceeded",
    "DOMAIN_TAG_KEYS",
    "Piece",
    "Space",
    "Signature",
    "load_grammars",
    "grammar_nfa",
    "arn_pieces",
    "signatures",
]

#: The condition keys holding the resource's ``sagemaker:domain-arn`` tag (lower case).
DOMAIN_TAG_KEYS = (
    "aws:resourcetag/sagemaker:domain-arn",
    "sagemaker:resourcetag/sagemaker:domain-arn",
)

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
_UNIVERSE = tuple(chr(i) for i in range(32, 127)) + ("\u00e9", "\u212a")


class BudgetExceeded(RuntimeError):
    """The search explored more states, or took longer, than its :class:`Budget` allows."""


@dataclass
class Budget:
    """A work budget shared by the searches of one role.

    Attributes:
        states: product states the searches may create in all (count).
        seconds: wall time the searches may take in all (seconds).
        used_states: states created so far.
        started: ``time.monotonic()`` at creation.
    """

    states: int = 2_000_000
    seconds: float = 30.0
    used_states: int = 0
    started: float = 0.0

    def __post_init__(self) -> None:
        if not self.started:
            self.started = time.monotonic()

    def charge(self, n: int) -> None:
        """Count ``n`` more states; raises :class:`BudgetExceeded` past either limit."""
        self.used_states += n
        if self.used_states > self.states:
            raise BudgetExceeded(f"more than {self.states} search states")
        if time.monotonic() - self.started > self.seconds:
            raise BudgetExceeded(f"more than {self.seconds:g} s of search")


@dataclass(frozen=True)
class Atom:
    """One policy element that can tell requests apart: true when *any* of its patterns matches.

    IAM ORs the patterns of one Resource/NotResource element and the values of one condition
    (for the single-valued domain tag, every operator, qualifier and ``IfExists`` variant is a
    function of "does any value match"), so one atom stands for the whole list.

    Attributes:
        kind: ``"glob"`` (Resource/NotResource, StringLike), ``"literal"`` (StringEquals,
            Bool, Binary), ``"arn"`` (ArnLike/ArnEquals).
        patterns: the pattern texts (literal wildcards as the engine's sentinels), sorted.
        ignore_case: compare lower-cased (StringEqualsIgnoreCase, Bool).
        target: ``"arn"`` (the resource ARN) or ``"tag"`` (the domain tag's value).
    """

    kind: str
    patterns: tuple
    ignore_case: bool
    target: str


def _pattern_nfa(kind: str, pattern: str, ignore_case: bool) -> NFA:
    if kind == "glob":
        return glob_nfa(pattern, ignore_case)
    if kind == "literal":
        return literal_nfa(pattern, ignore_case)
    return arn_nfa(pattern)


@lru_cache(maxsize=4096)
def atom_nfa(atom: Atom) -> NFA:
    """The automaton of one atom (cached). Raises ValueError for a malformed ARN pattern."""
    if atom.kind in ("glob", "literal") and len(atom.patterns) > 1:
        return glob_trie_nfa(atom.patterns, atom.ignore_case, wild=atom.kind == "glob")
    return any_of([_pattern_nfa(atom.kind, p, atom.ignore_case) for p in atom.patterns])


@lru_cache(maxsize=1)
def load_grammars() -> dict[str, dict]:
    """Name grammars per ARN placeholder: ``{"TrainingJobName": {"pattern"|"enum", "shape",
    "source", ...}}`` from ``data/name_grammars.json`` (generated out of the SageMaker service
    model that botocore ships, by ``scripts/gen_name_grammars.py``; placeholders it lacks are any
    non-empty string)."""
    text = (
        resources.files("sagemaker_isolation_ext").joinpath("data/name_grammars.json").read_text()
    )
    return json.loads(text)


@lru_cache(maxsize=256)
def grammar_nfa(placeholder: str) -> NFA:
    """The automaton of a placeholder's grammar (any string when unknown or not translatable)."""
    if placeholder == EXTRA_SEGMENTS:
        return regex_nfa("(/[^:]+)?")
    if placeholder.startswith(REGION_PLACEHOLDER):
        return _region_nfa(placeholder[len(REGION_PLACEHOLDER) :])
    g = load_grammars().get(placeholder)
    if not g:
        return _nonempty_any()
    if "enum" in g:
        return enum_nfa(g["enum"])
    try:
        return regex_nfa(g["pattern"])
    except UnsupportedRegex:
        return _nonempty_any()


#: Prefix of the Region placeholder: ``__Region:<partition>`` (see :func:`region_placeholder`).
REGION_PLACEHOLDER = "__Region:"


def region_placeholder(partition: str) -> str:
    """The placeholder name of a Region of ``partition`` (its grammar: :func:`_region_nfa`)."""
    return REGION_PLACEHOLDER + partition


@lru_cache(maxsize=16)
def _region_nfa(partition: str) -> NFA:
    """Any Region name of ``partition``: the partition's ``regionRegex`` from botocore's
    ``partitions.json`` (``patterns.REGION_REGEXES``, anchors dropped; ``aws``:
    ``(us|eu|ap|sa|ca|me|af|il|mx)-\\w+-\\d+``). A partition it does not know: any Region of any
    partition (wider)."""
    rx = REGION_REGEXES.get(partition)
    if rx is None:
        return any_of([regex_nfa(r[1:-1]) for r in REGION_REGEXES.values()])
    return regex_nfa(rx[1:-1])


@lru_cache(maxsize=1)
def _nonempty_any() -> NFA:
    """Any non-empty string: the grammar of a placeholder botocore gives none for (every
    SageMaker API name has a minimum length of 1)."""
    return regex_nfa("(?s).+")


@dataclass(frozen=True)
class Piece:
    """A piece of an ARN: literal text, or a placeholder ranging over its grammar.

    Attributes:
        text: the literal text ("" for a placeholder).
        placeholder: the placeholder name, or None for literal text.
        domain: True for the ``${DomainId}`` piece (also fed to the tag atoms).
        region: True for the ``${Region}`` piece (also fed to the tag atoms when the ARN carries
            ``${DomainId}``: a Studio resource lives in its domain's Region).
    """

    text: str = ""
    placeholder: str | None = None
    domain: bool = False
    region: bool = False


def arn_pieces(arn_format: str, partition: str, account: str) -> tuple[Piece, ...]:
    """Split an ARN format into pieces, with Partition and Account filled in.

    Args:
        arn_format: e.g. ``"arn:${Partition}:sagemaker:${Region}:${Account}:app/${DomainId}/..."``.
        partition, account: our domain's (the space is "same account, any Region": reading
            ``any-region-same-account``; an execution role can call every Region, and another
            domain of the account may live in any of them).

    Returns:
        tuple of :class:`Piece` (adjacent literal text merged); ``${Region}`` is a placeholder
        piece over the partition's Region names (:func:`region_placeholder`).
    """
    fixed = {"Partition": partition, "Account": account}
    out: list[Piece] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(arn_format):
        lit = arn_format[pos : m.start()]
        name = m.group(1)
        if name in fixed:
            lit += fixed[name]
            _append_lit(out, lit)
        elif name == "Region":
            _append_lit(out, lit)
            out.append(Piece(placeholder=region_placeholder(partition), region=True))
        else:
            _append_lit(out, lit)
            out.append(Piece(placeholder=name, domain=name == "DomainId"))
        pos = m.end()
    _append_lit(out, arn_format[pos:])
    # Reading "arn-extra-segments": real ARNs can carry more path segments than the format the
    # Service Authorization Reference gives (private workteams "workteam/private-crowd/<name>",
    # hub content versions ".../<version>", model package versions "<group>/<version>"): every
    # ARN may go on with "/" and any text without ":" (no SageMaker resource path holds one).
    # Wider than the formats, so no false "isolated" from a format that omits a segment.
    out.append(Piece(placeholder=EXTRA_SEGMENTS))
    return tuple(out)


#: The placeholder of the optional trailing segments every ARN may carry (see ``arn_pieces``).
EXTRA_SEGMENTS = "__ExtraSegments"


def _append_lit(out: list, text: str) -> None:
    if not text:
        return
    if out and out[-1].placeholder is None:
        out[-1] = Piece(text=out[-1].text + text)
    else:
        out.append(Piece(text=text))


@dataclass(frozen=True)
class Space:
    """One search problem: which ARN/tag strings, and which atoms tell them apart.

    Attributes:
        pieces: the ARN's pieces; ``()`` for a tag-only search (type (b) tag values).
        arn_atoms: atoms on the ARN.
        tag_atoms: atoms on the domain tag's value.
        partition: our partition (the tag's Region ranges over its Region names).
        account: our account (the tag is ``arn:<p>:sagemaker:<region>:<account>:domain/<id>``).
        own_region: our Region (preferred in witnesses; with ``ours``, the one excluded domain).
        ours: our domain id (our Region and this id together are never another domain).
        tag_from_arn: True when the tag's domain id is the ARN's ``${DomainId}`` (types whose ARN
            carries it); False when the tag is searched alone (``pieces == ()``) or absent.
        exclude: further domain ids that are never a value of the domain id (the overview's
            "any domain not named" search: every listed domain excluded).
        only: when set, the one value of the domain id (the overview's per-domain search); it
            must not be ``ours`` or in ``exclude`` for the space to be non-empty.
    """

    pieces: tuple[Piece, ...]
    arn_atoms: tuple[Atom, ...]
    tag_atoms: tuple[Atom, ...]
    partition: str
    account: str
    own_region: str
    ours: str
    tag_from_arn: bool
    exclude: tuple[str, ...] = ()
    only: str | None = None

    @property
    def tag_head(self) -> str:
        """The tag value before its Region: ``"arn:<p>:sagemaker:"``."""
        return f"arn:{self.partition}:sagemaker:"

    @property
    def tag_mid(self) -> str:
        """The tag value between its Region and domain id: ``":<account>:domain/"``."""
        return f":{self.account}:domain/"

    def tag_value(self, region: str, domain_id: str) -> str:
        """The ``sagemaker:domain-arn`` tag of domain ``domain_id`` in ``region``."""
        return f"{self.tag_head}{region}{self.tag_mid}{domain_id}"


@dataclass(frozen=True)
class Signature:
    """A reachable combination of atom values, with a shortest witness.

    Attributes:
        arn_values: one bool per ``Space.arn_atoms``.
        tag_values: one bool per ``Space.tag_atoms`` (empty when the tag is not searched).
        arn: the witness ARN ("" for a tag-only search).
        domain_id: the witness's other domain id ("" when the space has none).
        region: the other domain's Region ("" when the space has no domain id).
    """

    arn_values: tuple[bool, ...]
    tag_values: tuple[bool, ...]
    arn: str
    domain_id: str
    region: str = ""


_REPS_CACHE: dict = {}


def _reps(nfas: Iterable[NFA]) -> tuple[str, ...]:
    """One character per class of characters that no automaton here tells apart."""
    nfas = tuple(nfas)
    key = tuple(id(a) for a in nfas)
    got = _REPS_CACHE.get(key)
    if got is not None and got[0] == nfas:
        return got[1]
    reps = _compute_reps(nfas)
    if len(_REPS_CACHE) > 4096:
        _REPS_CACHE.clear()
    _REPS_CACHE[key] = (nfas, reps)
    return reps


def _readable(c: str) -> tuple:
    """Sort key that makes witnesses read well: lower-case letters, upper-case, digits, the rest."""
    return (not c.isalpha(), not c.isdigit(), c.isspace(), c.isupper(), c)


def _compute_reps(nfas: tuple) -> tuple[str, ...]:
    universe = list(_UNIVERSE)
    for a in nfas:
        for ch in a.alphabet_hint:
            if ch not in universe:
                universe.append(ch)
    out: dict = {}
    # Letters first, then digits: the first character of a class is its representative, and a
    # witness reads best with letters (never a space).
    for ch in sorted(universe, key=_readable):
        out.setdefault(tuple(a.char_class(ch) for a in nfas), ch)
    # Prefer a letter as the representative of the widest class (readable witnesses).
    return tuple(sorted(out.values(), key=_readable))


#: ``{("joint" | "plain", space): (signatures, states the search cost)}`` (bounded): the two
#: entry points keep separate entries, so which one ran first cannot change a witness.
_SEARCH_CACHE: dict = {}
_SEARCH_CACHE_MAX = 2048


def signatures(space: Space, budget: Budget | None = None) -> list[Signature]:
    """Every reachable combination of atom values of ``space`` (see :func:`_signatures`).

    Atoms that take one value over the whole space (most of them: a pattern written for another
    resource type never matches, ``arn:aws:sagemaker:*:*:*`` always does) are found first, one
    small search each, and left out of the joint search: the joint product then only tracks the
    atoms that can actually tell requests apart. Exact: a constant atom has its value in every
    combination.
    """
    budget = budget or Budget()
    got = _cached(("joint", space), budget)
    if got is not None:
        return got
    before = budget.used_states
    const_arn = {
        i: _constant(replace(space, arn_atoms=(a,), tag_atoms=()), budget, "arn")
        for i, a in enumerate(space.arn_atoms)
    }
    const_tag = {}
    if space.tag_atoms:
        for i, a in enumerate(space.tag_atoms):
            const_tag[i] = _constant(replace(space, arn_atoms=(), tag_atoms=(a,)), budget, "tag")
    live_arn = tuple(a for i, a in enumerate(space.arn_atoms) if const_arn[i] is None)
    live_tag = tuple(a for i, a in enumerate(space.tag_atoms) if const_tag.get(i) is None)
    core = _signatures(replace(space, arn_atoms=live_arn, tag_atoms=live_tag), budget)
    out = []
    for sig in core:
        av = iter(sig.arn_values)
        tv = iter(sig.tag_values)
        arn_vals = tuple(
            next(av) if const_arn[i] is None else const_arn[i] for i in range(len(space.arn_atoms))
        )
        if space.tag_atoms and (sig.tag_values or not live_tag):
            tag_vals = tuple(
                next(tv) if const_tag[i] is None else const_tag[i]
                for i in range(len(space.tag_atoms))
            )
        else:
            tag_vals = sig.tag_values
        out.append(Signature(arn_vals, tag_vals, sig.arn, sig.domain_id, sig.region))
    _store(("joint", space), out, budget.used_states - before)
    return out


def _cached(key: tuple, budget: Budget):
    """A cached search result, charging ``budget`` the states the search cost when it ran, so a
    report (its ``analysis.states``, and whether the budget is exceeded) does not depend on what
    earlier analyses in the same process left in the cache. None when not cached.

    Raises:
        BudgetExceeded: the cached search's cost exceeds what is left of ``budget``.
    """
    got = _SEARCH_CACHE.get(key)
    if got is None:
        return None
    result, states = got
    if states:
        budget.charge(states)
    return result


def _store(key: tuple, result: list, states: int) -> None:
    if len(_SEARCH_CACHE) >= _SEARCH_CACHE_MAX:
        _SEARCH_CACHE.clear()
    _SEARCH_CACHE[key] = (result, states)


def _constant(space: Space, budget: Budget, which: str):
    """The one value the space's single atom takes everywhere, or None when it takes both."""
    quick = _quick_constant(space, which)
    if quick is not None:
        return quick
    sigs = _signatures(space, budget)
    vals = {(s.arn_values if which == "arn" else s.tag_values) for s in sigs}
    if len(vals) == 1:
        (only,) = vals
        return only[0] if only else None
    return None


def _track_alphabet(pieces: tuple) -> frozenset:
    """Every character some string of the pieces can hold (order ignored)."""
    key = pieces
    got = _ALPHABET_CACHE.get(key)
    if got is not None:
        return got
    chars: set = set()
    for p in pieces:
        if p.placeholder is None:
            chars.update(p.text)
            continue
        g = grammar_nfa(p.placeholder)
        universe = set(_UNIVERSE) | set(g.alphabet_hint)
        chars.update(c for c in universe if any(g.char_class(c)) or not g.classes)
        if any(lab is None for row in g._trans for lab, _t in row):
            chars.update(_UNIVERSE)
    out = frozenset(chars)
    _ALPHABET_CACHE[key] = out
    return out


_ALPHABET_CACHE: dict = {}


def _tag_pieces(space: Space) -> tuple[Piece, ...]:
    """The pieces of the domain tag's value: ``arn:<p>:sagemaker:`` Region ``:<a>:domain/`` id."""
    return (
        Piece(text=space.tag_head),
        Piece(placeholder=region_placeholder(space.partition), region=True),
        Piece(text=space.tag_mid),
        Piece(placeholder="DomainId", domain=True),
    )


def _quick_constant(space: Space, which: str):
    """Decide a single atom's constant value without the product search when cheap.

    After the ARN's first literal piece the atom is either dead (always false), in a state that
    accepts every continuation (always true), or alive. An alive atom is then run over a wider
    language: each later literal piece read exactly, each placeholder read as any string (of any
    length, in any order) over the characters its grammar can hold. When no accepting state is
    reachable even there, the atom is always false. Returns True/False, or None when undecided
    (the search decides)."""
    if which == "arn":
        (atom,) = space.arn_atoms
        pieces = space.pieces or ()
        if not pieces or pieces[0].placeholder is not None:
            return None
        nfa = atom_nfa(atom)
        bits = nfa.feed(nfa.start, pieces[0].text)
        rest = pieces[1:]
    else:
        (atom,) = space.tag_atoms
        nfa = atom_nfa(atom)
        pieces = _tag_pieces(space)
        bits = nfa.feed(nfa.start, pieces[0].text)
        rest = pieces[1:]
    if not bits:
        return False
    if bits & nfa._universal:
        return True
    states = {bits}
    for p in rest:
        if p.placeholder is None:
            states = {nfa.feed(b, p.text) for b in states} - {0}
            if not states:
                return False
            continue
        alphabet = set(_track_alphabet((p,)))
        # The atom's own literal characters may lie outside the universe the track alphabet was
        # computed over (a non-ASCII character in a pattern): add those the grammar can produce.
        labels = [lab for row in grammar_nfa(p.placeholder)._trans for lab, _t in row]
        for ch in nfa.alphabet_hint:
            if ch not in alphabet and any(lab is None or label_has(lab, ch) for lab in labels):
                alphabet.add(ch)
        todo = list(states)
        while todo:
            b = todo.pop()
            for ch in alphabet:
                n = nfa.step(b, ch)
                if n and n not in states:
                    states.add(n)
                    todo.append(n)
            if len(states) > 256:
                return None
    if any(nfa.accepts(b) for b in states):
        return None
    return False


def _signatures(space: Space, budget: Budget | None = None) -> list[Signature]:
    """Every reachable combination of atom values of ``space``, each with a shortest witness.

    Exact: a combination is returned iff some request of the space has those atom values.
    Results are cached per space (bounded).

    Args:
        space: the problem.
        budget: work budget (a fresh default one when None).

    Returns:
        list of :class:`Signature` (empty when the space is empty, e.g. no other domain id).

    Raises:
        BudgetExceeded: the search would exceed ``budget``.
        ValueError: an ARN atom pattern is malformed (callers drop such atoms first).
    """
    budget = budget or Budget()
    got = _cached(("plain", space), budget)
    if got is not None:
        return got
    before = budget.used_states
    result = _search(space, budget)
    _store(("plain", space), result, budget.used_states - before)
    return result


def _search(space: Space, budget: Budget) -> list[Signature]:
    arn_list = [atom_nfa(a) for a in space.arn_atoms]
    arn_nfa_u = _Tuple(arn_list)
    tag_list = [atom_nfa(a) for a in space.tag_atoms]
    own_region = space.own_region
    # The tag track: the tag atoms and our own domain's ARN, read over the tag's value
    # "arn:<p>:sagemaker:" + the Region piece + ":<a>:domain/" + the domain id piece. Only our
    # own Region and id together are not another domain (reading "any-region-same-account");
    # the overview's "any domain not named" search also excludes the named ones (of our Region).
    excluded = (space.ours, *space.exclude)
    ours = any_of([literal_nfa(space.tag_value(own_region, x)) for x in excluded], "excluded")
    d_nfa = _Tuple(tag_list + [ours])
    pieces = space.pieces or _tag_pieces(space)[1::2]
    has_domain = any(p.domain for p in pieces)
    d0 = d_nfa.feed(d_nfa.start, space.tag_head) if has_domain else None
    parents: list[tuple[int, str, int]] = []  # node -> (parent node, text read, piece index)
    # node -> characters read from the start, plus _OTHER_REGION once a Region other than ours
    # was read (witnesses: shortest, our own Region first)
    length: list[int] = []
    frontier: dict = {(arn_nfa_u.start, d0): -1}  # (arn bits, tag track) -> node

    def keep(table: dict, key, node: int) -> None:
        # One node per state at a piece boundary: the one with the shortest text so far.
        old = table.get(key)
        if old is None or length[node] < length[old]:
            table[key] = node

    def add(parent: int, text: str, pi: int) -> int:
        parents.append((parent, text, pi))
        length.append((length[parent] if parent >= 0 else 0) + len(text))
        return len(parents) - 1

    for pi, piece in enumerate(pieces):
        nxt: dict = {}
        if piece.placeholder is None:
            for (abits, dinfo), node in frontier.items():
                bits = arn_nfa_u.feed(abits, piece.text)
                keep(nxt, (bits, dinfo), add(node, piece.text, pi))
            budget.charge(len(frontier))
            frontier = nxt
            continue
        feed_d = has_domain and (piece.domain or piece.region)
        if space.only and (piece.domain or (piece.region and has_domain)):
            # The overview's per-domain search: the one named domain (of our Region).
            gram = literal_nfa(space.only if piece.domain else own_region)
        else:
            gram = grammar_nfa(piece.placeholder)
        reps = _reps(tuple([gram] + arn_list + (list(d_nfa.nfas) if feed_d else [])))
        astep = arn_nfa_u.step
        gstep = gram.step
        dstep = d_nfa.step
        # One breadth-first search from every entry at once (entries with the shortest text
        # first): a state reached from several entries is explored once.
        seen: dict = {}
        queue: deque = deque()
        for (abits, dinfo), node in sorted(
            frontier.items(), key=lambda kv: length[kv[1]] if kv[1] >= 0 else 0
        ):
            start = (gram.start, abits, d_nfa.feed(dinfo, space.tag_mid) if piece.domain else dinfo)
            if start not in seen:
                seen[start] = node
                queue.append(start)
        while queue:
            state = queue.popleft()
            g, ab, db = state
            here = seen[state]
            if gram.accepts(g):
                if not (feed_d and piece.domain):
                    keep(nxt, (ab, db), here)
                elif not ours.accepts(db[-1]):  # our own domain is not another domain
                    tvals = tuple(a.accepts(b) for a, b in zip(tag_list, db[:-1]))
                    keep(nxt, (ab, tvals), here)
            for ch in reps:
                g2 = gstep(g, ch)
                if not g2:
                    continue
                st2 = (g2, astep(ab, ch), dstep(db, ch) if feed_d else db)
                if st2 in seen:
                    continue
                seen[st2] = add(here, ch, pi)
                queue.append(st2)
            budget.charge(1)
        if piece.region:
            # Witnesses read well: our own Region first, then a Region AWS has (the shortest,
            # nearest ours), and only then the grammar's shortest name. The search above already
            # found every combination; these paths only replace its witnesses.
            for node in nxt.values():
                length[node] += _OTHER_REGION
            for region, extra in _witness_regions(space.partition, own_region):
                if not gram.accepts(gram.feed(gram.start, region)):
                    continue
                for (abits, dinfo), node in frontier.items():
                    key = (
                        arn_nfa_u.feed(abits, region),
                        d_nfa.feed(dinfo, region) if feed_d else dinfo,
                    )
                    n = add(node, region, pi)
                    length[n] += extra
                    keep(nxt, key, n)
                budget.charge(len(frontier))
                if all(length[n] < _OTHER_REGION for n in nxt.values()):
                    break  # every entry has a witness Region AWS has
        frontier = nxt
    best: dict = {}
    for (abits, dinfo), node in frontier.items():
        arn_vals = tuple(a.accepts(b) for a, b in zip(arn_list, abits))
        tag_vals = tuple(dinfo or ()) if has_domain else ()
        keep(best, (arn_vals, tag_vals), node)
    out: dict = {}
    for (arn_vals, tag_vals), node in best.items():
        arn_text, dom_text, region_text = _walk(parents, node, pieces)
        out[(arn_vals, tag_vals)] = Signature(
            arn_values=arn_vals,
            tag_values=tag_vals,
            arn=arn_text if space.pieces else "",
            domain_id=dom_text,
            region=region_text if has_domain else "",
        )
    return list(out.values())


#: The extra cost of a witness in a Region other than ours (more than any witness's length):
#: ``_KNOWN_REGION`` for a Region AWS has, ``_OTHER_REGION`` for any other name of the grammar.
_OTHER_REGION = 1 << 24
_KNOWN_REGION = 1 << 23


@lru_cache(maxsize=64)
def _witness_regions(partition: str, own: str) -> tuple[tuple[str, int], ...]:
    """``((region, extra cost), ...)``: ours (no extra cost), then the partition's known Regions
    (``patterns.KNOWN_REGIONS``), shortest first, those sharing our Region's area (``us-``)
    first among equals."""
    area = own.split("-", 1)[0] + "-"
    known = sorted(
        (r for r in KNOWN_REGIONS.get(partition, ()) if r != own),
        key=lambda r: (len(r), not r.startswith(area), r),
    )
    return ((own, 0),) + tuple((r, _KNOWN_REGION) for r in known)


class _Tuple:
    """Several automata stepped side by side (each keeps its own state-set canonicalisation)."""

    __slots__ = ("nfas", "start")

    def __init__(self, nfas: list) -> None:
        self.nfas = tuple(nfas)
        self.start = tuple(n.start for n in nfas)

    def step(self, bits: tuple, ch: str) -> tuple:
        nfas = self.nfas
        if not nfas:
            return bits
        if len(nfas) == 1:
            b = bits[0]
            return (nfas[0].step(b, ch) if b else 0,)
        return tuple(n.step(b, ch) if b else 0 for n, b in zip(nfas, bits))

    def feed(self, bits: tuple, text: str) -> tuple:
        return tuple(n.feed(b, text) if b else 0 for n, b in zip(self.nfas, bits))


def _walk(parents: list, node: int, pieces: tuple[Piece, ...]) -> tuple[str, str, str]:
    """``(whole text, domain id piece's text, Region piece's text)`` of the path to ``node``."""
    chunks: list[str] = []
    dom: list[str] = []
    region: list[str] = []
    while node != -1:
        parent, text, pi = parents[node]
        chunks.append(text)
        if pieces[pi].domain:
            dom.append(text)
        if pieces[pi].region:
            region.append(text)
        node = parent
    return "".join(reversed(chunks)), "".join(reversed(dom)), "".join(reversed(region))
