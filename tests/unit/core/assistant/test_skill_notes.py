from __future__ import annotations

import pytest

from trayassist.core.assistant import Assistant, Context

pytestmark = pytest.mark.unit


def test_note_keeps_the_speakers_words(assistant: Assistant, ctx: Context) -> None:
    r = assistant.handle("Note that the Wi-Fi password is Tulip42.")
    assert (r.skill, r.performed) == ("notes", True)
    [note] = ctx.store.get_items("note")
    assert note["text"] == "the Wi-Fi password is Tulip42"
    assert "Tulip42" in assistant.handle("read my notes").reply


def test_shopping_list_round_trip(assistant: Assistant, ctx: Context) -> None:
    assert assistant.handle("Add milk to my shopping list.").performed
    assert assistant.handle("add eggs and bread to the grocery list").performed
    assert assistant.handle("What's on my shopping list?").reply == \
        "On your shopping list: milk, eggs, bread."
    assert assistant.handle("take eggs off the shopping list").performed
    r = assistant.handle("remove bananas from my shopping list")
    assert r.skill == "notes" and not r.performed and "not on your shopping list" in r.reply
    items = sorted(i["item"] for i in ctx.store.get_items("list_item"))
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
