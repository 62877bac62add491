"""The benchmark's data generator (bench/data_rows.py) makes rows the schema accepts:
the shapes COPY needs, the keys and rules PostgreSQL would refuse, the same rows every run.
(That the three apps answer alike is bench/check.py's job, run by `make bench`.)"""

from bench import data_rows


def test_rows_fit_their_columns_and_the_schema_rules() -> None:
    tables, counts = data_rows.build(0.01)
    for table, rows in tables.rows.items():
        width = len(tables.columns[table])
        assert all(len(row) == width for row in rows), table
    assert len(tables.rows["organisations"]) == counts.organisations
    assert len(tables.rows["memberships"]) == counts.memberships

    organisations = {row[0] for row in tables.rows["organisations"]}
    numbers = [row[5] for row in tables.rows["organisations"]]
    assert len(set(numbers)) == len(numbers)  # unique (country, organisation_number)
    # One membership per organisation and network: the exclusion constraint holds.
    pairs = [(row[1], row[2]) for row in tables.rows["memberships"]]
    assert len(set(pairs)) == len(pairs)
    assert {row[1] for row in tables.rows["memberships"]} <= organisations
    # Representatives are people affiliated with the membership's organisation.
    affiliated = {(row[2], row[1]) for row in tables.rows["affiliations"]}
    organisation_of = {row[0]: row[1] for row in tables.rows["memberships"]}
    for _id, membership_id, person_id, *_ in tables.rows["membership_representatives"]:
        assert (organisation_of[membership_id], person_id) in affiliated
    # Invoice numbers are unique per seller.
    numbered = [(row[3], row[7]) for row in tables.rows["invoices"]]
    assert len(set(numbered)) == len(numbered)


def test_the_same_rows_every_run() -> None:
    first, _ = data_rows.build(0.01)
    second, _ = data_rows.build(0.01)
    assert first.rows["organisations"][:50] == second.rows["organisations"][:50]
    assert first.rows["memberships"][-1] == second.rows["memberships"][-1]
