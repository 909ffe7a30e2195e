"""Finite automata for IAM's pattern language and for name grammars.

The isolation analysis must decide questions about *every* string a placeholder can take, not a
sample, so it reasons with automata: each pattern that can decide a request (a Resource glob, a
``StringLike`` value, an ``ArnLike`` value, an exact ``StringEquals`` value) becomes a
non-deterministic finite automaton (NFA) over characters, and so does each name grammar
(botocore's ``pattern`` regexes, e.g. ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``). The product of these
automata, explored breadth first, enumerates every reachable combination of "which patterns
match", each with a shortest witness string (see ``sagemaker/request_space.py``).

State sets are Python ints used as bit sets (bit *i* = NFA state *i*), always closed under the
empty transitions. ``step`` is memoised per (state set, character).

Semantics follow :mod:`.arn` and :mod:`.conditions` exactly (they are the engine's, and the engine
is the referee of every witness):

- ``glob``: ``*`` any run of characters (``:`` and ``/`` included), ``?`` exactly one character,
  every other character literal; :data:`.arn.LIT_STAR` / :data:`.arn.LIT_QMARK` stand for a
  literal ``*`` / ``?`` (policy variables ``${*}`` / ``${?}``). Case-sensitive unless
  ``ignore_case`` (then both the pattern and the value are compared lower-cased, as
  ``str.lower`` does).
- ``literal``: exact equality (``StringEquals``; ``StringEqualsIgnoreCase`` with ``ignore_case``).
- ``arn``: ``ArnLike``/``ArnEquals``: the pattern's six colon-separated parts each match the
  value's part as a glob; a wildcard in the first five parts never matches ``:`` (the value's
  first five colons separate its parts); a pattern of exactly ``*`` matches everything.
- ``regex``: a Python regular expression in the subset botocore's SageMaker model uses (character
  classes, groups, alternation, ``*``/``+``/``?``/``{m,n}``), matched in full. A bounded repeat
  whose upper bound exceeds :data:`MAX_EXPANDED_REPEAT` is read as unbounded above (the automaton
  then accepts some over-long names: a wider space, so never a false "isolated"). A regex the
  subset does not cover raises :class:`UnsupportedRegex` (callers then take "any string").
"""

from __future__ import annotations

from typing import Callable, Iterable

from .arn import LIT_QMARK, LIT_STAR

try:  # Python 3.11+
    import re._constants as _sre_c  # type: ignore[import-not-found]
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.9 / 3.10
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = [
    "NFA",
    "UnsupportedRegex",
    "any_nfa",
    "any_of",
    "arn_nfa",
    "enum_nfa",
    "glob_nfa",
    "glob_trie_nfa",
    "label_has",
    "literal_nfa",
    "regex_nfa",
    "union_nfa",
]

#: Bounded repeats up to this many copies are expanded exactly; larger upper bounds are dropped.
MAX_EXPANDED_REPEAT = 12


class UnsupportedRegex(ValueError):
    """A grammar regex uses a construct :func:`regex_nfa` does not translate."""


# A transition label: a frozenset of characters, or None for "any character", or a callable
# predicate (character classes with categories / negation).
Label = "frozenset[str] | None | Callable[[str], bool]"


