"""Shaping dictation: spoken punctuation, fillers and replacements on what Whisper really writes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayassist.core.config import Settings
from trayassist.core.dictation_text import (
    COMMANDS,
    FILLERS,
    DictationOptions,
    apply_replacements,
    shape_dictation,
)

pytestmark = pytest.mark.unit

ON = DictationOptions()
OFF = DictationOptions(spoken_punctuation=False, drop_fillers=False)


def shape(text: str, **kw: object) -> str:
    return shape_dictation(text, DictationOptions(**kw))  # type: ignore[arg-type]


# What tiny.en wrote for espeak-ng dictation with pauses around the spoken marks.
@pytest.mark.parametrize(("whisper", "expected"), [
    ("Hello, comma, world.", "Hello, world."),
    ("Hello comma world period", "Hello, world."),
    ("meet me at noon, period, bring the tickets, exclamation point.",
     "meet me at noon. Bring the tickets!"),
    ("Please bring the following colon, milk, comma, eggs and bread, full stop.",
     "Please bring the following: milk, eggs and bread."),
    ("How are you? Question mark.", "How are you?"),
    ("How are you, question mark.", "How are you?"),
    ("Dear Anna, comma, new line, thanks for the report, period, new paragraph, see you soon, "
     "exclamation mark.", "Dear Anna,\nThanks for the report.\n\nSee you soon!"),
    ("Dear Anna, New Line, thanks.", "Dear Anna\nThanks."),
    ("That's all. New paragraph. Next topic.", "That's all.\n\nNext topic."),
    ("Hello. Comma. How are you?", "Hello, how are you?"),  # Whisper's break undone
    ("Hello. Comma. Anna is here.", "Hello, Anna is here."),  # a name keeps its capital
    ("Wait semicolon then go.", "Wait; then go."),
    ("Hello question-mark", "Hello?"),
    ("I think it is fine, period.", "I think it is fine."),
])
def test_spoken_marks_win_over_whispers_punctuation(whisper: str, expected: str) -> None:
    assert shape_dictation(whisper, ON) == expected


@pytest.mark.parametrize(("whisper", "expected"), [
    ("The word, literal comma, is a word.", "The word, comma, is a word."),
    ("Say literal new line please", "Say new line please"),
    ("Type literal question mark here.", "Type question mark here."),
    ("I need a comma here.", "I need a comma here."),  # after a determiner the word is meant
    ("Start a new paragraph of the report.", "Start a new paragraph of the report."),
    ("We had a trial period of two weeks.", "We had a trial period of two weeks."),
    ("The period ended.", "The period ended."),
    ("Literal is just a word.", "Literal is just a word."),
    ("Commas and colons are fine.", "Commas and colons are fine."),
])
def test_the_word_itself(whisper: str, expected: str) -> None:
    assert shape_dictation(whisper, ON) == expected


def test_marks_at_the_edges_and_in_a_row() -> None:
    assert shape("comma and then some") == ", and then some"  # continues text already there
    assert shape("new line") == "\n"
    assert shape("Done period new paragraph") == "Done.\n\n"
    assert shape("Yes exclamation mark exclamation mark") == "Yes!!"
    assert shape("U.S. comma and more") == "U.S., and more"  # an abbreviation keeps its dot


def test_capital_after_a_sentence_end_and_a_new_line() -> None:
    assert shape("one, period, two question mark three exclamation mark four new line five") == \
        "one. Two? Three! Four\nFive"


def test_period_is_a_mark_only_where_the_speaker_paused() -> None:
    assert shape("done period two") == "done period two"  # "a trial period of two weeks"
    assert shape("done, period two") == "done. Two"
    assert shape("done period, two") == "done. Two"
    assert shape("done period new line two") == "done.\nTwo"


def test_spoken_punctuation_off_leaves_the_words() -> None:
    text = "Hello, comma, world. New line."
    assert shape(text, spoken_punctuation=False) == text


@pytest.mark.parametrize(("whisper", "expected"), [
    ("Um, so we go.", "So we go."),
    ("I think, um.", "I think."),
    ("It was, uh, fine.", "It was fine."),
    ("I uh think so.", "I think so."),
    ("Hmm. Let me see.", "Let me see."),
    ("So, um, you know, it works.", "So it works."),
    ("It was, you know, fine.", "It was fine."),
    ("You know, I agree.", "I agree."),
    ("I think so, you know.", "I think so."),
    ("you know", ""),
    ("Um.", ""),
])
def test_fillers_dropped(whisper: str, expected: str) -> None:
    assert shape_dictation(whisper, ON) == expected


@pytest.mark.parametrize("kept", [
    "Do you know the way?",
    "You know what I mean.",
    "If you know, tell me.",
    "I know you know it.",
    "Uh-huh, that works.",
    "The umbrella is here.",
])
def test_you_know_kept_where_it_means_something(kept: str) -> None:
    assert shape_dictation(kept, ON) == kept


def test_fillers_kept_when_the_option_is_off() -> None:
    assert shape("Um, it was, you know, fine.", drop_fillers=False) == "Um, it was, you know, fine."


def test_fillers_and_marks_together() -> None:
    assert shape("Um, hello comma world period") == "Hello, world."


# ---- replacements ------------------------------------------------------------------------
RULES = (("tray assist", "TrayAssist"), ("gonna", "going to"), ("teh", "the"),
         ("ASAP", "as soon as possible"), ("basically", ""), ("cat", "dog"), ("dog", "cat"))


@pytest.mark.parametrize(("text", "expected"), [
    ("I use tray assist daily.", "I use TrayAssist daily."),
    ("Tray-Assist is here", "TrayAssist is here"),
    ("Gonna go", "Going to go"),
    ("We're gonna go", "We're going to go"),
    ("GONNA", "GOING TO"),
    ("teh catalog of teh cat", "the catalog of the dog"),  # whole words: catalog untouched
    ("cat and dog", "dog and cat"),  # one pass: a rule's output is not rewritten
    ("Do it ASAP.", "Do it as soon as possible."),
    ("Do it asap.", "Do it asap."),  # capitals in "from": only that spelling
    ("This is basically done.", "This is done."),
    ("This is, basically, done.", "This is done."),
    ("Basically, yes.", "Yes."),
    ("Done basically.", "Done."),
    ("The cat's toy", "The dog's toy"),
])
def test_replacements(text: str, expected: str) -> None:
    assert apply_replacements(text, RULES) == expected


def test_longest_rule_wins() -> None:
    rules = (("new york", "NYC"), ("new", "old"))
    assert apply_replacements("new york is new", rules) == "NYC is old"


def test_replacements_run_after_spoken_marks() -> None:
    opts = DictationOptions(replacements=(("smiley", ":-)"),))
    assert shape_dictation("Thanks comma smiley", opts) == "Thanks, :-)"


def test_options_from_settings() -> None:
    s = Settings().replace(replacements=[["a", "b"]], drop_fillers=False)
    assert DictationOptions.from_settings(s) == DictationOptions(True, False, (("a", "b"),))


# ---- properties ----------------------------------------------------------------------------
SPECIAL = {w for phrase in COMMANDS for w in phrase} | FILLERS | {"literal", "you", "know"}
ORDINARY = ["hello", "world", "the", "a", "Anna", "milk", "I", "we", "go", "it's", "U.S.", "3.5",
            "twenty", "Reykjavik", "don't", "new", "line", "mark", "stop", "point", "this"]
PUNCT = ["", "", "", ",", ".", "?", "!", ":", "...", "\""]


def _word(draw: st.DrawFn) -> str:
    w = draw(st.sampled_from(ORDINARY + sorted(SPECIAL)))
    w = draw(st.sampled_from([w, w.capitalize(), w.upper()]))
    return w + draw(st.sampled_from(PUNCT))


@st.composite
def whisperish(draw: st.DrawFn) -> str:
    return " ".join(_word(draw) for _ in range(draw(st.integers(0, 14))))


def ordinary_words(text: str) -> list[str]:
    found = [w.lower() for w in re.findall(r"[\w'.]*\w", text)]
    return [w for w in found if w not in SPECIAL]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_never_crashes_on_any_text(text: str) -> None:
    out = shape_dictation(text, DictationOptions(replacements=RULES))
    assert isinstance(out, str)
    assert shape_dictation(text, OFF) == text  # everything off: untouched


@settings(max_examples=400, deadline=None)
@given(whisperish())
def test_never_loses_a_word_that_is_not_a_command(text: str) -> None:
    assert ordinary_words(shape_dictation(text, ON)) == ordinary_words(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([w for w in ORDINARY if w not in ("new", "line", "mark", "stop", "point")]),
                max_size=12), st.lists(st.sampled_from(["", ",", "."]), min_size=12, max_size=12))
def test_text_without_commands_is_unchanged(words: list[str], punct: list[str]) -> None:
    text = " ".join(w + p for w, p in zip(words, punct, strict=False))
    assert shape_dictation(text, ON) == text


@settings(max_examples=200, deadline=None)
@given(whisperish())
def test_no_space_before_a_spoken_mark_and_none_around_new_lines(text: str) -> None:
    out = shape_dictation(text, ON)
    assert " \n" not in out and "\n " not in out
