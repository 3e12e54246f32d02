"""Read a predictions file (CSV or Parquet) or a frame as a stream of Arrow record batches.
Pure Python + pyarrow; no Django."""

from __future__ import annotations

import csv
import difflib
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .config import AuditConfig
from .errors import AuditInputError

if TYPE_CHECKING:
    import pandas as pd

# Stream with the system allocator: Arrow's default jemalloc pool keeps freed batches
# resident, which more than doubled peak memory when streaming 10M rows (docs/performance.md).
pa.set_memory_pool(pa.system_memory_pool())

BOM = "\ufeff"
NULL_VALUES = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]
# The first bytes of files that are not CSV text. An Excel workbook saved under a .csv name
# is the usual case; it would otherwise be refused as "not UTF-8 text" (or, as an .xls,
# read as noise).
NOT_CSV: tuple[tuple[bytes, str], ...] = (
    (
        b"PK\x03\x04",
        "is an Excel workbook (or another zip archive), not CSV text. In Excel, choose File › "
        "Save As › CSV UTF-8 (.csv), then upload that file.",
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "is an Excel 97–2003 workbook (.xls), not CSV text. In Excel, choose File › Save As "
        "› CSV UTF-8 (.csv), then upload that file.",
    ),
    (b"PAR1", "is a Parquet file; give it a name ending in .parquet."),
)


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return "parquet"
    if suffix in {".csv", ".txt", ".tsv"}:
        return "csv"
    raise AuditInputError(f"{path.name}: use a .csv or .parquet file.", field="file")


def _sniff_delimiter(path: Path) -> str:
    try:
        head = path.open("rb").read(65536)
    except OSError as exc:
        raise AuditInputError(f"Cannot read {path.name}: {exc.strerror}.", field="file") from exc
    if not head.strip():
        raise AuditInputError(f"{path.name} is empty.", field="file")
    for magic, what in NOT_CSV:
        if head.startswith(magic):
            raise AuditInputError(f"{path.name} {what}", field="file")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the 64 KiB edge
            raise AuditInputError(
                f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV.",
                field="file",
            ) from exc
        text = head[: exc.start].decode("utf-8")
    text = text.removeprefix(BOM)
    first = text.splitlines()[0] if text.splitlines() else ""
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_header(path: Path) -> list[str]:
    """Column names of a CSV or Parquet file (for the upload form and validation).

    Excel's "CSV UTF-8" starts the file with a byte-order mark; it is not part of the first
    name (Arrow's reader drops it too). A name given twice is refused: the audit could not
    say which column it read."""
    if file_format(path) == "parquet":
        try:
            names = list(pq.ParquetFile(path).schema_arrow.names)
        except (pa.ArrowInvalid, OSError) as exc:
            raise AuditInputError(
                f"{path.name} is not a readable Parquet file.", field="file"
            ) from exc
    else:
        delimiter = _sniff_delimiter(path)
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            row = next(csv.reader(handle, delimiter=delimiter), [])
        names = [c.strip() for c in row]
    check_unique(names, path.name)
    return names


def check_unique(names: Sequence[str], source: str) -> None:
    twice = [name for name, n in Counter(names).items() if n > 1]
    if twice:
        shown = ", ".join(repr(name[:60]) for name in twice[:5])
        raise AuditInputError(
            f"{source} names the column(s) {shown} more than once; give each column its own name.",
            field="file",
        )


def row_count(path: Path) -> int:
    """Data rows in the file: Parquet metadata, or newlines of a CSV less its header."""
    if file_format(path) == "parquet":
        rows: int = pq.ParquetFile(path).metadata.num_rows
        return rows
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1  # no newline after the last row
    return max(0, lines - 1)


