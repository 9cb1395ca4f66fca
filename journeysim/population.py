"""The population: one row per profile, one numpy column per attribute.

Text attributes are numpy unicode arrays (vectorised comparisons); numbers and booleans are
numeric arrays. A population is generated from attribute generators or read from CSV/Parquet.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .inputs import MAX_VALUE_CHARS
from .units import AttributeGenerator

if TYPE_CHECKING:
    import pandas as pd

# Bytes per profile the engine keeps beside the attributes (positions, times, states), and per
# journey a profile can be in.
ENGINE_BYTES_PER_ROW = 80
MEMORY_SHARE = 0.8


class PopulationError(ValueError):
    pass


@dataclass
class Population:
    """``ids`` None: a generated population, whose profile ids are its row numbers (made only if asked)."""

    _ids: np.ndarray | None
    columns: dict[str, np.ndarray]
    rows: int = -1

    def __post_init__(self) -> None:
        if self._ids is not None:
            self.rows = len(self._ids)

    @property
    def ids(self) -> np.ndarray:
        if self._ids is None:
            self._ids = np.arange(self.rows, dtype=np.int64)
        return self._ids

    @property
    def ids_are_row_numbers(self) -> bool:
        return self._ids is None or bool(np.array_equal(self._ids, np.arange(len(self._ids))))

    @property
    def size(self) -> int:
        return self.rows

    def set_values(self, name: str, rows: np.ndarray, value: object) -> None:
        column = self.columns[name]
        if column.dtype.kind == "U":
            text = str(value)
            if len(text) > column.dtype.itemsize // 4:
                column = column.astype(f"U{len(text)}")
                self.columns[name] = column
            column[rows] = text
            return
        if column.dtype.kind in "iu" and not (isinstance(value, (bool, int)) and np.can_cast(np.min_scalar_type(value), column.dtype)):
            column = column.astype(np.float64)  # 2.5 or 10**30 into whole numbers: keep the value, not a cut one
            self.columns[name] = column
        column[rows] = value


def column_kind(array: np.ndarray) -> str:
    if array.dtype.kind == "U":
        return "text"
    if array.dtype.kind == "b":
        return "bool"
    return "number"


def generator_kind(generator: AttributeGenerator) -> str:
    if generator.kind == "bernoulli":
        return "bool"
    if generator.kind == "choice":
        first = generator.args[0][0]
        return "text" if isinstance(first, str) else "bool" if isinstance(first, bool) else "number"
    if generator.kind == "constant":
        value = generator.args
        return "text" if isinstance(value, str) else "bool" if isinstance(value, bool) else "number"
    return "number"


def available_memory() -> int:
    """Bytes of memory available now (MemAvailable), or the physical total when unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def estimate_bytes(size: int, attribute_bytes: int, journeys: int) -> int:
    return size * (8 + attribute_bytes + ENGINE_BYTES_PER_ROW * max(journeys, 1))


def check_fits(size: int, attribute_bytes: int, journeys: int) -> None:
    need = estimate_bytes(size, attribute_bytes, journeys)
    have = available_memory()
    if need > MEMORY_SHARE * have:
        raise PopulationError(
            f"{size:,} profiles need about {need / 2**30:.1f} GiB, more than {MEMORY_SHARE:.0%} of the "
            f"{have / 2**30:.1f} GiB available: use a smaller size")


def attribute_bytes(kinds: dict[str, str]) -> int:
    return sum(16 if kind == "text" else 1 if kind == "bool" else 8 for kind in kinds.values())


def generate(size: int, attributes: dict[str, AttributeGenerator], rng: np.random.Generator) -> Population:
    columns = {}
    for name, generator in attributes.items():
        values = generator.sample(rng, size)
        if values.dtype == object:
            values = values.astype(str)
        columns[name] = values
    return Population(None, columns, rows=size)


CSV_MEMORY_PER_BYTE = 5  # pandas' parse of a CSV takes a few times its size; a text column more


