"""The place index: the cities file read a record at a time, names sorted, places ranked."""

from __future__ import annotations

import io
import json

import pytest

from bot.services.places import object_items, place_index

DOCUMENT = (
    '{ "3040051" : {"name": "les Escaldes", "population": 15853, "alternatenames": '
    '["Escaldes", "\\u06ab\\u0627"], "admin1code": "08"},\n "2": 12345 , "3": -1.5e3,'
    ' "4": [], "5": {}, "6": "a \\" quote", "7": null }'
)


@pytest.mark.parametrize("chunk_size", range(1, len(DOCUMENT) + 2))
def test_object_items_equal_json_load_however_the_text_is_cut(chunk_size: int) -> None:
    items = list(object_items(io.StringIO(DOCUMENT), chunk_size))
    assert items == list(json.loads(DOCUMENT).items())


def test_an_empty_object_has_no_items() -> None:
    assert list(object_items(io.StringIO(" { } "), 1)) == []


@pytest.mark.parametrize("cut", [1, 20, len(DOCUMENT) // 2, len(DOCUMENT) - 1])
def test_a_cut_off_file_is_an_error_not_fewer_items(cut: int) -> None:
    with pytest.raises(json.JSONDecodeError):
        list(object_items(io.StringIO(DOCUMENT[:cut]), 7))


def test_names_are_sorted_once_each_with_their_places_most_people_first() -> None:
    index = place_index()
    names = [name for name, _ in index.starting_with("")]
    assert len(names) > 50_000
    assert names == sorted(set(names))
    for name in names:
        ranks = [place.rank for place in index.places(name)]
        assert ranks and ranks == sorted(ranks, reverse=True), name
    fuzzy = index.fuzzy_keys()
    assert fuzzy == sorted(set(fuzzy)) and set(fuzzy) <= set(names)


def test_a_prefix_finds_exactly_the_names_that_start_with_it() -> None:
    index = place_index()
    everything = list(index.starting_with(""))
    for prefix in ("new y", "sao", "z", "zzzz", "", "kolkata"):
        found = list(index.starting_with(prefix))
        assert found == [(n, place) for n, place in everything if n.startswith(prefix)]
        assert all(place == index.first(name) for name, place in found)
    assert index.places("no such place") == []
