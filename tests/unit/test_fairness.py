"""The quiz fairness checker: each check fires on a planted tell and stays quiet otherwise."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from bot.content.catalogue import Content
from bot.content.fairness import (
    MAX_DUPLICATE_PROMPTS,
    MAX_GIVEAWAYS,
    MAX_LONGEST_RIGHT_SHARE,
    MAX_POSITIONAL_REFERENCES,
    distinctive_words,
    duplicate_prompts,
    fairness_report,
    format_failures,
    format_report,
    giveaway_words,
    length_ratio,
    name_alternatives,
    positional_references,
    reports_by_file,
    right_is_longest,
    right_is_shortest,
    source_domains,
)
from bot.content.schema import Question, Skill

FACTORY = Skill.model_validate(
    {
        "slug": "factory-pattern",
        "name": "Factory pattern",
        "category": "architecture",
        "level": "intermediate",
        "summary": "Create objects through a method instead of calling a constructor.",
        "why": "Because callers should not need to know which class they get back.",
        "concepts": ["factory method", "abstract factory", "creation"],
        "resources": [{"title": "Docs", "url": "https://refactoring.guru/", "official": True}],
    }
)
SKILLS = {FACTORY.slug: FACTORY}


def make(
    qid: str = "q-1",
    choices: tuple[str, ...] = ("aaaa", "bbbb", "cccc", "dddd"),
    answer: int = 0,
    prompt: str | None = None,
    explanation: str = "Because the test says so, and the others are wrong.",
    source: str = "https://www.example.org/page",
    skill: str = "factory-pattern",
) -> Question:
    """A valid question with only the parts a test cares about spelled out.

    The prompt defaults to one that names the id, so questions are never duplicates by accident.
    """
    return Question(
        id=qid,
        skill=skill,
        difficulty="beginner",
        prompt=prompt or f"Which of these is right for planted case {qid}?",
        choices=list(choices),
        answer=answer,
        explanation=explanation,
        source=source,
    )


def test_longest_and_shortest_are_strict() -> None:
    assert right_is_longest(make(choices=("longest one", "short", "tiny"), answer=0))
    assert not right_is_longest(make(choices=("abcd", "efgh", "ij"), answer=0))  # a tie
    assert right_is_shortest(make(choices=("a", "bcd", "efg"), answer=0))
    assert not right_is_shortest(make(choices=("ab", "cd", "efg"), answer=0))


def test_length_ratio() -> None:
    assert length_ratio(make(choices=("xxxxxxxx", "yyyy", "zzzz"), answer=0)) == 2.0
    assert length_ratio(make(choices=("xxxx", "yyyy", "zzzz"), answer=1)) == 1.0


def test_longest_right_share_fails_past_threshold_and_passes_under() -> None:
    longest = [make(f"q-{i}", ("the long right one", "short", "brief"), 0) for i in range(4)]
    balanced = [make(f"b-{i}", ("right", "a longer wrong one", "wrong"), 0) for i in range(6)]
    unfair = fairness_report(longest + balanced[:2], SKILLS)
    assert unfair.longest_right_share > MAX_LONGEST_RIGHT_SHARE
    assert list(unfair.failed_checks()) == ["longest"]
    assert "q-3" in unfair.failures()[0]
    fair = fairness_report(longest[:1] + balanced, SKILLS)
    assert fair.longest_right_share <= MAX_LONGEST_RIGHT_SHARE
    assert fair.failures() == []


def test_distinctive_words_skip_generic_ones() -> None:
    assert distinctive_words(FACTORY) == {"factory"}


def test_giveaway_fires_when_the_skill_word_is_only_in_the_right_choice() -> None:
    question = make(
        choices=("A factory method that returns the right subclass", "A global instance", "A loop"),
        answer=0,
    )
    assert giveaway_words(question, FACTORY) == {"factory"}
    report = fairness_report([question], SKILLS)
    assert len(report.giveaways) > MAX_GIVEAWAYS
    assert "giveaways" in report.failed_checks()
    assert any("q-1 (factory)" in f for f in report.failures())


def test_giveaway_matches_plurals() -> None:
    question = make(choices=("Use factories", "Use globals", "Use loops"), answer=0)
    assert giveaway_words(question, FACTORY) == {"factory"}


@pytest.mark.parametrize(
    "choices",
    [
        ("A method that returns the right subclass", "A global instance", "A loop"),
        ("A factory method per subclass", "A factory that is a global instance", "A loop"),
    ],
)
def test_no_giveaway_when_absent_or_shared(choices: tuple[str, ...]) -> None:
    question = make(choices=choices, answer=0)
    assert giveaway_words(question, FACTORY) == set()
    assert fairness_report([question], SKILLS).giveaways == {}


MOCKING = FACTORY.model_copy(update={"slug": "mocking", "name": "Mocks, stubs & test doubles"})
MVC = FACTORY.model_copy(update={"slug": "mvc", "name": "Model-View-Controller (MVC)"})


def test_name_alternatives() -> None:
    assert name_alternatives(MOCKING) == [{"mock"}, {"stub"}, {"double"}]
    assert name_alternatives(MVC) == [{"model", "view", "controller", "mvc"}]


def test_giveaway_is_balanced_by_another_alternative_of_the_name() -> None:
    stub = make(skill="mocking", choices=("A mock", "A stub", "A spy", "A dummy"), answer=1)
    assert giveaway_words(stub, MOCKING) == set()
    alone = make(skill="mocking", choices=("A fake", "A stub", "A spy", "A dummy"), answer=1)
    assert giveaway_words(alone, MOCKING) == {"stub"}


def test_giveaway_within_one_compound_name_still_fires() -> None:
    question = make(
        skill="mvc",
        choices=("In the view template", "In the model", "In the routes file"),
        answer=1,
    )
    assert giveaway_words(question, MVC) == {"model"}


def test_giveaway_ignores_a_word_inside_another_word() -> None:
    question = make(choices=("Use a factoryish helper", "Use globals", "Use loops"), answer=0)
    assert giveaway_words(question, FACTORY) == set()


@pytest.mark.parametrize(
    "text",
    [
        "All of the above",
        "None of the above",
        "The first choice is wrong because it blocks.",
        "Option B is a trap.",
        "the last one is the classic mistake",
        "Pick the first one.",
        "Both choices above confuse the two headers.",
    ],
)
def test_positional_reference_fires(text: str) -> None:
    in_explanation = make(explanation=f"{text} The rest is fine, really.")
    in_choice = make(choices=(text, "bbbb", "cccc"), answer=1)
    assert positional_references(in_explanation)
    assert positional_references(in_choice)
    report = fairness_report([in_explanation], SKILLS)
    assert len(report.positional) > MAX_POSITIONAL_REFERENCES
    assert "positional" in report.failed_checks()


@pytest.mark.parametrize(
    "text",
    [
        "Alert when CPU stays above 80% for ten minutes.",
        "Test just above the boundary as well as on it.",
        "The first request opens the connection; later ones reuse it.",
        "It cannot answer a query on lower(email).",
        "Both writes succeed one after the other and the last one wins.",
        "Pass -auto-approve so each apply finishes before the next one",
        "Only if the calls are spaced apart so the first one completes",
    ],
)
def test_positional_reference_ignores_ordinary_english(text: str) -> None:
    question = make(explanation=text, choices=(text[:75], "bbbb", "cccc"))
    assert positional_references(question) == []


def test_duplicate_prompts_fold_case_and_spacing() -> None:
    one = make("q-1", prompt="What does  PATCH do to a resource?")
    two = make("q-2", prompt="what does patch do\nto a resource?")
    three = make("q-3", prompt="What does PUT do to a resource?")
    assert duplicate_prompts([one, two, three]) == [["q-1", "q-2"]]
    report = fairness_report([one, two, three], SKILLS)
    assert len(report.duplicates) > MAX_DUPLICATE_PROMPTS
    assert "duplicates" in report.failed_checks()
    assert any("q-1 = q-2" in f for f in report.failures())
    assert fairness_report([one, three], SKILLS).duplicates == []


def test_source_domains_are_counted_without_www() -> None:
    questions = [
        make("q-1", source="https://www.rfc-editor.org/rfc/rfc9110"),
        make("q-2", source="https://rfc-editor.org/rfc/rfc5789"),
        make("q-3", source="https://docs.aws.amazon.com/s3/"),
    ]
    assert source_domains(questions) == {"rfc-editor.org": 2, "docs.aws.amazon.com": 1}


def test_reports_by_file_and_format() -> None:
    questions = [
        make("a-1", ("the long right one", "short", "brief"), 0),
        make("b-1", ("right", "a longer wrong one", "wrong"), 0),
    ]
    origin = {"a-1": "data/quiz/a.toml", "b-1": "data/quiz/b.toml"}
    per_file = reports_by_file(questions, SKILLS, origin)
    assert per_file["data/quiz/a.toml"].longest_right_share == 1.0
    assert per_file["data/quiz/b.toml"].longest_right_share == 0.0
    text = "\n".join(format_report(fairness_report(questions, SKILLS), per_file))
    assert "data/quiz/a.toml" in text and "50.0%" in text


def test_failures_are_grouped_by_file() -> None:
    questions = [
        make("a-1", ("the long right one", "short", "brief"), 0),
        make("b-1", ("the long right one", "short", "brief"), 0),
        make("b-2", ("A factory method", "A global", "A loop"), 0),
    ]
    origin = {"a-1": "data/quiz/a.toml", "b-1": "data/quiz/b.toml", "b-2": "data/quiz/b.toml"}
    overall = fairness_report(questions, SKILLS)
    lines = format_failures(overall, reports_by_file(questions, SKILLS, origin))
    assert lines[0].startswith("unfair: right choice is the strictly longest in 100%")
    assert "    data/quiz/a.toml: a-1" in lines
    assert "    data/quiz/b.toml: b-1, b-2" in lines
    assert "    data/quiz/b.toml: b-2 (factory)" in lines
    assert format_failures(fairness_report(questions[2:], SKILLS)) == [
        "unfair: right choice is the strictly longest in 100% of questions (max 30%)",
        "    b-2",
        "unfair: 1 giveaway(s): a skill word only in the right choice",
        "    b-2 (factory)",
    ]


def test_chance_is_the_blind_guess_rate() -> None:
    questions = [make("q-1", ("a", "b"), 0), make("q-2", ("a", "b", "c", "d"), 0)]
    assert fairness_report(questions, SKILLS).chance == pytest.approx(0.375)


def test_shipped_content_meets_the_thresholds(content: Content) -> None:
    report = fairness_report(content.questions.values(), content.skills)
    assert report.failures() == []


def test_content_fairness_command_reports_one_file() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "fairness", "data/quiz/apis.toml", "cloud"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert "quiz fairness over 97 questions" in result.stdout
    assert "data/quiz/apis.toml" in result.stdout
    assert "data/quiz/cloud.toml" in result.stdout
    assert "data/quiz/security.toml" not in result.stdout
