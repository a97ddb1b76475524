"""Identify, stage 2 for a layer function ``f(x, w, **params)``: the LayerOperation it fits.

Each stage calls the function through the shared :class:`~.identify_probe.Prober` (so
through the isolation worker) and compares what came back with the reference layer under
candidate conventions (:func:`~.layer_conventions.layer_values`).  Operands are distinct
integers in floating point: every flip, layout and transposition gives different values,
and the reference's sums are exact.  Channel counts and spatial lengths are all unequal
(batch 2, 3 input and 5 output channels, data 7 x 6, kernel 2 x 4), so each layout gives
each axis a different length.

1. :func:`fit_call`: the keyword arguments it takes and a first call that works: every
   subset of the optional parameters (the signature's first), at spatial rank 2, 1, 3, with
   every candidate data and kernel layout and zero padding as pairs or ``"valid"``;
2. :func:`fit_structure`: transposed or not, flipped or not, and the layouts, by values;
3. :func:`fit_ranks`: the spatial ranks 1 to 3 that give the fitted values;
4. :func:`fit_parameters`: stride, dilation, groups, bias, output_padding: each taken and
   applied as the spec says, or not;
5. :func:`fit_padding`: asymmetric pairs, symmetric pairs, and each padding name, with the
   side an odd total pad goes to (the *padding split*) at even kernels, stride 1 and 2;
6. :func:`fit_rejections`: an empty output, groups not dividing the channels, too large an
   output_padding: raised or not;
7. :func:`fit_dtypes`: the dtypes that give the fitted values and the result dtype rule
   (:func:`.identify_fit.result_rule`, shared with the two-array identify).
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

import convspec

from .backend import Array
from .cases import LAYER_MODE
from .identify_fit import DEFAULT_DTYPES, Finding, result_rule
from .identify_probe import Probe, Prober
from .layer_backend import LayerOperation, layout_for_rank
from .layer_conventions import layer_values

__all__ = ["LAYER_RANKS", "OPTIONAL", "LayerFit", "fit_layer"]

#: The parameters a layer function may take besides ``padding``.
OPTIONAL = ("stride", "dilation", "groups", "bias", "output_padding")
#: Spatial ranks tried (an operation declares a subset; ranks above 3 are not tried).
LAYER_RANKS = (1, 2, 3)
DATA_LAYOUTS = ("NCHW", "NHWC")
KERNEL_LAYOUTS = ("OIHW", "IOHW", "HWIO", "HWOI")
#: Dtypes of the structure probes, the first that works (exact for these small integers).
STRUCTURE_DTYPES = ("float64", "float32")
BATCH, C_IN, C_OUT = 2, 3, 5
#: Spatial lengths of the data and the kernel, per rank (all differ from the channels).
DATA_SPATIAL = (7, 6, 8)
KERNEL_SPATIAL = (2, 4, 6)
#: Channels for the groups probe (2 groups).
GROUPED = (4, 6, 2)


def _dummy(x: Array, w: Array, **params: Any) -> Array:
    raise AssertionError("a fitted declaration is compared, never called")


@dataclass
class LayerFit:
    """What the stages share: the findings so far and the call that works."""

    prober: Prober
    dtypes: tuple[str, ...]
    ranks: tuple[int, ...]
    rng: np.random.Generator
    findings: dict[str, Finding] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    stage_calls: dict[str, int] = field(default_factory=dict)
    #: The keyword arguments the function takes (besides padding).
    accepted: tuple[str, ...] = ()
    #: The declaration fitted so far (function a placeholder).
    op: LayerOperation = field(default_factory=lambda: LayerOperation(_dummy))
    rank: int = 2
    #: The padding the first working call passed (zero pairs or "valid").
    base_padding: Any = None
    dtype: str = "float64"

    def set(self, name: str, value: Any, **details: Any) -> Finding:
        finding = Finding(value, **details)
        self.findings[name] = finding
        return finding

    # ------------------------------------------------------------ operands

    def values(self, shape: tuple[int, ...], dtype: str | None = None) -> Array:
        """Distinct integers (centred on 0) in ``dtype``: every permutation tells."""
        size = int(np.prod(shape))
        numbers = self.rng.permutation(size) - size // 2
        return numbers.reshape(shape).astype(dtype or self.dtype)

    def operands(
        self,
        rank: int,
        op: LayerOperation | None = None,
        channels: tuple[int, int, int] = (C_IN, C_OUT, 1),
        dtype: str | None = None,
        spatial: tuple[int, ...] | None = None,
        kernel_spatial: tuple[int, ...] | None = None,
    ) -> tuple[Array, Array]:
        """``x`` and ``w`` in the layouts of ``op`` (default: the fitted one)."""
        op = op or self.op
        c_in, c_out, groups = channels
        data_layout, kernel_layout = op.layouts(rank)
        letters = {"N": BATCH, "C": c_in}
        sizes = spatial or DATA_SPATIAL[:rank]
        kernel_sizes = kernel_spatial or KERNEL_SPATIAL[:rank]
        spatial_names = data_layout.replace("N", "").replace("C", "")
        letters.update(zip(spatial_names, sizes, strict=True))
        x = self.values(tuple(letters[c] for c in data_layout), dtype)
        # I: the channels of x per group; O: the output channels (transposed: per group).
        i_count, o_count = (c_in, c_out // groups) if op.transposed else (c_in // groups, c_out)
        kernel = {"O": o_count, "I": i_count}
        kernel.update(zip(spatial_names, kernel_sizes, strict=True))
        w = self.values(tuple(kernel[c] for c in kernel_layout), dtype)
        return x, w

    def neutral(self, rank: int, padding: Any = None) -> dict[str, Any]:
        """The accepted parameters at values that change nothing."""
        params: dict[str, Any] = {"padding": self.base_padding if padding is None else padding}
        for name in self.accepted:
            params[name] = _neutral(name, rank)
        return params

    def request(self, x: Array, w: Array, params: Mapping[str, Any]) -> tuple[Any, ...]:
        return (x, w, LAYER_MODE, dict(params))

    def run(self, requests: list[tuple[Any, ...]]) -> list[Probe]:
        return self.prober.run(requests)


def _with(op: LayerOperation, name: str, value: Any) -> LayerOperation:
    """``op`` with the field ``name`` set to ``value``."""
    changes: dict[str, Any] = {name: value}
    return replace(op, **changes)


def _neutral(name: str, rank: int) -> Any:
    if name == "groups":
        return 1
    if name == "bias":
        return None
    if name == "output_padding":
        return (0,) * rank
    return (1,) * rank


def _zero_pairs(rank: int) -> tuple[tuple[int, int], ...]:
    return ((0, 0),) * rank


def _scale(values: Array) -> float:
    return float(np.max(np.abs(values))) if values.size else 1.0


def _spec_params(probe: Probe, op: LayerOperation) -> dict[str, Any]:
    """The call's params the reference takes (a layer has no output_padding)."""
    params = dict(probe.params)
    if not op.transposed:
        params.pop("output_padding", None)
    return params


