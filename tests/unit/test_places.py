"""The place index: every city of the file in it, names sorted, places ranked."""

from __future__ import annotations

import json

from bot.services.places import _data_dir, available_zones, normalize, place_index


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


def test_every_city_of_the_file_is_in_the_index_with_its_zone() -> None:
    # The file is read a record at a time; read whole here, to check none was missed.
    with (_data_dir() / "cities15000.json").open(encoding="utf-8") as f:
        cities = list(json.load(f).values())
    index = place_index()
    zones = available_zones()
    kept = [c for c in cities if c.get("timezone") in zones]
    assert len(kept) > 20_000
    for city in kept:
        places = index.places(normalize(city["name"]))
        assert any(p.kind == "city" and p.zone == city["timezone"] for p in places), city["name"]
