"""The built documentation site, opened in a real browser (Debian's chromium via Playwright).

Checks what a reader would notice: math is typeset (no raw TeX on the page, KaTeX's fonts
loaded from the site itself), pictures load, the navigation leads to the spec, search finds
pages, the layout fits a phone, and no request leaves the machine.  Screenshots of a few pages
at desktop and phone width are written to ``$CONVSPEC_DOCS_SCREENSHOTS`` (default
``/tmp/convspec-docs-screenshots``) for a person to look at.

Skips unless playwright is installed, chromium is at ``$CONVSPEC_CHROMIUM`` (default
``/usr/bin/chromium``) and the site has been built (``nox -s docs``).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SITE = Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"
CHROMIUM = Path(os.environ.get("CONVSPEC_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("CONVSPEC_DOCS_SCREENSHOTS", "/tmp/convspec-docs-screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"

playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.is_file():
    pytest.skip(f"chromium not found at {CHROMIUM}", allow_module_level=True)
if not (SITE / "docs" / "index.html").is_file():
    pytest.skip(f"the site is not built in {SITE} (run: nox -s docs)", allow_module_level=True)

# Pages with math, with plots, and the generated reference pages.
MATH_PAGES = ["spec/convolution.html", "spec/modes.html", "docs/tutorial/by-hand.html"]
PLOT_PAGES = {
    "docs/tutorial/by-hand.html": 2,
    "docs/tutorial/slide-2d.html": 3,  # frames, the GIF, conv vs corr
    "docs/explanation/why-no-flip.html": 2,
    "docs/explanation/same-split.html": 1,
    "spec/convolution.html": 1,
    "spec/modes.html": 1,  # the windows of full, valid and same
    "spec/ndim.html": 1,  # the half turn
    "spec/boundaries.html": 1,
    "spec/layers.html": 1,
    "docs/index.html": 1,  # the impulse figure on the front door
}
SCREENSHOT_PAGES = {
    "home": "docs/index.html",
    "by-hand": "docs/tutorial/by-hand.html",
    "slide-2d": "docs/tutorial/slide-2d.html",
    "spec-convolution": "spec/convolution.html",
    "survey": "docs/reference/survey.html",
    "report-schema": "docs/reference/report-schema.html",
    "api": "docs/reference/api.html",
    "cli": "docs/reference/cli.html",
    "why-no-flip": "docs/explanation/why-no-flip.html",
    "glossary": "docs/reference/glossary.html",
    "accuracy": "docs/reference/accuracy.html",
    "spec-modes": "spec/modes.html",
    "spec-ndim": "spec/ndim.html",
}
# Pages whose tables must not be clipped: the generated ones and the spec's.
TABLE_PAGES = [
    "docs/index.html",
    "docs/reference/survey.html",
    "docs/reference/accuracy.html",
    "docs/reference/glossary.html",
    "docs/reference/cli.html",
    "docs/reference/clauses.html",
    *(
        f"spec/{chapter}.html"
        for chapter in (
            "index",
            "convolution",
            "correlation",
            "modes",
            "ndim",
            "numerics",
            "boundaries",
            "frameworks",
            "changelog",
        )
    ),
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

RAW_TEX = re.compile(r"\$[^$\n]{1,80}\$|\\(sum|frac|begin|end|left|right|operatorname|mathbb)\b")


def is_local(url: str) -> bool:
    """Whether a request stays on the machine: inline data or the test's own server."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob") or parts.hostname == LOCAL_HOST


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def requests_seen() -> list[str]:
    """Every URL the browser asked for, across the whole module."""
    return []


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def open_context(browser: object, requests_seen: list[str], viewport: dict[str, int]) -> object:
    """A browser context that records every request and blocks any that is not local."""
    context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]

    def route(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        requests_seen.append(url)
        if is_local(url):
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    return context


@pytest.fixture
def page(browser: object, requests_seen: list[str]) -> Iterator[object]:
    context = open_context(browser, requests_seen, DESKTOP)
    try:
        yield context.new_page()  # type: ignore[attr-defined]
    finally:
        context.close()  # type: ignore[attr-defined]


def visible_prose(page: object) -> str:
    """The article's text as a reader sees it, without code blocks and KaTeX's MathML copy."""
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """() => {
            const article = document.querySelector('article') || document.body;
            const copy = article.cloneNode(true);
            copy.querySelectorAll('pre, code, .katex-mathml, script, style, .headerlink')
                .forEach(node => node.remove());
            return copy.textContent;
        }"""
    )


@pytest.mark.parametrize("path", MATH_PAGES)
def test_math_is_typeset_from_local_fonts(page: object, site_url: str, path: str) -> None:
    page.goto(site_url + path)  # type: ignore[attr-defined]
    katex_count = page.locator(".katex").count()  # type: ignore[attr-defined]
    assert katex_count > 0, f"{path}: no KaTeX-rendered math"
    raw = RAW_TEX.findall(visible_prose(page))
    assert not raw, f"{path}: raw TeX in the visible text: {raw[:5]}"
    loaded = page.evaluate(  # type: ignore[attr-defined]
        """async () => {
            await document.fonts.ready;
            return [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'KaTeX_Main'
                                                  && f.status === 'loaded').length;
        }"""
    )
    assert loaded > 0, f"{path}: KaTeX's font did not load"


