"""pivot for Python: measures of how states depend on one another, from open data, offline.

The same engine as the ``pivot`` command line (Rust, DataFusion), called in-process::

    import pivot
    e = pivot.Engine()                      # opens the store, loads the bundled data on first use
    t = e.measure("partner-share", focal="RUS", years="2014", top=5)   # a pyarrow.Table
    t.to_pandas()                           # or polars.from_arrow(t), duckdb.arrow(t) ...
    print(pivot.provenance(t))              # datasets, method, parameters as applied, notes

Results are ``pyarrow.Table`` objects handed over through the Arrow PyCapsule interface
(no copy). Each carries its provenance as JSON in ``t.schema.metadata[b"pivot.provenance"]``
(the same key the CLI writes into Parquet files), so it survives ``pyarrow.parquet.write_table``;
``pivot.provenance(t)`` reads it back as a :class:`Provenance`. A measure's keyword arguments
are its typed parameters, checked exactly as on the command line: an unknown keyword raises
``TypeError`` (:class:`UnknownParameterError`), a refused value ``ValueError``
(:class:`ParameterError`), both naming the parameter. Every call releases the GIL.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

import pyarrow as pa

from . import errors
from ._native import PROVENANCE_KEY, _Engine
from ._native import __version__ as __version__
from .errors import (
    DataError,
    InputError,
    InternalError,
    ParameterError,
    PivotError,
    StoreError,
    UnknownMeasureError,
    UnknownParameterError,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Engine",
    "GravityResult",
    "ScenarioResult",
    "Provenance",
    "provenance",
    "PROVENANCE_KEY",
    "errors",
    "PivotError",
    "InputError",
    "ParameterError",
    "UnknownParameterError",
    "UnknownMeasureError",
    "DataError",
    "StoreError",
    "InternalError",
]

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Provenance:
    """Where a result came from: the method, the parameters as applied (defaults included),
    the datasets read (id, version, source, licence, citation, checksum) and the notes a
    reader must know. ``str()`` prints it as the CLI does under a table."""

    method: str
    parameters: Dict[str, str] = field(default_factory=dict)
    datasets: List[Dict[str, str]] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    pivot_version: str = ""

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "Provenance":
        d = json.loads(text)
        return cls(
            method=d.get("method", ""),
            parameters=dict(d.get("parameters", {})),
            datasets=list(d.get("datasets", [])),
            notes=list(d.get("notes", [])),
            pivot_version=d.get("pivot_version", ""),
        )

    def to_dict(self) -> Dict[str, Any]:
        """The provenance as the CLI's JSON output has it."""
        return {
            "method": self.method,
            "parameters": dict(self.parameters),
            "datasets": [dict(d) for d in self.datasets],
            "notes": list(self.notes),
            "pivot_version": self.pivot_version,
        }

    def __str__(self) -> str:
        s = f"Method: {self.method} (pivot {self.pivot_version})"
        if self.parameters:
            s += "; parameters: " + ", ".join(f"{k}={v}" for k, v in sorted(self.parameters.items()))
        for d in self.datasets:
            s += f"\nSource: {d.get('id')} {d.get('version')} — {d.get('citation')} [{d.get('licence')}]"
        for n in self.notes:
            s += f"\nNote: {n}"
        return s


def provenance(obj: Any) -> Provenance:
    """The provenance of a pivot result: a ``pyarrow.Table`` / ``RecordBatch`` / ``Schema``
    returned by pivot, a :class:`GravityResult` or :class:`ScenarioResult`, or the path of a
    Parquet file written by ``pivot ... --format parquet`` or by ``pyarrow.parquet.write_table``
    from a pivot table."""
    if isinstance(obj, (GravityResult, ScenarioResult)):
        return obj.provenance
    if isinstance(obj, (str, os.PathLike)):
        import pyarrow.parquet as pq

        schema = pq.read_schema(os.fspath(obj))
    elif isinstance(obj, pa.Schema):
        schema = obj
    elif hasattr(obj, "schema"):
        schema = obj.schema
    else:
        raise TypeError(f"provenance: expected a pivot result or a Parquet path, not {type(obj).__name__}")
    meta = schema.metadata or {}
    raw = meta.get(PROVENANCE_KEY.encode())
    if raw is None:
        raise ValueError(f"provenance: no '{PROVENANCE_KEY}' key in the schema metadata (not a pivot result?)")
    return Provenance.from_json(raw)