def agrees(probe: Probe, op: LayerOperation, tolerance: float = 1e-9) -> bool:
    """Whether ``probe`` returned what ``op`` declares, in shape and (to ``tolerance``
    relative to the largest value) in values."""
    if not probe.ok:
        return False
    try:
        expected, _bound, _dtype = layer_values(op, probe.a, probe.v, _spec_params(probe, op))
    except (ValueError, TypeError, OverflowError):
        return False
    got = np.asarray(probe.value)
    if got.shape != expected.shape:
        return False
    if got.dtype.kind not in "fciu":
        return False
    diff = np.abs(got.astype(np.complex128) - expected.astype(np.complex128))
    return bool(np.all(diff <= tolerance * max(_scale(expected), 1.0)))


def failure(probe: Probe, op: LayerOperation) -> str:
    """One line: why ``probe`` does not fit ``op``."""
    if not probe.ok:
        return f"{probe.describe()} {probe.outcome.status}: {probe.outcome.message[:160]}"
    try:
        expected, _, _ = layer_values(op, probe.a, probe.v, _spec_params(probe, op))
    except (ValueError, TypeError, OverflowError) as error:
        return f"{probe.describe()}: no expected value ({error})"
    got = np.asarray(probe.value)
    if got.shape != expected.shape:
        return f"{probe.describe()} returned shape {got.shape}, expected {expected.shape}"
    diff = np.abs(got.astype(np.complex128) - expected.astype(np.complex128))
    return f"{probe.describe()}: largest difference {float(np.max(diff, initial=0)):.3g}"


# ------------------------------------------------------------------ stage 1: a first call