@pytest.mark.parametrize(("path", "at_least"), PLOT_PAGES.items())
def test_pictures_load(page: object, site_url: str, path: str, at_least: int) -> None:
    page.goto(site_url + path, wait_until="load")  # type: ignore[attr-defined]
    images = page.evaluate(  # type: ignore[attr-defined]
        """() => [...document.querySelectorAll('article img')].map(img => ({
            src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0}))"""
    )
    assert len(images) >= at_least, f"{path}: {len(images)} pictures, expected {at_least}"
    broken = [image["src"] for image in images if not image["loaded"]]
    assert not broken, f"{path}: pictures that did not load: {broken}"


def test_root_redirects_and_navigation_reaches_a_clause(page: object, site_url: str) -> None:
    page.goto(site_url)  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r".*/docs/index\.html$"))  # type: ignore[attr-defined]
    page.locator(".sidebar-tree a", has_text="The specification").first.click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r".*/spec/index\.html$"))  # type: ignore[attr-defined]
    page.locator("article a", has_text="Convolution").first.click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r".*/spec/convolution\.html$"))  # type: ignore[attr-defined]
    clause = page.locator("#CONV-1")  # type: ignore[attr-defined]
    assert clause.is_visible()
    assert "Definition of convolution" in clause.inner_text()


def test_clause_index_links_to_the_clause(page: object, site_url: str) -> None:
    page.goto(site_url + "docs/reference/clauses.html")  # type: ignore[attr-defined]
    page.locator("table.clause-index a", has_text="CORR-4").first.click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r".*/spec/correlation\.html#CORR-4$"))  # type: ignore[attr-defined]
    assert page.locator("#CORR-4").is_visible()  # type: ignore[attr-defined]


def test_search_finds_pages(page: object, site_url: str) -> None:
    page.goto(site_url + "search.html?q=convolution")  # type: ignore[attr-defined]
    results = page.locator("ul.search li")  # type: ignore[attr-defined]
    results.first.wait_for(timeout=15_000)
    assert results.count() >= 3
    assert "spec/convolution.html" in " ".join(
        results.locator("a").evaluate_all("links => links.map(a => a.href)")
    )


def test_survey_page_shows_every_stored_report(page: object, site_url: str) -> None:
    survey_dir = SITE.parents[1] / "data" / "survey"
    names = sorted(
        json.loads(path.read_text())["backend"]["name"] for path in survey_dir.glob("*.json")
    )
    if not names:
        pytest.skip("no stored survey reports in docs/data/survey")
    page.goto(site_url + "docs/reference/survey.html")  # type: ignore[attr-defined]
    # each backend opens its rows of a table with one row that names it (and links to it)
    rows = page.locator("table.survey-overview tr.survey-backend-row a code")  # type: ignore[attr-defined]
    shown = rows.all_inner_texts()
    assert sorted(text.strip() for text in shown if text.strip()) == names
    for name in names:
        assert page.locator(f"#survey-{name}").count() == 1  # type: ignore[attr-defined]


def test_search_finds_a_clause_by_id(page: object, site_url: str) -> None:
    page.goto(site_url + "search.html?q=CORR-4")  # type: ignore[attr-defined]
    results = page.locator("ul.search li a")  # type: ignore[attr-defined]
    results.first.wait_for(timeout=15_000)
    links = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "spec/correlation.html#CORR-4" in links


@pytest.mark.parametrize("name", SCREENSHOT_PAGES)
def test_phone_width_has_no_sideways_scroll_and_screenshots(
    browser: object, requests_seen: list[str], site_url: str, name: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = open_context(browser, requests_seen, viewport)
        try:
            page = context.new_page()  # type: ignore[attr-defined]
            page.goto(site_url + SCREENSHOT_PAGES[name], wait_until="load")
            page.evaluate("document.fonts.ready")
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=False)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name} at {label} width scrolls sideways by {overflow}px"
        finally:
            context.close()  # type: ignore[attr-defined]


#: The tables that may scroll sideways at desktop width: one column per operation (the
#: survey's clause matrices) or per library (the spec's boundary names), as many as there
#: are.  Every other table has a few fixed columns and must fit the article at 1280 px: a
#: sideways scrollbar there hides a column a reader should see with the others.
SCROLL_AT_DESKTOP = "table.survey-matrix, #the-names-libraries-use table"

