"""Who hosts: pure rules, no database."""

import uuid
from datetime import date

from app.meeting_plans.rotation import (
    Candidate,
    HostChoice,
    Visit,
    VisitSlot,
    municipal_host,
    rotate_hosts,
)

A, B, C, D = (uuid.UUID(int=n) for n in (1, 2, 3, 4))
ALWAYS = ((date(2000, 1, 1), None),)
YEAR = [date(2027, 2, 11), date(2027, 4, 29), date(2027, 8, 26), date(2027, 11, 11)]


def _slots(days: list[date] = YEAR) -> list[VisitSlot]:
    return [VisitSlot(number, day) for number, day in enumerate(days, start=1)]


def _hosts(choices: dict[int, HostChoice]) -> list[uuid.UUID | None]:
    return [choices[n].host_id for n in sorted(choices)]


def test_never_hosted_first_by_name_then_longest_ago() -> None:
    candidates = [
        Candidate(A, "Yara", ALWAYS),
        Candidate(B, "ineos", ALWAYS),  # names compare case-insensitively
        Candidate(C, "Herøya", ALWAYS),
        Candidate(D, "Grenland", ALWAYS),
    ]
    # Yara hosted in 2025, Grenland in 2026: Herøya and INEOS never did.
    history = {A: date(2025, 5, 1), D: date(2026, 11, 5)}
    choices = rotate_hosts(_slots(), candidates, history, D)
    assert _hosts(choices) == [C, B, A, D]


def test_ties_on_name_go_by_id() -> None:
    candidates = [Candidate(B, "Same", ALWAYS), Candidate(A, "Same", ALWAYS)]
    assert _hosts(rotate_hosts(_slots(YEAR[:2]), candidates, {}, None)) == [A, B]


def test_last_years_last_host_does_not_open_the_year() -> None:
    candidates = [Candidate(A, "Alpha", ALWAYS), Candidate(B, "Beta", ALWAYS)]
    # Both hosted on the same day last year (two meetings); B was the last one.
    history = {A: date(2026, 11, 12), B: date(2026, 11, 12)}
    assert _hosts(rotate_hosts(_slots(), candidates, history, B)) == [A, B, A, B]


def test_alone_a_member_hosts_again() -> None:
    candidates = [Candidate(A, "Alpha", ALWAYS)]
    assert _hosts(rotate_hosts(_slots(), candidates, {A: date(2026, 11, 1)}, A)) == [A] * 4


def test_members_who_left_or_joined_later_are_skipped_on_those_days() -> None:
    candidates = [
        Candidate(A, "Alpha", ((date(2020, 1, 1), date(2027, 5, 31)),)),  # left in May
        Candidate(B, "Beta", ALWAYS),
        Candidate(C, "Gamma", ((date(2027, 8, 1), None),)),  # joined in August
    ]
    hosts = _hosts(rotate_hosts(_slots(), candidates, {}, None))
    assert hosts == [A, B, C, B]


def test_a_member_twice_over_the_year_keeps_both_periods() -> None:
    candidates = [
        Candidate(A, "Alpha", ((date(2027, 1, 1), date(2027, 3, 1)), (date(2027, 11, 1), None))),
        Candidate(B, "Beta", ALWAYS),
    ]
    assert _hosts(rotate_hosts(_slots(), candidates, {}, None)) == [A, B, B, A]


def test_a_day_without_members_has_no_host_and_keeps_the_rotation() -> None:
    candidates = [
        Candidate(A, "Alpha", ((date(2027, 8, 1), None),)),
        Candidate(B, "Beta", ((date(2027, 8, 1), None),)),
    ]
    assert _hosts(rotate_hosts(_slots(), candidates, {}, None)) == [None, None, A, B]


