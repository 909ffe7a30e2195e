#!/usr/bin/env python
"""Engine benchmark: the figures in docs/ENGINE.md (not timed tests).

Measures, on this machine, in one run:
1. per-evaluation time of the engine on compiled policies (the 400 shared cases, closed world,
   policies parsed and compiled once; microseconds);
2. whole-catalog analysis of one role (every sagemaker action x its resource types x three tag
   states: this domain, another domain, untagged), doc policy + AmazonSageMakerFullAccess, through
   ``sagemaker_isolation_ext.sagemaker.analysis``; milliseconds per role pass;
3. ``sagemaker-isolation simulate --cases``, whole process, on three files written by
   ``scripts/gen_simulate_bench.py`` (its parameters committed there): 10,000 cases whose
   documents are almost all distinct; the same file with every engine cache off; a repeat-heavy
   file (400 distinct cases repeated); against ``@cloud-copilot/iam-simulate`` 0.1.173
   (``scripts/iam-simulate-bench``) on the distinct and repeat-heavy files, runs interleaved;
   wall and CPU seconds (median of R runs), peak RSS, cache hit rates, and how often the two
   engines agree.

Usage:
    python scripts/bench_engine.py [--cases N] [--repeat R] [--json] [--profile] [--keep DIR]
        [--skip-analysis]
    (npm ci --prefix scripts/iam-simulate-bench first; without node_modules the comparison is
    skipped and says so)

Wall-clock seconds via time.perf_counter, CPU seconds and peak RSS from wait4 of each process;
each figure is the median (and minimum) of R runs. The speed goal (docs/ENGINE.md "Speed"): on
the distinct file, ours >= 20x faster than iam-simulate in the same run, wall and CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
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

GEN = ROOT / "scripts" / "gen_simulate_bench.py"

#: Runs ``simulate --cases`` in a fresh process with every cache of the engine off: the parse
#: caches hold one entry, the statement compile caches one, the matcher and predicate LRU caches
#: are bypassed (what is left is the per-policy memo of statements by action, which lives as long
#: as one compiled policy).
NO_CACHE = """
import sys
from sagemaker_isolation_ext.iam import arn, conditions, engine, policy
policy._PARSED_MAX = 0
policy._STMT_PARSED_MAX = 0
engine._STMT_CACHE_MAX = 0
arn._globs_matcher = arn._globs_matcher.__wrapped__
conditions._cached_pred = conditions._cached_pred.__wrapped__
from sagemaker_isolation_ext.cli.entry import main
sys.exit(main(["simulate", "--cases", sys.argv[1]]))
"""


def cache_hit_rates(path: Path) -> dict:
    """Hit rates of the caches on one pass over ``path`` (in this process, untimed):
    documents (``parse_policy`` by text), statements (parse by text, compile by statement) and
    statements compiled in full (the lazy part)."""
    from sagemaker_isolation_ext.iam import engine, policy
    from sagemaker_isolation_ext.iam.simulate import run_cases_json

    policy._PARSED.clear()
    policy._parsed_chars = 0
    policy._STMT_PARSED.clear()
    policy._stmt_chars = 0
    engine._STMT_CACHE.clear()
    engine._STMT_BY_ID.clear()
    counts = {"documents": 0, "documents_parsed": 0, "statements": 0, "statements_parsed": 0}
    counts.update({"compiles_asked": 0, "compiled": 0, "compiled_in_full": 0})
    orig = (
        policy.parse_policy,
        policy._parse_document,
        policy._parse_statement,
        engine._compile_statement,
        engine._CompiledStatement.__init__,
        engine._CompiledStatement._build_rest,
    )

    def wrap(fn, key, after=None):
        def inner(*a, **kw):
            counts[key] += 1
            got = fn(*a, **kw)
            if after is not None:
                after(got)
            return got

        return inner

    def doc_parsed(p):
        counts["statements"] += len(p.statements)

    policy.parse_policy = wrap(orig[0], "documents")
    policy._parse_document = wrap(orig[1], "documents_parsed", doc_parsed)
    policy._parse_statement = wrap(orig[2], "statements_parsed")
    engine._compile_statement = wrap(orig[3], "compiles_asked")
    engine._CompiledStatement.__init__ = wrap(orig[4], "compiled")
    engine._CompiledStatement._build_rest = wrap(orig[5], "compiled_in_full")
    import sagemaker_isolation_ext.iam.simulate as sim

    sim.parse_policy = policy.parse_policy
    try:
        with path.open() as f:
            for _ in run_cases_json(f):
                pass
    finally:
        policy.parse_policy, policy._parse_document, policy._parse_statement = orig[:3]
        engine._compile_statement = orig[3]
        engine._CompiledStatement.__init__, engine._CompiledStatement._build_rest = orig[4:]
        sim.parse_policy = orig[0]

    def rate(hits, total):
        return round(hits / total, 3) if total else None

    c = counts
    return {
        "document_parse_hit_rate": rate(c["documents"] - c["documents_parsed"], c["documents"]),
        "statement_parse_hit_rate": rate(c["statements"] - c["statements_parsed"], c["statements"]),
        "statement_compile_hit_rate": rate(c["compiles_asked"] - c["compiled"], c["compiles_asked"]),
        "statements_compiled_in_full_share": rate(c["compiled_in_full"], c["compiled"]),
        "counts": c,
    }


_CPU: dict[str, list[float]] = {}
_RSS: dict[str, list[float]] = {}


def _run(cmd: list[str], out_path: Path, label: str) -> float:
    """Run ``cmd`` as a whole process; returns wall seconds, records CPU seconds (user+sys) and
    peak RSS (MB) of that process."""
    t0 = time.perf_counter()
    with out_path.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
        err = proc.stderr.read()
        _pid, status, ru = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    _CPU.setdefault(label, []).append(ru.ru_utime + ru.ru_stime)
    _RSS.setdefault(label, []).append(ru.ru_maxrss / 1024)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {err.decode()[-500:]}")
    return dt


def _agreement(ours: Path, theirs: Path) -> dict:
    a = {}
    for line in ours.open():
        o = json.loads(line)
        a[o["id"]] = o["decision"]
    agree = total = errors = 0
    for line in theirs.open():
        o = json.loads(line)
        total += 1
        errors += "error" in o
        agree += a.get(o["id"]) == o["decision"]
    return {"same_decision": agree, "cases": total, "their_errors": errors}


def bench_simulate(n: int, repeat: int, keep: Path | None = None) -> dict:
    """Whole-process wall/CPU seconds and peak RSS of ``simulate --cases`` on three files
    written by scripts/gen_simulate_bench.py (distinct documents; the same with every cache
    off; repeat-heavy), iam-simulate on the distinct and repeat-heavy files, runs interleaved."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    try:
        files = {"distinct": tmp / "distinct.jsonl", "repeat_heavy": tmp / "repeat.jsonl"}
        info = {}
        for label, path in files.items():
            extra = ["--repeat-heavy"] if label == "repeat_heavy" else []
            got = subprocess.run(
                [sys.executable, str(GEN), str(path), "--cases", str(n), *extra],
                capture_output=True,
                text=True,
                check=True,
            )
            info[label] = json.loads(got.stderr.strip().splitlines()[-1])
        # As `pip install` does: compile the package's bytecode once (this machine's environment
        # sets PYTHONDONTWRITEBYTECODE=1, so without this every run recompiles it from source).
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "sagemaker_isolation_ext")],
            check=False,
            capture_output=True,
        )
        ours = [sys.executable, "-m", "sagemaker_isolation_ext", "simulate", "--cases"]
        node = shutil.which("node")
        have_node = (
            node is not None
            and (NODE_DIR / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir()
        )
        theirs = [node, str(NODE_DIR / "run_cases.mjs")] if have_node else None
        plan = [
            ("ours_distinct", ours + [str(files["distinct"])]),
            ("ours_distinct_no_cache", [sys.executable, "-c", NO_CACHE, str(files["distinct"])]),
            ("ours_repeat_heavy", ours + [str(files["repeat_heavy"])]),
        ]
        if theirs is not None:
            plan.insert(1, ("theirs_distinct", theirs + [str(files["distinct"])]))
            plan.append(("theirs_repeat_heavy", theirs + [str(files["repeat_heavy"])]))
        _CPU.clear()
        _RSS.clear()
        wall: dict[str, list[float]] = {}
        for _ in range(repeat):  # interleaved, so every side sees the same machine load
            for label, cmd in plan:
                wall.setdefault(label, []).append(_run(cmd, tmp / f"{label}.jsonl", label))
        result: dict = {"files": info, "load_avg_1m_end": os.getloadavg()[0]}
        for label, _cmd in plan:
            result[label] = {
                "wall_s": _stats(wall[label]),
                "cpu_s": _stats(_CPU[label]),
                "peak_rss_mb": max(_RSS[label]),
            }
        same = _agreement(tmp / "ours_distinct.jsonl", tmp / "ours_distinct_no_cache.jsonl")
        result["caches_change_no_decision"] = same["same_decision"] == same["cases"]
        result["cache_hit_rates"] = {k: cache_hit_rates(p) for k, p in files.items()}
        if theirs is None:
            result["theirs"] = "skipped: run `npm ci --prefix scripts/iam-simulate-bench` (needs node)"
            return result
        pkg = json.loads(
            (NODE_DIR / "node_modules/@cloud-copilot/iam-simulate/package.json").read_text()
        )
        result["theirs_package"] = f"@cloud-copilot/iam-simulate {pkg['version']}"
        result["node"] = subprocess.run(
            [node, "--version"], capture_output=True, text=True
        ).stdout.strip()
        for f in ("distinct", "repeat_heavy"):
            o, t = f"ours_{f}", f"theirs_{f}"
            result[f"speedup_{f}"] = {
                "wall_median": statistics.median(wall[t]) / statistics.median(wall[o]),
                "cpu_median": statistics.median(_CPU[t]) / statistics.median(_CPU[o]),
            }
            result[f"agreement_{f}"] = _agreement(tmp / f"{o}.jsonl", tmp / f"{t}.jsonl")
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for p in tmp.iterdir():
                shutil.copy(p, keep / p.name)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000, help="cases for the simulate comparison")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--profile", action="store_true", help="cProfile the analysis (hot spots)")
    ap.add_argument("--keep", type=Path, help="copy the benchmark files and outputs here")
    ap.add_argument("--skip-analysis", action="store_true", help="leave out figure 2")
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
        "analysis_one_role": (
            {"skipped": True} if args.skip_analysis else bench_analysis(args.repeat, args.profile)
        ),
        "simulate": bench_simulate(args.cases, args.repeat, args.keep),
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
    if "ms_per_role_pass" in a:
        print(
            f"analysis: {a['ms_per_role_pass']['min']:.1f} ms per whole-catalog role pass min, "
            f"{a['ms_per_role_pass']['median']:.1f} median ({a['requests_per_role']} requests "
            f"per role, {a['role_passes_per_report']} passes per report, verdict {a['verdict']})"
        )
    if "engine_share_of_time" in a:
        print(f"  engine share of analysis time: {a['engine_share_of_time']:.0%}")
        print(a["profile_top"])
    print(f"simulate --cases, {args.cases} cases per file, whole process, {args.repeat} runs:")
    for label in ("ours_distinct", "theirs_distinct", "ours_distinct_no_cache",
                  "ours_repeat_heavy", "theirs_repeat_heavy"):
        if label in s:
            r = s[label]
            print(
                f"  {label}: {r['wall_s']['median']:.2f} s wall median (min "
                f"{r['wall_s']['min']:.2f}), {r['cpu_s']['median']:.2f} s CPU median, "
                f"peak RSS {r['peak_rss_mb']:.0f} MB"
            )
    if isinstance(s.get("theirs"), str):
        print(f"  iam-simulate: {s['theirs']}")
    else:
        for f in ("distinct", "repeat_heavy"):
            sp, g = s[f"speedup_{f}"], s[f"agreement_{f}"]
            print(
                f"  {f}: {sp['wall_median']:.1f}x wall, {sp['cpu_median']:.1f}x CPU (medians) vs "
                f"{s['theirs_package']} on node {s['node']}; same decision on "
                f"{g['same_decision']}/{g['cases']} ({g['their_errors']} iam-simulate errors)"
            )
    print(f"  caches change no decision: {s['caches_change_no_decision']}")
    print("  cache hit rates: " + json.dumps(s["cache_hit_rates"]))
    print("  files: " + json.dumps(s["files"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