class NFA:
    """A character NFA with bit-set state sets.

    Attributes:
        start: the start state set (closed under empty transitions), an int bit set.
        accept: bit set of accepting states.
        alphabet_hint: characters the automaton treats specially (its literal characters, both
            cases when it ignores case); every other character behaves like any other one that
            is accepted by the same character classes.
        classes: the character classes (labels) used by its transitions, for alphabet partitions.
        name: a label for messages.
    """

    __slots__ = (
        "_trans",
        "_eps",
        "start",
        "accept",
        "alphabet_hint",
        "classes",
        "name",
        "_memo",
        "_universal",
        "_canon",
        "_classes_of",
    )

    def __init__(
        self,
        trans: list[list[tuple[object, int]]],
        eps: list[list[int]],
        start_state: int,
        accept_states: Iterable[int],
        alphabet_hint: Iterable[str],
        name: str,
    ) -> None:
        self._trans = trans
        self._eps = eps
        self.name = name
        self.alphabet_hint = frozenset(alphabet_hint)
        self.classes = tuple(
            {id(lab): lab for row in trans for lab, _ in row if lab is not None}.values()
        )
        self._memo: dict = {}
        self._classes_of: dict = {}
        acc = 0
        for s in accept_states:
            acc |= 1 << s
        self.accept = acc
        self._set_universal()
        self.start = self._canonical(self._close(1 << start_state))

    def _set_universal(self) -> None:
        # An accepting state that reads any character back into itself accepts every
        # continuation: a state set holding one is equivalent to any other such set.
        uni = 0
        for i, row in enumerate(self._trans):
            if self.accept >> i & 1 and any(lab is None and t == i for lab, t in row):
                uni |= 1 << i
        self._universal = uni
        self._canon = uni & -uni

    def _canonical(self, bits: int) -> int:
        return self._canon if bits & self._universal else bits

    def _close(self, bits: int) -> int:
        todo = list(_bits(bits))
        while todo:
            s = todo.pop()
            for t in self._eps[s]:
                if not bits >> t & 1:
                    bits |= 1 << t
                    todo.append(t)
        return bits

    def step(self, bits: int, ch: str) -> int:
        """The state set after reading ``ch`` from ``bits`` (0 when the automaton is dead)."""
        key = (bits, ch)
        got = self._memo.get(key)
        if got is not None:
            return got
        out = 0
        for s in _bits(bits):
            for lab, t in self._trans[s]:
                if label_has(lab, ch):
                    out |= 1 << t
        out = self._canonical(self._close(out)) if out else 0
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[key] = out
        return out

    def feed(self, bits: int, text: str) -> int:
        """``step`` over every character of ``text``."""
        for ch in text:
            if not bits:
                return 0
            bits = self.step(bits, ch)
        return bits

    def char_class(self, ch: str) -> tuple:
        """Which of this automaton's transition labels read ``ch`` (memoised): two characters
        with the same class are interchangeable for this automaton."""
        got = self._classes_of.get(ch)
        if got is None:
            got = self._classes_of[ch] = tuple(label_has(lab, ch) for lab in self.classes)
        return got

    def accepts(self, bits: int) -> bool:
        """Whether the state set holds an accepting state."""
        return bool(bits & self.accept)

    def matches(self, text: str) -> bool:
        """Whether the automaton accepts ``text`` (for tests and self-checks)."""
        return self.accepts(self.feed(self.start, text))

    def allowed(self, bits: int, ch: str) -> bool:
        """Whether some transition from ``bits`` reads ``ch``."""
        return bool(self.step(bits, ch))

    def indistinguishable(self, a: str, b: str) -> bool:
        """Whether reading ``a`` and reading ``b`` lead every state to equivalent state sets.

        Then ``u + a + v`` and ``u + b + v`` are accepted alike for *every* ``u`` and ``v``: the
        two strings are congruent for this automaton (sets holding a universal state count as
        equal, they accept every continuation). A sufficient condition is checked first: equal
        length and, position by position, characters in the same classes.

        Args:
            a, b: the two strings.

        Returns:
            True when congruent (exact for this automaton).
        """
        if len(a) == len(b) and all(
            self.char_class(x) == self.char_class(y) for x, y in zip(a, b)
        ):
            return True
        for i in range(len(self._trans)):
            bits = self._canonical(self._close(1 << i))
            if self.feed(bits, a) != self.feed(bits, b):
                return False
        return True


def _bits(bits: int):
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


def label_has(lab, ch: str) -> bool:
    """Whether transition label ``lab`` (a character set, None for any, or a predicate) reads
    ``ch``."""
    if lab is None:
        return True
    if isinstance(lab, frozenset):
        return ch in lab
    return lab(ch)