def _sniff(path: Path, suffix: str) -> int:
    """Bytes of memory reading ``path`` will take (estimated); PopulationError for a file that is not a table."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(65536)
        handle.seek(max(size - 4, 0))
        tail = handle.read(4)
    if suffix == ".csv":
        if b"\x00" in head:
            raise PopulationError(f"population file {path.name!r} holds binary data (NUL bytes) in its first "
                                  f"{min(size, 65536):,} bytes: not a CSV table")
        return size * CSV_MEMORY_PER_BYTE
    if head[:4] != b"PAR1" or tail != b"PAR1":
        raise PopulationError(f"population file {path.name!r} is not a Parquet file (no PAR1 marker at its start and end)")
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    return sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)) * 2 + meta.num_rows * 8


def read_table(path: Path) -> pd.DataFrame:
    """The table in a .csv or .parquet file; refused before reading when it would not fit in memory."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet"):
        try:
            need = _sniff(path, suffix)
        except (OSError, ValueError) as exc:
            if isinstance(exc, PopulationError):
                raise
            raise PopulationError(f"cannot read population file {path.name!r}: {str(exc).splitlines()[0][:200]}") from None
        have = available_memory()
        if need > MEMORY_SHARE * have:
            raise PopulationError(f"population file {path.name!r} ({path.stat().st_size / 2**30:.1f} GiB) needs about "
                                  f"{need / 2**30:.1f} GiB to read, more than {MEMORY_SHARE:.0%} of the "
                                  f"{have / 2**30:.1f} GiB available: use a smaller file")
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix == ".csv":
            import warnings

            with warnings.catch_warnings():  # pandas takes a first data row longer than the header for an index
                warnings.simplefilter("error", pd.errors.ParserWarning)
                try:
                    return pd.read_csv(path, keep_default_na=True, index_col=False)
                except (pd.errors.ParserWarning, pd.errors.ParserError) as exc:
                    long_row = _longer_than_header(path)
                    if long_row is None:
                        raise PopulationError(f"cannot read population file {path.name!r}: "
                                              f"{str(exc).strip().splitlines()[-1][:200]}") from None
                    raise PopulationError(f"population file {path.name!r}: {long_row}") from None
    except PopulationError:
        raise
    except (OSError, ValueError) as exc:
        raise PopulationError(f"cannot read population file {str(path)!r}: {exc}") from None
    raise PopulationError(f"population file must be .csv or .parquet, got {path.name!r}")


def _longer_than_header(path: Path) -> str | None:
    """Which CSV row has more fields than the header (what pandas would silently drop or use as an index)."""
    import csv

    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        rows = csv.reader(handle)
        header = next(rows, [])
        for row in rows:
            if len(row) > len(header):
                return (f"line {rows.line_num} has {len(row)} fields, the header {len(header)} "
                        f"({', '.join(header)[:80]}): a value holds an unquoted comma, or a column has no name")
    return None


def from_frame(frame: pd.DataFrame, source: str) -> Population:
    import pandas as pd

    if frame.empty:
        raise PopulationError(f"population file {source!r} has no rows")
    columns: dict[str, np.ndarray] = {}
    ids = np.arange(len(frame), dtype=np.int64)
    for name in frame.columns:
        series = frame[name]
        if not isinstance(name, str) or not name.isidentifier():
            raise PopulationError(f"population file {source!r}: column {name!r} is not a usable attribute name "
                                  "(letters, digits and _, not starting with a digit)")
        if series.isna().any():
            row = int(series.isna().to_numpy().argmax())
            raise PopulationError(f"population file {source!r}: column {name!r} has a missing value in data row {row + 1}")
        if name == "profile_id":
            if not pd.api.types.is_integer_dtype(series):
                raise PopulationError(f"population file {source!r}: profile_id must hold integers, found {series.dtype}")
            if series.duplicated().any():
                raise PopulationError(f"population file {source!r}: profile_id has duplicates")
            ids = series.to_numpy(dtype=np.int64, copy=True)
            continue
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            # an owned copy: pandas and Arrow hand out read-only views, and update_profile writes columns in place
            columns[name] = np.array(series.to_numpy(), copy=True)
        elif pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            values = series.to_numpy()
            if not all(isinstance(v, str) for v in values[: min(len(values), 1000)]):
                raise PopulationError(f"population file {source!r}: column {name!r} mixes text and other types")
            lengths = series.astype(str).str.len().to_numpy()
            if lengths.max(initial=0) > MAX_VALUE_CHARS:
                row = int(lengths.argmax())
                raise PopulationError(f"population file {source!r}: column {name!r} data row {row + 1} holds a value of "
                                      f"{int(lengths[row]):,} characters, more than {MAX_VALUE_CHARS:,}: every row of a "
                                      "text attribute is stored that wide")
            columns[name] = np.array(values, dtype=str)
        else:
            raise PopulationError(f"population file {source!r}: column {name!r} has unsupported type {series.dtype}")
    return Population(ids, columns)
