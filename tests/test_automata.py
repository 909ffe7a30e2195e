"""The automata agree with the engine's own matchers (the referee) on random patterns and values."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from sagemaker_isolation_ext.iam.arn import arn_matcher, glob_matcher
from sagemaker_isolation_ext.iam.automata import (
    UnsupportedRegex,
    any_of,
    arn_nfa,
    glob_nfa,
    glob_trie_nfa,
    literal_nfa,
    regex_nfa,
)
from sagemaker_isolation_ext.sagemaker.request_space import grammar_nfa

ALPHABET = "ab:/*?-"
VALUES = "abAB:/*?-x"


def _rand(rnd: random.Random, chars: str, lo: int, hi: int) -> str:
    return "".join(rnd.choice(chars) for _ in range(rnd.randint(lo, hi)))


@pytest.mark.parametrize("seed", range(3))
def test_glob_and_trie_agree_with_the_engine(seed):
    rnd = random.Random(seed)
    for _ in range(400):
        pats = tuple(_rand(rnd, ALPHABET, 0, 6) for _ in range(rnd.randint(1, 4)))
        single = glob_nfa(pats[0])
        union = any_of([glob_nfa(p) for p in pats])
        trie = glob_trie_nfa(pats)
        for _ in range(15):
            v = _rand(rnd, VALUES, 0, 8)
            want = any(glob_matcher(p)(v) for p in pats)
            assert single.matches(v) == glob_matcher(pats[0])(v), (pats[0], v)
            assert union.matches(v) == want, (pats, v)
            assert trie.matches(v) == want, (pats, v)


@pytest.mark.parametrize("seed", range(2))
def test_literal_and_ignore_case_agree_with_string_equality(seed):
    rnd = random.Random(seed)
    for _ in range(300):
        p = _rand(rnd, "aAbB-:", 0, 5)
        v = _rand(rnd, "aAbB-:", 0, 5)
        assert literal_nfa(p).matches(v) == (p == v)
        assert literal_nfa(p, True).matches(v) == (p.lower() == v.lower())


@pytest.mark.parametrize("seed", range(2))
def test_arn_automaton_agrees_with_arn_like(seed):
    rnd = random.Random(seed)
    parts = ["arn", "a*", "sage?aker", "*", "1?", "app/*", "*:x", ""]
    for _ in range(300):
        pat = ":".join(rnd.choice(parts) for _ in range(6))
        nfa = arn_nfa(pat)
        m = arn_matcher(pat)
        for _ in range(15):
            v = ":".join(_rand(rnd, "ab1/:x", 0, 3) for _ in range(rnd.randint(5, 7)))
            assert nfa.matches(v) == m(v), (pat, v)


def test_botocore_grammars_agree_with_python_re():
    grammars = json.loads(
        (
            Path(__file__).resolve().parents[1] / "sagemaker_isolation_ext/data/name_grammars.json"
        ).read_text()
    )
    rnd = random.Random(7)
    checked = 0
    for name, g in grammars.items():
        if "pattern" not in g:
            continue
        try:
            nfa = regex_nfa(g["pattern"])
        except UnsupportedRegex:
            # The analysis then takes any non-empty string (request_space.grammar_nfa): wider.
            assert grammar_nfa(name).matches("any:thing/at all")
            continue
        rx = re.compile(g["pattern"])
        for _ in range(200):
            v = _rand(rnd, "aZ09-_.d", 1, 14)
            # Length limits above 12 repetitions are not enforced (a wider language): only
            # strings short enough for every bound are compared.
            assert nfa.matches(v) == bool(rx.fullmatch(v)), (name, g["pattern"], v)
            checked += 1
    assert checked > 5000
