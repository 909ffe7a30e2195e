#!/usr/bin/env python
"""Benchmarks whose figures go in the README (not timed tests).

Measures, on this machine:
1. per-evaluation time of the policy engine on the 400 shared cases (compiled policies, closed world);
2. whole-catalog analysis time for one role (every sagemaker action x its resource types x three tag
   states), for the doc policy + AmazonSageMakerFullAccess;
3. report time (collect + analyse) for a demo domain with 50 user profiles on the local AWS (moto).

Usage: python scripts/benchmark.py [--repeat N] [--json]
Prints a table (or JSON) of figures. Seconds are wall-clock (time.perf_counter).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def bench_engine(repeat: int) -> dict:
    """Per-evaluation time over the shared cases; returns figures in microseconds."""
    from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy

    cases = [json.loads(line) for line in (ROOT / "tests/cases/iam_eval_cases.jsonl").open()]
    prepared = []
    for c in cases:
        ident = [parse_policy(p["document"], p["name"]) for p in c["identity_policies"]]
        pb = c.get("permissions_boundary")
        boundary = parse_policy(pb["document"], pb["name"]) if pb else None
        r = c["request"]
        req = Request(r["principal"], r["action"], r["resource"], r.get("context") or {})
        prepared.append((req, PolicySet(identity=ident, boundary=boundary)))
    for req, ps in prepared:  # warm the compile cache
        evaluate(req, ps)
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for req, ps in prepared:
            evaluate(req, ps)
        runs.append((time.perf_counter() - t0) / len(prepared) * 1e6)
    return {"cases": len(prepared), "us_per_eval_median": statistics.median(runs),
            "us_per_eval_min": min(runs)}


def bench_analysis(repeat: int) -> dict:
    """Whole-catalog analysis of one role; returns milliseconds per role."""
    from sagemaker_isolation_ext.sagemaker import analysis
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    data = ROOT / "sagemaker_isolation_ext/data"
    account, region, domain_id = "111122223333", "us-east-1", "d-bench0000001"
    domain_arn = f"arn:aws:sagemaker:{region}:{account}:domain/{domain_id}"
    doc = json.loads((data / "isolation_policies/aws-docs-studio-domain-resource-isolation.json").read_text())
    doc_s = json.dumps(doc).replace('"domain-arn"', json.dumps(domain_arn)).replace(
        "app/domain-id/", f"app/{domain_id}/")
    full = json.loads((data / "managed_policies/AmazonSageMakerFullAccess.json").read_text())
    role_arn = f"arn:aws:iam::{account}:role/BenchRole"
    iso_arn = f"arn:aws:iam::{account}:policy/StudioDomainResourceIsolationPolicy-{domain_id}"
    full_arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
    snap = {
        "schema_version": 1, "source": "fixture", "collected_at": "2026-12-01T00:00:00Z",
        "partition": "aws", "region": region, "account_id": account,
        "context": {"source": "cli", "detail": "benchmark"},
        "domain": {"id": domain_id, "arn": domain_arn, "name": "bench",
                   "default_user_execution_role": role_arn, "default_space_execution_role": None,
                   "studio_web_portal": "DISABLED", "default_landing_uri": "app:JupyterServer:"},
        "user_profiles": [],
        "roles": {role_arn: {"arn": role_arn, "name": "BenchRole", "attached_policies": [iso_arn, full_arn],
                             "inline_policies": [], "permissions_boundary": None, "complete": True}},
        "policies": {
            iso_arn: {"arn": iso_arn, "name": f"StudioDomainResourceIsolationPolicy-{domain_id}",
                      "version_id": "v1", "document": json.loads(doc_s)},
            full_arn: {"arn": full_arn, "name": "AmazonSageMakerFullAccess", "version_id": "v1",
                       "document": full},
        },
        "errors": [],
    }
    t0 = time.perf_counter()
    catalog = load_catalog()
    catalog_s = time.perf_counter() - t0
    from sagemaker_isolation_ext.sagemaker import request_space

    def clear_caches():
        request_space._SEARCH_CACHE.clear()
        request_space._REPS_CACHE.clear()

    def timed(fn, cold: bool) -> tuple[float, float]:
        if cold:
            clear_caches()
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        return (time.perf_counter() - w0) * 1e3, (time.process_time() - c0) * 1e3

    from sagemaker_isolation_ext.sagemaker import templates

    ri = analysis._role_inputs(snap)[0]
    ps = analysis._policy_set(ri)
    dom = templates.parse_domain_arn(domain_arn)
    analysis.analyze(snap, catalog)  # warm the automata of the grammars and the catalog
    out: dict = {"catalog_load_s": catalog_s}
    for what, fn in (
        ("one_role_pass", lambda: analysis.evaluate_role(ri, ps, dom, catalog)),
        ("full_report", lambda: analysis.analyze(snap, catalog)),
    ):
        for cold in (False, True):
            runs = [timed(fn, cold) for _ in range(repeat)]
            key = f"{what}_{'cold' if cold else 'warm'}"
            out[key + "_ms_wall_median"] = statistics.median(r[0] for r in runs)
            out[key + "_ms_cpu_median"] = statistics.median(r[1] for r in runs)
    res = analysis.evaluate_role(ri, ps, dom, catalog)
    out["requests_per_role"] = res.requests
    out["states_per_role_cold"] = None
    clear_caches()
    out["states_per_role_cold"] = analysis.evaluate_role(ri, ps, dom, catalog).states
    out["note"] = (
        "warm: the search caches hold earlier passes' results (as in a server that checks "
        "again); cold: every search cache emptied before each run. The full report judges the "
        "role 5 times (as is, with aws-doc, allow, deny, and allow alone)."
    )
    # Worst case: 200 overlapping resource patterns on one role.
    pats = [f"arn:aws:sagemaker:*:*:endpoint/team{i}-*" for i in range(100)]
    pats += [f"arn:aws:sagemaker:*:*:*/d-x{i}*/*" for i in range(100)]
    worst = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sagemaker:Delete*", "sagemaker:Describe*"], "Resource": pats},
        {"Effect": "Deny", "Action": "sagemaker:DeleteEndpoint", "NotResource": pats[:50]},
    ]}
    wsnap = json.loads(json.dumps(snap))
    wsnap["roles"][role_arn]["attached_policies"] = []
    wsnap["roles"][role_arn]["inline_policies"] = [{"name": "Overlapping200", "document": worst}]
    clear_caches()
    w0, c0 = time.perf_counter(), time.process_time()
    wrep = analysis.analyze(wsnap, catalog)
    out["worst_case_200_patterns"] = {
        "ms_wall": (time.perf_counter() - w0) * 1e3,
        "ms_cpu": (time.process_time() - c0) * 1e3,
        "verdict": wrep["roles"][0]["verdict"],
        "analysis": wrep["roles"][0]["analysis"],
    }
    return out


def bench_demo_report(profiles: int) -> dict:
    """Collect + analyse a demo domain with `profiles` user profiles on moto; seconds."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ["AWS_REGION"] = "us-east-1"
    import boto3

    from sagemaker_isolation_ext.aws.collect import collect_snapshot
    from sagemaker_isolation_ext.aws.target import resolve_context
    from sagemaker_isolation_ext.demo.seed import seed_demo_account
    from sagemaker_isolation_ext.demo.server import start_local_aws
    from sagemaker_isolation_ext.sagemaker.analysis import analyze
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    server, url = start_local_aws()
    try:
        seeded = seed_demo_account(url, region="us-east-1")
        domain_id = seeded["research_domain_id"]
        sm = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
        iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1")
        # Each extra profile gets its own role (the worst case for IAM reads), built like the demo's.
        base_role = seeded.get("profile_role_arn")
        policy_arns = [p["PolicyArn"] for p in iam.list_attached_role_policies(
            RoleName=base_role.split("/")[-1])["AttachedPolicies"]] if base_role else []
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        for i in range(profiles):
            name = f"bench-user-{i:03d}"
            role = iam.create_role(RoleName=f"bench-role-{i:03d}", AssumeRolePolicyDocument=trust)["Role"]
            for pa in policy_arns:
                iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=pa)
            sm.create_user_profile(DomainId=domain_id, UserProfileName=name,
                                   UserSettings={"ExecutionRole": role["Arn"]})
        load_catalog()
        ctx = resolve_context(domain_id=domain_id, region="us-east-1", endpoint_url=url,
                              metadata_path="/nonexistent")
        t0 = time.perf_counter()
        snap = collect_snapshot(ctx)
        t1 = time.perf_counter()
        report = analyze(snap)
        t2 = time.perf_counter()
        return {"user_profiles": len(snap["user_profiles"]), "roles": len(report["roles"]),
                "collect_s": t1 - t0, "analyze_s": t2 - t1, "total_s": t2 - t0,
                "verdict": report["verdict"]}
    finally:
        server.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profiles", type=int, default=50)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                       "platform": platform.platform()}}
    out["engine"] = bench_engine(args.repeat)
    out["analysis_one_role"] = bench_analysis(args.repeat)
    out["demo_report"] = bench_demo_report(args.profiles)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        e, a, d = out["engine"], out["analysis_one_role"], out["demo_report"]
        print(f"engine: {e['us_per_eval_median']:.1f} us/evaluation (median of {args.repeat} runs over "
              f"{e['cases']} shared cases; min {e['us_per_eval_min']:.1f})")
        print("analysis, one role (doc policy + AmazonSageMakerFullAccess), medians, wall / CPU ms:")
        for k in ("one_role_pass", "full_report"):
            for c in ("warm", "cold"):
                print(f"  {k} {c}: {a[f'{k}_{c}_ms_wall_median']:.0f} / "
                      f"{a[f'{k}_{c}_ms_cpu_median']:.0f}")
        print(f"  {a['requests_per_role']} engine evaluations per role pass, "
              f"{a['states_per_role_cold']} search states cold; catalog load "
              f"{a['catalog_load_s']:.2f} s")
        w = a["worst_case_200_patterns"]
        print(f"  worst case (200 overlapping resource patterns): {w['ms_wall']:.0f} ms wall, "
              f"{w['ms_cpu']:.0f} ms CPU, verdict {w['verdict']}, {w['analysis']}")
        print(f"demo domain with {d['user_profiles']} user profiles ({d['roles']} roles): collect "
              f"{d['collect_s']:.2f} s + analyse {d['analyze_s']:.2f} s = {d['total_s']:.2f} s "
              f"(verdict {d['verdict']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
