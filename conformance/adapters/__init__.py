"""Bundled backends: numpy, scipy.signal, scipy.ndimage, torch and jax.

Each module has a ``backend()`` function returning its :class:`~convspec.conformance.Backend`;
it imports the library inside, so a missing library makes the backend *unavailable* (with
the ImportError as reason) without breaking anything else.  The entry points in
``pyproject.toml`` (group ``convspec.backends``) name these functions.
"""
