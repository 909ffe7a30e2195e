"""Golden HTML of the demo domains (issue 15, "one renderer per format").

For each demo domain input of the golden text/JSON/SARIF test (``tests/golden_support.py``:
``tests/golden/inputs/demo-<domain>.json``), the report the CLI prints as JSON (normalised the same
way) rendered by ``render/html.py`` in both looks: the standalone page's
(``tests/golden-html/<name>.page.html``) and the notebook's (``<name>.notebook.html``); a
directory of their own, since ``tests/golden/`` holds exactly the CLI's outputs. Lines are the
renderer's output split between tags (``><`` -> ``>\\n<``, exact: values are escaped, so no text
holds ``<`` or ``>``), so a diff reads element by element.

Rewrite them, only for an intended change, with ``python tests/test_golden_html.py --refresh``,
then review ``git diff tests/golden-html`` line by line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import golden_support as gs  # noqa: E402

LOOKS = {"page": True, "notebook": False}
DEMO = [(name, path) for name, path in gs.golden_inputs() if name.startswith("demo-")]


def rendered(path: Path, page: bool) -> str:
    """The demo input's report (the CLI's normalised JSON) as HTML, one element per line."""
    from sagemaker_isolation_ext.render.html import report_html

    _, out = gs.run_check(path, "json")
    html = report_html(json.loads(out), page=page)
    return html.replace("><", ">\n<") + "\n"


GOLDEN_HTML = gs.ROOT / "tests" / "golden-html"


def golden_html(name: str, look: str) -> Path:
    return GOLDEN_HTML / f"{name}.{look}.html"


def test_demo_inputs_exist():
    assert [n for n, _ in DEMO] == ["demo-ml-prod", "demo-ml-research", "demo-ml-secure"]


@pytest.mark.parametrize("look", sorted(LOOKS))
@pytest.mark.parametrize("name,path", DEMO, ids=[n for n, _ in DEMO])
def test_report_html_is_golden(name, path, look):
    want = gs.read_golden(golden_html(name, look))
    assert want is not None, f"missing {golden_html(name, look)}: python {__file__} --refresh"
    got = rendered(path, LOOKS[look])
    assert got == want, f"{name} ({look}) changed; if intended: python {__file__} --refresh"
    # The same report in words: the verdict of the JSON golden, every finding, every role.
    report = json.loads(gs.run_check(path, "json")[1])
    assert f'data-verdict="{report["verdict"]}"' in got
    assert got.count('data-testid="finding"') == len(report["findings"])
    assert got.count('data-testid="role-row"') == len(report["roles"])


def main(argv: list[str]) -> int:
    if argv != ["--refresh"]:
        print(__doc__)
        return 2
    GOLDEN_HTML.mkdir(exist_ok=True)
    for name, path in DEMO:
        for look, page in LOOKS.items():
            for written in gs.write_golden(golden_html(name, look), rendered(path, page)):
                print(written)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
