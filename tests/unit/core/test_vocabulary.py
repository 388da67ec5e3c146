"""The vocabulary list: editing, the file format, the model's hint and the IPC request."""

from __future__ import annotations

import pytest

from trayassist.core import vocabulary as v
from trayassist.core.config import Settings

pytestmark = pytest.mark.unit


def test_add_keeps_order_skips_duplicates_and_takes_a_new_spelling() -> None:
    change = v.add(["Siobhan"], ["Grafana", "  Chinua   Okonkwo ", "Siobhan", "grafana"])
    assert change.words == ["Siobhan", "grafana", "Chinua Okonkwo"]
    assert change.added == ["Grafana", "Chinua Okonkwo", "grafana"] and change.skipped == ["Siobhan"]


@pytest.mark.parametrize("bad", ["", "   ", "x" * 61, "bell\x07", "zero\u200bwidth"])
def test_bad_entries_are_refused_in_one_line(bad: str) -> None:
    with pytest.raises(v.VocabularyError) as e:
        v.add([], [bad])
    assert "\n" not in str(e.value)


def test_remove_any_case_and_report_missing() -> None:
    change = v.remove(["Siobhan", "Grafana"], ["siobhan", "Nope"])
    assert change.words == ["Grafana"] and change.removed == ["Siobhan"] and change.missing == ["Nope"]


def test_list_is_bounded() -> None:
    full = [f"word{i}" for i in range(v.MAX_ENTRIES)]
    with pytest.raises(v.VocabularyError):
        v.add(full, ["one more"])


def test_text_file_round_trip() -> None:
    words = ["Siobhan", "Chinua Okonkwo", "PostgreSQL"]
    text = v.export_text(words)
    assert v.parse_text(text) == words
    assert v.parse_text("\ufeff# names\n\nSiobhan\r\n  Grafana  \n") == ["Siobhan", "Grafana"]
    with pytest.raises(v.VocabularyError, match="line 2"):
        v.parse_text("ok\n" + "y" * 80)


def test_hint_is_a_sentence_and_fits_the_token_budget() -> None:
    assert v.hint_text([]) is None
    assert v.hint_text(["Siobhan", "Grafana"]) == "Names and words: Siobhan, Grafana."
    many = [f"Name{i}" for i in range(200)]
    hint = v.hint_text(many, count_tokens=lambda t: len(t.split()), max_tokens=20)
    assert hint is not None and len(hint.split()) <= 20 and hint.endswith(".")
    assert hint.startswith("Names and words: Name0, Name1,")  # the first entries are kept


def test_apply_and_the_ipc_request() -> None:
    s = Settings()
    saved: list[Settings] = []
    result = v.handle_request({"action": "add", "words": ["Siobhan"]}, s, saved.append)
    assert result["added"] == ["Siobhan"] and saved[-1].vocabulary == ["Siobhan"]
    result = v.handle_request({"action": "list"}, saved[-1], saved.append)
    assert result["words"] == ["Siobhan"] and len(saved) == 1  # nothing to save
    v.handle_request({"action": "import", "words": ["# x\nGrafana\n"]}, saved[-1], saved.append)
    assert saved[-1].vocabulary == ["Siobhan", "Grafana"]
    for bad in ({"action": "drop"}, {"action": "add", "words": "Siobhan"}, {"action": "add", "words": [1]}):
        with pytest.raises(v.VocabularyError):
            v.handle_request(bad, s, saved.append)


def test_settings_keep_the_new_fields_and_fall_back_on_bad_values(tmp_path) -> None:
    from trayassist.core.config import SettingsStore

    store = SettingsStore(tmp_path / "settings.json")
    store.save(Settings().replace(vocabulary=["Siobhan"], replacements=[["gonna", "going to"]],
                                  drop_fillers=False, spoken_punctuation=False, transcribe_format="vtt"))
    loaded = store.load()
    assert (loaded.vocabulary, loaded.replacements, loaded.drop_fillers, loaded.spoken_punctuation,
            loaded.transcribe_format) == (["Siobhan"], [["gonna", "going to"]], False, False, "vtt")
    (tmp_path / "settings.json").write_text(
        '{"vocabulary": "Siobhan", "replacements": [["a"]], "drop_fillers": "yes", '
        '"spoken_punctuation": 1, "transcribe_format": "doc"}')
    loaded = store.load()
    assert loaded == Settings() and len(store.problems) == 5
    assert all("\n" not in p for p in store.problems)
    assert any("replacements" in p and "pairs" in p for p in store.problems)
    for bad in ([["", "x"]], [["a", 1]], [("a", "b", "c")], "a=b"):
        assert Settings.from_dict({"replacements": bad})[1], bad


def test_whitespace_inside_an_entry_is_collapsed() -> None:
    assert v.add([], ["Chinua\tOkonkwo\n"]).words == ["Chinua Okonkwo"]