def test_existing_slots_keep_their_host_and_count_as_hosting() -> None:
    candidates = [Candidate(A, "Alpha", ALWAYS), Candidate(B, "Beta", ALWAYS)]
    slots = [
        VisitSlot(1, YEAR[0], fixed=True, fixed_host_id=B),
        VisitSlot(2, YEAR[1]),
        VisitSlot(3, YEAR[2], fixed=True, fixed_host_id=None),  # a cancelled visit
        VisitSlot(4, YEAR[3]),
    ]
    assert _hosts(rotate_hosts(slots, candidates, {}, None)) == [B, A, None, B]


def test_a_filled_slot_keeps_clear_of_the_host_of_an_existing_later_slot() -> None:
    candidates = [Candidate(A, "Alpha", ALWAYS), Candidate(B, "Beta", ALWAYS)]
    # Slots 2 and 3 exist (Alpha, then Beta); slot 1 was deleted. Alpha hosts earlier
    # than Beta, so it would go first, straight before its own visit in April.
    slots = [
        VisitSlot(1, YEAR[0]),
        VisitSlot(2, YEAR[1], fixed=True, fixed_host_id=A),
        VisitSlot(3, YEAR[2], fixed=True, fixed_host_id=B),
    ]
    assert _hosts(rotate_hosts(slots, candidates, {}, None)) == [B, A, B]


def test_a_company_hosting_later_this_year_has_had_its_turn() -> None:
    candidates = [
        Candidate(A, "Alpha", ALWAYS),
        Candidate(B, "Beta", ALWAYS),
        Candidate(C, "Gamma", ALWAYS),
    ]
    # Slot 1 (Beta) and slot 3 (Alpha) exist. Slot 2 sits between them: Gamma, who has
    # no visit this year, rather than Alpha twice in a row. Slot 4: Beta hosted longest
    # ago (February).
    slots = [
        VisitSlot(1, YEAR[0], fixed=True, fixed_host_id=B),
        VisitSlot(2, YEAR[1]),
        VisitSlot(3, YEAR[2], fixed=True, fixed_host_id=A),
        VisitSlot(4, YEAR[3]),
    ]
    assert _hosts(rotate_hosts(slots, candidates, {}, None)) == [B, C, A, B]


def test_between_the_only_two_candidates_the_one_before_is_left_out() -> None:
    candidates = [Candidate(A, "Alpha", ALWAYS), Candidate(B, "Beta", ALWAYS)]
    slots = [
        VisitSlot(1, YEAR[0], fixed=True, fixed_host_id=A),
        VisitSlot(2, YEAR[1]),
        VisitSlot(3, YEAR[2], fixed=True, fixed_host_id=B),
    ]
    assert _hosts(rotate_hosts(slots, candidates, {}, None)) == [A, B, B]


def test_visits_made_by_hand_this_year_count_as_hosting() -> None:
    candidates = [
        Candidate(A, "Alpha", ALWAYS),
        Candidate(B, "Beta", ALWAYS),
        Candidate(C, "Gamma", ALWAYS),
    ]
    # Alpha hosted a visit on 1 February that the plan did not make.
    visits = [Visit(date(2027, 2, 1), A)]
    assert _hosts(rotate_hosts(_slots(), candidates, {}, None, visits)) == [B, C, A, B]
    # Visits by hand after a slot: Alpha's on 1 March keeps Alpha, who would be first
    # (its visit is the earlier one), out of the slot just before it.
    two = candidates[:2]
    later = [Visit(date(2027, 3, 1), A), Visit(date(2027, 3, 15), B)]
    assert _hosts(rotate_hosts(_slots(), two, {}, None, later)) == [B, A, B, A]


def test_municipal_meeting_alternates_from_the_last_host() -> None:
    association, municipality, county = A, B, C
    assert municipal_host(association, municipality, None) == association
    assert municipal_host(association, municipality, association) == municipality
    assert municipal_host(association, municipality, municipality) == association
    assert municipal_host(association, municipality, county) == association
    assert municipal_host(None, municipality, None) == municipality
