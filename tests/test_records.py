"""Records of education given: what is stored, what is refused, teach-back, reading back.

Every test here runs against SQLite, and against PostgreSQL too when
HANDOUTS_TEST_DATABASE_URL names a server (the `database_url` fixture).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from handouts.errors import HandoutsError
from handouts.inputs.clinics import load_clinic
from handouts.records.given import (
    Given,
    get_record,
    given_since,
    record_given,
    set_teach_back,
)
from handouts.records.schema import given as given_table
from handouts.records.store import open_database

NOW = dt.datetime(2026, 11, 27, 15, 30, 12, 345678, tzinfo=dt.UTC)
PRINTED = Given(staff="Nurse Ana", clinic="lakeside", topic="bone-metastasis", lang="es",
                level="easy", layout="letter", content_version="BM-ES-EASY · 2026-11 · 7f3a9c",
                channel="print")
EMAILED = replace(PRINTED, channel="email", delivery="password-protected", result="sent")


@pytest.fixture
def engine(database_url):
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def test_a_record_reads_back_exactly_with_its_time_in_utc(engine):
    record_id = record_given(engine, EMAILED, now=NOW)
    record = get_record(engine, record_id)
    assert record.given == EMAILED
    assert record.given_at == NOW.replace(microsecond=0)
    assert record.given_at.tzinfo is not None
    assert record.teach_back is None


def test_a_local_time_is_stored_as_the_same_moment_in_utc(engine):
    chicago = dt.timezone(dt.timedelta(hours=-6))
    record_id = record_given(engine, PRINTED, now=dt.datetime(2026, 11, 27, 9, 0, tzinfo=chicago))
    assert get_record(engine, record_id).given_at == dt.datetime(2026, 11, 27, 15, 0,
                                                                 tzinfo=dt.UTC)


def test_without_a_time_the_record_is_stamped_now(engine):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    record = get_record(engine, record_given(engine, PRINTED))
    assert before <= record.given_at <= dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("change, field", [
    ({"channel": "fax"}, "channel"),
    ({"result": "maybe"}, "result"),
    ({"staff": ""}, "staff"),
    ({"staff": "x" * 121}, "staff"),
    ({"content_version": ""}, "content_version"),
    ({"topic": "../etc"}, "topic"),
    ({"lang": "Spanish"}, "lang"),
    ({"delivery": "password-protected"}, "delivery"),  # not an email
    ({"result": "sent"}, "email only"),
    ({"channel": "email"}, "delivery"),  # an email without the delivery choice
    ({"channel": "email", "delivery": "plain"}, "delivery"),
    ({"channel": "kit"}, "kit"),
    ({"staff": "Ana\nBob"}, "control"),
])
def test_a_record_that_breaks_a_rule_is_refused_and_nothing_is_stored(engine, change, field):
    with pytest.raises(HandoutsError, match=field):
        record_given(engine, replace(PRINTED, **change), now=NOW)
    assert given_since(engine) == []


def test_every_channel_and_result_the_apps_use_is_accepted(engine):
    for given in (PRINTED, replace(PRINTED, channel="download"), EMAILED,
                  replace(EMAILED, delivery="unencrypted-accepted", result="kept-in-outbox"),
                  replace(EMAILED, result="failed"),
                  replace(PRINTED, channel="kit", kit="New bone metastasis diagnosis")):
        record_given(engine, given, now=NOW)
    assert len(given_since(engine)) == 6


def test_a_patient_reference_is_refused_unless_the_clinic_turned_it_on(engine):
    with pytest.raises(HandoutsError, match="does not store patient references") as refused:
        record_given(engine, replace(PRINTED, patient_reference="MRN-0042"), now=NOW)
    assert "MRN-0042" not in str(refused.value)
    record_id = record_given(engine, replace(PRINTED, patient_reference="MRN-0042"), now=NOW,
                             patient_references=True)
    assert get_record(engine, record_id).given.patient_reference == "MRN-0042"


def test_a_name_is_never_accepted_as_a_patient_reference(engine):
    with pytest.raises(HandoutsError, match="never a name") as refused:
        record_given(engine, replace(PRINTED, patient_reference="Zelda Quillfeather"),
                     now=NOW, patient_references=True)
    assert "Zelda" not in str(refused.value)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(given_table)).scalar() == 0


def test_teach_back_is_entered_afterwards_changed_and_cleared(engine):
    record_id = record_given(engine, PRINTED, now=NOW)
    set_teach_back(engine, record_id, "needs-review")
    assert get_record(engine, record_id).teach_back == "needs-review"
    set_teach_back(engine, record_id, "understood")
    assert get_record(engine, record_id).teach_back == "understood"
    set_teach_back(engine, record_id, None)
    assert get_record(engine, record_id).teach_back is None
    with pytest.raises(HandoutsError, match="teach-back outcome must be one of"):
        set_teach_back(engine, record_id, "great")
    with pytest.raises(HandoutsError, match="no record"):
        set_teach_back(engine, record_id + 1000, "understood")


def test_given_since_reads_records_in_order_from_a_date_or_a_moment(engine):
    days = [NOW - dt.timedelta(days=n) for n in (3, 2, 1, 0)]
    ids = [record_given(engine, replace(PRINTED, level=f"l{n}"), now=day)
           for n, day in enumerate(days)]
    assert [r.id for r in given_since(engine)] == ids
    assert [r.id for r in given_since(engine, (NOW - dt.timedelta(days=1)).date())] == ids[2:]
    assert [r.id for r in given_since(engine, days[1])] == ids[1:]
    assert [r.id for r in given_since(engine, days[0], until=days[2])] == ids[:2]
    record_given(engine, replace(PRINTED, clinic="riverside"), now=NOW)
    assert len(given_since(engine, clinic="riverside")) == 1


WRITER = textwrap.dedent("""
    import sys
    from handouts.records.given import Given, record_given
    from handouts.records.store import open_database

    engine = open_database(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()  # both processes start writing together
    for n in range(int(sys.argv[3])):
        record_given(engine, Given(staff=sys.argv[2], clinic="lakeside",
                                   topic="bone-metastasis", lang="en", level="standard",
                                   layout="letter", content_version=f"v{n}", channel="print"))
    print("done", flush=True)
""")


def test_two_processes_writing_at_once_lose_no_record(database_url):
    open_database(database_url).dispose()  # the schema exists before both start
    count = 60
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, database_url, name, str(count)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for name in ("Writer A", "Writer B")]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    engine = open_database(database_url)
    records = given_since(engine)
    engine.dispose()
    assert len(records) == 2 * count
    assert {r.given.staff for r in records} == {"Writer A", "Writer B"}
    assert len({r.id for r in records}) == 2 * count


def test_a_clinic_turns_patient_references_on_in_its_profile(tiny):
    assert load_clinic(tiny, "tiny").patient_references is False
    profile = tiny.clinics / "tiny.toml"
    profile.write_text(profile.read_text() + "\n[records]\npatient_reference = true\n")
    assert load_clinic(tiny, "tiny").patient_references is True
    profile.write_text(profile.read_text().replace("= true", '= "yes"'))
    with pytest.raises(HandoutsError, match="records.patient_reference"):
        load_clinic(tiny, "tiny")


def test_a_database_from_version_1_gains_the_version_2_columns_and_keeps_its_rows(
        database_url):
    from sqlalchemy import Column, MetaData, Table, create_engine, insert, inspect

    from handouts.records import schema

    engine = create_engine(database_url)
    old = MetaData()
    for table in (schema.users, schema.sign_in_links, schema.failed_sign_ins, schema.kits):
        table.to_metadata(old)
    version_2 = {"title", "document_sha1", "document_url"}
    old_given = Table("given", old, *[Column(c.name, c.type, primary_key=c.primary_key,
                                             nullable=c.nullable)
                                      for c in schema.given.columns if c.name not in version_2])
    with engine.begin() as connection:
        old.create_all(connection)
        schema.schema_version.create(connection)
        connection.execute(schema.schema_version.insert().values(version=1))
        connection.execute(insert(old_given).values(
            given_at=NOW, staff="Nurse Ana", clinic="lakeside", topic="bone-metastasis",
            lang="en", level="easy", layout="letter", content_version="v1", channel="print",
            result="given"))
    assert schema.migrate(engine) == schema.LATEST
    columns = {c["name"] for c in inspect(engine).get_columns("given")}
    assert version_2 <= columns
    (record,) = given_since(engine)
    assert record.given.content_version == "v1" and record.given.title is None
    record_given(engine, replace(PRINTED, title="Bone Metastasis", document_sha1="a" * 40))
    engine.dispose()