def check_columns(config: AuditConfig, header: list[str]) -> None:
    for name in config.columns:
        if name not in header:
            close = difflib.get_close_matches(name, header, n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            if len(header) == 1 and any(d in header[0] for d in ";\t|"):
                hint = " The file looks like it uses another delimiter than the one detected."
            raise AuditInputError(
                f"Column {name!r} is not in the file (columns: {', '.join(header)}).{hint}",
                field=name,
            )


def iter_file(path: Path, config: AuditConfig) -> Iterator[pa.RecordBatch]:
    header = read_header(path)
    check_columns(config, header)
    columns = list(dict.fromkeys(config.columns))
    if file_format(path) == "parquet":
        # Text columns stay dictionary-encoded: a long value stored once in the file is not
        # copied into every row that has it (and encoding the groups is then free).
        schema = pq.ParquetFile(path).schema_arrow
        categorical = [c for c in (config.y_true, config.y_pred, *config.sensitive) if c]
        textual = [
            c
            for c in dict.fromkeys(categorical)
            if pa.types.is_string(schema.field(c).type)
            or pa.types.is_large_string(schema.field(c).type)
        ]
        parquet = pq.ParquetFile(path, read_dictionary=textual)
        yield from parquet.iter_batches(batch_size=config.chunk_rows, columns=columns)
        return
    types: dict[str, pa.DataType] = {c: pa.string() for c in columns}
    if config.y_score:
        types[config.y_score] = pa.float64()
    if config.weight:
        types[config.weight] = pa.float64()
    try:
        # open_csv already parses the first block, so it sits inside the try too.
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=_sniff_delimiter(path)),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns,
                column_types=types,
                strings_can_be_null=True,
                null_values=NULL_VALUES,
            ),
        )
        yield from reader
    except pa.ArrowInvalid as exc:
        text = str(exc)
        for name in (config.y_score, config.weight):
            # Arrow names the column by its position in the file.
            if name and f"column #{header.index(name)}" in text:
                raise AuditInputError(
                    f"Column {name!r} must be numeric: {text.split(':')[-1].strip()}", field=name
                ) from exc
        raise AuditInputError(f"The file could not be parsed as CSV: {text}", field="file") from exc
    except UnicodeDecodeError as exc:
        raise AuditInputError(
            "The file is not UTF-8 text; save it as UTF-8 CSV.", field="file"
        ) from exc


def read_sample(path: Path, rows: int) -> list[list[str | None]]:
    """The first ``rows`` rows of the file as text (``None`` where empty), in the order of
    ``read_header``: for the preview beside the column mapping and its checks
    (mapping.py). Reads about as many bytes as those rows take."""
    header = read_header(path)
    out: list[list[str | None]] = []
    try:
        # open_csv already parses the first block, so it sits inside the try too.
        batches: Iterator[pa.RecordBatch] = (
            pq.ParquetFile(path).iter_batches(batch_size=rows)
            if file_format(path) == "parquet"
            else pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(block_size=1 << 22),
                parse_options=pacsv.ParseOptions(delimiter=_sniff_delimiter(path)),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in header},
                    strings_can_be_null=True,
                    null_values=NULL_VALUES,
                ),
            )
        )
        for batch in batches:
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            out.extend([_text(v) for v in row] for row in zip(*columns, strict=True))
            if len(out) >= rows:
                break
    except pa.ArrowInvalid as exc:
        raise AuditInputError(f"The file could not be parsed as CSV: {exc}", field="file") from exc
    except UnicodeDecodeError as exc:
        raise AuditInputError(
            "The file is not UTF-8 text; save it as UTF-8 CSV.", field="file"
        ) from exc
    return out[:rows]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def iter_frame(frame: pd.DataFrame, config: AuditConfig) -> Iterator[pa.RecordBatch]:
    names = [str(c) for c in frame.columns]
    check_unique(names, "The data")
    check_columns(config, names)
    table = pa.Table.from_pandas(frame[list(dict.fromkeys(config.columns))], preserve_index=False)
    yield from table.to_batches(max_chunksize=config.chunk_rows)
