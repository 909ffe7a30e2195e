"""Colour contrast of the panel's badges, tags and status item and of the standalone page's verdict
and pills (WCAG 2.1 AA 1.4.3: at least 4.5:1 for text under 18.66 px bold).

Everything is read from the real stylesheets: ``style/base.css`` and the standalone
``page.css`` for the rules, JupyterLab's installed light and dark theme CSS
(``share/jupyter/lab/themes/@jupyterlab/theme-*-extension/index.css``, found on the Jupyter data
path) for the ``--jp-*`` values. A small cascade (class/attribute compound selectors, an optional
``[data-jp-theme-light=...]`` or ``.jp-SMIso-panel`` ancestor, specificity then source order)
gives each element's ``color`` and ``background``; semi-transparent text is blended over its
background as browsers do. The ratio formula is WCAG 2.1's relative luminance
(https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PANEL_CSS = ROOT / "style" / "base.css"
OVERVIEW_CSS = ROOT / "style" / "overview.css"
PAGE_CSS = ROOT / "sagemaker_isolation_ext" / "static" / "standalone" / "page.css"
AA = 4.5

# ---------------------------------------------------------------------------------------------
# CSS reading


def _strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def parse_css(css: str) -> list[tuple[str | None, list[str], dict[str, str]]]:
    """Rules of a stylesheet as ``(media, selectors, declarations)`` in source order.

    ``media`` is the ``@media`` prelude (or None); nested at-rules other than ``@media`` are
    skipped. Declarations keep their raw value text (``var()`` unresolved).
    """
    css = _strip_comments(css)
    rules: list[tuple[str | None, list[str], dict[str, str]]] = []

    def walk(text: str, media: str | None) -> None:
        i = 0
        while i < len(text):
            brace = text.find("{", i)
            if brace < 0:
                return
            prelude = text[i:brace].strip()
            depth, j = 1, brace + 1
            while depth and j < len(text):
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            body = text[brace + 1 : j - 1]
            if prelude.startswith("@media"):
                walk(body, prelude[len("@media") :].strip())
            elif not prelude.startswith("@"):
                decls: dict[str, str] = {}
                for part in body.split(";"):
                    if ":" in part:
                        name, value = part.split(":", 1)
                        decls[name.strip()] = value.strip()
                rules.append((media, [s.strip() for s in prelude.split(",")], decls))
            i = j

    walk(css, None)
    return rules


def root_variables(rules, media_ok=lambda media: media is None) -> dict[str, str]:
    """Custom properties set on ``:root`` / ``body`` by the rules whose media passes."""
    out: dict[str, str] = {}
    for media, selectors, decls in rules:
        if media_ok(media) and any(s in (":root", "body") for s in selectors):
            out.update({k: v for k, v in decls.items() if k.startswith("--")})
    return out


def resolve(value: str, variables: dict[str, str], depth: int = 0) -> str:
    """Replace ``var(--x, fallback)`` (nested too) by the variable's value or the fallback."""
    if depth > 20:
        raise ValueError(f"var() loop in {value!r}")
    m = re.search(r"var\(\s*(--[\w-]+)\s*(?:,([^()]*(?:\([^()]*\))?[^()]*))?\)", value)
    if not m:
        return value.strip()
    name, fallback = m.group(1), m.group(2)
    if name in variables:
        repl = resolve(variables[name], variables, depth + 1)
    elif fallback is not None:
        repl = resolve(fallback, variables, depth + 1)
    else:
        raise KeyError(f"{name} is not defined")
    return resolve(value[: m.start()] + repl + value[m.end() :], variables, depth + 1)


# ---------------------------------------------------------------------------------------------
# A small cascade for one element

_COMPOUND = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?P<rest>(?:\.[\w-]+|\[[^\]]+\])*)$")


def _compound(sel: str):
    """``(tag, classes, attributes)`` of a compound selector, or None for pseudo-classes etc."""
    m = _COMPOUND.match(sel)
    if not m:
        return None
    classes = set(re.findall(r"\.([\w-]+)", m.group("rest")))
    attrs = {
        a: v.strip("'\"")
        for a, v in re.findall(r"\[([\w-]+)=([^\]]+)\]", m.group("rest"))
    }
    return m.group("tag"), classes, attrs


