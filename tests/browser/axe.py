"""Accessibility checks with axe-core (from npm, installed into node_modules/ by ``make test``).

``assert_accessible(page)`` injects node_modules/axe-core/axe.min.js into the page, runs it against the whole
document and fails on every serious or critical violation, listing each rule, its help text and the elements
it found. Without node_modules (npm missing) it warns once and checks nothing: run ``npm ci`` to enable it.
"""

import warnings
from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# WCAG 2.1 A and AA, as the issue asks; best-practice rules are reported by axe but not failed on here.
RUN_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


@cache
def axe_source():
    if not AXE_JS.exists():
        warnings.warn(f"{AXE_JS} is missing, so the accessibility checks are skipped: run `npm ci` (or `make "
                      "install`) in the repository root to install axe-core.", stacklevel=3)
        return None
    return AXE_JS.read_text(encoding="utf-8")


# Short animations and transitions still running (Wagtail's messages fade in): axe would read colours mid-fade.
# Long or endless ones (a badge that pings for 25 s, spinners) are decoration and are not waited for.
ANIMATIONS_DONE = """() => document.getAnimations().every(animation => animation.playState !== "running"
    || animation.effect === null || animation.effect.getComputedTiming().endTime > 3000)"""


def axe_violations(page, context=None):
    """The violations axe-core finds on the page (or inside the ``context`` CSS selector), as axe reports them,
    once the page's short animations have finished."""
    source = axe_source()
    if source is None:
        return None
    page.wait_for_function(ANIMATIONS_DONE, timeout=10_000)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    return page.evaluate("([context, options]) => axe.run(context || document, options).then(r => r.violations)",
                         [context, RUN_OPTIONS])


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1]}")
    return "\n".join(lines)


def assert_accessible(page, context=None):
    """Fail when axe-core finds a serious or critical violation on the page (after its scripts have run)."""
    violations = axe_violations(page, context)
    if violations is None:
        return
    failing = [violation for violation in violations if violation["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe-core found serious or critical problems on {page.url}:\n{describe(failing)}"
