"""The name table of spec/boundaries.md, measured: every named option of every library extends
an array as the row's boundary says, with pads shorter and longer than the array.

The table is read from the page itself, so it cannot drift from what the libraries do.  Each
library is measured through the function users call: a 'same' correlation with impulse
kernels of length 2 * pad + 1 reads, at output i, the library's extension at i + j - pad
(j the impulse's position), so a few filters recover the extension on [-pad, N + pad).
Each library's column is skipped when it is not installed; the MATLAB column is measured with
GNU Octave's imfilter when ``octave`` (with its image package) is on PATH.  The parenthesised
notes in the table are measured by the tests further down.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import convspec

Array = np.ndarray[Any, np.dtype[Any]]
PAGE = Path(__file__).resolve().parents[1] / "spec" / "boundaries.md"
A = np.array([1.0, 2.0, 3.0, 4.0])
FILL = -1.0  # the fill value used where a library takes one
SHORT, LONG = 2, 9  # pads shorter and longer than the array (N = 4)


def name_table() -> tuple[list[str], list[tuple[str, list[list[str]]]]]:
    """``(column headers, [(convspec boundary, names per column), ...])`` from the page."""
    lines = [line for line in PAGE.read_text().splitlines() if line.startswith("| ")]
    start = next(i for i, line in enumerate(lines) if line.startswith("| convspec | numpy.pad"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 1 :]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) != len(header) or not cells[0].startswith("`"):
            break
        names = [re.findall(r"`([^`]+)`", re.sub(r"\([^)]*\)", "", cell)) for cell in cells]
        rows.append((names[0][0], names[1:]))
    return header, rows


HEADER, ROWS = name_table()
COLUMNS = HEADER[1:]


def via_impulses(filt: Callable[[Array, Array], Array], a: Array, pad: int) -> list[float]:
    """The extension of ``a`` on [-pad, N + pad) as read by the 'same' correlation ``filt``."""
    n, k = len(a), 2 * pad + 1
    ext: dict[int, float] = {}
    for j in range(k):
        impulse = np.zeros(k)
        impulse[j] = 1.0
        out = np.asarray(filt(a, impulse), dtype=np.float64).ravel()
        for i in range(n):
            ext[i + j - pad] = float(out[i])
    return [ext[i] + 0.0 for i in range(-pad, n + pad)]  # + 0.0: -0.0 compares as 0.0


def _numpy(name: str, pad: int) -> dict[str, list[float]]:
    kwargs = {"constant_values": FILL} if name == "constant" else {}
    return {"numpy.pad": np.pad(A, pad, mode=name, **kwargs).tolist()}  # type: ignore[call-overload]


def _ndimage(name: str, pad: int) -> dict[str, list[float]]:
    ndimage = pytest.importorskip("scipy.ndimage")
    return {
        "correlate1d": via_impulses(
            lambda a, w: ndimage.correlate1d(a, w, mode=name, cval=FILL), A, pad
        ),
        "correlate": via_impulses(
            lambda a, w: ndimage.correlate(a, w, mode=name, cval=FILL), A, pad
        ),
    }


def _signal(name: str, pad: int) -> dict[str, list[float]]:
    signal = pytest.importorskip("scipy.signal")
    return {
        "correlate2d": via_impulses(
            lambda a, w: signal.correlate2d(
                a[None], w[None], "same", boundary=name, fillvalue=FILL
            ),
            A,
            pad,
        )
    }


def _opencv(name: str, pad: int) -> dict[str, list[float]]:
    cv2 = pytest.importorskip("cv2")
    border = getattr(cv2, name)
    found = {
        "copyMakeBorder": cv2.copyMakeBorder(A[None], 0, 0, pad, pad, border, value=FILL)[
            0
        ].tolist()
    }
    if name != "BORDER_WRAP":  # filter2D refuses it (test_opencv_filter2d_refuses_wrap)
        found["filter2D"] = via_impulses(
            lambda a, w: cv2.filter2D(a[None], -1, w[None], borderType=border), A, pad
        )
    return found


def _astropy(name: str, pad: int) -> dict[str, list[float]]:
    convolution = pytest.importorskip("astropy.convolution")

    def filt(a: Array, w: Array) -> Array:  # astropy convolves: reverse the impulse
        return convolution.convolve(
            a, w[::-1], boundary=name, fill_value=FILL, normalize_kernel=False
        )

    return {"convolve": via_impulses(filt, A, pad)}


def _torch_conv(name: str, pad: int) -> list[float]:
    torch = pytest.importorskip("torch")

    def filt(a: Array, w: Array) -> Array:
        conv = torch.nn.Conv1d(1, 1, len(w), padding=len(w) // 2, padding_mode=name, bias=False)
        with torch.no_grad():
            conv = conv.double()
            conv.weight[:] = torch.tensor(w)
            return conv(torch.tensor(a)[None, None])[0, 0].numpy()

    return via_impulses(filt, A, pad)


def _torch(name: str, pad: int) -> dict[str, list[float]]:
    limit = {"reflect": len(A) - 1, "circular": len(A)}.get(name, LONG)
    return {"Conv1d": _torch_conv(name, min(pad, limit))}


_OCTAVE_SCRIPT = """
pkg load image
a = [1 2 3 4];
opts = {{{options}}};
for o = 1:numel(opts)
  for p = [{pads}]
    K = 2*p+1; ext = zeros(1, numel(a) + 2*p);
    for j = 1:K
      w = zeros(1, K); w(j) = 1; out = imfilter(a, w, opts{{o}});
      for i = 1:numel(a) ext(i + j - 1) = out(i); end
    end
    printf('%s\\n', num2str(ext));
  end
