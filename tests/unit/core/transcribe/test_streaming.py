"""The commit policy on its own: LocalAgreement over successive decodes, no word lost or
doubled where the buffer is cut, and cuts only where it is quiet."""

from __future__ import annotations

import numpy as np
import pytest

from trayassist.core.transcribe.streaming import Agreement, Word, choose_cut, forced_cut, join, quietest

pytestmark = pytest.mark.unit

HOP = 0.01


def words(spec: str, start: float = 0.0, each: float = 0.3) -> list[Word]:
    """"a b c" → words 0.3 s long, back to back from `start`."""
    return [Word(start + i * each, start + (i + 1) * each, " " + w) for i, w in enumerate(spec.split())]


def envelope(seconds: float, loud: list[tuple[float, float]]) -> np.ndarray:
    """Loudness per 10 ms: 1.0 inside the `loud` spans, 0.001 elsewhere."""
    env = np.full(int(seconds / HOP), 0.001, dtype=np.float32)
    for a, b in loud:
        env[int(a / HOP):int(b / HOP)] = 1.0
    return env


def test_a_word_is_committed_once_two_decodes_agree_on_it_and_all_before_it() -> None:
    ag = Agreement()
    assert ag.update(words("please remind")) == []  # nothing to agree with yet
    assert ag.pending == "please remind"
    assert join(ag.update(words("please remind me to"))) == "please remind"
    assert ag.text == "please remind" and ag.pending == "me to"
    # The third decode changes its mind about "to": only "me" is agreed.
    assert join(ag.update(words("please remind me two call", 0.0))) == "me"
    assert ag.text == "please remind me" and ag.pending == "two call"


def test_agreement_ignores_case_and_punctuation_and_keeps_the_newer_spelling() -> None:
    ag = Agreement()
    ag.update([Word(0.0, 0.4, " Call"), Word(0.4, 0.8, " mum.")])
    ag.update([Word(0.0, 0.4, " call"), Word(0.4, 0.8, " mum,"), Word(0.8, 1.2, " please")])
    assert ag.text == "call mum,"


def test_words_too_close_to_the_end_of_the_decoded_audio_wait_for_more() -> None:
    ag = Agreement()
    ag.update(words("set a timer"))
    assert join(ag.update(words("set a timer for"), until=0.65)) == "set a"  # "timer" ends at 0.9
    assert ag.pending == "timer for"
    # Both decodes must have heard past a word: the last one did, the one before did not.
    assert join(ag.update(words("set a timer for five"), until=1.3)) == ""
    assert join(ag.update(words("set a timer for five minutes"), until=1.6)) == "timer for"


def test_finish_commits_the_last_decode_whole_or_what_is_tentative() -> None:
    ag = Agreement()
    ag.update(words("open the"))
    ag.update(words("open the calculator"))
    assert join(ag.finish(words("calculator now", 0.6))) == "calculator now"
    assert ag.text == "open the calculator now" and ag.pending == ""
    other = Agreement()
    other.update(words("open the"))
    other.update(words("open the calculator"))
    other.finish()
    assert other.text == "open the calculator"


def test_a_decode_that_starts_before_the_cut_does_not_double_committed_words() -> None:
    ag = Agreement()
    ag.update(words("the library closes at six"))
    ag.update(words("the library closes at six on"))
    assert ag.text == "the library closes at six"
    # The buffer was cut inside the committed words (a quiet gap after "library"): the next
    # decode hears "closes at six" again, with times a little off.
    again = [Word(0.62, 0.88, " closes"), Word(0.88, 1.22, " at"), Word(1.22, 1.48, " six"),
             Word(1.52, 1.8, " on"), Word(1.8, 2.1, " Saturday")]
    ag.update(again)
    ag.update(again + [Word(2.1, 2.4, " morning")])
    assert ag.text == "the library closes at six on Saturday"


def test_the_model_re_reading_the_last_committed_word_at_the_cut_is_not_a_second_word() -> None:
    ag = Agreement()
    ag.update(words("call my sister"))
    ag.update(words("call my sister tomorrow"))
    assert ag.text == "call my sister" and ag.committed_end == pytest.approx(0.9)
    # Cut right after "sister"; a sliver of it made the model say it again.
    after = [Word(0.92, 1.0, " sister"), Word(1.0, 1.4, " tomorrow"), Word(1.4, 1.6, " at")]
    assert [w.key for w in ag.fresh(after)] == ["tomorrow", "at"]


