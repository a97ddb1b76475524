"""The cells of the overview tables: what a declared operation computes, in a few words."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils_tables import literal
from library_links import library_function

from .reports import Report
from .words import operation_status, some_of, status_badge


def function_name(name: str) -> nodes.literal:
    """A dotted function name that may break after its module path and nowhere else.

    ``torch.nn.functional.conv_transpose1d/2d/3d`` on one line made the survey's array table
    wider than the article; now it may take two (``torch.nn.functional.`` above
    ``conv_transpose1d/2d/3d``).  Each part is kept whole (Sphinx sets literal text
    ``white-space: nowrap``), and the ``<wbr>`` between them only breaks where the column is
    too narrow for both.
    """
    module, dot, function = name.rpartition(".")
    if not dot:
        return literal(name)
    code = nodes.literal(name)
    code += nodes.inline(module + dot, module + dot)
    code += nodes.raw("", "<wbr>", format="html")
    code += nodes.inline(function, function)
    return code


def function_cell(backend: str, operation: str) -> nodes.Node:
    """The library function an operation runs, linked to its documentation."""
    function = library_function(backend, operation)
    if function is None:
        return literal(operation)
    name: nodes.Node = function_name(function.name)
    if function.url:
        link = nodes.reference("", "", refuri=function.url, classes=["survey-function"])
        link += name
        name = link
    if function.name.endswith(operation):
        return name
    result = nodes.inline()
    result += name
    result += nodes.Text(" ")
    result += nodes.inline(operation, f"({operation})", classes=["survey-operation"])
    return result


def verdict_cell(report: Report, operation: str) -> nodes.inline:
    word, clauses = operation_status(report, operation)
    verdict = nodes.inline()
    verdict += status_badge(word)
    if clauses:
        verdict += nodes.Text(" " + some_of(clauses))
    return verdict


def identify_cell(found: dict[str, Any] | None, operation: str) -> nodes.Node:
    """``matches``, ``differs: FIELDS`` or ``not run``: identify against the declaration."""
    result = (found or {}).get("operations", {}).get(operation)
    if result is None:
        return status_badge("not run")
    if result["matches"]:
        return status_badge("pass", "matches")
    fields = sorted({difference.split(":", 1)[0] for difference in result["differences"]})
    cell = nodes.inline()
    cell += status_badge("fail", "differs")
    cell += nodes.Text(" " + some_of(fields))
    return cell


def computes(declared: dict[str, Any]) -> str:
    """What an operation computes; a layer operation adds its layouts and any flip."""
    text = str(declared["kind"])
    if "data_layout" in declared:  # a layer operation (LayerOperation)
        flip = ", flipped kernel" if declared.get("flips") else ""
        text += f" ({declared['data_layout']}, {declared['kernel_layout']}{flip})"
    return text


def boundary_text(declared: dict[str, Any]) -> str:
    """The declared boundary (spec/boundaries.md), its fill value and origin, if any."""
    boundary = declared.get("boundary", "constant")
    text = f"constant {declared.get('fill_value', 0):g}" if boundary == "constant" else boundary
    if declared.get("origin"):
        text += f", origin {declared['origin']}"
    if declared.get("normalize"):
        text += ", normalised"
    return text


def same_text(declared: dict[str, Any]) -> str:
    """Where 'same' puts an even kernel: an array operation's alignment, a layer's padding names."""
    if "data_layout" in declared:
        names = [name for name in declared.get("padding", []) if name.startswith("same")]
        found = sorted({"lower" if name == "same-lower" else "upper" for name in names})
        return " or ".join(found) if found else "no 'same'"
    if "same" not in declared.get("modes", []):
        return "no 'same'"
    alignment = str(declared.get("same_alignment", "lower"))
    if alignment.startswith("numpy-"):
        return "lower, length max(N, K)"
    return alignment


def conjugates_text(declared: dict[str, Any]) -> str:
    if not any(dtype.startswith("complex") for dtype in declared.get("dtypes", [])):
        return "real only"
    conjugates = declared.get("conjugates", "none")
    return "no" if conjugates == "none" else f"yes, the {conjugates} operand"


def flips_text(declared: dict[str, Any]) -> str:
    if "data_layout" in declared:
        return "yes" if declared.get("flips") else "no"
    return "yes" if declared["kind"] == "convolution" else "no"