class Element:
    """An element to style: tag, classes, attributes, and the ancestors' classes/attributes."""

    def __init__(
        self, tag, classes=(), attrs=None, ancestors=(), ancestor_attrs=None, ancestor_tags=()
    ):
        self.tag = tag
        self.classes = set(classes)
        self.attrs = dict(attrs or {})
        self.ancestors = set(ancestors)
        self.ancestor_attrs = dict(ancestor_attrs or {})
        self.ancestor_tags = {"body", *ancestor_tags}

    def matches(self, selector: str):
        """The selector's specificity when it matches this element (resting state), else None."""
        # Child and descendant combinators are treated alike (the elements here are children).
        parts = [p for p in selector.split() if p != ">"]
        subject = _compound(parts[-1])
        if subject is None:
            return None
        tag, classes, attrs = subject
        if tag and tag != self.tag or not classes <= self.classes:
            return None
        if any(self.attrs.get(k) != v for k, v in attrs.items()):
            return None
        spec = (len(classes) + len(attrs), 1 if tag else 0)
        for anc in parts[:-1]:
            c = _compound(anc)
            if c is None:
                return None
            atag, aclasses, aattrs = c
            if (atag and atag not in self.ancestor_tags) or not aclasses <= self.ancestors:
                return None
            if any(self.ancestor_attrs.get(k) != v for k, v in aattrs.items()):
                return None
            spec = (spec[0] + len(aclasses) + len(aattrs), spec[1] + (1 if atag else 0))
        return spec


def computed(rules, element: Element, prop: str, media_ok=lambda media: media is None):
    """The cascaded value of ``prop`` (``background`` also from ``background-color``), or None."""
    best = None
    for order, (media, selectors, decls) in enumerate(rules):
        if not media_ok(media):
            continue
        value = decls.get(prop)
        if value is None and prop == "background":
            value = decls.get("background-color")
        if value is None:
            continue
        for sel in selectors:
            spec = element.matches(sel)
            if spec is not None and (best is None or (spec, order) >= best[0]):
                best = ((spec, order), value)
    return None if best is None else best[1]


# ---------------------------------------------------------------------------------------------
# Colour maths

_NAMED = {"white": (255, 255, 255, 1.0), "black": (0, 0, 0, 1.0)}


def parse_colour(text: str) -> tuple[float, float, float, float]:
    """``(r, g, b, alpha)`` of a CSS colour: #rgb, #rrggbb, rgb(), rgba(), white, black."""
    t = text.strip().lower()
    if t in _NAMED:
        return _NAMED[t]
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", t)
    if m:
        h = m.group(1)
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0)
    m = re.fullmatch(r"rgba?\(([^)]*)\)", t)
    if m:
        parts = [p.strip() for p in m.group(1).split(",")]
        alpha = float(parts[3]) if len(parts) == 4 else 1.0
        return (float(parts[0]), float(parts[1]), float(parts[2]), alpha)
    raise ValueError(f"not a colour this test reads: {text!r}")


def over(top, bottom):
    """``top`` blended over the opaque ``bottom`` (source-over)."""
    a = top[3]
    return tuple(top[i] * a + bottom[i] * (1 - a) for i in range(3)) + (1.0,)


def luminance(c) -> float:
    def channel(v):
        v = v / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def contrast(fg, bg) -> float:
    """WCAG 2.1 contrast ratio of opaque ``fg`` on opaque ``bg``."""
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def colour_pair(rules, element, variables, surface, inherited, media_ok=lambda m: m is None):
    """``(text, background)`` of ``element`` as opaque RGB.

    ``surface`` (CSS colour text) is what shows through a missing or transparent background;
    ``inherited`` is the text colour when no rule sets one. Semi-transparent colours are blended.
    """
    under = parse_colour(resolve(surface, variables))
    bg_text = computed(rules, element, "background", media_ok)
    bg = under if bg_text in (None, "none", "transparent") else over(
        parse_colour(resolve(bg_text, variables)), under
    )
    fg_text = computed(rules, element, "color", media_ok) or inherited
    return over(parse_colour(resolve(fg_text, variables)), bg), bg