end
"""


@functools.cache
def _octave_extensions(
    names: tuple[str, ...], pads: tuple[int, ...]
) -> dict[tuple[str, int], list[float]]:
    """imfilter's extension for each option name (``X`` is the fill) and pad: one Octave run."""
    if shutil.which("octave") is None:
        pytest.skip(
            "octave is not installed: the MATLAB column is read from MATLAB's documentation"
        )
    options = ", ".join(str(FILL) if name == "X" else f"'{name}'" for name in names)
    script = _OCTAVE_SCRIPT.format(options=options, pads=" ".join(map(str, pads)))
    run = subprocess.run(
        ["octave", "--no-gui", "--quiet", "--eval", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "package image is not installed" in run.stderr:
        pytest.skip("the Octave image package is not installed")
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert len(lines) == len(names) * len(pads), run.stdout + run.stderr
    keys = [(name, pad) for name in names for pad in pads]
    return {key: [float(v) for v in line.split()] for key, line in zip(keys, lines, strict=True)}


def _matlab(name: str, pad: int) -> dict[str, list[float]]:
    names = tuple(n for _, cells in ROWS for n in cells[COLUMNS.index("MATLAB `imfilter`")])
    return {"imfilter (Octave)": _octave_extensions(names, (SHORT, LONG))[(name, pad)]}


MEASURE: dict[str, Callable[[str, int], dict[str, list[float]]]] = {
    "numpy.pad `mode`": _numpy,
    "scipy.ndimage `mode`": _ndimage,
    "scipy.signal `boundary`": _signal,
    "OpenCV `borderType`": _opencv,
    "astropy `boundary`": _astropy,
    "torch `padding_mode`": _torch,
    "MATLAB `imfilter`": _matlab,
}

#: Where a library fills with 0 only (no fill-value argument).
ZERO_FILL = {("OpenCV `borderType`", "filter2D"), ("torch `padding_mode`", "Conv1d")}


def test_the_table_is_read() -> None:
    assert list(MEASURE) == COLUMNS
    assert [boundary for boundary, _ in ROWS] == list(convspec.BOUNDARIES)
    named = {name for _, cells in ROWS for cell in cells for name in cell}
    assert {"mirror", "grid-wrap", "symm", "BORDER_REFLECT_101", "extend", "circular", "X"} <= named


CASES = [
    pytest.param(column, boundary, name, pad, id=f"{column.split()[0]}-{name}-{boundary}-pad{pad}")
    for boundary, cells in ROWS
    for column, names in zip(COLUMNS, cells, strict=True)
    for name in names
    for pad in (SHORT, LONG)
]


@pytest.mark.parametrize(("column", "boundary", "name", "pad"), CASES)
def test_name_table_row(column: str, boundary: str, name: str, pad: int) -> None:
    """The library's option ``name`` extends the array as convspec's ``boundary`` does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # astropy's boundary warnings for long kernels
        found = MEASURE[column](name, pad)
    for function, extension in found.items():
        used_pad = (len(extension) - len(A)) // 2
        fill = 0.0 if (column, function) in ZERO_FILL else FILL
        kwargs = {"fill_value": fill} if boundary == "constant" else {}
        want = convspec.extend(A, used_pad, boundary, **kwargs).tolist()  # type: ignore[arg-type]
        assert extension == want, (column, function, name)


# ------------------------------------------------ the table's notes, measured


def test_torch_refuses_long_reflect_and_circular_pads() -> None:
    """torch implements reflect for pads below N only and circular for pads up to N."""
    torch = pytest.importorskip("torch")
    x = torch.tensor(A)[None, None]
    n = len(A)
    assert torch.nn.functional.pad(x, (n - 1, n - 1), mode="reflect").shape[-1] == 3 * n - 2
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        torch.nn.functional.pad(x, (n, n), mode="reflect")
    assert torch.nn.functional.pad(x, (n, n), mode="circular")[0, 0].tolist() == [*A, *A, *A]
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        torch.nn.functional.pad(x, (n + 1, n + 1), mode="circular")
    with pytest.raises(RuntimeError):
        _torch_conv("reflect", n)


def test_opencv_filter2d_refuses_wrap() -> None:
    cv2 = pytest.importorskip("cv2")
    with pytest.raises(cv2.error):
        cv2.filter2D(A[None], -1, np.ones((1, 3)), borderType=cv2.BORDER_WRAP)
    assert cv2.BORDER_DEFAULT == cv2.BORDER_REFLECT_101


def test_astropy_convolve_fft_does_not_wrap_kernels_longer_than_the_array() -> None:
    """convolve_fft(boundary='wrap') wraps a kernel shorter than the array, but one longer than
    the array meets zeros: convolve (direct) wraps both."""
    convolution = pytest.importorskip("astropy.convolution")
    shifter = np.zeros(7)
    shifter[-1] = 1.0  # convolution: output i reads the input at i - 3
    kwargs = {"boundary": "wrap", "normalize_kernel": False}
    want = convspec.convolve(A, shifter, "same", boundary="wrap")
    assert want.tolist() == [2.0, 3.0, 4.0, 1.0]
    assert convolution.convolve(A, shifter, **kwargs).tolist() == want.tolist()
    fft = convolution.convolve_fft(A, shifter, **kwargs)
    np.testing.assert_allclose(fft, [0.0, 0.0, 0.0, 1.0], atol=1e-12)  # not periodic
    short = np.array([0.0, 0.0, 1.0])  # K < N: wraps
    np.testing.assert_allclose(
        convolution.convolve_fft(A, short, **kwargs),
        convspec.convolve(A, short, "same", boundary="wrap"),
        atol=1e-12,
    )


def test_astropy_refuses_to_normalise_small_sums_absolutely() -> None:
    """astropy refuses |sum| < 0.01, not relative to the taps: a tiny box kernel too (BOUND-10)."""
    convolution = pytest.importorskip("astropy.convolution")
    box = np.full(3, 1e-3)  # sum 3e-3, every tap positive: normalises exactly to [1/3] * 3
    with pytest.raises(ValueError, match="sum is close to zero"):
        convolution.convolve(A, box)
    np.testing.assert_allclose(
        convolution.convolve(A, box * 10), convspec.convolve(A, box / box.sum(), "same"), rtol=1e-15
    )
    with pytest.raises(ValueError, match="sum is close to zero"):
        convolution.convolve(A, np.array([1.0, 0.0, -1.0]))
    with pytest.raises(Exception, match="odd"):
        convolution.convolve(A, np.ones(2))


def test_octave_imfilter_full_extends_half_a_kernel() -> None:
    """Octave's imfilter 'full' with a boundary option extends by floor(K/2) samples and reads
    zeros beyond; BOUND-7 (and scipy.signal.convolve2d) extend by K - 1."""
    if shutil.which("octave") is None:
        pytest.skip("octave is not installed")
    run = subprocess.run(
        [
            "octave",
            "--no-gui",
            "--quiet",
            "--eval",
            "pkg load image; disp(num2str(imfilter([1 2 3 4], [1 10 100], 'full', 'circular')))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "package image is not installed" in run.stderr:
        pytest.skip("the Octave image package is not installed")
    octave = [float(v) for v in run.stdout.split()]
    spec = convspec.correlate(A, [1, 10, 100], "full", boundary="wrap")
    assert spec.tolist() == [143.0, 214.0, 321.0, 432.0, 143.0, 214.0]
    half = convspec.correlate(convspec.extend(A, 1, "wrap"), [1, 10, 100], "full")[1:-1]
    assert octave == half.tolist() == [140.0, 214.0, 321.0, 432.0, 143.0, 14.0]
