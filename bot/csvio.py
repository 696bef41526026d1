"""Entries as a spreadsheet: rows -> CSV bytes (/export), CSV bytes -> checked rows (import).

Pure: no database, no clock (`today` is passed in). One format both ways, so an export can be
imported again: UTF-8 with a BOM (Excel then reads Cyrillic), ISO dates, one row per entry.
Import also takes what Excel writes back: `;` as the separator, `1,5`, `20.11.2026`.

Import is idempotent (storage/imports.py does the matching): a row with an `entry_id` is that
entry, a row without one is its content. A row already in the team with the same values is
skipped; with OTHER values it is refused with its line number, never used to update the
entry (change entries in the bot, or empty `entry_id` to add the row as a new entry). The same
entry twice in one file is refused here. An import-only column `member` (`yes`/`да`) asks for a
person new to the bot to join the team; nobody else's access changes. Every cell is checked to
fit what is stored (ids within Telegram's and SQLite's ranges, finite values, real dates): a
bad cell is a line error, never a crash.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

from bot import csv_cells as cell
from kpi.models import Metric

COLUMNS = ("entry_id", "date", "person_id", "person", "username", "metric", "value",
           "platform", "note", "created_at", "captured")  # fmt: skip
IMPORT_ONLY = ("member",)  # read by import, never written by /export
REQUIRED = ("date", "person_id", "metric", "value")
T = TypeVar("T")


@dataclass(frozen=True)
class CsvEntry:
    """One row of the file: an entry with the name of the person who logged it."""

    day: date
    person_id: int
    person: str
    metric: str
    value: float
    username: str | None = None
    platform: str | None = None
    note: str | None = None
    entry_id: int | None = None
    created_at: datetime | None = None
    line: int = 0  # where it was read from (import); 0 for rows made from the database
    member: bool = False  # import: the file asks for this person to join the team
    captured: str | None = None  # counted by the bot from Telegram (export only)


@dataclass
class CsvResult:
    rows: list[CsvEntry] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def write_csv(rows: Iterable[CsvEntry], delimiter: str = ",") -> bytes:
    """Every cell in quotes (QUOTE_ALL): a `;`, `,` or line break in a note or a name is
    never taken for a separator, not even by a reader that splits on both `,` and `;`
    (an unquoted `a;b` it would split); spreadsheets still read quoted numbers as numbers.
    `delimiter`: `,` (what /export sends) or `;` (Excel where `,` is the decimal sign);
    import reads both."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL)  # Excel's dialect
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow((
            r.entry_id or "", r.day.isoformat(), r.person_id, cell.guarded(r.person),
            r.username or "", r.metric, cell.plain_number(r.value), r.platform or "",
            cell.guarded(r.note or ""),
            r.created_at.astimezone(UTC).isoformat(timespec="seconds") if r.created_at else "",
            r.captured or "",
        ))  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def read_csv(data: bytes, today: date, custom: Mapping[str, Metric] | None = None) -> CsvResult:
    """Every row checked as the bot checks a command; all problems reported, by line."""
    result = CsvResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.errors.append((line, "not UTF-8 text: save the file as «CSV UTF-8»"))
        return result
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = _trimmed([name.strip().lower() for name in next(reader, [])])
    except csv.Error as exc:
        result.errors.append((1, f"broken CSV: {exc}"))
        return result
    if not header:
        result.errors.append((1, "the file is empty"))
        return result
    if problem := _header_problem(header):
        result.errors.append((1, problem))
        return result
    while True:
        line = reader.line_num + 1  # where the next record starts (a note may span lines)
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append((line, f"broken CSV: {exc}"))
            continue
        if not any(cell.strip() for cell in record):
            continue  # blank line
        record = record[: len(header)] + _trimmed(record[len(header) :])  # Excel's `;;`
        if len(record) != len(header):
            result.errors.append((line, f"{len(record)} columns, the header has {len(header)}"))
            continue
        row, problems = _row(dict(zip(header, record, strict=True)), line, today, custom)
        if problems:
            result.errors.append((line, "; ".join(problems)))
        elif row is not None:
            result.rows.append(row)
    if repeated := _repeated(result.rows):
        result.errors += repeated
        refused = {line for line, _ in repeated}
        result.rows = [r for r in result.rows if r.line not in refused]
    if not result.rows and not result.errors:
        result.errors.append((2, "no entries below the header"))
    return result


def _repeated(rows: list[CsvEntry]) -> list[tuple[int, str]]:
    """The same entry twice in one file: by entry_id, else by everything the row states."""
    seen: dict[object, int] = {}
    errors = []
    for r in rows:
        key = r.entry_id or (r.day, r.person_id, r.metric, r.value, r.platform, r.note,
                             r.created_at)  # fmt: skip
        if key in seen:
            what = f"entry_id {r.entry_id}" if r.entry_id else "the same entry"
            errors.append((r.line, f"{what} is already on line {seen[key]}: remove one"))
        else:
            seen[key] = r.line
    return errors


def _trimmed(cells: list[str]) -> list[str]:
    """Without the empty cells at the end of a row."""
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _header_problem(header: list[str]) -> str | None:
    unknown = [name for name in header if name not in COLUMNS + IMPORT_ONLY]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        return (
            f"the header must name the columns {', '.join(COLUMNS)}"
            f" (at least {', '.join(REQUIRED)}); unknown or repeated: "
            f"{', '.join(unknown) or '—'}; missing: {', '.join(missing) or '—'}"
        )
    return None


class _Cells:
    """The cells of one row by column name; each parse failure noted as `column: reason`."""

    def __init__(self, cells: dict[str, str]):
        self.cells = cells
        self.problems: list[str] = []

    def get(self, name: str, parse: Callable[[str], T]) -> T | None:
        raw = self.cells.get(name, "").strip()
        try:
            return parse(raw)
        except ValueError as exc:
            self.problems.append(f"{name}: {exc}")
            return None


def _row(
    cells: dict[str, str], line: int, today: date, custom: Mapping[str, Metric] | None
) -> tuple[CsvEntry | None, list[str]]:
    c = _Cells(cells)
    metric = c.get("metric", lambda raw: cell.metric(raw, custom))
    day = c.get("date", lambda raw: cell.day(raw, today))
    person_id = c.get("person_id", cell.person_id)
    person = c.get("person", cell.name)
    username = c.get("username", cell.username)
    platform = c.get("platform", cell.platform)
    note = c.get("note", cell.note)
    entry_id = c.get("entry_id", cell.entry_id)
    created_at = c.get("created_at", lambda raw: cell.instant(raw, today))
    member = c.get("member", cell.member)
    value = c.get("value", lambda raw: cell.value(raw, metric)) if metric else None
    if c.problems or metric is None or value is None or day is None or person_id is None:
        return None, c.problems
    return CsvEntry(
        day, person_id, person or "", metric.key, value, username, platform, note, entry_id,
        created_at, line, bool(member),
    ), []  # fmt: skip