def test_a_real_repeat_later_in_the_speech_is_kept() -> None:
    ag = Agreement()
    ag.update(words("no"))
    ag.finish(words("no"))
    # "No. ... No." a second apart: the same word, said twice.
    second = [Word(1.5, 1.8, " no")]
    assert [w.key for w in ag.fresh(second)] == ["no"]


def test_a_run_of_words_the_aligner_put_at_one_instant_is_not_heard_a_single_one_is() -> None:
    ag = Agreement()
    looped = [Word(0.0, 0.5, " My"), Word(0.5, 0.9, " grandmother"), Word(1.48, 1.48, " my"),
              Word(1.48, 1.48, " grandmother"), Word(1.48, 1.7, " tomatoes")]
    assert join(ag.fresh(looped)) == "My grandmother tomatoes"
    real = [Word(5.5, 5.74, " at"), Word(5.74, 6.06, " the"), Word(6.06, 6.06, " end"), Word(6.06, 6.26, " of")]
    assert join(ag.fresh(real)) == "at the end of"


def test_force_commits_old_tentative_words_when_decodes_keep_disagreeing() -> None:
    ag = Agreement()
    ag.update(words("a b c d e f"))
    assert join(ag.force(before=0.95)) == "a b c"
    assert ag.pending == "d e f"


def test_the_prompt_is_the_end_of_the_committed_text_cut_at_a_word() -> None:
    ag = Agreement(prompt_chars=20)
    assert ag.prompt() is None
    ag.finish(words("one two three four five six seven eight"))
    assert ag.prompt() == "five six seven eight"  # exactly 20 characters
    ag.prompt_chars = 18
    assert ag.prompt() == "six seven eight"  # "…ve six seven eight": not half a word


def test_quietest_finds_the_gap_between_words() -> None:
    env = envelope(2.0, [(0.0, 0.5), (0.62, 1.2)])
    t, level = quietest(env, HOP, 0.3, 0.9)
    assert 0.5 <= t <= 0.62 and level < 0.01


def test_the_buffer_is_cut_at_a_sentence_end_never_past_the_next_word() -> None:
    ag = Agreement()
    hyp = words("turn off the", 0.0, 0.4) + [Word(1.25, 1.6, " lights."), Word(1.7, 2.0, " Then")]
    ag.update(hyp)
    ag.update(hyp + [Word(2.0, 2.3, " lock")])
    assert ag.text == "turn off the lights. Then"  # "lock" waits for a second decode
    # Loud everywhere but a short gap between "the" and "lights" and one after "lights.".
    env = envelope(2.4, [(0.0, 1.2), (1.25, 1.6), (1.7, 2.3)])
    cut = choose_cut(ag, env, HOP, 0.0, 2.3, quiet=0.1)
    assert cut is not None and 1.6 <= cut <= 1.7  # after the sentence, before "Then"


def test_a_gap_inside_a_sentence_is_no_cut_unless_the_buffer_grew_long() -> None:
    ag = Agreement()
    hyp = words("we missed the last train", 0.0, 0.4)  # 0.0-2.0
    ag.update(hyp)
    ag.update(hyp + [Word(2.0, 2.4, " home")])
    env = envelope(2.6, [(0.0, 0.75), (0.85, 2.4)])  # a 0.1 s gap between "missed" and "the"
    assert choose_cut(ag, env, HOP, 0.0, 2.5, quiet=0.1) is None
    cut = choose_cut(ag, env, HOP, 0.0, 2.5, quiet=0.1, level=3)
    assert cut is not None and 0.75 <= cut <= 0.85
    # The next decode of the buffer from there hears "the last train home": only "home" is new.
    again = [Word(0.86, 1.2, " the"), Word(1.2, 1.6, " last"), Word(1.6, 1.98, " train"),
             Word(2.02, 2.4, " home")]
    assert [w.key for w in ag.fresh(again)] == ["home"]


