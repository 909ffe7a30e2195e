#!/usr/bin/env python
"""Engine benchmark: the figures in docs/ENGINE.md (not timed tests).

Measures, on this machine, in one run:
1. per-evaluation time of the engine on compiled policies (the 400 shared cases, closed world,
   policies parsed and compiled once; microseconds);
2. whole-catalog analysis of one role (every sagemaker action x its resource types x three tag
   states: this domain, another domain, untagged), doc policy + AmazonSageMakerFullAccess, through
   ``sagemaker_isolation_ext.sagemaker.analysis``; milliseconds per role pass;
3. ``sagemaker-isolation simulate --cases`` on 10,000 cases (the 400 shared cases repeated and
   perturbed: ids, tag values, resource names, and a no-op statement that changes the policy
   digest in a quarter of them), whole process, against the same file through
   ``@cloud-copilot/iam-simulate`` 0.1.173 (``scripts/iam-simulate-bench``), timed in the same
   run; also how often the two agree.

Usage:
    python scripts/bench_engine.py [--cases N] [--repeat R] [--json] [--profile]
    (npm ci --prefix scripts/iam-simulate-bench first; without node_modules the comparison is
    skipped and says so)

Wall-clock seconds via time.perf_counter; each figure is the minimum and the median of R runs
(the minimum is the least disturbed by other load on the machine).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT / "tests" / "cases" / "iam_eval_cases.jsonl"
NODE_DIR = ROOT / "scripts" / "iam-simulate-bench"
DOMAINS = ("d-aaaaaaaaaaaa", "d-bbbbbbbbbbbb", "d-cccccccccccc")
NOOP_RESOURCE = "arn:aws:sagemaker:us-east-1:999999999999:domain/d-none"


def _stats(runs: list[float]) -> dict:
    return {"min": min(runs), "median": statistics.median(runs), "runs": len(runs)}


# -- 1. per evaluation --------------------------------------------------------------------------


def bench_evaluate(repeat: int) -> dict:
    """Microseconds per evaluate() on pre-parsed, pre-compiled policy sets."""
    from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy

    prepared = []
    for line in SHARED.open():
        c = json.loads(line)
        ident = [parse_policy(p["document"], p["name"]) for p in c["identity_policies"]]
        pb = c.get("permissions_boundary")
        boundary = parse_policy(pb["document"], pb["name"]) if pb else None
        r = c["request"]
        prepared.append(
            (
                Request(r["principal"], r["action"], r["resource"], r.get("context") or {}),
                PolicySet(identity=ident, boundary=boundary),
            )
        )
    for req, ps in prepared:
        evaluate(req, ps)  # compile
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(5):
            for req, ps in prepared:
                evaluate(req, ps)
        runs.append((time.perf_counter() - t0) / (5 * len(prepared)) * 1e6)
    return {"cases": len(prepared), "us_per_eval": _stats(runs)}


# -- 2. analysis of one role --------------------------------------------------------------------


def _snapshot() -> dict:
    data = ROOT / "sagemaker_isolation_ext" / "data"
    account, region, domain_id = "111122223333", "us-east-1", "d-bench0000001"
    domain_arn = f"arn:aws:sagemaker:{region}:{account}:domain/{domain_id}"
    doc_text = (
        data / "isolation_policies/aws-docs-studio-domain-resource-isolation.json"
    ).read_text()
    doc_text = doc_text.replace('"domain-arn"', json.dumps(domain_arn)).replace(
        "app/domain-id/", f"app/{domain_id}/"
    )
    full = json.loads((data / "managed_policies/AmazonSageMakerFullAccess.json").read_text())
    role_arn = f"arn:aws:iam::{account}:role/BenchRole"
    iso_arn = f"arn:aws:iam::{account}:policy/StudioDomainResourceIsolationPolicy-{domain_id}"
    full_arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
    return {
        "schema_version": 1,
        "source": "fixture",
        "collected_at": "2026-12-01T00:00:00Z",
        "partition": "aws",
        "region": region,
        "account_id": account,
        "context": {"source": "cli", "detail": "bench_engine"},
        "domain": {
            "id": domain_id,
            "arn": domain_arn,
            "name": "bench",
            "default_user_execution_role": role_arn,
            "default_space_execution_role": None,
            "studio_web_portal": "DISABLED",
            "default_landing_uri": "app:JupyterServer:",
        },
        "user_profiles": [],
        "roles": {
            role_arn: {
                "arn": role_arn,
                "name": "BenchRole",
                "attached_policies": [iso_arn, full_arn],
                "inline_policies": [],
                "permissions_boundary": None,
                "complete": True,
            }
        },
        "policies": {
            iso_arn: {
                "arn": iso_arn,
                "name": f"StudioDomainResourceIsolationPolicy-{domain_id}",
                "version_id": "v1",
                "document": json.loads(doc_text),
            },
            full_arn: {
                "arn": full_arn,
                "name": "AmazonSageMakerFullAccess",
                "version_id": "v1",
                "document": full,
            },
        },
        "errors": [],
    }


def bench_analysis(repeat: int, profile: bool) -> dict:
    """Milliseconds per whole-catalog role pass (analyze() runs the role once for the report and
    once per template variant: passes = evaluate_role calls)."""
    from sagemaker_isolation_ext.iam import engine
    from sagemaker_isolation_ext.sagemaker import analysis
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    catalog = load_catalog()
    snap = _snapshot()
    passes = 0
    evaluations = 0
    orig_role = getattr(analysis, "evaluate_role", None)
    orig_eval = analysis.evaluate if hasattr(analysis, "evaluate") else None

    def counting_role(*a, **kw):
        nonlocal passes
        passes += 1
        return orig_role(*a, **kw)

    def counting_eval(*a, **kw):
        nonlocal evaluations
        evaluations += 1
        return engine.evaluate(*a, **kw)

    if orig_role is not None:
        analysis.evaluate_role = counting_role
    if orig_eval is not None:
        analysis.evaluate = counting_eval
    try:
        report = analysis.analyze(snap, catalog)  # warm (compiles the policies)
    finally:
        if orig_role is not None:
            analysis.evaluate_role = orig_role
        if orig_eval is not None:
            analysis.evaluate = orig_eval
    passes = max(passes, 1)
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        analysis.analyze(snap, catalog)
        runs.append((time.perf_counter() - t0) * 1e3 / passes)
    out = {
        "role_passes_per_report": passes,
        "evaluations_per_report": evaluations or None,
        "requests_per_role": report["roles"][0].get("counts", {}).get("requests"),
        "verdict": report["roles"][0].get("verdict"),
        "ms_per_role_pass": _stats(runs),
    }
    if profile:
        pr = cProfile.Profile()
        pr.enable()
        for _ in range(3):
            analysis.analyze(snap, catalog)
        pr.disable()
        buf = io.StringIO()
        st = pstats.Stats(pr, stream=buf)
        total = st.total_tt
        st.sort_stats("tottime").print_stats(12)
        engine_tt = sum(
            v[2] for k, v in st.stats.items() if "/iam/" in k[0]
        )  # own time spent in engine modules
        out["profile_top"] = buf.getvalue()
        out["engine_share_of_time"] = engine_tt / total if total else None
    return out


# -- 3. simulate --cases vs iam-simulate --------------------------------------------------------


def make_cases(n: int, path: Path) -> int:
    """Write ``n`` cases: the shared cases repeated, every repetition perturbed."""
    base = [json.loads(line) for line in SHARED.open()]
    written = 0
    with path.open("w") as f:
        k = 0
        while written < n:
            for c in base:
                if written >= n:
                    break
                c = copy.deepcopy(c)
                c.pop("expected", None)
                c["id"] = f"{c['id']}-r{k}"
                kind = k % 4
                req = c["request"]
                if kind == 1:
                    # another domain in the tag values of the context
                    ctx = req.get("context") or {}
                    for key, v in list(ctx.items()):
                        if isinstance(v, str):
                            for d in DOMAINS:
                                v = (
                                    v.replace(d, DOMAINS[(DOMAINS.index(d) + 1) % 3])
                                    if d in v
                                    else v
                                )
                            ctx[key] = v
                elif kind == 2:
                    # another resource name of the same type
                    res = req["resource"]
                    if res.endswith("job-1"):
                        req["resource"] = res[:-1] + str(k % 7 + 2)
                elif kind == 3:
                    # a no-op Deny statement: new document digest, so the policy is compiled anew
                    doc = c["identity_policies"][0]["document"] if c["identity_policies"] else None
                    if doc is not None:
                        sts = doc["Statement"]
                        sts = sts if isinstance(sts, list) else [sts]
                        doc["Statement"] = sts + [
                            {
                                "Sid": f"BenchNoop{k}",
                                "Effect": "Deny",
                                "Action": "sagemaker:DescribeDomain",
                                "Resource": NOOP_RESOURCE,
                            }
                        ]
                f.write(json.dumps(c, separators=(",", ":")) + "\n")
                written += 1
            k += 1
    return written


_CPU: dict[str, list[float]] = {}


def _run(cmd: list[str], out_path: Path, label: str) -> float:
    """Run ``cmd`` as a whole process; returns wall seconds, records CPU seconds (user+sys)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with out_path.open("w") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, cwd=ROOT, check=False)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    _CPU.setdefault(label, []).append(cpu)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return dt