class _Builder:
    def __init__(self) -> None:
        self.trans: list[list[tuple[object, int]]] = []
        self.eps: list[list[int]] = []

    def new(self) -> int:
        self.trans.append([])
        self.eps.append([])
        return len(self.trans) - 1

    def edge(self, a: int, lab, b: int) -> None:
        self.trans[a].append((lab, b))

    def empty(self, a: int, b: int) -> None:
        self.eps[a].append(b)


def _case_set(ch: str, ignore_case: bool) -> frozenset:
    if not ignore_case:
        return frozenset((ch,))
    return frozenset(
        c for c in (ch, ch.lower(), ch.upper(), ch.swapcase()) if c.lower() == ch.lower()
    )


def _lit_char(ch: str) -> str:
    if ch == LIT_STAR:
        return "*"
    if ch == LIT_QMARK:
        return "?"
    return ch


def _not_colon(ch: str) -> bool:
    return ch != ":"


def _pattern_chain(
    b: _Builder, start: int, pattern: str, wild: bool, ignore_case: bool, no_colon: bool, hint: set
) -> int:
    """Append states reading ``pattern`` from ``start``; returns the end state."""
    cur = start
    anych = _not_colon if no_colon else None
    for raw in pattern:
        if wild and raw == "*":
            b.edge(cur, anych, cur)
            continue
        nxt = b.new()
        if wild and raw == "?":
            b.edge(cur, anych, nxt)
        else:
            ch = _lit_char(raw)
            labs = _case_set(ch, ignore_case)
            hint.update(labs)
            if ignore_case:
                # str.lower() comparison: any character whose lower() equals ch.lower().
                low = ch.lower()
                b.edge(cur, _LowerIs(low, labs), nxt)
            else:
                b.edge(cur, labs, nxt)
        cur = nxt
    return cur


class _LowerIs:
    """Predicate label: ``c.lower() == low`` (case-insensitive literal)."""

    __slots__ = ("low", "members")

    def __init__(self, low: str, members: frozenset) -> None:
        self.low = low
        self.members = members

    def __call__(self, ch: str) -> bool:
        return ch.lower() == self.low


def glob_nfa(pattern: str, ignore_case: bool = False) -> NFA:
    """NFA of an IAM glob (``*``, ``?``), see the module docstring.

    Args:
        pattern: the glob, with :data:`LIT_STAR`/:data:`LIT_QMARK` for literal wildcards.
        ignore_case: compare lower-cased.

    Returns:
        NFA accepting exactly the strings the engine's ``glob_matcher(pattern)`` accepts.
    """
    b = _Builder()
    s = b.new()
    hint: set = set()
    end = _pattern_chain(b, s, pattern, True, ignore_case, False, hint)
    return NFA(b.trans, b.eps, s, [end], hint, f"glob {pattern!r}")


def literal_nfa(text: str, ignore_case: bool = False) -> NFA:
    """NFA accepting exactly ``text`` (lower-cased comparison when ``ignore_case``)."""
    b = _Builder()
    s = b.new()
    hint: set = set()
    end = _pattern_chain(b, s, text, False, ignore_case, False, hint)
    return NFA(b.trans, b.eps, s, [end], hint, f"literal {text!r}")


def arn_nfa(pattern: str) -> NFA:
    """NFA of an ``ArnLike``/``ArnEquals`` value (six parts, each a glob; see module docstring).

    Raises:
        ValueError: ``pattern`` has fewer than six parts (the engine answers ``unknown`` then).
    """
    if pattern == "*":
        return any_nfa()
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        raise ValueError(f"{pattern!r} is not an ARN pattern")
    b = _Builder()
    s = b.new()
    hint: set = {":"}
    cur = s
    for i, part in enumerate(parts):
        if i:
            nxt = b.new()
            b.edge(cur, frozenset(":"), nxt)
            cur = nxt
        cur = _pattern_chain(b, cur, part, True, False, i < 5, hint)
    return NFA(b.trans, b.eps, s, [cur], hint, f"arn {pattern!r}")


