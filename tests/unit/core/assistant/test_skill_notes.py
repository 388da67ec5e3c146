from __future__ import annotations

import pytest

from trayassist.core.assistant import Assistant, Context
from trayassist.core.assistant.normalize import make_utterance
from trayassist.core.assistant.skills.notes import NotesSkill

pytestmark = pytest.mark.unit


def test_note_keeps_the_speakers_words(assistant: Assistant, ctx: Context) -> None:
    r = assistant.handle("Note that the Wi-Fi password is Tulip42.")
    assert (r.skill, r.performed) == ("notes", True)
    [note] = ctx.store.get_items("note")
    assert note["data"]["text"] == "the Wi-Fi password is Tulip42"
    assert "Tulip42" in assistant.handle("read my notes").reply


def test_shopping_list_round_trip(assistant: Assistant, ctx: Context) -> None:
    assert assistant.handle("Add milk to my shopping list.").performed
    assert assistant.handle("add eggs and bread to the grocery list").performed
    assert assistant.handle("What's on my shopping list?").reply == \
        "On your shopping list: milk, eggs, bread."
    assert assistant.handle("take eggs off the shopping list").performed
    r = assistant.handle("remove bananas from my shopping list")
    assert r.skill == "notes" and not r.performed and "not on your shopping list" in r.reply
    items = sorted(i["data"]["item"] for i in ctx.store.get_items("list_item"))
    assert items == ["bread", "milk"]
    assert not assistant.handle("add milk to my shopping list").performed  # already there
    assert assistant.handle("clear my shopping list").performed
    assert ctx.store.get_items("list_item") == []
    assert assistant.handle("what is on my shopping list").reply == "Your shopping list is empty."


def test_lists_are_separate(assistant: Assistant, ctx: Context) -> None:
    assistant.handle("add call the plumber to my to-do list")
    assistant.handle("add milk to my shopping list")
    assert assistant.handle("what's on my to do list").reply == \
        "On your todo list: call the plumber."


def test_fuzzy_removal(assistant: Assistant, ctx: Context) -> None:
    assistant.handle("add tomatoes to my shopping list")
    assert assistant.handle("remove tomatos from my shopping list").performed


@pytest.mark.parametrize("text", [
    "Please note that the office is closed on Friday.", "She left a note on the table.",
    "I made a note of it in my diary.", "Add salt to the soup.", "I need to buy milk.",
])
def test_prose_is_not_a_note(assistant: Assistant, ctx: Context, text: str) -> None:
    assert assistant.handle(text).skill is None
    assert ctx.store.get_items("note") == [] and ctx.store.get_items("list_item") == []


def test_lists_and_timers_persist_in_the_real_encrypted_store(tmp_path, ctx: Context) -> None:  # noqa: ANN001
    from tests.unit.core.history.support import MemoryKeyring, keyring_store
    from trayassist.core.assistant import load_skills
    from trayassist.core.assistant.services.timers import TimerScheduler

    backend = MemoryKeyring()
    store = keyring_store(tmp_path, backend).open()
    ctx.store = store
    ctx.timers = TimerScheduler(store, on_fire=lambda _t: None)
    assistant = Assistant(load_skills(), ctx)
    assert assistant.handle("add milk and eggs to my shopping list").performed
    assert assistant.handle("note that the boiler code is 7731").performed
    assert assistant.handle("set a timer for 10 minutes").performed
    store.close()

    reopened = keyring_store(tmp_path, backend).open()  # as after an app restart
    try:
        ctx.store = reopened
        ctx.timers = TimerScheduler(reopened, on_fire=lambda _t: None)
        assert assistant.handle("what's on my shopping list").reply == \
            "On your shopping list: milk, eggs."
        assert "7731" in assistant.handle("read my notes").reply
        assert [t.seconds for t in ctx.timers.list()] == [600]
        assert b"7731" not in (tmp_path / "history.sqlite3").read_bytes()  # ciphertext at rest
    finally:
        reopened.close()


@pytest.mark.parametrize("label", ["notes.add", "notes.remove"])
def test_no_longer_needed_is_removed_not_added(ctx: Context, label: str) -> None:
    """"Need" usually adds; "no longer need" takes off, whichever the model proposed."""
    m = NotesSkill().parse(label, make_utterance("we no longer need fries on the shopping list"), ctx)
    assert m is not None and (m.intent, m.params) == ("remove_from_list", {"list": "shopping", "item": "fries"})


@pytest.mark.parametrize("text", ["buy all the things on the shopping list", "i need everything on my shopping list"])
def test_ordering_a_list_is_not_reading_it(ctx: Context, text: str) -> None:
    assert NotesSkill().parse("notes.query", make_utterance(text), ctx) is None
    m = NotesSkill().parse("notes.query", make_utterance("tell me everything on my shopping list"), ctx)
    assert m is not None and m.intent == "show_list"


@pytest.mark.parametrize("text", [
    "remove everything from my shopping list", "delete all items from my to do list",
    "take everything off the grocery list", "remove all of the items on my shopping list"])
def test_removing_everything_empties_the_list(assistant: Assistant, ctx: Context, text: str) -> None:
    """There is no item called "everything": the list is emptied (a destructive action, with
    its reply), not searched for one."""
    assistant.handle("add milk and eggs to my shopping list")
    assistant.handle("add call the plumber to my to-do list")
    r = assistant.handle(text)
    assert (r.skill, r.intent) == ("notes", "clear_list"), r
    listed = "todo" if "to do" in text else "shopping"
    assert r.params["list"] == listed
    left = {i["data"]["list"] for i in ctx.store.get_items("list_item")}
    assert listed not in left and len(left) == 1  # the other list is untouched


def test_all_of_one_item_is_still_that_item(ctx: Context) -> None:
    m = NotesSkill().parse("notes.remove", make_utterance("remove all the eggs from my shopping list"), ctx)
    assert m is not None and (m.intent, m.params["item"]) == ("remove_from_list", "all the eggs")