def test_a_pause_is_cut_in_its_middle() -> None:
    ag = Agreement()
    hyp = words("open my notes", 0.0, 0.4) + [Word(2.0, 2.4, " and")]
    ag.update(hyp)
    ag.update(hyp + [Word(2.4, 2.8, " read")])
    env = envelope(3.0, [(0.0, 1.2), (2.0, 2.8)])  # 0.8 s of silence after "notes"
    assert choose_cut(ag, env, HOP, 0.0, 2.9, quiet=0.1) is None  # quiet, but no sentence ends
    cut = choose_cut(ag, env, HOP, 0.0, 2.9, quiet=0.1, pauses=[(1.25, 1.95)])
    assert cut is not None and 1.5 <= cut <= 1.7


def test_a_clause_end_is_a_cut_at_level_two() -> None:
    ag = Agreement()
    hyp = [Word(0.0, 0.5, " Yes,"), Word(0.6, 1.0, " open"), Word(1.0, 1.4, " it")]
    ag.update(hyp)
    ag.update(hyp + [Word(1.4, 1.8, " now")])
    env = envelope(2.0, [(0.0, 0.5), (0.6, 1.8)])
    assert choose_cut(ag, env, HOP, 0.0, 1.9, quiet=0.1) is None
    cut = choose_cut(ag, env, HOP, 0.0, 1.9, quiet=0.1, level=2)
    assert cut is not None and 0.5 <= cut <= 0.6


def test_no_quiet_gap_no_cut_and_a_buffer_too_long_is_cut_anyway() -> None:
    ag = Agreement()
    ag.update(words("one two three four"))
    ag.update(words("one two three four five"))
    env = np.ones(200, dtype=np.float32)  # continuous sound: nowhere quiet
    assert choose_cut(ag, env, HOP, 0.0, 1.5, quiet=0.1, level=3) is None
    cut = forced_cut(ag, env, HOP, 0.0, 1.5)
    assert cut is not None and 1.09 <= cut <= 1.25  # just after "four", before "five"


def test_cutting_before_committed_words_reopens_them_and_they_are_agreed_again() -> None:
    ag = Agreement()
    first = [Word(0.0, 0.6, " afternoon,"), Word(0.7, 0.9, " could"), Word(0.9, 1.1, " you")]
    ag.update(first)
    ag.update(first + [Word(1.1, 1.3, " send")])
    assert ag.text == "afternoon, could you"
    assert join(ag.reopen(0.65)) == "could you"  # the buffer starts again after "afternoon,"
    assert ag.text == "afternoon," and ag.pending == "could you send"
    # From the new start the model hears the sentence whole; agreement works as before, and
    # nothing is matched by time (tiny's word times overlap: "you" 0.9-1.1, "send" 1.0-1.3).
    again = [Word(0.7, 0.9, " Could"), Word(0.9, 1.1, " you"), Word(1.0, 1.3, " send"), Word(1.3, 1.5, " the")]
    assert join(ag.update(again)) == "Could you send"
    assert ag.text == "afternoon, Could you send" and ag.pending == "the"


def test_committed_words_heard_again_are_found_by_their_words_not_their_times() -> None:
    ag = Agreement()
    first = words("could you")  # "you" ends at 0.6
    ag.update(first)
    ag.update(first + [Word(0.6, 0.8, " send")])
    assert ag.text == "could you"
    # The next decode of the same buffer puts "send" 0.1 s before the end of "you": a
    # start-time rule would drop it.
    again = [Word(0.0, 0.3, " Could"), Word(0.3, 0.7, " you"), Word(0.5, 0.8, " send"), Word(0.8, 1.0, " the")]
    assert [w.key for w in ag.fresh(again, start=0.0)] == ["send", "the"]
    # The model changed its mind about a committed word: then by time, at each word's middle.
    changed = [Word(0.0, 0.3, " Would"), Word(0.3, 0.62, " ya"), Word(0.55, 0.8, " send")]
    assert [w.key for w in ag.fresh(changed, start=0.0)] == ["send"]


def test_the_prompt_holds_only_committed_words_before_the_decoded_audio() -> None:
    ag = Agreement()
    ag.finish(words("in the afternoon, could you"))  # 0.0-1.5
    assert ag.prompt(before=0.9) == "in the afternoon,"  # "could you" are in the audio decoded
    assert ag.prompt(before=0.0) is None
