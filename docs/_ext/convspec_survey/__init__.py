"""The survey pages: what the bundled libraries compute, from stored conformance reports.

Every ``docs/data/survey/*.json`` is a JSON report written by
``convspec check BACKEND --profile full --report json PATH`` (the ``survey`` nox session
refreshes them).  Three directives render them at build time:

* ``{survey} array|boundary|layer`` -- one overview table for the backends of that kind (array
  functions like numpy.convolve; boundary filters like scipy.ndimage, whose output is the 'same'
  window over an extended signal; deep-learning layers), a row per operation: the run's
  verdict, the library function (linked to its documentation, ``docs/data/library-links.json``),
  what it declares it computes, and whether ``convspec identify`` found the same
  (``docs/data/identify/BACKEND.json``);
* ``{survey-details}`` -- per backend, the run's summary and its clause x operation matrix;
* ``{survey-headline}`` -- the front page's table: per library function, does it flip the
  kernel, does it conjugate, where does 'same' put an even kernel.

The status words are the CLI's (``convspec check``): pass, fail, skip, n/a, deviation.  Nothing
is typed by hand, so the pages cannot disagree with the stored runs.  A report with another
schema version than the installed convspec writes is a build warning.

The package holds one idea a module: ``reports`` (loading the stored files), ``words`` (the
status vocabulary), ``cells`` (what an operation computes, in words), ``overview`` (the
array, boundary and layer tables), ``details`` (backend by backend), ``headline`` (the front
page's table) and ``directives``.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

from .cells import identify_cell
from .details import applicable_clauses, clause_matrix
from .directives import SurveyDetailsDirective, SurveyDirective, SurveyHeadlineDirective
from .headline import headline_rows
from .overview import overview
from .reports import KINDS, kind_of, load_reports
from .words import cell_word, operation_status

__all__ = [
    "KINDS",
    "applicable_clauses",
    "cell_word",
    "clause_matrix",
    "headline_rows",
    "identify_cell",
    "kind_of",
    "load_reports",
    "operation_status",
    "overview",
    "setup",
]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("survey", SurveyDirective)
    app.add_directive("survey-details", SurveyDetailsDirective)
    app.add_directive("survey-headline", SurveyHeadlineDirective)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
