"""Rewrite the golden outputs of ``check`` in tests/golden/ (issue 15). Run from anywhere:

    python scripts/refresh-golden.py                # collect the demo inputs, rewrite outputs
    python scripts/refresh-golden.py --outputs-only # keep tests/golden/inputs/, rewrite outputs

Run it only when an output change is intended, then review ``git diff tests/golden`` line by
line: every changed byte is a changed answer to a user.

1. Unless ``--outputs-only``: start the local AWS (moto, ``demo.server.start_local_aws``) with
   fake credentials, seed the demo account (``demo.seed.seed_demo_account``), collect each demo
   domain (``aws.collect.collect_snapshot``), normalise what changes between collections
   (``tests.golden_support.normalise_live_snapshot``) and write
   ``tests/golden/inputs/demo-<domain>.json`` (``snapshot.dump_snapshot``'s layout).
2. For every input (``tests/fixtures/snapshots/*.json`` and the demo inputs) and format, run
   ``sagemaker_isolation_ext.cli.main(["check", "--snapshot", F, "--format", FMT,
   "--no-aws-confirm"])`` twice, refuse to write if the two runs differ (non-determinism), and
   write the normalised output (``tests.golden_support.normalise_output``) and the exit codes.
   Golden files of inputs that no longer exist are removed.

Exit status: 0 written, 1 a run was not deterministic (nothing written for it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import golden_support as gs  # noqa: E402


def collect_demo_inputs() -> list[Path]:
    """Collect the demo domains from a fresh moto and write their normalised snapshots.

    Returns:
        The paths written. Raises what the seeding or collection raises (moto not installed,
        a refused call).
    """
    from tests.conftest import _DROPPED_AWS_ENV, FAKE_AWS_ENV

    for key in (*_DROPPED_AWS_ENV, *gs.COLLECT_ENV_DROPPED):
        os.environ.pop(key, None)
    # Files that do not exist: boto3 reads no config or credentials of this machine.
    missing = os.path.join(tempfile.gettempdir(), "sagemaker-isolation-golden-no-such-dir")
    os.environ["AWS_CONFIG_FILE"] = os.path.join(missing, "no-aws-config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(missing, "no-aws-credentials")
    os.environ.update(FAKE_AWS_ENV)

    from sagemaker_isolation_ext.demo.seed import seed_demo_account
    from sagemaker_isolation_ext.demo.server import start_local_aws

    gs.GOLDEN_INPUTS.mkdir(parents=True, exist_ok=True)
    server, url = start_local_aws()
    written = []
    try:
        account = seed_demo_account(url, region="us-east-1")
        for path, text in gs.collect_demo_inputs(account).items():
            gs.write_golden(path, text)
            written.append(path)
    finally:
        server.stop()
    for stale in set(gs.GOLDEN_INPUTS.glob("demo-*.json")) - set(written):
        stale.unlink()
    return written


def write_outputs() -> int:
    """Run every input and format twice, write the golden files; returns the exit status."""
    expected: set[Path] = {gs.EXIT_CODES}
    codes: dict[str, int] = {}
    status = 0
    for name, snapshot in gs.golden_inputs():
        for fmt in gs.FORMATS:
            code, text = gs.run_check(snapshot, fmt)
            code2, text2 = gs.run_check(snapshot, fmt)
            path = gs.golden_path(name, fmt)
            expected.update(gs.golden_files(path))  # kept as they are if not rewritten
            if (code, text) != (code2, text2):
                print(
                    f"NOT DETERMINISTIC: {name} --format {fmt}; {path.name} not written",
                    file=sys.stderr,
                )
                status = 1
                continue
            if codes.setdefault(name, code) != code:
                print(
                    f"exit code differs between formats for {name}: {codes[name]} vs {code}",
                    file=sys.stderr,
                )
                status = 1
            for written in gs.write_golden(path, text):
                expected.add(written)
                size = written.stat().st_size
                print(f"{written.relative_to(ROOT)}  {size:>8} bytes  exit {code}")
    gs.write_golden(gs.EXIT_CODES, json.dumps(codes, indent=2) + "\n")
    for stale in set(gs.GOLDEN.glob("*.*")) - expected:
        if stale.is_file():
            print(f"removed {stale.relative_to(ROOT)}")
            stale.unlink()
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--outputs-only",
        action="store_true",
        help="keep tests/golden/inputs/ as they are (no moto); rewrite the outputs only",
    )
    args = parser.parse_args(argv)
    if not args.outputs_only:
        for path in collect_demo_inputs():
            print(f"{path.relative_to(ROOT)}  collected from the local AWS")
    return write_outputs()


if __name__ == "__main__":
    sys.exit(main())