def _signature_names(function: Callable[..., Any] | None) -> tuple[str, ...] | None:
    """The optional parameters the signature names (None: it takes ``**kwargs`` or has none)."""
    if function is None:
        return None
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_KEYWORD for p in parameters):
        return None
    names = {p.name for p in parameters}
    return tuple(n for n in OPTIONAL if n in names)


def _subsets(preferred: tuple[str, ...] | None) -> list[tuple[str, ...]]:
    every = [
        combo
        for size in range(len(OPTIONAL), -1, -1)
        for combo in itertools.combinations(OPTIONAL, size)
    ]
    if preferred is not None:
        every.remove(preferred)
        every.insert(0, preferred)
    return every


def _layout_candidates() -> list[LayerOperation]:
    return [
        LayerOperation(_dummy, data_layout=d, kernel_layout=k)
        for d in DATA_LAYOUTS
        for k in KERNEL_LAYOUTS
    ]


def fit_call(fit: LayerFit, function: Callable[..., Any] | None) -> list[Probe]:
    """The keyword arguments taken and the first batch of calls with one that returned.

    Tried in order: the signature's parameters first (a hint; the calls decide), then every
    subset of :data:`OPTIONAL`, largest first; for each, the ranks in ``fit.ranks`` (2
    first) in each of :data:`STRUCTURE_DTYPES`, every candidate layout, zero padding as
    pairs and as ``"valid"``.  The dtype that worked is used by every later stage.
    """
    ranks = sorted(fit.ranks, key=lambda r: (r != 2, r))
    rejected: dict[str, str] = {}
    for subset in _subsets(_signature_names(function)):
        for rank, dtype in itertools.product(ranks, STRUCTURE_DTYPES):
            fit.dtype = dtype
            requests = []
            for candidate in _layout_candidates():
                x, w = fit.operands(rank, candidate)
                for padding in (_zero_pairs(rank), "valid"):
                    params = {"padding": padding, **{n: _neutral(n, rank) for n in subset}}
                    requests.append(fit.request(x, w, params))
            probes = fit.run(requests)
            returned = [p for p in probes if p.ok]
            if returned:
                fit.accepted = subset
                fit.rank = rank
                fit.base_padding = returned[0].params["padding"]
                fit.set(
                    "parameters",
                    ("padding", *subset),
                    support=[f"first call that returned: {returned[0].describe()}"],
                    rejected=rejected,
                )
                return probes
            rejected[f"({', '.join(('padding', *subset))}) at rank {rank}, {dtype}"] = (
                f"{len(probes)} calls, none returned; first: {probes[0].outcome.message[:160]}"
            )
    fit.problems.append(
        "no call returned: tried every subset of "
        f"{', '.join(OPTIONAL)} with every candidate layout at ranks {ranks}"
    )
    return []


# ------------------------------------------------------------------ stage 2: structure


def fit_structure(fit: LayerFit, probes: list[Probe]) -> bool:
    """Transposed, flips, data and kernel layout: the candidates whose values fit."""
    fitting: list[LayerOperation] = []
    tried = 0
    for probe in probes:
        if not probe.ok:
            continue
        for candidate in _layout_candidates():
            if probe.a.shape != fit.operands(fit.rank, candidate)[0].shape:
                continue
            for transposed, flips in itertools.product((False, True), repeat=2):
                op = replace(candidate, transposed=transposed, flips=flips)
                if probe.v.shape != fit.operands(fit.rank, op)[1].shape:
                    continue
                tried += 1
                if agrees(probe, op) and op not in fitting:
                    fitting.append(op)
    if len(fitting) != 1:
        what = "none" if not fitting else f"{len(fitting)} ({_names(fitting)})"
        fit.problems.append(
            f"transposition, flip and layouts: {what} of {tried} candidates fit the calls "
            "that returned"
        )
        if not fitting:
            fit.problems += _result_in_another_layout(fit, probes)
        return False
    op = fitting[0]
    fit.op = replace(op, ranks=(fit.rank,), padding=("explicit",))
    support = [f"{tried} candidates (transposed x flips x layouts) tried; one fits"]
    for name in ("transposed", "flips", "data_layout", "kernel_layout"):
        fit.set(name, getattr(op, name), support=list(support))
    return True