def any_nfa() -> NFA:
    """NFA accepting every string (an unknown grammar, a ``*`` pattern)."""
    b = _Builder()
    s = b.new()
    b.edge(s, None, s)
    return NFA(b.trans, b.eps, s, [s], (), "any")


def enum_nfa(values: Iterable[str]) -> NFA:
    """NFA accepting exactly the given strings."""
    b = _Builder()
    s = b.new()
    hint: set = set()
    ends = []
    for v in values:
        ends.append(_pattern_chain(b, s, v, False, False, False, hint))
    return NFA(b.trans, b.eps, s, ends, hint, "enum")


# --------------------------------------------------------------------------------------------
# Regex (botocore grammar) -> NFA, Thompson construction over sre_parse's tree.


def regex_nfa(pattern: str) -> NFA:
    """NFA of a grammar regex, matched in full (see module docstring for the subset).

    Raises:
        UnsupportedRegex: a construct outside the subset (lookarounds, backreferences, ...).
    """
    try:
        tree = _sre_parse.parse(pattern)
    except Exception as exc:  # re.error and friends
        raise UnsupportedRegex(f"{pattern!r}: {exc}") from exc
    b = _Builder()
    s = b.new()
    hint: set = set()
    end = _seq(b, s, tree, hint)
    return NFA(b.trans, b.eps, s, [end], hint, f"regex {pattern!r}")


def _seq(b: _Builder, cur: int, items, hint: set) -> int:
    for op, av in items:
        cur = _item(b, cur, op, av, hint)
    return cur


def _item(b: _Builder, cur: int, op, av, hint: set) -> int:
    c = _sre_c
    if op is c.LITERAL:
        nxt = b.new()
        ch = chr(av)
        hint.add(ch)
        b.edge(cur, frozenset(ch), nxt)
        return nxt
    if op is c.NOT_LITERAL:
        nxt = b.new()
        ch = chr(av)
        hint.add(ch)
        b.edge(cur, lambda x, ch=ch: x != ch, nxt)
        return nxt
    if op is c.ANY:
        nxt = b.new()
        b.edge(cur, lambda x: x != "\n", nxt)
        return nxt
    if op is c.IN:
        nxt = b.new()
        b.edge(cur, _charclass(av, hint), nxt)
        return nxt
    if op is c.SUBPATTERN:
        sub = av[-1]
        return _seq(b, cur, sub, hint)
    if op is c.BRANCH:
        end = b.new()
        for alt in av[1]:
            s = b.new()
            b.empty(cur, s)
            e = _seq(b, s, alt, hint)
            b.empty(e, end)
        return end
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        lo, hi, sub = av
        for _ in range(lo):
            cur = _seq(b, cur, sub, hint)
        if hi is c.MAXREPEAT or hi - lo > MAX_EXPANDED_REPEAT:
            loop = b.new()
            b.empty(cur, loop)
            e = _seq(b, loop, sub, hint)
            b.empty(e, loop)
            return loop
        end = b.new()
        b.empty(cur, end)
        for _ in range(hi - lo):
            cur = _seq(b, cur, sub, hint)
            b.empty(cur, end)
        return end
    if op is c.AT:  # ^ $ \A \Z: full-match semantics already
        return cur
    raise UnsupportedRegex(f"regex construct {op} not supported")


def _charclass(items, hint: set) -> Callable[[str], bool]:
    c = _sre_c
    negate = False
    chars: set = set()
    ranges: list = []
    cats: list = []
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE:
            ranges.append((chr(av[0]), chr(av[1])))
        elif op is c.CATEGORY:
            cats.append(av)
        else:
            raise UnsupportedRegex(f"character class item {op} not supported")
    hint.update(chars)
    for lo, hi in ranges:
        hint.update((lo, hi))
    cat_fns = [_CATEGORY[cat] for cat in cats if cat in _CATEGORY]
    if len(cat_fns) != len(cats):
        raise UnsupportedRegex("character class category not supported")
    frozen = frozenset(chars)
    rng = tuple(ranges)

    def member(ch: str) -> bool:
        hit = ch in frozen or any(lo <= ch <= hi for lo, hi in rng) or any(f(ch) for f in cat_fns)
        return hit != negate

    return member


