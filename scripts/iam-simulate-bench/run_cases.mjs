// Runs a JSONL of `simulate --cases` lines through @cloud-copilot/iam-simulate (the independent
// simulator that labelled tests/cases/iam_eval_cases.jsonl) and prints one JSON line per case:
// {"id", "decision": "allow"|"explicit_deny"|"implicit_deny"|"unknown", "error"?}.
// Usage: node run_cases.mjs CASES.jsonl > OUT.jsonl   (used by scripts/bench_engine.py)
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const MAP = { Allowed: 'allow', ExplicitlyDenied: 'explicit_deny', ImplicitlyDenied: 'implicit_deny' }

function doc(entry) {
  if (entry && typeof entry === 'object' && 'document' in entry) return { name: entry.name || 'p', policy: entry.document }
  return { name: 'p', policy: entry }
}

// RCPFullAWSAccess's statement as AWS writes it: iam-simulate attaches that policy to every RCP
// level itself (and its RCP validation refuses the statement as input: Allow, Action "*"), so a
// case's copy of the statement is left out here (and a policy left with no statement dropped).
const RCP_FULL = JSON.stringify({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' })

function withoutRcpFull(p) {
  const sts = [].concat(p.policy.Statement).filter((s) => JSON.stringify(s) !== RCP_FULL)
  return sts.length ? { name: p.name, policy: { ...p.policy, Statement: sts } } : null
}

function levels(value, prefix) {
  if (!Array.isArray(value) || value.length === 0) return []
  const lv = value.every(Array.isArray) ? value : [value]
  return lv.map((level, i) => ({
    orgIdentifier: `${prefix}-${i}`,
    policies: level
      .map(doc)
      .map((p) => (prefix === 'rcp' ? withoutRcpFull(p) : p))
      .filter((p) => p !== null)
  }))
}

function accountOf(arn) {
  const parts = String(arn).split(':')
  return parts.length >= 6 && parts[4] ? parts[4] : '111122223333'
}

async function main() {
  const lines = readFileSync(process.argv[2], 'utf8').split('\n')
  const out = []
  for (const line of lines) {
    if (!line.trim()) continue
    let c
    try {
      c = JSON.parse(line)
    } catch (e) {
      out.push(JSON.stringify({ id: null, decision: 'unknown', error: 'bad JSON' }))
      continue
    }
    const req = c.request || {}
    const sim = {
      request: {
        principal: req.principal,
        action: req.action,
        resource: { resource: req.resource, accountId: accountOf(req.resource) },
        contextVariables: req.context || {}
      },
      identityPolicies: (c.identity_policies || []).map(doc),
      serviceControlPolicies: levels(c.scps, 'ou'),
      resourceControlPolicies: levels(c.rcps, 'rcp'),
      permissionBoundaryPolicies: c.permissions_boundary ? [doc(c.permissions_boundary)] : undefined,
      sessionPolicy: c.session_policy ? doc(c.session_policy).policy : undefined,
      resourcePolicy: c.resource_policy ? doc(c.resource_policy).policy : undefined
    }
    let decision = 'unknown'
    let error
    try {
      const r = await runSimulation(sim, {})
      if (r.resultType === 'error') error = JSON.stringify(r.errors).slice(0, 200)
      else decision = MAP[r.overallResult] || 'unknown'
    } catch (e) {
      error = String(e).slice(0, 200)
    }
    out.push(JSON.stringify(error ? { id: c.id, decision, error } : { id: c.id, decision }))
  }
  process.stdout.write(out.join('\n') + '\n')
}

main()
