"""The spec's normative clauses in Sphinx: the ``clause`` directive, its roles and its index.

A spec page writes a clause as a MyST colon fence::

    :::{clause} CONV-1 Definition of convolution
    normative text ...
    :::

The first word of the argument is the clause id, the rest its title.  Both must equal the
registry :data:`convspec.clauses.CLAUSES`; anything else is a warning, so a build under ``-W``
fails when the spec and the registry drift apart (in either direction: a clause of the registry
that no page defines is reported when the build checks consistency).

What the directive produces:

* a box (an admonition with the class ``clause``) whose HTML anchor is the clause id itself,
  so ``spec/convolution.html#CONV-1`` works and reports can link straight to a clause;
* an entry in Sphinx's standard domain, so ``{clause-ref}`CONV-1``` links with the id as its
  text and ``{ref}`CONV-1``` links with "CONV-1 Definition of convolution";
* an entry in the search index (object type "clause").

``{informative} Title`` (the title optional) is an informative note: a box headed "Note" that
the stylesheet sets apart from the clauses, for a remark that a reader of the normative text
may skip.

``{clause-index}`` (a directive with no argument) becomes, at build time, a table of every
clause: id, title and the chapter that defines it.  In docstrings rendered by autodoc, every
clause id of the registry becomes a link to its clause.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from convspec_warnings import warn
from docutils import nodes
from docutils.parsers.rst import directives
from docutils_tables import literal, table
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

from convspec.clauses import CLAUSES

OBJTYPE = "clause"


class clause_index(nodes.General, nodes.Element):
    """Placeholder for the table of all clauses, filled in once every page has been read."""


def std_domain(env: BuildEnvironment) -> StandardDomain:
    return env.domains.standard_domain


class ClauseDirective(SphinxDirective):
    """``{clause} ID Title``: one normative clause of the spec."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        clause_id, _, title = self.arguments[0].strip().partition(" ")
        title = " ".join(title.split())
        self.check_against_registry(clause_id, title)

        box = nodes.admonition(classes=["admonition", "clause", *self.options.get("class", [])])
        box["ids"].append(clause_id)
        self.set_source_info(box)

        heading = nodes.title()
        heading += nodes.inline(clause_id, clause_id, classes=["clause-id"])
        heading += nodes.Text(" ")
        heading += nodes.inline(title, title, classes=["clause-title"])
        permalink = nodes.reference(
            "", "¶", refid=clause_id, classes=["headerlink"], reftitle=f"Link to {clause_id}"
        )
        heading += permalink
        box += heading
        box += self.parse_content_to_nodes(allow_section_headings=False)

        self.register(clause_id, title)
        return [box]

    def check_against_registry(self, clause_id: str, title: str) -> None:
        if clause_id not in CLAUSES:
            warn(
                "clause %r is not in convspec.clauses.CLAUSES (add it there or fix the id)",
                clause_id,
                location=self.get_location(),
                subtype="clause",
            )
        elif CLAUSES[clause_id] != title:
            warn(
                "clause %s has title %r here but %r in convspec.clauses.CLAUSES",
                clause_id,
                title,
                CLAUSES[clause_id],
                location=self.get_location(),
                subtype="clause",
            )

    def register(self, clause_id: str, title: str) -> None:
        std = std_domain(self.env)
        std.note_object(OBJTYPE, clause_id, clause_id, location=self.get_location())
        label = clause_id.lower()  # {ref} lower-cases its target
        std.anonlabels[label] = (self.env.docname, clause_id)
        std.labels[label] = (self.env.docname, clause_id, f"{clause_id} {title}")


class InformativeNoteDirective(SphinxDirective):
    """``{informative} Title``: an informative note, set apart from the normative clauses."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        box = nodes.admonition(classes=["admonition", "informative"])
        self.set_source_info(box)
        heading = nodes.title()
        heading += nodes.inline("Note", "Note", classes=["informative-label"])
        if self.arguments:
            title = " ".join(self.arguments[0].split())
            heading += nodes.Text(" ")
            heading += nodes.inline(title, title, classes=["informative-title"])
        box += heading
        box += self.parse_content_to_nodes(allow_section_headings=False)
        return [box]


class ClauseIndexDirective(SphinxDirective):
    """``{clause-index}``: a table of every clause, made after all pages are read."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [clause_index()]