def test_contrast_formula_against_known_values():
    """Referee for the maths: WCAG's extremes and two well-known pairs."""
    white, black = parse_colour("#fff"), parse_colour("black")
    assert contrast(white, black) == pytest.approx(21.0)
    assert contrast(white, white) == pytest.approx(1.0)
    # #767676 on white is the classic "just passes" grey (4.54:1); #777 just fails (4.48:1).
    assert contrast(parse_colour("#767676"), white) == pytest.approx(4.54, abs=0.01)
    assert contrast(parse_colour("#777777"), white) == pytest.approx(4.48, abs=0.01)
    # 54 % black over white is #757575.
    assert over(parse_colour("rgba(0,0,0,.54)"), white)[:3] == pytest.approx((117.3,) * 3)


# ---------------------------------------------------------------------------------------------
# JupyterLab panel (both themes)


def _theme_css(name: str) -> Path:
    jupyter_core_paths = pytest.importorskip("jupyter_core.paths")
    for base in jupyter_core_paths.jupyter_path("lab"):
        path = Path(base) / "themes" / "@jupyterlab" / f"theme-{name}-extension" / "index.css"
        if path.is_file():
            return path
    node = ROOT / "node_modules" / "@jupyterlab" / f"theme-{name}-extension" / "style"
    node = node / "variables.css"
    if node.is_file():
        return node
    pytest.fail(f"JupyterLab's {name} theme CSS is not installed (pip install jupyterlab)")


THEMES = {"light": "true", "dark": "false"}
# The overview's stylesheet is loaded after the panel's (style/index.css).
PANEL_RULES = parse_css(
    PANEL_CSS.read_text(encoding="utf-8") + "\n" + OVERVIEW_CSS.read_text(encoding="utf-8")
)

# Elements of the panel that draw text on their own background, and the surface around them.
PANEL_ELEMENTS = {
    **{
        f"badge {v}": Element("span", {"jp-SMIso-badge", f"jp-SMIso-badge-{v}"})
        for v in ("isolated", "not_isolated", "unknown")
    },
    **{
        f"large badge {v}": Element(
            "span", {"jp-SMIso-badge", "jp-SMIso-badge-large", f"jp-SMIso-badge-{v}"}
        )
        for v in ("isolated", "not_isolated", "unknown")
    },
    "tag": Element("span", {"jp-SMIso-tag"}),
    **{
        f"tag {v}": Element("span", {"jp-SMIso-tag", f"jp-SMIso-tag-{v}"})
        for v in ("accepted", "info", "high", "medium", "low")
    },
    **{
        f"AWS badge {v}": Element(
            "span", {"jp-SMIso-tag", "jp-SMIso-aws-badge", f"jp-SMIso-aws-{v}"}
        )
        for v in ("confirmed", "disagrees", "error")
    },
    "count": Element("span", {"jp-SMIso-count"}),
    # The overview's reach matrix: a cell per colour level, the diagonal.
    **{
        f"overview cell level {n}": Element(
            "td", {"jp-SMIso-ov-cell", f"jp-SMIso-ov-level-{n}"}
        )
        for n in range(5)
    },
    "overview own-domain cell": Element(
        "td", {"jp-SMIso-ov-cell", "jp-SMIso-ov-level-0", "jp-SMIso-ov-self"}
    ),
    "field error": Element("div", {"jp-SMIso-field-error"}),
    "secondary text": Element("span", {"jp-SMIso-meta"}),
    "accept button": Element("button", {"jp-SMIso-button", "jp-mod-accept", "jp-mod-styled"}),
    **{
        f"status bar {v}": Element(
            "button", {"jp-SMIso-status-button", f"jp-SMIso-status-{v}"}
        )
        for v in ("isolated", "not_isolated", "unknown", "none")
    },
}


