"""The golden outputs of ``check`` (issue 15): their inputs, how they are run and normalised.

Shared by ``tests/test_golden_outputs.py`` (compares) and ``scripts/refresh-golden.py``
(rewrites), so both run the CLI and normalise its output the same way.

Inputs (:func:`golden_inputs`):

- the shared scenario snapshots ``tests/fixtures/snapshots/<name>.json`` (named ``<name>``);
- the demo domains' live snapshots ``tests/golden/inputs/demo-<domain>.json``, collected from the
  local AWS (moto, seeded by ``demo.seed.seed_demo_account``) by the refresh script and
  normalised by :func:`normalise_live_snapshot` (named ``demo-<domain>``).

Outputs, per input and format: ``tests/golden/<name>.txt``, ``<name>.json``,
``<name>.sarif.json`` (``sagemaker-isolation check --snapshot F --format text|json|sarif
--no-aws-confirm``), and one ``tests/golden/exit-codes.json`` (``{name: exit code}``). An output
larger than :data:`PART_BYTES` is stored in line-aligned pieces ``<file>.part1``, ``.part2``, ...
whose concatenation is the output (so every committed file stays well under 1 MiB and
reviewable as text).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
GOLDEN_INPUTS = GOLDEN / "inputs"
FIXTURE_SNAPSHOTS = ROOT / "tests" / "fixtures" / "snapshots"
EXIT_CODES = GOLDEN / "exit-codes.json"

#: ``--format`` value -> golden file suffix.
FORMATS = {"text": ".txt", "json": ".json", "sarif": ".sarif.json"}

#: The command that rewrites the golden files (printed on a mismatch).
REFRESH_COMMAND = "python scripts/refresh-golden.py"

#: What a normalised volatile value reads.
NORMALISED = "<normalised>"

#: JSON keys whose string values vary from run to run and are replaced by ``"<normalised>"``
#: at any depth: the report's ``generated_at`` (UTC now) and ``tool_version`` (the installed
#: package's version), SARIF's run timestamps (``startTimeUtc``/``endTimeUtc``, SARIF 2.1.0
#: §3.20.7-8; not emitted today).
VOLATILE_KEYS = ("generated_at", "tool_version", "startTimeUtc", "endTimeUtc")

_VOLATILE_RE = re.compile(r'("(?:' + "|".join(VOLATILE_KEYS) + r')": )"(?:[^"\\]|\\.)*"')

#: Environment variables a collection reads besides AWS's (``aws.context.detect_environment``:
#: Studio's app type) that the refresh script and the collector test unset, so the committed
#: demo inputs do not depend on where they were collected.
COLLECT_ENV_DROPPED = ("SAGEMAKER_APP_TYPE", "SAGEMAKER_APP_TYPE_LOWERCASE")

#: The fixed ``collected_at`` of a normalised live snapshot.
FIXED_COLLECTED_AT = "2000-01-01T00:00:00Z"
#: What a normalised live snapshot says instead of moto's endpoint (its port is random).
FIXED_ENDPOINT = "http://127.0.0.1:<moto-port>"


def normalise_output(text: str) -> str:
    """The CLI's output with its volatile fields replaced; everything else kept byte for byte.

    Replaced (in every format, as text, without re-serialising, so key order and layout still
    count):

    - the string value of every JSON key in :data:`VOLATILE_KEYS` -> ``"<normalised>"``;
    - the installed tool version as a JSON string (``"0.1.0"``; the SARIF
      ``runs[].tool.driver.version``) -> ``"<normalised>"``;
    - the repository's absolute path (as a ``file://`` URI and as a path) -> ``<repo>``.

    Args:
        text: the CLI's stdout.

    Returns:
        The normalised text.
    """
    from sagemaker_isolation_ext import __version__

    text = _VOLATILE_RE.sub(lambda m: f'{m.group(1)}"{NORMALISED}"', text)
    text = text.replace(json.dumps(__version__), json.dumps(NORMALISED))
    text = text.replace(ROOT.as_uri(), "<repo>").replace(str(ROOT), "<repo>")
    return text


def normalise_live_snapshot(snapshot: dict, endpoint_url: str) -> dict:
    """A live snapshot with what changes between two collections of the same moto account
    fixed: ``collected_at`` -> :data:`FIXED_COLLECTED_AT`, the moto endpoint URL (random port)
    in ``context.detail`` -> :data:`FIXED_ENDPOINT`. Returns a new dict; ``snapshot`` is kept.

    (moto's other generated values, such as role and policy ids, are not part of a snapshot.)
    """
    snap = json.loads(json.dumps(snapshot))
    snap["collected_at"] = FIXED_COLLECTED_AT
    ctx = snap.get("context") or {}
    for key, value in list(ctx.items()):
        if isinstance(value, str):
            ctx[key] = value.replace(endpoint_url, FIXED_ENDPOINT)
    return snap


def collect_demo_inputs(account: dict) -> dict[Path, str]:
    """Collect every demo domain of a seeded local AWS, normalised and serialised.

    Args:
        account: ``demo.seed.seed_demo_account``'s dict (``endpoint_url``, ``domains``).

    Returns:
        ``{tests/golden/inputs/demo-<domain>.json: snapshot text (dump_snapshot's layout)}``,
        in ``DEMO_DOMAINS`` order. Raises what ``aws.collect.collect_snapshot`` raises.
    """
    from sagemaker_isolation_ext.aws.collect import collect_snapshot
    from sagemaker_isolation_ext.aws.target import resolve_context
    from sagemaker_isolation_ext.demo.seed import DEMO_DOMAINS
    from sagemaker_isolation_ext.sagemaker.snapshot import dump_snapshot

    url = account["endpoint_url"]
    texts = {}
    for name in DEMO_DOMAINS:
        ctx = resolve_context(
            domain_id=account["domains"][name]["id"],
            region="us-east-1",
            endpoint_url=url,
            metadata_path=None,
        )
        snap = normalise_live_snapshot(collect_snapshot(ctx), url)
        texts[GOLDEN_INPUTS / f"demo-{name}.json"] = dump_snapshot(snap)
    return texts


def golden_inputs() -> list[tuple[str, Path]]:
    """``[(name, snapshot path), ...]``: the shared scenario snapshots, then the demo domains'
    (``demo-<domain>``), each group sorted by name."""
    shared = sorted((p.stem, p) for p in FIXTURE_SNAPSHOTS.glob("*.json"))
    demo = sorted((p.stem, p) for p in GOLDEN_INPUTS.glob("demo-*.json"))
    return shared + demo


def check_argv(snapshot: Path, fmt: str) -> list[str]:
    """The CLI arguments of one golden output."""
    return ["check", "--snapshot", str(snapshot), "--format", fmt, "--no-aws-confirm"]


def run_check(snapshot: Path, fmt: str) -> tuple[int, str]:
    """Run ``sagemaker_isolation_ext.cli.main`` in this process on one input and format.

    Returns:
        ``(exit code, normalised stdout)``; stderr (placeholder warnings) is dropped.
    """
    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    with contextlib.redirect_stderr(io.StringIO()):
        code = main(check_argv(snapshot, fmt), out)
    return code, normalise_output(out.getvalue())


def golden_path(name: str, fmt: str) -> Path:
    """The golden file of input ``name`` in ``fmt`` (``text``/``json``/``sarif``)."""
    return GOLDEN / f"{name}{FORMATS[fmt]}"


#: Largest golden file written whole (bytes); a larger output is split after newlines in parts
#: of at most this size (a single longer line stays whole).
PART_BYTES = 768 * 1024


def _parts(path: Path) -> list[Path]:
    """``<path>.part1``, ``.part2``, ... that exist, in order."""
    found = {
        p: int(p.name.rsplit(".part", 1)[1])
        for p in path.parent.glob(path.name + ".part*")
        if p.name.rsplit(".part", 1)[1].isdigit()
    }
    return sorted(found, key=found.get)


def golden_files(path: Path) -> list[Path]:
    """The committed file(s) holding golden output ``path``: itself, or its parts."""
    return [path] if path.exists() else _parts(path)


def read_golden(path: Path) -> str | None:
    """A golden output exactly as committed (bytes decoded as UTF-8, no newline translation),
    joined from its parts when split; None when neither the file nor a part exists."""
    files = golden_files(path)
    if not files:
        return None
    return b"".join(p.read_bytes() for p in files).decode("utf-8")


def write_golden(path: Path, text: str) -> list[Path]:
    """Write ``text`` as UTF-8 bytes (``\\n`` line ends on every platform) to ``path``, or
    to ``path.part1``, ``.part2``, ... split after a newline when larger than
    :data:`PART_BYTES`. Removes the other form (old parts or the whole file).

    Returns:
        The files written.
    """
    data = text.encode("utf-8")
    for old in [path, *_parts(path)]:
        old.unlink(missing_ok=True)
    if len(data) <= PART_BYTES:
        path.write_bytes(data)
        return [path]
    written = []
    start = 0
    while start < len(data):
        if len(data) - start <= PART_BYTES:
            end = len(data)
        else:  # after the last newline within PART_BYTES (a longer line: after its end)
            nl = data.rfind(b"\n", start, start + PART_BYTES)
            end = nl + 1 if nl >= 0 else (data.find(b"\n", start + PART_BYTES) + 1 or len(data))
        part = path.with_name(f"{path.name}.part{len(written) + 1}")
        part.write_bytes(data[start:end])
        written.append(part)
        start = end
    return written