def defined_clauses(env: BuildEnvironment) -> dict[str, str]:
    """Clause id -> the docname that defines it, for every clause the pages define."""
    return {
        name: docname
        for (objtype, name), (docname, _anchor) in std_domain(env).objects.items()
        if objtype == OBJTYPE
    }


def check_every_clause_defined(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn for each clause of the registry that no page defines (registry -> spec drift)."""
    defined = defined_clauses(env)
    for clause_id in CLAUSES:
        if clause_id not in defined:
            warn(
                "clause %s (%r) is in convspec.clauses.CLAUSES but no page defines it",
                clause_id,
                CLAUSES[clause_id],
                subtype="clause",
            )


def build_clause_table(app: Sphinx, fromdocname: str) -> nodes.table:
    env = app.env
    defined = defined_clauses(env)
    rows = []
    for clause_id, title in CLAUSES.items():
        docname = defined.get(clause_id)
        if docname is None:
            continue  # reported by check_every_clause_defined
        page = app.builder.get_relative_uri(fromdocname, docname)
        link = nodes.reference("", "", internal=True, refuri=f"{page}#{clause_id}")
        link += literal(clause_id)
        chapter_title = env.titles[docname].astext() if docname in env.titles else docname
        chapter = nodes.reference("", chapter_title, internal=True, refuri=page)
        rows.append([link, title, chapter])
    return table(["Clause", "Title", "Chapter"], rows, [12, 58, 30], ["clause-index"])


def fill_clause_indexes(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    for placeholder in list(doctree.findall(clause_index)):
        placeholder.replace_self(build_clause_table(app, fromdocname))


def missing_clause_reference(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.Element
) -> None:
    """Make a ``{clause-ref}`` to an id outside the registry say so, not just "not found"."""
    if node.get("reftype") == "clause-ref" and node.get("reftarget") not in CLAUSES:
        warn(
            "{clause-ref} to %r, which is not a clause id of convspec.clauses.CLAUSES",
            node.get("reftarget"),
            location=node,
            subtype="clause",
        )


CLAUSE_ID = re.compile(r"(?<![\w`:-])(" + "|".join(map(re.escape, CLAUSES)) + r")(?![\w-])")
INLINE_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")


def link_clause_ids(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """In docstrings, make each clause id of the registry a link to its clause.

    Ids inside inline literals and roles are left alone; only ids of
    :data:`convspec.clauses.CLAUSES` are linked, so ``CONV-12`` is never half-matched.
    """
    for index, line in enumerate(lines):
        parts = INLINE_LITERAL.split(line)
        for part_index in range(0, len(parts), 2):  # even parts are outside literals
            parts[part_index] = CLAUSE_ID.sub(r":clause-ref:`\1`", parts[part_index])
        lines[index] = "".join(parts)


def setup(app: Sphinx) -> ExtensionMetadata:
    # The standard domain's object type gives the role {clause-ref} and the search-index entry;
    # its directive is then replaced by ours, which renders the clause box.
    app.add_object_type(OBJTYPE, "clause-ref", objname="normative clause")
    app.add_directive_to_domain("std", OBJTYPE, ClauseDirective, override=True)
    app.add_directive("informative", InformativeNoteDirective)
    app.add_directive("clause-index", ClauseIndexDirective)
    app.add_node(clause_index)
    app.connect("env-check-consistency", check_every_clause_defined)
    app.connect("doctree-resolved", fill_clause_indexes)
    app.connect("missing-reference", missing_clause_reference)
    app.setup_extension("sphinx.ext.autodoc")  # for its docstring event
    app.connect("autodoc-process-docstring", link_clause_ids)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
