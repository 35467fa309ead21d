from gitdesk.model.ids import (
    event_id_from, is_event_id, is_ticket_id, new_event_id, new_ticket_id, normalize_ref, short_ids, ticket_id_from,
)
from datetime import datetime, timezone, timedelta


def test_new_ids_are_valid_and_unique():
    ids = {new_ticket_id() for _ in range(5000)}
    assert len(ids) == 5000
    assert all(is_ticket_id(i) for i in ids)


def test_event_ids_sort_by_time():
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    ids = [new_event_id(base + timedelta(milliseconds=i * 7)) for i in range(200)]
    assert ids == sorted(ids)
    assert all(is_event_id(i) for i in ids)


def test_deterministic_ids_for_imports():
    at = datetime(2016, 2, 29, 1, 16, tzinfo=timezone.utc)
    assert ticket_id_from("servicenow:INC0000045") == ticket_id_from("servicenow:INC0000045")
    assert ticket_id_from("servicenow:INC0000045") != ticket_id_from("servicenow:INC0000047")
    assert event_id_from(at, "x") == event_id_from(at, "x") != event_id_from(at, "y")
    assert is_ticket_id(ticket_id_from("a")) and is_event_id(event_id_from(at, "a"))


def test_normalize_ref_accepts_what_people_type_and_refuses_paths():
    assert normalize_ref("hd-7k2m") == "7K2M"
    assert normalize_ref("#7K2M9Q") == "7K2M9Q"
    assert normalize_ref(" 7k2m ") == "7K2M"
    assert normalize_ref("7K2O") == "7K20"  # Crockford: O reads as zero
    for hostile in ("../etc", "7K/2M", "..", "", "7K2M9Q4XZB1", "a b", "7K\\2", "U"):
        assert normalize_ref(hostile) is None, hostile


def test_short_ids_are_unambiguous():
    ids = ["ABCDEF0000", "ABCDEF0001", "ZZZZZZZZZZ"]
    short = short_ids(ids, minimum=4)
    assert short["ZZZZZZZZZZ"] == "ZZZZ"
    assert short["ABCDEF0000"] == "ABCDEF0000"[:10]
    for tid, prefix in short.items():
        assert [i for i in ids if i.startswith(prefix)] == [tid]


def test_short_ids_of_a_few_among_many_match_the_whole_computation():
    import random

    rng = random.Random(5)
    everyone = sorted({"".join(rng.choice("0123456789AB") for _ in range(10)) for _ in range(3000)})
    shown = rng.sample(everyone, 200)
    short = short_ids(shown, minimum=3, among=everyone)
    assert sorted(short) == sorted(shown)
    for tid, prefix in short.items():  # by brute force: unique among everyone, and no shorter one is
        assert [i for i in everyone if i.startswith(prefix)] == [tid]
        assert len(prefix) == 3 or sum(i.startswith(prefix[:-1]) for i in everyone) > 1
    assert short == {t: short_ids(everyone, minimum=3)[t] for t in shown}
    assert max(len(p) for p in short.values()) > 3  # prefixes do collide at this density