def _result_in_another_layout(fit: LayerFit, probes: list[Probe]) -> list[str]:
    """Calls whose result is right but in the other data layout (no declaration states it)."""
    found = []
    for probe in (p for p in probes if p.ok):
        for candidate in _layout_candidates():
            for transposed, flips in itertools.product((False, True), repeat=2):
                op = replace(candidate, transposed=transposed, flips=flips)
                if (probe.a.shape, probe.v.shape) != tuple(
                    a.shape for a in fit.operands(fit.rank, op)
                ):
                    continue
                data = op.layouts(fit.rank)[0]
                for other in DATA_LAYOUTS:
                    returned = layout_for_rank(other, fit.rank)
                    if returned == data:
                        continue
                    try:
                        expected, _, _ = layer_values(op, probe.a, probe.v, _spec_params(probe, op))
                    except (ValueError, TypeError):
                        continue
                    relabelled = convspec.relayout(expected, data, returned)
                    got = np.asarray(probe.value)
                    if got.shape == relabelled.shape and np.allclose(got, relabelled):
                        found.append(
                            f"takes {data} data and a {op.kernel} kernel "
                            f"(transposed={op.transposed}, flips={op.flips}) but returns the "
                            f"result in {returned}: {probe.describe()}"
                        )
        if found:
            return found[:1]
    return found


def _names(ops: list[LayerOperation]) -> str:
    return "; ".join(
        f"transposed={o.transposed} flips={o.flips} {o.data_layout}/{o.kernel}" for o in ops
    )


# ------------------------------------------------------------------ stage 3: ranks


def fit_ranks(fit: LayerFit) -> None:
    accepted, rejected = [], {}
    requests = []
    for rank in fit.ranks:
        x, w = fit.operands(rank)
        requests.append(fit.request(x, w, fit.neutral(rank, _base_for(fit, rank))))
    for rank, probe in zip(fit.ranks, fit.run(requests), strict=True):
        if agrees(probe, replace(fit.op, ranks=(rank,))):
            accepted.append(rank)
        else:
            rejected[str(rank)] = failure(probe, fit.op)
    fit.op = replace(fit.op, ranks=tuple(accepted))
    fit.set(
        "ranks",
        tuple(accepted),
        support=[f"ranks {', '.join(map(str, fit.ranks))} tried"],
        rejected=rejected,
    )


def _base_for(fit: LayerFit, rank: int) -> Any:
    return "valid" if fit.base_padding == "valid" else _zero_pairs(rank)


# ------------------------------------------------------------------ stage 4: parameters


def _parameter_case(fit: LayerFit, name: str) -> tuple[Array, Array, dict[str, Any]] | None:
    """Operands and params trying ``name`` at a value that changes the result."""
    rank = fit.rank
    params = fit.neutral(rank)
    channels = (C_IN, C_OUT, 1)
    if name == "stride":
        params["stride"] = (2, 3, 2)[:rank]
    elif name == "dilation":
        params["dilation"] = (2, 1, 1)[:rank]
    elif name == "groups":
        channels = GROUPED
        params["groups"] = GROUPED[2]
    elif name == "bias":
        params["bias"] = fit.values((C_OUT,)) * 10
    elif name == "output_padding":
        if "stride" not in fit.accepted or not fit.findings["stride"].value:
            return None
        params["stride"] = (2, 3, 2)[:rank]
        params["output_padding"] = (1, 2, 1)[:rank]
    x, w = fit.operands(rank, channels=channels)
    return x, w, params


def fit_parameters(fit: LayerFit) -> None:
    """Each optional parameter: taken and applied as the spec says, or not."""
    for name in OPTIONAL:
        if name == "output_padding" and not fit.op.transposed:
            fit.set(name, False, support=["not a transposed layer"])
            continue
        if name not in fit.accepted:
            reason = f"no call with {name}= returned (stage 1)"
            fit.set(name, False, support=[reason])
            fit.op = _with(fit.op, name, False)
            continue
        case = _parameter_case(fit, name)
        if case is None:
            fit.set(name, False, observed=False, support=["needs a stride, which it lacks"])
            fit.op = _with(fit.op, name, False)
            continue
        x, w, params = case
        probe = fit.run([fit.request(x, w, params)])[0]
        applies = agrees(probe, _with(fit.op, name, True))
        ignored = dict(params, **{name: _neutral(name, fit.rank)})
        if name == "output_padding":
            ignored["stride"] = params["stride"]
        ignores = probe.ok and agrees(replace(probe, params=ignored), fit.op)
        fit.op = _with(fit.op, name, applies)
        if applies:
            fit.set(name, True, support=[f"applied as the spec says: {probe.describe()}"])
        elif ignores:
            fit.set(
                name,
                False,
                support=[f"taken but ignored (the result without it): {probe.describe()}"],
                rejected={"True": failure(probe, _with(fit.op, name, True))},
            )
        else:
            fit.set(
                name,
                False,
                support=[f"{name}= does not give the spec's result"],
                rejected={"True": failure(probe, _with(fit.op, name, True))},
            )
            if probe.ok:
                fit.problems.append(
                    f"{name}={params[name]!r} returns something else than the spec's "
                    f"{name} or none: {failure(probe, _with(fit.op, name, True))}"
                )


