"""Pack files: formats, limits, formula-safe CSV, names, and pack question ids."""

from __future__ import annotations

import pytest

from bot.content.catalogue import Content
from bot.content.packfile import PackFileError, check_count, pack_name, parse_pack
from bot.services.packs import is_pack_id, pack_question_id, parse_pack_id

HEADER = b"id,skill,difficulty,prompt,choice_1,choice_2,answer,explanation,source\n"
ROW = (
    b"q1,sql,beginner,Which SQL clause keeps only some groups?,HAVING,'-- a comment,0,"
    b"HAVING filters groups after GROUP BY has formed them.,https://www.postgresql.org/docs/\n"
)


def test_csv_apostrophe_marks_text_and_is_dropped(content: Content) -> None:
    pack = parse_pack("p.csv", HEADER + ROW, content)
    assert pack.questions[0].choices == ["HAVING", "-- a comment"]


def test_csv_formula_cell_is_refused_with_the_fix(content: Content) -> None:
    with pytest.raises(PackFileError) as caught:
        parse_pack("p.csv", HEADER + ROW.replace(b"'--", b"--"), content)
    assert caught.value.problems == [
        "row 2, column `choice_2`: a cell may not start with '-' (spreadsheets run it as a "
        "formula); to mean the text, write it as '-- a comment"
    ]


def test_csv_unknown_and_missing_columns(content: Content) -> None:
    with pytest.raises(
        PackFileError, match=r"unknown column\(s\) colour.*missing column\(s\) answer"
    ):
        parse_pack("p.csv", b"id,skill,difficulty,prompt,choice_1,choice_2,colour\n", content)


def test_limits() -> None:
    check_count(500, 1500)
    with pytest.raises(PackFileError, match="a pack holds at most 500"):
        check_count(501)
    with pytest.raises(PackFileError, match="This server has 1,800 pack questions; 300 more"):
        check_count(300, 1800)


def test_pack_names() -> None:
    assert pack_name("Week 3 — Databases.toml") == "week-3-databases"
    assert pack_name("x.json", "My Pack") == "my-pack"
    with pytest.raises(PackFileError):
        pack_name("!!!.csv")


def test_pack_question_ids_never_look_like_shipped_ones(content: Content) -> None:
    qid = pack_question_id(123456789012345678, 42)
    assert qid == "pack:123456789012345678:42" and len(qid) <= 60
    assert parse_pack_id(qid) == (123456789012345678, 42)
    assert not any(is_pack_id(q) for q in content.questions)
    assert parse_pack_id("pack:abc:1") is None and parse_pack_id("rest-1") is None


def test_no_pings_invites_or_masked_links(content: Content) -> None:
    row = ROW.replace(b"HAVING,'--", b"[HAVING](https://evil.example),'--")
    with pytest.raises(PackFileError, match=r"field `choices`: '\]\(https://': no mentions"):
        parse_pack("p.csv", HEADER + row, content)
    row = ROW.replace(b"Which SQL", b"Hey @everyone which SQL")
    with pytest.raises(PackFileError, match=r"field `prompt`: '@everyone'"):
        parse_pack("p.csv", HEADER + row, content)