_NORMAL_975 = 1.959963984540054  # standard normal 97.5 % quantile, for the 95 % intervals


class GravityResult:
    """Fitted gravity model(s), like a pyfixest/fixest result: :meth:`coef`, :meth:`se`,
    :meth:`tidy`, :meth:`summary`; :attr:`table` is the tidy ``pyarrow.Table`` (one row per
    model and term: estimate, std_error, z, p, nobs, dropped, iterations, converged, deviance,
    pseudo_r2, separated) with the provenance in its metadata."""

    def __init__(self, text: str, table: pa.Table) -> None:
        self._text = text
        self.table: pa.Table = table
        self.provenance: Provenance = provenance(table)

    @property
    def models(self) -> int:
        """Number of models (several for ``sw()``/``csw()`` formulas or a list of formulas)."""
        return len(set(self.table.column("model").to_pylist()))

    def _rows(self) -> List[Dict[str, Any]]:
        return self.table.to_pylist()

    def _key(self, r: Dict[str, Any]) -> Union[str, Tuple[int, str]]:
        return r["term"] if self.models == 1 else (r["model"], r["term"])

    def coef(self) -> "pd.Series":
        """Estimates as a pandas Series indexed by term (by (model, term) for several models)."""
        return self._series("estimate", "Estimate")

    def se(self) -> "pd.Series":
        """Standard errors (of the vcov asked for) as a pandas Series indexed like :meth:`coef`."""
        return self._series("std_error", "Std. Error")

    def pvalue(self) -> "pd.Series":
        """p-values (normal, two-sided) as a pandas Series indexed like :meth:`coef`."""
        return self._series("p", "Pr(>|z|)")

    def _series(self, col: str, name: str) -> "pd.Series":
        import pandas as pd

        rows = self._rows()
        idx = self._index(rows)
        return pd.Series([r[col] for r in rows], index=idx, name=name)

    def _index(self, rows: List[Dict[str, Any]]) -> "pd.Index":
        import pandas as pd

        if self.models == 1:
            return pd.Index([r["term"] for r in rows], name="Coefficient")
        return pd.MultiIndex.from_tuples([(r["model"], r["term"]) for r in rows], names=["Model", "Coefficient"])

    def tidy(self) -> "pd.DataFrame":
        """A pandas DataFrame like pyfixest's ``tidy()``: index ``Coefficient`` (``Model``,
        ``Coefficient`` for several models); columns ``Estimate``, ``Std. Error``, ``z value``,
        ``Pr(>|z|)``, ``2.5%``, ``97.5%`` (normal 95 % interval)."""
        import pandas as pd

        rows = self._rows()
        return pd.DataFrame(
            {
                "Estimate": [r["estimate"] for r in rows],
                "Std. Error": [r["std_error"] for r in rows],
                "z value": [r["z"] for r in rows],
                "Pr(>|z|)": [r["p"] for r in rows],
                "2.5%": [r["estimate"] - _NORMAL_975 * r["std_error"] for r in rows],
                "97.5%": [r["estimate"] + _NORMAL_975 * r["std_error"] for r in rows],
            },
            index=self._index(rows),
        )

    @property
    def nobs(self) -> int:
        """Observations used (of the first model)."""
        return int(self.table.column("nobs")[0].as_py())

    def summary(self) -> str:
        """The fixest-like table (several models side by side when there are several)."""
        return self._text

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return self._text


class ScenarioResult:
    """A GE-PPML scenario: per-country and per-pair changes (``pyarrow.Table``s with the
    provenance in their metadata) and notes."""

    def __init__(self, countries: pa.Table, pairs: pa.Table, notes: List[str]) -> None:
        self.countries = countries
        self.pairs = pairs
        self.notes = notes
        self.provenance = provenance(countries)

    def __repr__(self) -> str:
        return f"ScenarioResult({self.countries.num_rows} countries, {self.pairs.num_rows} pairs, method {self.provenance.method})"