# ------------------------------------------------------------------ stage 5: padding


#: Asymmetric and symmetric pairs per axis (the first ``rank`` are used).
ASYMMETRIC = ((1, 2), (2, 0), (0, 1))
SYMMETRIC = ((1, 1), (2, 2), (1, 1))


def _named_split(fit: LayerFit, name: str, x: Array, w: Array, params: dict[str, Any]) -> str:
    """Which rule a call with ``padding=name`` computes: a spec name, or ``"none"``."""
    probe = fit.run([fit.request(x, w, params)])[0]
    if not probe.ok:
        return f"raised: {probe.outcome.message[:120]}"
    rules: tuple[str, ...] = ("valid", "same-upper", "same-lower")
    if not fit.op.transposed:
        rules += ("same",)
    for rule in (name, *[r for r in rules if r != name]):
        if rule == "same" and any(s != 1 for s in params.get("stride", ())):
            continue
        if agrees(replace(probe, params=dict(params, padding=rule)), fit.op):
            return rule
    return "none"


def fit_padding(fit: LayerFit) -> None:
    """Pairs (asymmetric, symmetric) at every rank, then each name and its split."""
    rules: list[str] = []
    rejected: dict[str, str] = {}
    per_rank: dict[str, list[int]] = {}
    for rule, pairs in (("explicit", ASYMMETRIC), ("symmetric", SYMMETRIC)):
        for rank in fit.op.ranks:
            x, w = fit.operands(rank)
            params = fit.neutral(rank, pairs[:rank])
            probe = fit.run([fit.request(x, w, params)])[0]
            if agrees(probe, fit.op):
                per_rank.setdefault(rule, []).append(rank)
            else:
                rejected[f"{rule} at rank {rank}"] = failure(probe, fit.op)
    for rule in ("explicit", "symmetric"):
        if per_rank.get(rule) == list(fit.op.ranks):
            rules.append(rule)
            break
    names: tuple[str, ...] = ("valid", "same-upper", "same-lower")
    if not fit.op.transposed:
        names = ("valid", "same", "same-upper", "same-lower")
    splits: dict[str, str] = {}
    strides = [1] + ([2] if fit.op.stride else [])
    for name in names:
        computed = set()
        for stride in strides if name != "same" else [1]:
            for rank in fit.op.ranks:
                x, w = fit.operands(rank)
                params = fit.neutral(rank, name)
                if fit.op.stride:
                    params["stride"] = (stride,) * rank
                computed.add(_named_split(fit, name, x, w, params))
        if all(c.startswith("raised") for c in computed):
            computed = {min(computed)}  # one raised message is enough
        got = computed.pop() if len(computed) == 1 else ", ".join(sorted(computed))
        splits[name] = got
        if got == name:
            rules.append(name)
        else:
            rejected[name] = f"padding={name!r} computes {got}"
            if not got.startswith("raised"):
                fit.problems.append(
                    f"padding={name!r} computes {got}, not the spec's {name} ({_split_words(got)})"
                )
    support = [f"{rule} at ranks {ranks}" for rule, ranks in per_rank.items()]
    support.append("names at stride " + " and ".join(map(str, strides)) + ", even kernels")
    if not rules:
        fit.problems.append("no padding rule gives the spec's result")
        rules = ["explicit"]
    fit.op = replace(fit.op, padding=tuple(rules))
    fit.set("padding", tuple(rules), support=support, rejected=rejected)
    fit.set(
        "padding_split",
        {name: _split_words(got) for name, got in splits.items()},
        support=["the side an odd total pad goes to, per padding name passed"],
    )
    _fit_dilated_names(fit)


