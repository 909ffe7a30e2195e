"""Golden outputs of ``check`` (issue 15): text, JSON and SARIF, byte for byte.

For every input (the shared scenario snapshots ``tests/fixtures/snapshots/*.json`` and the demo
domains' snapshots ``tests/golden/inputs/demo-*.json``) and every format, ``cli.main(["check",
"--snapshot", F, "--format", FMT, "--no-aws-confirm"])`` must print exactly the committed
``tests/golden/<name>.txt|.json|.sarif.json`` once its volatile fields are normalised
(``tests/golden_support.normalise_output``: ``generated_at``, ``tool_version``, the SARIF driver
version and run timestamps, the repository path). Key order, list order and layout count.

Also: the same bytes on a second pass in this process (in reverse order, so a cache filled by
another input cannot change an answer) and in a second process with another hash seed (set
iteration order); the demo inputs are what the collector reads from the seeded local AWS today.

After an intended output change: ``python scripts/refresh-golden.py`` and review the diff.
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import subprocess
import sys

import pytest

from tests import golden_support as gs

INPUTS = gs.golden_inputs()
CASES = [(name, path, fmt) for name, path in INPUTS for fmt in gs.FORMATS]
MAX_DIFF_LINES = 80
MIB = 1024 * 1024


def _diff(expected: str, actual: str, label: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"{label} (golden)",
        tofile=f"{label} (now)",
    )
    head = list(itertools.islice(lines, MAX_DIFF_LINES + 1))
    more = "\n... (diff cut at 80 lines)" if len(head) > MAX_DIFF_LINES else ""
    return "".join(head[:MAX_DIFF_LINES]) + more


@pytest.fixture(scope="module")
def first_pass() -> dict[tuple[str, str], tuple[int, str]]:
    """``{(name, format): (exit code, normalised output)}`` of one pass over every case."""
    return {(name, fmt): gs.run_check(path, fmt) for name, path, fmt in CASES}


def test_there_are_inputs_of_both_kinds():
    names = [name for name, _ in INPUTS]
    assert len([n for n in names if n.startswith("demo-")]) == 3, names
    assert len(names) >= 12, names


@pytest.mark.parametrize(("name", "path", "fmt"), CASES, ids=[f"{n}-{f}" for n, _, f in CASES])
def test_output_matches_golden(first_pass, name, path, fmt):
    _, actual = first_pass[(name, fmt)]
    golden = gs.golden_path(name, fmt)
    label = golden.relative_to(gs.ROOT).as_posix()
    command = "sagemaker-isolation " + " ".join(gs.check_argv(path.relative_to(gs.ROOT), fmt))
    expected = gs.read_golden(golden)
    if expected is None:
        pytest.fail(f"{label} is missing: run `{gs.REFRESH_COMMAND}` and review the new file")
    if actual != expected:
        pytest.fail(
            f"`{command}` no longer prints {label}:\n"
            f"{_diff(expected, actual, label)}\n"
            f"If this change is intended, run `{gs.REFRESH_COMMAND}` and review "
            f"`git diff tests/golden`.",
            pytrace=False,
        )


def test_exit_codes_match_golden(first_pass):
    codes = {}
    for (name, _fmt), (code, _) in first_pass.items():
        assert codes.setdefault(name, code) == code, f"{name}: exit code depends on --format"
    golden = json.loads(gs.read_golden(gs.EXIT_CODES))
    assert codes == golden, f"exit codes changed; if intended run `{gs.REFRESH_COMMAND}`"


def test_same_bytes_on_a_second_pass_in_this_process(first_pass):
    for name, path, fmt in reversed(CASES):
        again = gs.run_check(path, fmt)
        assert again == first_pass[(name, fmt)], f"{name} --format {fmt} changed on a re-run"


_OTHER_PROCESS = """
import json, sys
from tests import golden_support as gs
json.dump([[n, f, *gs.run_check(p, f)] for n, p in gs.golden_inputs() for f in gs.FORMATS],
          sys.stdout)
"""


def test_same_bytes_in_another_process_with_another_hash_seed(first_pass):
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    env = dict(os.environ, PYTHONHASHSEED=seed)
    proc = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS],
        cwd=gs.ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    other = {(n, f): (code, text) for n, f, code, text in json.loads(proc.stdout)}
    assert set(other) == set(first_pass)
    for key, value in first_pass.items():
        assert other[key] == value, f"{key[0]} --format {key[1]} differs with PYTHONHASHSEED={seed}"


def test_golden_set_is_complete_and_small():
    """Every committed golden file is expected (no stale ones) and under 1 MiB."""
    expected = {gs.EXIT_CODES}
    for name, _, fmt in CASES:
        files = gs.golden_files(gs.golden_path(name, fmt))
        assert files, f"{name} --format {fmt}: no golden file; run `{gs.REFRESH_COMMAND}`"
        expected.update(files)
    expected.update(gs.GOLDEN_INPUTS.glob("demo-*.json"))
    present = {p for p in gs.GOLDEN.rglob("*") if p.is_file()}
    assert present == expected, f"stale: {sorted(present - expected)}"
    for path in present:
        assert path.stat().st_size < MIB, f"{path} is {path.stat().st_size} bytes"


def test_demo_inputs_are_what_the_collector_reads_now(demo_account, monkeypatch):
    """The committed demo inputs equal a fresh collection from the seeded local AWS (moto),
    normalised the same way: the collector's output is golden too."""
    for key in gs.COLLECT_ENV_DROPPED:
        monkeypatch.delenv(key, raising=False)
    for path, now in gs.collect_demo_inputs(demo_account).items():
        label = path.relative_to(gs.ROOT).as_posix()
        committed = gs.read_golden(path)
        assert committed is not None, f"{label} missing: run `{gs.REFRESH_COMMAND}`"
        if now != committed:
            pytest.fail(
                f"collecting the demo account no longer gives {label}:\n"
                f"{_diff(committed, now, label)}\n"
                f"If intended, run `{gs.REFRESH_COMMAND}` and review `git diff tests/golden`.",
                pytrace=False,
            )
