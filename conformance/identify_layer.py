"""``convspec identify --layer``: what does an undeclared layer function ``f(x, w, **params)``
compute, and does a written :class:`~convspec.conformance.LayerOperation` say so?

:func:`run_identify_layer` probes through the same :class:`~.identify_probe.Prober` as the
two-array identify (the suite's isolation worker), fits with :mod:`.identify_layer_fit`
and returns an :class:`~.identify.Identification` whose fields are LayerOperation's;
:func:`compare_layer` sets a declaration beside it field by field, which is how the tests
check that identify rediscovers every bundled layer adapter::

    from convspec.conformance.identify import identify
    found = identify("torch-layers", "conv")
    print(found.render())                  # LayerOperation(..., padding=('symmetric', ...))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

from .identify import Comparison, Identification, field_text, probed
from .identify_fit import DEFAULT_DTYPES
from .identify_layer_fit import LAYER_RANKS, fit_layer
from .identify_probe import Target
from .layer_backend import PADDING_NAMES, LayerOperation

__all__ = ["LAYER_NOT_PROBED", "compare_layer", "run_identify_layer"]

#: LayerOperation fields identify does not probe, and why.
LAYER_NOT_PROBED = {
    "function": "the function itself, not a convention",
    "max_size": "the largest operand a function accepts is not searched for",
    "method": "not probed for layers: the accuracy class needs the layer bound's own probes",
    "accumulation": "not probed for layers (as method)",
    "complex_products": "not probed for layers (as method)",
    "accuracy": "not probed for layers (as method)",
}


def run_identify_layer(
    target: Target,
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    isolation: Literal["process", "none"] = "process",
    timeout: float = 10.0,
    seed: int = 0,
    ranks: Sequence[int] | None = None,
) -> Identification:
    """Probe and fit one layer function (``target.layer``)."""
    function = target.load_function()
    return probed(
        target,
        dtypes,
        isolation,
        timeout,
        lambda prober: fit_layer(
            prober, function, tuple(dtypes), tuple(ranks or LAYER_RANKS), seed
        ),
        LayerOperation,
        LAYER_NOT_PROBED,
    )


def compare_layer(
    declared: LayerOperation, found: Identification, deviations: Sequence[str] = ()
) -> list[Comparison]:
    """Field by field: does ``declared`` state what identify found?

    Fields are compared by what they mean: the layouts as spelled at every declared rank,
    the kernel layout with the spec's default filled in.  A declaration may narrow
    ``ranks`` and ``dtypes`` (one function declared once per rank, dtypes left out to save
    time): those match when the declared ones are among the found ones.  Fields that only
    matter with another (``dilated_names`` without names, ``output_padding_below`` without
    output_padding) are not compared then.  The last comparison, ``deviations``, sets
    the backend's documented deviations for this operation (``deviations``, their
    descriptions) beside what identify found: it searches a layer for none, so a
    documented one is not compared.
    """
    unobserved = found.unobserved()
    got: LayerOperation | None = None
    problems = list(found.problems)
    if found.declarable:
        try:
            got = found.operation()
        except (ValueError, TypeError) as error:
            problems.append(f"the fitted fields build no LayerOperation: {error}")
    out = []
    for f in dataclasses.fields(LayerOperation):
        name = f.name
        declared_text = field_text(getattr(declared, name))
        if name in unobserved:
            out.append(Comparison(name, declared_text, "-", None, unobserved[name]))
        elif got is None:
            why = "; ".join(problems) or "no problem recorded"
            out.append(Comparison(name, declared_text, "-", False, f"identify found none: {why}"))
        else:
            out.append(_compare_field(name, declared, got))
    documented = f"{len(deviations)} documented"
    if deviations:
        note = "identify searches a layer for no deviation"
        out.append(Comparison("deviations", documented, "none", None, note))
    else:
        out.append(Comparison("deviations", documented, "none", True))
    return out


def _compare_field(name: str, declared: LayerOperation, got: LayerOperation) -> Comparison:
    d_value, g_value = getattr(declared, name), getattr(got, name)
    shown = (field_text(d_value), field_text(g_value))
    if name in ("data_layout", "kernel_layout"):
        ranks = [r for r in declared.ranks if r in got.ranks] or list(declared.ranks)
        index = 0 if name == "data_layout" else 1
        d_layouts = [declared.layouts(r)[index] for r in ranks]
        g_layouts = [got.layouts(r)[index] for r in ranks]
        note = f"at ranks {ranks}: declared {', '.join(d_layouts)}, found {', '.join(g_layouts)}"
        return Comparison(name, *shown, d_layouts == g_layouts, note)
    if name in ("ranks", "dtypes"):
        missing = [v for v in d_value if v not in g_value]
        extra = [v for v in g_value if v not in d_value]
        note = f"not found: {missing}" if missing else (f"also accepts {extra}" if extra else "")
        return Comparison(name, *shown, not missing, note)
    if name == "padding":
        return Comparison(name, *shown, set(d_value) == set(g_value))
    if name == "dilated_names" and (
        not declared.dilation or not any(n in PADDING_NAMES for n in declared.padding)
    ):
        return Comparison(name, *shown, None, "no padding name with a dilation declared")
    if name == "output_padding_below" and not declared.output_padding:
        return Comparison(name, *shown, None, "no output_padding declared")
    if name == "rejects":
        relevant = _relevant_rejections(declared)
        d_set = set(d_value) & relevant
        g_set = set(g_value) & relevant
        return Comparison(name, *shown, d_set == g_set, f"compared on {sorted(relevant)}")
    if name == "result_dtype":
        return _compare_result_dtype(declared, got, shown)
    return Comparison(name, *shown, d_value == g_value)


def _relevant_rejections(op: LayerOperation) -> set[str]:
    relevant = {"empty output"}
    if op.transposed and not ({"explicit", "symmetric"} & set(op.padding)):
        relevant.discard("empty output")  # identify crops with pairs
    if op.groups:
        relevant.add("groups")
    if op.output_padding:
        relevant.add("output_padding")
    return relevant


def _compare_result_dtype(
    declared: LayerOperation, got: LayerOperation, shown: tuple[str, str]
) -> Comparison:
    from .conventions import declared_result_dtype

    differ = [
        d
        for d in declared.dtypes
        if d in got.dtypes
        and declared_result_dtype(declared, d, d) != declared_result_dtype(got, d, d)
    ]
    note = f"differs for {differ[0]}" if differ else f"same on the {len(declared.dtypes)} dtypes"
    return Comparison("result_dtype", *shown, not differ, note)
