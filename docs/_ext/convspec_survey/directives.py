"""The three directives, each table set in a sideways-scrolling box under a glossary link."""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from docutils_tables import table
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from .details import backend_details
from .headline import headline_rows
from .overview import overview
from .reports import KINDS, kind_of, load_reports


def glossary_note() -> nodes.paragraph:
    """ "Words: see the glossary", set above each table so that its status words are defined."""
    reference = addnodes.pending_xref(
        "", refdomain="std", reftype="ref", reftarget="glossary", refexplicit=True
    )
    reference += nodes.inline("", "glossary", classes=["std", "std-ref"])
    note = nodes.paragraph(classes=["convspec-words"])
    note += nodes.Text("Words: see the ")
    note += reference
    note += nodes.Text(".")
    return note


def scrolling(content: nodes.Node, *classes: str) -> nodes.container:
    """``content`` in a box that scrolls sideways, so a wide table never widens the page."""
    box = nodes.container(classes=["convspec-scroll", *classes])
    box += content
    return box


class SurveyDirective(SphinxDirective):
    """``{survey} KIND``: the overview table of the stored reports of one kind of backend."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        kind = directives.choice(self.arguments[0], KINDS)
        reports = [r for r in load_reports(self) if kind_of(r) == kind]
        if not reports:
            return []
        return [glossary_note(), scrolling(overview(reports, kind))]


class SurveyDetailsDirective(SphinxDirective):
    """``{survey-details}``: per stored report, its summary and clause matrix."""

    def run(self) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for report in load_reports(self):
            for node in backend_details(report):
                if isinstance(node, nodes.table):
                    result += [glossary_note(), scrolling(node)]
                else:
                    result.append(node)
        return result


class SurveyHeadlineDirective(SphinxDirective):
    """``{survey-headline}``: library, function, flips?, conjugates?, 'same' alignment."""

    def run(self) -> list[nodes.Node]:
        reports = load_reports(self)
        if not reports:
            return []
        headline = table(
            ["Library", "Function", "Flips?", "Conjugates?", "'same' alignment"],
            headline_rows(reports),
            [10, 30, 8, 16, 16],
            ["convspec-survey-headline", "colwidths-auto"],
        )
        return [scrolling(headline)]
