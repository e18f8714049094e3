"""What a person types becomes a plate or a pattern; bad input says why."""

from __future__ import annotations

import pytest

from kuzet.platedata.text import PlateTextError, normalise, parse_query


def test_normalise_spaces_case_and_cyrillic_lookalikes() -> None:
    assert normalise("123 abc-02") == "123ABC02"
    assert normalise("А 123 ВС") == "A123BC"  # Cyrillic А, В, С typed on a Russian layout


@pytest.mark.parametrize("bad", ["", "12#4", "ЖЖЖ", "1" * 17])
def test_normalise_refuses_what_is_no_plate(bad: str) -> None:
    with pytest.raises(PlateTextError):
        normalise(bad)


def test_wildcards() -> None:
    q = parse_query("123*02")
    assert (q.mode, q.like()) == ("wildcard", "123%02")
    assert q.matches("123ABC02") == 0 and q.matches("123AB02") == 0
    assert q.matches("124ABC02") is None
    one = parse_query("123?BC02")
    assert one.matches("123ABC02") == 0 and one.matches("123AABC02") is None
    with pytest.raises(PlateTextError, match="two letters"):
        parse_query("*1*")
    with pytest.raises(PlateTextError, match="wildcard"):
        parse_query("123*02", "fuzzy")


def test_fuzzy_by_edit_distance() -> None:
    q = parse_query("123ABC02", "fuzzy", 1)
    assert q.matches("123ABC02") == 0
    assert q.matches("123A8C02") == 1  # B read as 8
    assert q.matches("123ABC2") == 1  # a character lost
    assert q.matches("128A8C02") is None  # two edits
    assert parse_query("123ABC02", "fuzzy", 2).matches("128A8C02") == 2
    with pytest.raises(PlateTextError, match="distance"):
        parse_query("123ABC02", "fuzzy", 3)
    with pytest.raises(PlateTextError, match="too short"):
        parse_query("12A", "fuzzy", 2)
