"""Exceptions raised by pivot, by whose move it is (as the CLI's exit codes).

    PivotError
    ├── InputError (ValueError)           your input: an argument, query, file; exit 2 in the CLI
    │   ├── ParameterError                a measure refused a parameter's value
    │   │   └── UnknownParameterError (TypeError)   an unknown or missing keyword
    │   ├── UnknownMeasureError           no measure has that name
    │   └── DataError                     the store lacks the data, or an input file is malformed
    ├── StoreError (OSError)              the environment: the store's files, the disk; exit 3
    └── InternalError                     a bug in pivot; exit 1
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "PivotError",
    "InputError",
    "ParameterError",
    "UnknownParameterError",
    "UnknownMeasureError",
    "DataError",
    "StoreError",
    "InternalError",
]


class PivotError(Exception):
    """Any error pivot raises."""


class InputError(PivotError, ValueError):
    """Your input: an argument, a parameter, a query, a file you gave, a country that does not
    resolve."""


class ParameterError(InputError):
    """A measure refused a parameter. ``measure``, ``param``, ``value``, ``problem`` and
    ``accepted`` say which, what was given, what is wrong and what would be accepted."""

    measure: str = ""
    param: str = ""
    value: Optional[str] = None
    problem: str = ""
    accepted: Optional[str] = None


class UnknownParameterError(ParameterError, TypeError):
    """A keyword the measure does not take (with "did you mean"), or a required one missing:
    a ``TypeError``, as for any Python function called with a wrong keyword."""


class UnknownMeasureError(InputError):
    """No measure has this name (``name``; ``suggestion`` is the closest one)."""

    name: str = ""
    suggestion: Optional[str] = None


class DataError(InputError):
    """The store does not hold the data the request needs (ingest it), or an input file is
    malformed (the message names file, line and field)."""


class StoreError(PivotError, OSError):
    """The environment: the store's files, the disk, permissions, a lock held elsewhere."""


class InternalError(PivotError):
    """A bug in pivot; please report it."""