_CATEGORY = {
    _sre_c.CATEGORY_DIGIT: lambda ch: ch.isdecimal(),
    _sre_c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
    _sre_c.CATEGORY_SPACE: lambda ch: ch.isspace(),
    _sre_c.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
    _sre_c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    _sre_c.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
}


def union_nfa(nfas: list[NFA]) -> tuple[NFA, tuple[int, ...]]:
    """Run several automata as one: the disjoint union of their states.

    One ``step`` then advances all of them (one memo lookup instead of one per automaton), and
    automaton *i* accepts when the state set meets ``masks[i]``.

    Args:
        nfas: the automata.

    Returns:
        ``(combined, masks)``; ``combined.start`` is the union of the start sets.
    """
    trans: list = []
    eps: list = []
    masks = []
    starts = 0
    hint: set = set()
    for a in nfas:
        off = len(trans)
        trans.extend([(lab, t + off) for lab, t in row] for row in a._trans)
        eps.extend([t + off for t in row] for row in a._eps)
        masks.append(a.accept << off)
        starts |= a.start << off
        hint |= a.alphabet_hint
    combined = NFA.__new__(NFA)
    combined._trans = trans or [[]]
    combined._eps = eps or [[]]
    combined.name = "union"
    combined.alphabet_hint = frozenset(hint)
    combined.classes = tuple(
        {id(lab): lab for row in trans for lab, _ in row if lab is not None}.values()
    )
    combined._memo = {}
    combined._classes_of = {}
    combined.start = starts
    combined.accept = 0
    for m in masks:
        combined.accept |= m
    # No universal collapse across components: each keeps its own acceptance.
    combined._universal = 0
    combined._canon = 0
    return combined, tuple(masks)


def any_of(nfas: list[NFA], name: str = "any-of") -> NFA:
    """One automaton accepting what any of ``nfas`` accepts (an element's patterns are ORed:
    IAM's Resource/NotResource lists and a condition's values)."""
    if len(nfas) == 1:
        return nfas[0]
    combined, _masks = union_nfa(nfas)
    combined.name = name
    combined._set_universal()
    combined.start = combined._canonical(combined.start)
    return combined


def glob_trie_nfa(patterns, ignore_case: bool = False, wild: bool = True) -> NFA:
    """One automaton for several globs (ORed) whose common prefixes share states.

    The same language as :func:`any_of` over :func:`glob_nfa` (or :func:`literal_nfa` when
    ``wild`` is False), with far fewer states when the patterns share prefixes (a list of 200
    ``arn:aws:sagemaker:*:*:endpoint/team<N>-*`` resources), which keeps each step cheap. A ``*``
    is its own node (entered by an empty transition, looping on any character), so a star of one
    pattern never leaks into another pattern that shares the prefix.
    """
    b = _Builder()
    root = b.new()
    children: dict = {}
    accept: list = []
    hint: set = set()
    for pattern in patterns:
        cur = root
        for raw in pattern:
            if wild and raw == "*":
                token = ("*",)
            elif wild and raw == "?":
                token = ("?",)
            else:
                token = ("c", _lit_char(raw))
            key = (cur, token)
            nxt = children.get(key)
            if nxt is None:
                nxt = b.new()
                children[key] = nxt
                if token[0] == "*":
                    b.empty(cur, nxt)
                    b.edge(nxt, None, nxt)
                elif token[0] == "?":
                    b.edge(cur, None, nxt)
                else:
                    ch = token[1]
                    labs = _case_set(ch, ignore_case)
                    hint.update(labs)
                    b.edge(cur, _LowerIs(ch.lower(), labs) if ignore_case else labs, nxt)
            cur = nxt
        accept.append(cur)
    return NFA(b.trans, b.eps, root, accept, hint, f"globs x{len(accept)}")
