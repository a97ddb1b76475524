"""Figures of the convspec site, drawn at build time from the reference implementation.

Pages call these functions from matplotlib's ``plot`` directive, so every number in a picture
is computed by :mod:`convspec` when the site is built and cannot drift from the spec.
"""