def _split_words(rule: str) -> str:
    return {
        "same-upper": "same-upper: the odd pad at the end",
        "same": "same: the odd pad at the end (stride 1)",
        "same-lower": "same-lower: the odd pad at the start",
        "valid": "valid: no pad",
    }.get(rule, rule)


def _fit_dilated_names(fit: LayerFit) -> None:
    names = [n for n in fit.op.padding if n not in ("explicit", "symmetric")]
    if not fit.op.dilation or not names:
        fit.set("dilated_names", True, observed=False, support=["no padding name or dilation"])
        return
    rank = fit.rank
    x, w = fit.operands(rank)
    requests = [
        fit.request(x, w, dict(fit.neutral(rank, name), dilation=(2, 1, 1)[:rank]))
        for name in names
    ]
    probes = fit.run(requests)
    raised = [p for p in probes if not p.ok]
    value = not raised
    fit.set(
        "dilated_names",
        value,
        support=[f"{len(names)} names at dilation 2: {len(raised)} raised"],
        rejected={} if value else {"True": failure(raised[0], fit.op)},
    )
    fit.op = replace(fit.op, dilated_names=value)


# ------------------------------------------------------------------ stage 6: rejections


def _raises(fit: LayerFit, x: Array, w: Array, params: dict[str, Any]) -> tuple[bool, str]:
    probe = fit.run([fit.request(x, w, params)])[0]
    return (probe.outcome.status == "raised", probe.describe() + f": {probe.outcome.status}")