def _arrow_input(data: Any) -> Any:
    """What the engine accepts as data: a str (table, SELECT, path), a path, or an Arrow object;
    pandas DataFrames without ``__arrow_c_stream__`` (pandas < 2.2) go through pyarrow."""
    if isinstance(data, str):
        return data
    if isinstance(data, os.PathLike):
        return os.fspath(data)
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
        return data
    mod = type(data).__module__.split(".")[0]
    if mod == "pandas":
        return pa.Table.from_pandas(data, preserve_index=False)
    raise TypeError(
        "gravity_fit: data must be a store table name, a SELECT query, a CSV/Parquet path, or a "
        f"pandas/Polars DataFrame or pyarrow Table, not {type(data).__name__}"
    )


class Engine:
    """The pivot engine over one store.

    ``Engine(store=None)`` opens the store at ``store`` (default ``$PIVOT_STORE``, else
    ``$XDG_DATA_HOME/pivot/store``, else ``~/.local/share/pivot/store``), loading the bundled
    data on first use (no network; a note on stderr). One engine can be shared by threads.
    """

    def __init__(self, store: Optional[PathLike] = None) -> None:
        self._e = _Engine(os.fspath(store) if store is not None else None)

    @property
    def store(self) -> str:
        """The store's root directory."""
        return self._e.store()

    def __repr__(self) -> str:
        return f"pivot.Engine(store={self.store!r})"

    # --- the store -----------------------------------------------------------------------

    def datasets(self) -> pa.Table:
        """The datasets in the store: id, title, rows, years, tables, version, source, licence,
        bundled (``pivot data list``)."""
        return self._e.datasets()

    def cite(self, bibtex: bool = False, datasets: Optional[Sequence[str]] = None) -> str:
        """Citations of every dataset in the store (or of ``datasets``), plain text or BibTeX
        (``pivot data cite``)."""
        cites = self._e.citations(list(datasets) if datasets is not None else None)
        if bibtex:
            return "\n\n".join(b.strip() for _, _, b in cites if b.strip()) + "\n"
        return "\n".join(f"{i}: {c}" for i, c, _ in cites) + "\n"

    def country(self, query: str) -> Dict[str, Any]:
        """Every code and name of a country (``pivot country``): names in common spellings,
        ISO3, ISO2, M49, ``cow:816``, ``gw:816``."""
        return self._e.country(query).to_pylist()[0]

    def sql(self, query: str) -> pa.Table:
        """SQL (DataFusion dialect) over the canonical tables, as a ``pyarrow.Table``."""
        return self._e.sql(query)

    def ingest(self, source: str, path: Union[PathLike, Sequence[PathLike]]) -> Dict[str, Any]:
        """Ingest files (a path, a folder or several) with adapter ``source`` (``baci``,
        ``comtrade``, ``aei``, ``sipri`` …; ``pivot data sources`` lists them). Progress goes to
        stderr. Returns the dataset's id, its rows and whether it replaced an earlier version."""
        paths = [os.fspath(path)] if isinstance(path, (str, os.PathLike)) else [os.fspath(p) for p in path]
        ident, rows, replaced = self._e.ingest(source, paths)
        return {"dataset": ident, "rows": rows, "replaced": replaced}

    def remove(self, dataset: str) -> Dict[str, Any]:
        """Remove a dataset from the store (``pivot data remove``). A dataset bundled with pivot
        is loaded again at once from pivot's own copy (``reloaded`` is then True), which is how a
        damaged bundled file is replaced. An unknown id raises ``InputError`` and changes nothing.
        Returns the dataset's id, the rows it had and ``reloaded``."""
        rows, reloaded = self._e.remove(dataset)
        return {"dataset": dataset, "rows": rows, "reloaded": reloaded}

    def verify(self) -> int:
        """Recompute every checksum in the store; returns the number of files checked."""
        return self._e.verify()

    # --- measures ------------------------------------------------------------------------

    def measures(self) -> pa.Table:
        """Every measure: name, dimension, summary, parameters, tables (``pivot measures``)."""
        return _Engine.measures()

    def measure_info(self, name: Optional[str] = None) -> Any:
        """Every measure's documentation and parameters (type, default, allowed values, range)
        as a list of dicts, or one measure's (``pivot measures --format json``)."""
        cat = json.loads(_Engine.measure_catalog())
        if name is None:
            return cat
        for m in cat:
            if m["name"] == name:
                return m
        _Engine.measure_help(name)  # raises UnknownMeasureError with the closest name
        raise UnknownMeasureError(name)  # pragma: no cover

    def help(self, name: str) -> str:
        """One measure's documentation as text (``pivot measure NAME --help``)."""
        return _Engine.measure_help(name)

    def measure(self, name: str, **params: Any) -> pa.Table:
        """Compute a measure. Keywords are its parameters (``focal``, ``partners``, ``years``,
        ``by``, ``top`` …; see :meth:`help`): strings as on the command line (``years="2000-2014"``,
        ``partners="CHN,USA"``) or Python values (``partners=["CHN", "USA"]``, ``top=5``).
        Returns a ``pyarrow.Table`` with the provenance in its schema metadata
        (:func:`provenance`)."""
        return self._e.measure(name, params)

    # --- claims and the report -------------------------------------------------------------

    def claims(self, path: Optional[PathLike] = None) -> pa.Table:
        """Check a claims file (TOML) against the data; without ``path``, the bundled claims of
        Mankoff (2015). One row per claim: id, claim, verdict, evidence, passed, evaluated,
        charts, checks."""
        return self._e.claims(os.fspath(path) if path is not None else None)

    def report(
        self,
        out: PathLike,
        focal: Optional[str] = None,
        partners: Optional[Union[str, Sequence[str]]] = None,
        years: Optional[str] = None,
        claims: Optional[PathLike] = None,
        contrasts: Optional[Union[str, Sequence[str]]] = None,
    ) -> List[str]:
        """Write the report (HTML, Markdown, SVG charts, CSV) into the folder ``out``; defaults
        as ``pivot report`` (Russia with China, India, Japan, Viet Nam; the Mankoff claims).
        Returns the files written."""

        def as_list(v: Optional[Union[str, Sequence[str]]]) -> Optional[List[str]]:
            if v is None:
                return None
            return [x.strip() for x in v.split(",")] if isinstance(v, str) else list(v)

        return self._e.report(
            os.fspath(out),
            focal,
            as_list(partners),
            years,
            os.fspath(claims) if claims is not None else None,
            as_list(contrasts),
        )

    # --- gravity -------------------------------------------------------------------------

    def gravity_fit(
        self,
        data: Any,
        formula: Union[str, Sequence[str]],
        vcov: str = "iid",
        filter: Optional[str] = None,
        estimator: str = "ppml",
        separation: str = "default",
        keep_unconverged: bool = False,
    ) -> GravityResult:
        """Fit PPML (or OLS) with high-dimensional fixed effects, fixest syntax:
        ``trade ~ rta | exporter^year + importer^year + pair_id``; ``sw()``/``csw()`` or a list
        of formulas fit several models. ``data``: a store table (``"agtpa_gravity"``), a
        ``SELECT`` query, a CSV/Parquet path, or a pandas/Polars DataFrame or pyarrow Table
        (anything with ``__arrow_c_stream__``). ``vcov``: ``iid``, ``hetero``,
        ``cluster(var)`` or ``cluster(a, b)``; ``filter``: an SQL condition on the rows;
        ``separation``: PPML separation checks (``default`` = fe,simplex,relu; ``none``;
        ``all``; or a subset of ``fe,simplex,relu,mu``). A model that does not converge raises
        ``pivot.InputError`` unless ``keep_unconverged`` (its rows then say ``converged`` False)."""
        formulas = [formula] if isinstance(formula, str) else list(formula)
        text, table = self._e.gravity_fit(
            _arrow_input(data), formulas, vcov, filter, estimator, separation, keep_unconverged
        )
        return GravityResult(text, table)

    def scenario(self, path: PathLike, all_pairs: bool = False) -> ScenarioResult:
        """Run a GE-PPML scenario file (TOML; see ``scenarios/README.md``). Pairs are those
        involving a shocked country unless ``all_pairs``."""
        countries, pairs, notes = self._e.scenario(os.fspath(path), all_pairs)
        return ScenarioResult(countries, pairs, notes)

