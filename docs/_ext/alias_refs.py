"""Let annotations link to type aliases.

autodoc documents a type alias (``Mode: TypeAlias = Literal[...]``) as module data, but the
signatures it renders refer to it as a class, and a ``py:class`` reference does not find a
``py:data`` object.  This extension resolves such references to the documented alias; any
other missing reference is left to Sphinx (and, under nitpicky, reported).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.nodes import make_refnode
from sphinx.util.typing import ExtensionMetadata


def resolve_alias(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    if node.get("refdomain") != "py" or node.get("reftype") != "class":
        return None
    objects = env.domains.python_domain.objects
    target = node["reftarget"]
    module = node.get("py:module")
    for name in (target, f"{module}.{target}" if module else None):
        entry = objects.get(name) if name else None
        if entry is not None and entry.objtype in ("data", "type"):
            return make_refnode(
                app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name
            )
    return None


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("missing-reference", resolve_alias)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