def fit_rejections(fit: LayerFit) -> None:
    """Which calls the spec refuses raise: an empty output, groups, output_padding."""
    rank = fit.rank
    rejects: list[str] = []
    support: list[str] = []
    # An output length of -1 along the first axis (what the suite feeds), and of 0 (the
    # edge: onnx.reference returns an empty array there, and raises only below).
    edges: dict[int, tuple[bool, str]] = {}
    if fit.op.transposed:
        if "explicit" in fit.op.padding or "symmetric" in fit.op.padding:
            x, w = fit.operands(rank)
            full = DATA_SPATIAL[0] + KERNEL_SPATIAL[0] - 1  # the first axis, uncropped
            symmetric = "explicit" not in fit.op.padding
            for length in (-1, 0):
                total = full - length + (1 if symmetric and (full - length) % 2 else 0)
                crop = ((total // 2, total - total // 2),) + ((0, 0),) * (rank - 1)
                edges[full - total] = _raises(fit, x, w, fit.neutral(rank, crop))
    else:
        kernel = (3, *KERNEL_SPATIAL[1:rank])
        for length in (-1, 0):
            spatial = (length + 2, *DATA_SPATIAL[1:rank])
            x, w = fit.operands(rank, spatial=spatial, kernel_spatial=kernel)
            edges[length] = _raises(fit, x, w, fit.neutral(rank))
    below = [raised for length, (raised, _) in edges.items() if length < 0]
    if below and all(below):
        rejects.append("empty output")
    for length, (_raised, text) in sorted(edges.items()):
        support.append(f"empty output (length {length}): {text}")
    if edges.get(0, (True, ""))[0] is False and below and all(below):
        support.append("raises below output length 0 only: length 0 returns an empty array")
    if fit.op.groups:
        # 2 groups, 3 input channels: the kernel as if they divided (one per group), so a
        # function that infers the groups from the kernel's shape is asked too.
        x, w = fit.operands(rank, channels=(C_IN, 4, 2))
        raised, text = _raises(fit, x, w, dict(fit.neutral(rank), groups=2))
        support.append(f"groups: {text}")
        if raised:
            rejects.append("groups")
    if not fit.op.output_padding:
        fit.set(
            "output_padding_below",
            "stride or dilation",
            observed=False,
            support=["no output_padding"],
        )
    else:
        x, w = fit.operands(rank)
        params = dict(fit.neutral(rank), stride=(2,) * rank, output_padding=(2,) * rank)
        raised, text = _raises(fit, x, w, params)
        support.append(f"output_padding: {text}")
        if raised:
            rejects.append("output_padding")
        _fit_output_padding_below(fit)
    fit.op = replace(fit.op, rejects=tuple(rejects))
    fit.set("rejects", tuple(rejects), support=support)


def _fit_output_padding_below(fit: LayerFit) -> None:
    rank = fit.rank
    if not fit.op.dilation:
        fit.set("output_padding_below", "stride", observed=False, support=["no dilation"])
        return
    x, w = fit.operands(rank)
    params = dict(fit.neutral(rank), dilation=(2,) * rank, output_padding=(1,) * rank)
    probe = fit.run([fit.request(x, w, params)])[0]
    value = "stride or dilation" if agrees(probe, fit.op) else "stride"
    fit.op = replace(fit.op, output_padding_below=value)  # type: ignore[arg-type]
    fit.set(
        "output_padding_below",
        value,
        support=[f"output_padding 1 at stride 1, dilation 2: {probe.outcome.status}"],
    )


# ------------------------------------------------------------------ stage 7: dtypes


def _small(fit: LayerFit, dtype: str) -> tuple[Array, Array]:
    """Operands in {-1, 0, 1} ({0, 1} unsigned): exact in every dtype, no overflow."""
    x, w = fit.operands(fit.rank, dtype="int64")
    low = 0 if np.dtype(dtype).kind == "u" else -1
    return (np.clip(x, low, 1).astype(dtype), np.clip(w, low, 1).astype(dtype))


def _featured(fit: LayerFit, dtype: str) -> dict[str, Any]:
    """The fitted parameters that are supported, at values that change the result."""
    rank = fit.rank
    params = fit.neutral(rank)
    if fit.op.stride:
        params["stride"] = (2,) * rank
    if fit.op.dilation:
        params["dilation"] = (2, 1, 1)[:rank]
    if fit.op.bias:
        params["bias"] = np.ones(C_OUT, dtype=dtype)
    return params


def fit_dtypes(fit: LayerFit) -> None:
    """The dtypes that give the fitted values, plain and with every supported parameter
    (torch has integer layers other than int64 only without dilation), and the result
    dtype rule they follow."""
    requests = []
    for dtype in fit.dtypes:
        x, w = _small(fit, dtype)
        requests.append(fit.request(x, w, fit.neutral(fit.rank)))
        requests.append(fit.request(x, w, _featured(fit, dtype)))
    probes = fit.run(requests)
    observed: dict[tuple[str, str], str] = {}
    rejected: dict[str, str] = {}
    accepted = []
    for index, dtype in enumerate(fit.dtypes):
        loose = replace(fit.op, result_dtype="promote", dtypes=(dtype,))
        pair = probes[2 * index : 2 * index + 2]
        wrong = [p for p in pair if not agrees(p, loose, tolerance=1e-2)]
        if not wrong:
            accepted.append(dtype)
            observed[(dtype, dtype)] = np.asarray(pair[0].value).dtype.name
        else:
            rejected[dtype] = failure(wrong[0], loose)
    fit.set(
        "dtypes",
        tuple(accepted),
        support=[f"{len(fit.dtypes)} dtypes tried, plain and with every supported parameter"],
        rejected=rejected,
    )
    if not accepted:
        fit.problems.append("no dtype tried gives the fitted values")
        return
    fit.op = replace(fit.op, dtypes=tuple(accepted))
    value, support, rule_rejected = result_rule(
        observed, lambda rule: replace(fit.op, result_dtype=rule)
    )
    fit.set("result_dtype", value, support=support, rejected=rule_rejected)


# ------------------------------------------------------------------ all stages


def _staged(fit: LayerFit, stage: str, run: Callable[[], Any]) -> Any:
    before = fit.prober.calls
    result = run()
    fit.stage_calls[stage] = fit.stage_calls.get(stage, 0) + fit.prober.calls - before
    return result


def fit_layer(
    prober: Prober,
    function: Callable[..., Any] | None,
    dtypes: tuple[str, ...] = DEFAULT_DTYPES,
    ranks: tuple[int, ...] = LAYER_RANKS,
    seed: int = 0,
) -> LayerFit:
    """Every stage in order; a stage that finds nothing to build on ends the fit."""
    fit = LayerFit(prober, dtypes, ranks, np.random.default_rng(seed))
    probes = _staged(fit, "call", lambda: fit_call(fit, function))
    if not probes or not _staged(fit, "structure", lambda: fit_structure(fit, probes)):
        return fit
    _staged(fit, "ranks", lambda: fit_ranks(fit))
    _staged(fit, "parameters", lambda: fit_parameters(fit))
    _staged(fit, "padding", lambda: fit_padding(fit))
    _staged(fit, "rejections", lambda: fit_rejections(fit))
    _staged(fit, "dtypes", lambda: fit_dtypes(fit))
    return fit
