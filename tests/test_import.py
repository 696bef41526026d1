"""Issue 10 §3: `kpibot import` is idempotent, never changes a stored entry, grants no access,
and answers every unrepresentable cell with a line error, never a traceback."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.csvio import read_csv
from kpi.models import Period, PeriodKind
from storage.records import Person
from tests.harness import BotHarness

GROUP, OTHER = -1008008, -1009009
HEADER = "entry_id,date,person_id,person,metric,value,note"
EVER = Period(PeriodKind.CUSTOM, date(2020, 1, 1), date(2027, 1, 1))


async def _teams(harness: BotHarness):
    fake = harness.fake
    olga, anya = fake.user(1, "Ольга"), fake.user(2, "Аня")
    group, other = fake.group(GROUP, "Север"), fake.group(OTHER, "Юг")
    await harness.say(group, anya, "/lead 3")  # Аня: a member of Север only
    await harness.say(other, olga, "/kpi")  # Ольга: a member of Юг only


async def _import(harness: BotHarness, tmp_path: Path, text: str, team: int = GROUP):
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    args = ["import", str(source), "--team", str(team), "--db", str(harness.db_path)]
    return await asyncio.to_thread(main, args), source


async def _count(harness: BotHarness) -> int:
    return await harness.repo.entries.count(include_deleted=True)


async def test_the_same_line_twice_or_a_changed_entry_is_refused_by_line(
    harness: BotHarness, tmp_path, capsys
):
    await _teams(harness)
    (lead,) = [e for e, _, _ in await harness.repo.entries.export_rows(GROUP)]
    before = await _count(harness)
    code, source = await _import(harness, tmp_path, "\n".join([
        HEADER,
        ",2026-11-02,2,Аня,leads,1,",
        ",2026-11-03,2,Аня,leads,1,",
        ",2026-11-02,2,Аня,leads,1,",  # line 2 again
        f"{lead.id},2026-11-20,2,Аня,leads,30,",  # Аня's /lead 3, with another value
        "777,2026-11-04,2,Аня,posts,1,",
        "777,2026-11-05,2,Аня,posts,2,",  # entry 777 twice
    ]))  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and await _count(harness) == before
    assert f"{source}:4: the same entry is already on line 2: remove one" in err
    assert f"{source}:7: entry_id 777 is already on line 6" in err
    code, _ = await _import(harness, tmp_path, f"{HEADER}\n{lead.id},2026-11-20,2,Аня,leads,30,")
    err = capsys.readouterr().err
    assert code == 1 and await _count(harness) == before
    assert f"{source}:2: entry_id: the team already has this entry as 2026-11-20 leads 3" in err
    assert await harness.repo.entries.total(GROUP, "leads", EVER) == 3  # not updated


async def test_a_file_imported_twice_adds_its_rows_once(harness: BotHarness, tmp_path, capsys):
    await _teams(harness)
    text = "\n".join([
        HEADER,
        ",2026-10-02,2,Аня,leads,4,с выставки",  # no entry_id: its content is its identity
        "9001,2026-10-03,2,Аня,posts,2,",  # another database's entry 9001
    ])  # fmt: skip
    assert (await _import(harness, tmp_path, text))[0] == 0
    after_first = await _count(harness)
    assert "imported 2 entries" in capsys.readouterr().out
    assert (await _import(harness, tmp_path, text))[0] == 0
    out = capsys.readouterr().out
    assert "nothing new to import" in out and "2 row(s) already there" in out
    assert await _count(harness) == after_first
    assert await harness.repo.entries.total(GROUP, "leads", EVER) == 3 + 4
    changed = text.replace("9001,2026-10-03,2,Аня,posts,2", "9001,2026-10-03,2,Аня,posts,5")
    assert (await _import(harness, tmp_path, changed))[0] == 1  # entry 9001 came with 2
    assert "entry_id: the team already has this entry as 2026-10-03 posts 2" in (
        capsys.readouterr().err
    )


async def test_import_grants_no_access(harness: BotHarness, tmp_path, capsys):
    await _teams(harness)
    teams = harness.repo.teams
    header = "date,person_id,person,metric,value,member"
    # Ольга uses the bot (team Юг): a file cannot make her a member of Север, nor rename her.
    code, source = await _import(harness, tmp_path, f"{header}\n2026-11-02,1,Хакер,leads,1,yes")
    assert code == 1 and f"{source}:2: member: this person already uses the bot" in (
        capsys.readouterr().err
    )
    assert await teams.membership(GROUP, 1) is None
    # A person who left Север does not come back through a file either.
    await teams.ensure_member(GROUP, Person(3, "Вика"), harness.clock.now())
    await teams.set_member_active(GROUP, 3, False)
    assert (await _import(harness, tmp_path, f"{header}\n2026-11-02,3,Вика,leads,1,да"))[0] == 1
    assert await teams.membership(GROUP, 3) == (False, "specialist")

    rows = [
        "2026-11-02,1,Хакер,leads,1,",  # known, not asked: her entry, no membership
        "2026-11-02,4,Новенький,posts,1,yes",  # new to the bot and asked: joins as specialist
        "2026-11-03,5,Бывший,posts,2,",  # new, not asked: known by name, not a member
    ]
    assert (await _import(harness, tmp_path, "\n".join([header, *rows])))[0] == 0
    assert await teams.membership(GROUP, 1) is None
    assert (await teams.person(1)).full_name == "Ольга"
    assert await teams.membership(GROUP, 4) == (True, "specialist")
    assert await teams.membership(GROUP, 5) is None and (await teams.person(5)).full_name
    assert [t.id for t in await teams.teams_of(1)] == [OTHER]
    assert await teams.teams_of(5) == []


BAD_CELLS = {
    "value": ["inf", "nan", "-inf", "1e309", "9" * 400, "1e3", "0x10", "١٢"],
    "date": ["9999-12-31", "0001-01-01", "2026-13-01", "99.99.99999", "2026-11-20T10:00"],
    "person_id": ["9" * 30, "99999999999999999999", str(2**52), "0", "١٢٣", "-5"],
    "entry_id": [str(2**63), "9" * 40, "0", "²"],
    "created_at": [
        "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2026-11-20T25:00",
        "3000-01-01T00:00:00", "1970-01-01T00:00:00",
    ],
    "member": ["maybe"],
}  # fmt: skip
GOOD = {"entry_id": "", "date": "2026-11-02", "person_id": "7", "person": "Аня",
        "metric": "leads", "value": "1", "created_at": "", "member": ""}  # fmt: skip


@pytest.mark.parametrize("column", sorted(BAD_CELLS))
async def test_unrepresentable_cells_are_line_errors(harness: BotHarness, tmp_path, capsys, column):
    await _teams(harness)
    names = [name for name in GOOD if name != "member" or column == "member"]
    lines = [",".join(names)]
    for bad in BAD_CELLS[column]:
        lines.append(",".join(bad if name == column else GOOD[name] for name in names))
    before = await _count(harness)
    code, source = await _import(harness, tmp_path, "\n".join(lines))
    err = capsys.readouterr().err
    assert code == 1 and await _count(harness) == before, err
    for line in range(2, len(lines) + 1):
        assert f"{source}:{line}: {column}:" in err, (line, err)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "data",
    [b"date,person_id\x00,metric,value\n", b"date," + b"x" * 200_000 + b"\n", b"\xff\xfe", b""],
)
def test_a_broken_file_is_a_line_error(data):
    result = read_csv(data, date(2026, 11, 20))
    assert result.errors and not result.rows