#: Per table of the article, what keeps a reader from seeing all of it (an empty list: none).
#: A table either fits inside the article, or (if it matches the selector ``mayScroll``) sits
#: in a box that scrolls sideways (overflow-x auto or scroll) and that box, scrolled to its
#: end, shows the table's right edge; no cell's content is wider than the cell (text cut off
#: or hidden).
CLIPPED_TABLES_JS = """(mayScroll) => {
    const problems = [];
    const article = document.querySelector('article') || document.body;
    const bounds = article.getBoundingClientRect();
    const right = Math.min(bounds.right, document.documentElement.clientWidth);
    article.querySelectorAll('table').forEach((table, index) => {
        const name = `table ${index + 1} (${table.className || 'no class'})`;
        const box = table.getBoundingClientRect();
        if ((box.left < bounds.left - 1 || box.right > right + 1) && !table.matches(mayScroll)) {
            problems.push(`${name}: ${Math.round(box.width)}px wide in an article of `
                + `${Math.round(right - bounds.left)}px; at this width it must fit`);
        } else if (box.left < bounds.left - 1 || box.right > right + 1) {
            let scroller = table.parentElement;
            while (scroller && scroller !== article) {
                const overflow = getComputedStyle(scroller).overflowX;
                if (overflow === 'auto' || overflow === 'scroll') break;
                scroller = scroller.parentElement;
            }
            if (!scroller || scroller === article) {
                problems.push(`${name}: ${Math.round(box.width)}px wide in an article of `
                    + `${Math.round(right - bounds.left)}px, and no box around it scrolls`);
            } else {
                const frame = scroller.getBoundingClientRect();
                if (frame.right > right + 1) {
                    problems.push(`${name}: its scrolling box reaches past the article`);
                }
                scroller.scrollLeft = scroller.scrollWidth;
                const end = table.getBoundingClientRect().right;
                if (end > frame.right + 1) {
                    problems.push(`${name}: scrolled to the end, ${Math.round(end - frame.right)}`
                        + 'px of it are still out of reach');
                }
                scroller.scrollLeft = 0;
            }
        }
        table.querySelectorAll('th, td').forEach(cell => {
            if (cell.scrollWidth > cell.clientWidth + 1) {
                problems.push(`${name}: cell "${cell.textContent.trim().slice(0, 40)}" is cut off`
                    + ` (${cell.scrollWidth}px of content in ${cell.clientWidth}px)`);
            }
        });
    });
    return problems;
}"""


@pytest.mark.parametrize("path", TABLE_PAGES)
def test_no_table_is_clipped(
    browser: object, requests_seen: list[str], site_url: str, path: str
) -> None:
    for label, viewport, may_scroll in (
        ("desktop", DESKTOP, SCROLL_AT_DESKTOP),
        ("phone", PHONE, "table"),  # a phone scrolls any table of more than two columns
    ):
        context = open_context(browser, requests_seen, viewport)
        try:
            page = context.new_page()  # type: ignore[attr-defined]
            page.goto(site_url + path, wait_until="load")
            page.evaluate("document.fonts.ready")
            assert page.locator("article table").count() > 0, f"{path}: no table"
            problems = page.evaluate(CLIPPED_TABLES_JS, may_scroll)
            assert not problems, f"{path} at {label} width: {problems[:5]}"
        finally:
            context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path", ["docs/reference/survey.html", "docs/reference/accuracy.html", "docs/index.html"]
)
def test_every_table_has_a_glossary_link_before_it(page: object, site_url: str, path: str) -> None:
    """Between one table and the next (or the page's start) a link leads to the glossary."""
    page.goto(site_url + path)  # type: ignore[attr-defined]
    unlinked = page.evaluate(  # type: ignore[attr-defined]
        """() => {
            const article = document.querySelector('article');
            const links = [...article.querySelectorAll('a[href*="glossary.html"]')];
            const before = (a, b) => !!(a.compareDocumentPosition(b)
                                        & Node.DOCUMENT_POSITION_FOLLOWING);
            let previous = null;
            const missing = [];
            [...article.querySelectorAll('table')].forEach((table, index) => {
                const found = links.some(link => before(link, table)
                                         && (previous === null || before(previous, link)));
                if (!found) missing.push(index + 1);
                previous = table;
            });
            return missing;
        }"""
    )
    assert page.locator("article table").count() > 0  # type: ignore[attr-defined]
    assert not unlinked, f"{path}: tables {unlinked} have no glossary link since the last table"


def test_no_request_left_the_machine(requests_seen: list[str]) -> None:
    """Runs last in this module: every request of the tests above went to the local server."""
    assert requests_seen, "the browser tests above made no requests"
    outside = sorted({url for url in requests_seen if not is_local(url)})
    assert not outside, f"requests to other hosts: {outside}"


def test_front_door_shows_the_survey_headline(page: object, site_url: str) -> None:
    """The landing page answers "does it flip?" for the stored libraries, in a table."""
    page.goto(site_url + "docs/index.html")  # type: ignore[attr-defined]
    table = page.locator("table.convspec-survey-headline")  # type: ignore[attr-defined]
    assert table.count() == 1
    header = table.locator("thead").inner_text().lower()
    for column in ("library", "function", "flips", "conjugates", "same"):
        assert column in header
    functions = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert "numpy.convolve" in [f.strip() for f in functions]
    rows = {tuple(c.strip() for c in r) for r in _headline_rows(table)}
    assert ("numpy", "numpy.convolve", "yes") in {r[:3] for r in rows}
    assert ("torch", "torch.nn.functional.conv1d/2d/3d", "no") in {r[:3] for r in rows}


def _headline_rows(table: object) -> list[list[str]]:
    rows = table.locator("tbody tr")  # type: ignore[attr-defined]
    return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
