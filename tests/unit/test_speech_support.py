"""The test helper that judges transcripts must itself be able to fail."""

import pytest

from tests.support.speech import assert_heard, word_error_rate

pytestmark = pytest.mark.unit


def test_word_error_rate_counts_whole_words() -> None:
    said = "Please buy milk and bread on the way home."
    assert word_error_rate(said, "please buy milk and bread on the way home") == 0
    assert word_error_rate(said, "Please buy milk and red on the way home.") == pytest.approx(1 / 9)
    assert word_error_rate(said, "") == 1
    assert_heard(said, "Please buy milk and red on the way home.")
    with pytest.raises(AssertionError, match="WER"):
        assert_heard(said, "Thanks for watching!")
    with pytest.raises(AssertionError):
        assert_heard(said, "please buy silk and red on the bay home")
