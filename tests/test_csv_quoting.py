"""/export's CSV: every cell quoted, so no note or name can add a cell in a spreadsheet;
formulas stay text; and `kpibot import` reads the file back to the same rows."""

from __future__ import annotations

import codecs
import re
from datetime import UTC, date, datetime

import pytest

from bot.csvio import COLUMNS, CsvEntry, read_csv, write_csv

DAY, TODAY = date(2026, 11, 19), date(2026, 11, 20)
CREATED = datetime(2026, 11, 19, 18, 30, tzinfo=UTC)
# (what was typed, what the cell holds): a leading ' keeps a spreadsheet from running it
NOTES = [
    ("из рассылки; весенняя акция", "из рассылки; весенняя акция"),
    ("Q&A, часть 2", "Q&A, часть 2"),
    ("first line\nsecond; line, two", "first line\nsecond; line, two"),
    ('"в кавычках"; ещё', '"в кавычках"; ещё'),
    (";", ";"),
    (",", ","),
    ("=HYPERLINK(\"http://x\";\"click\")", "'=HYPERLINK(\"http://x\";\"click\")"),
    ("+7 999 123-45-67", "'+7 999 123-45-67"),
    ("-5 отписок", "'-5 отписок"),
    ("@channel", "'@channel"),
    ("\tс табуляцией", "'\tс табуляцией"),
    ("\rс CR", "'\rс CR"),
]
NAMES = ["Аня; Борис", "=1+1", "O'Brien, Jr."]
CELL = r'"(?:[^"]|"")*"'  # a quoted cell; `""` is a quote inside it


def _rows() -> list[CsvEntry]:
    return [
        CsvEntry(DAY, 700 + i, NAMES[i % len(NAMES)], "revenue", i + 0.5, username="anya",
                 platform="vk" if i % 2 else None, note=typed, entry_id=i + 1,
                 created_at=CREATED)
        for i, (typed, _) in enumerate(NOTES)
    ]  # fmt: skip


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_every_cell_is_quoted_so_no_note_adds_a_cell(delimiter):
    data = write_csv(_rows(), delimiter=delimiter)
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    # The whole file is records of exactly len(COLUMNS) quoted cells: outside quotes there
    # is nothing but the separator and the line ends, so a reader splitting on `,`, on `;`
    # or on both never cuts a cell.
    record = rf"{CELL}(?:{re.escape(delimiter)}{CELL}){{{len(COLUMNS) - 1}}}\r\n"
    records = re.findall(record, text)
    assert "".join(records) == text and len(records) == len(NOTES) + 1
    cells = [re.findall(CELL, r) for r in records]
    assert [c[1:-1] for c in cells[0]] == list(COLUMNS)
    note, person = COLUMNS.index("note"), COLUMNS.index("person")
    assert [c[note][1:-1].replace('""', '"') for c in cells[1:]] == [held for _, held in NOTES]
    assert {c[person][1:-1] for c in cells[1:]} == {"Аня; Борис", "'=1+1", "O'Brien, Jr."}


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_import_reads_the_quoted_export_back(delimiter):
    rows = _rows()
    result = read_csv(write_csv(rows, delimiter=delimiter), TODAY)
    assert result.errors == []
    fields = ("day", "person_id", "person", "metric", "value", "username", "platform", "note",
              "entry_id", "created_at")  # fmt: skip
    assert [[getattr(r, f) for f in fields] for r in result.rows] == [
        [getattr(r, f) for f in fields] for r in rows
    ]
    assert [r.note for r in result.rows] == [typed for typed, _ in NOTES]