def panel_pair(theme: str, element: Element):
    """``(text, background)`` colours of ``element`` in ``theme``, as opaque RGB."""
    variables = root_variables(parse_css(_theme_css(theme).read_text(encoding="utf-8")))
    element = Element(
        element.tag,
        element.classes,
        element.attrs,
        {"jp-SMIso-panel"},
        {"data-jp-theme-light": THEMES[theme]},
    )
    status = "jp-SMIso-status-button" in element.classes
    # The panel's surface is --jp-layout-color1; the status bar's is --jp-layout-color2
    # (@jupyterlab/statusbar style/base.css).
    surface = "var(--jp-layout-color2)" if status else "var(--jp-layout-color1)"
    return colour_pair(PANEL_RULES, element, variables, surface, "var(--jp-ui-font-color1)")


def test_panel_cascade_reads_theme_overrides():
    """The cascade sees the dark-theme override: the unknown badge's text differs by theme."""
    badge = {"jp-SMIso-badge", "jp-SMIso-badge-unknown"}

    def text(flag):
        element = Element("span", badge, ancestor_attrs={"data-jp-theme-light": flag})
        return computed(PANEL_RULES, element, "color")

    light, dark = text("true"), text("false")
    assert light == "var(--jp-ui-font-color0)"
    assert dark == "var(--jp-ui-inverse-font-color0)"


# ---------------------------------------------------------------------------------------------
# Standalone page (light, and dark via prefers-color-scheme)

PAGE_RULES = parse_css(PAGE_CSS.read_text(encoding="utf-8"))
PAGE_MEDIA = {
    "light": lambda media: media is None,
    "dark": lambda media: (
        media is None or "prefers-color-scheme: dark" in media.replace("  ", " ")
    ),
}
PAGE_ELEMENTS = {
    **{
        f"verdict {v}": Element("div", {"si-verdict"}, {"data-verdict": v})
        for v in ("isolated", "not_isolated", "unknown")
    },
    **{
        f"pill {v}": Element("span", {"si-pill"}, {"data-value": v})
        # verdicts, finding severities, coverage yes/no, explain confidences
        for v in (
            "isolated", "not_isolated", "unknown", "high", "medium", "low", "info",
            "true", "false", "confirmed", "likely", "possible",
        )
    },
    **{
        f"AWS pill {v}": Element("span", {"si-pill", "si-aws"}, {"data-aws": v})
        for v in ("confirmed", "disagrees", "error")
    },
    "primary button": Element("button", {"si-button", "si-primary"}),
    "button": Element("button", {"si-button"}),
    "muted text": Element("p", {"si-muted"}),
    "error text": Element("p", {"si-error"}),
    "summary": Element("summary", ancestor_tags={"details"}),
}


def page_pair(theme: str, element: Element):
    """``(text, background)`` of ``element`` on a card of the page in ``theme``."""
    ok = PAGE_MEDIA[theme]
    body_colour = computed(PAGE_RULES, Element("body"), "color", ok)
    return colour_pair(
        PAGE_RULES, element, root_variables(PAGE_RULES, ok), "var(--jp-layout-color1)",
        body_colour, ok,
    )


CASES = [
    *(("panel", theme, name) for theme in sorted(THEMES) for name in sorted(PANEL_ELEMENTS)),
    *(("page", theme, name) for theme in sorted(PAGE_MEDIA) for name in sorted(PAGE_ELEMENTS)),
]


@pytest.mark.parametrize(("where", "theme", "name"), CASES)
def test_contrast_at_least_aa(where, theme, name):
    """Each badge, tag, pill, verdict and button of the panel and the page: >= 4.5:1."""
    if where == "panel":
        fg, bg = panel_pair(theme, PANEL_ELEMENTS[name])
    else:
        fg, bg = page_pair(theme, PAGE_ELEMENTS[name])
    ratio = contrast(fg, bg)
    print(f"{where:5} {theme:5} {name:24} {ratio:5.2f}:1")
    assert ratio >= AA, f"{where}: {name} in the {theme} theme: {ratio:.2f}:1 < {AA}:1"


def test_page_dark_media_changes_the_values():
    """The dark media block is read: the page's layout colour differs between the two schemes."""
    light = root_variables(PAGE_RULES, PAGE_MEDIA["light"])["--jp-layout-color1"]
    dark = root_variables(PAGE_RULES, PAGE_MEDIA["dark"])["--jp-layout-color1"]
    assert parse_colour(light) != parse_colour(dark)