def bench_simulate(n: int, repeat: int) -> dict:
    """Whole-process seconds for ``simulate --cases`` and for the iam-simulate runner."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    try:
        cases = tmp / "cases.jsonl"
        count = make_cases(n, cases)
        ours_cmd = [
            sys.executable,
            "-m",
            "sagemaker_isolation_ext",
            "simulate",
            "--cases",
            str(cases),
        ]
        # As `pip install` does: compile the package's bytecode once (this machine's environment
        # sets PYTHONDONTWRITEBYTECODE=1, so without this every run recompiles it from source).
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "sagemaker_isolation_ext")],
            check=False,
            capture_output=True,
        )
        _CPU.clear()
        node = shutil.which("node")
        have_node = (
            node is not None
            and (NODE_DIR / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir()
        )
        theirs_cmd = [node, str(NODE_DIR / "run_cases.mjs"), str(cases)] if have_node else None
        ours, theirs = [], []
        for _ in range(repeat):  # interleaved, so both sides see the same machine load
            ours.append(_run(ours_cmd, tmp / "ours.jsonl", "ours"))
            if theirs_cmd is not None:
                theirs.append(_run(theirs_cmd, tmp / "theirs.jsonl", "theirs"))
        result = {"cases": count, "ours_s": _stats(ours), "ours_cpu_s": _stats(_CPU["ours"])}
        if theirs_cmd is None:
            result["theirs"] = (
                "skipped: run `npm ci --prefix scripts/iam-simulate-bench` (needs node)"
            )
            return result
        pkg = json.loads(
            (NODE_DIR / "node_modules/@cloud-copilot/iam-simulate/package.json").read_text()
        )
        a = {}
        for line in (tmp / "ours.jsonl").open():
            o = json.loads(line)
            a[o["id"]] = o["decision"]
        agree = total = 0
        errors = 0
        for line in (tmp / "theirs.jsonl").open():
            o = json.loads(line)
            total += 1
            errors += "error" in o
            agree += a.get(o["id"]) == o["decision"]
        result.update(
            {
                "theirs_package": f"@cloud-copilot/iam-simulate {pkg['version']}",
                "node": subprocess.run(
                    [node, "--version"], capture_output=True, text=True
                ).stdout.strip(),
                "theirs_s": _stats(theirs),
                "theirs_cpu_s": _stats(_CPU["theirs"]),
                "speedup_min_over_min": min(theirs) / min(ours),
                "speedup_cpu_min": min(_CPU["theirs"]) / min(_CPU["ours"]),
                "speedup_median": statistics.median(theirs) / statistics.median(ours),
                "agreement": {"same_decision": agree, "cases": total, "their_errors": errors},
            }
        )
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000, help="cases for the simulate comparison")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--profile", action="store_true", help="cProfile the analysis (hot spots)")
    args = ap.parse_args(argv)
    if args.cases < 1 or args.repeat < 1:
        ap.error("--cases and --repeat must be at least 1")
    out = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_avg_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
        "evaluate": bench_evaluate(args.repeat),
        "analysis_one_role": bench_analysis(args.repeat, args.profile),
        "simulate": bench_simulate(args.cases, args.repeat),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    e, a, s = out["evaluate"], out["analysis_one_role"], out["simulate"]
    print(
        f"machine: python {out['machine']['python']}, {out['machine']['cpus']} cpus, "
        f"load {out['machine']['load_avg_1m']}"
    )
    print(
        f"evaluate: {e['us_per_eval']['min']:.1f} us/evaluation min, "
        f"{e['us_per_eval']['median']:.1f} median ({e['cases']} shared cases, compiled)"
    )
    print(
        f"analysis: {a['ms_per_role_pass']['min']:.1f} ms per whole-catalog role pass min, "
        f"{a['ms_per_role_pass']['median']:.1f} median ({a['requests_per_role']} requests per "
        f"role, {a['role_passes_per_report']} passes per report, verdict {a['verdict']})"
    )
    if "engine_share_of_time" in a:
        print(f"  engine share of analysis time: {a['engine_share_of_time']:.0%}")
        print(a["profile_top"])
    print(
        f"simulate --cases, {s['cases']} cases, whole process: ours {s['ours_s']['min']:.2f} s "
        f"min ({s['ours_s']['median']:.2f} median; CPU {s['ours_cpu_s']['min']:.2f} s)"
    )
    if isinstance(s.get("theirs"), str):
        print(f"  iam-simulate: {s['theirs']}")
    else:
        g = s["agreement"]
        print(
            f"  {s['theirs_package']} on node {s['node']}: {s['theirs_s']['min']:.2f} s min "
            f"({s['theirs_s']['median']:.2f} median; CPU {s['theirs_cpu_s']['min']:.2f} s)"
        )
        print(
            f"  speedup: {s['speedup_min_over_min']:.1f}x wall (min/min), "
            f"{s['speedup_median']:.1f}x (median), {s['speedup_cpu_min']:.1f}x CPU; "
            f"same decision on {g['same_decision']}/{g['cases']} cases "
            f"({g['their_errors']} iam-simulate errors)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
