"""Notes and named lists ("add milk to my shopping list"), kept in the encrypted item store."""

from __future__ import annotations

import re
import uuid
from typing import Any

from rapidfuzz import fuzz

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context, item_data
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full, raw_tail

NOTE_KIND = "note"
LIST_KIND = "list_item"
_NOTE_HEADS = (
    r"note that", r"take a note(?: that)?", r"make a note(?: that| of| to)?", r"note to self",
    r"jot down(?: that)?", r"add a note(?: that)?", r"create a note(?: that)?", r"new note",
    r"write a note(?: that)?", r"note down(?: that)?", r"save a note(?: that)?",
)
_NOTE = compile_all([rf"(?:{h})(?: saying)? (?P<body>.+)" for h in _NOTE_HEADS])
_PROSE_NOTE = re.compile(r"^\W*please,? note\b", re.IGNORECASE)
_LISTNAME = r"(?P<list>[a-z]+(?: [a-z]+)?) list"
_ON = r"(?:to|on|onto|in|into|for)"
_ADD = compile_all([
    rf"(?:add|put|stick|throw|include|write|pop)(?: down)? (?P<items>.+?) {_ON} "
    rf"(?:the|my|our|a) {_LISTNAME}",
    rf"(?:add|put) to (?:the|my|our) {_LISTNAME} (?P<items>.+)",
])
_SHOW = compile_all([
    rf"what is (?:on|in) (?:the|my|our) {_LISTNAME}",
    rf"what (?:is|are|do i have|do i need|have i got|things are) (?:on|in) (?:the|my|our) "
    rf"{_LISTNAME}",
    rf"what do i (?:have|need) (?:on|in|from) (?:the|my|our) {_LISTNAME}",
    rf"(?:read|show|tell|list|give|check)(?: me)?(?: out)? (?:the|my|our) {_LISTNAME}",
    rf"(?:the|my) {_LISTNAME}",
])
_SHOW_NOTES = compile_all([
    r"(?:read|show|list|give|check)(?: me)?(?: out)? (?:all )?(?:my |the )?notes",
    r"what (?:are|were) my notes",
    r"what notes do i have",
    r"(?:do i have|have i got) any notes",
    r"my notes",
])
_REMOVE = compile_all([
    rf"(?:remove|delete|take|cross|scratch|strike|tick) (?P<item>.+?) (?:off|from|out of) "
    rf"(?:the|my|our) {_LISTNAME}",
    rf"(?:cross|tick|take|scratch) off (?P<item>.+?) (?:from|on) (?:the|my|our) {_LISTNAME}",
])
_CLEAR = compile_all([rf"(?:clear|empty|wipe|delete) (?:the|my|our) {_LISTNAME}"])
_LIST_ALIASES = {
    "grocery": "shopping", "groceries": "shopping", "grocery shopping": "shopping",
    "shop": "shopping", "shoping": "shopping", "todo": "todo", "to do": "todo", "do": "todo",
    "things to do": "todo", "task": "todo", "tasks": "todo",
}
_FUZZY_ITEM = 85


def _list_name(name: str) -> str:
    name = name.strip()
    return _LIST_ALIASES.get(name, name)


def _split_items(items: str) -> list[str]:
    parts = re.split(r",| and | & ", items)
    out = []
    for p in parts:
        p = re.sub(r"^(?:some|a|an|the|more) ", "", p.strip())
        if p:
            out.append(p)
    return out


class NotesSkill(Skill):
    name = "notes"

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.text
        m = full(_NOTE, text)
        # "Please note that…" is the stock phrase of letters and e-mails, not a request.
        if m and not _PROSE_NOTE.match(utt.raw):
            body = None
            for head in _NOTE_HEADS:
                body = raw_tail(utt.raw, head)
                if body:
                    break
            return Match("add_note", EXACT, {"text": body or m.group("body")})
        m = full(_ADD, text)
        if m:
            items = _split_items(m.group("items"))
            if items and all(len(i.split()) <= 5 for i in items):
                return Match("add_to_list", EXACT,
                             {"list": _list_name(m.group("list")), "items": items})
            return None
        m = full(_REMOVE, text)
        if m:
            return Match("remove_from_list", EXACT,
                         {"list": _list_name(m.group("list")), "item": m.group("item").strip()})
        m = full(_CLEAR, text)
        if m:
            return Match("clear_list", EXACT, {"list": _list_name(m.group("list"))})
        m = full(_SHOW, text)
        if m:
            return Match("show_list", EXACT, {"list": _list_name(m.group("list"))})
        if full(_SHOW_NOTES, text):
            return Match("show_notes", EXACT, {})
        return None

    def preview(self, match: Match, ctx: Context) -> Outcome:
        p = match.params
        replies = {
            "add_note": f"would note: {p.get('text', '')}",
            "add_to_list": f"would add {', '.join(p.get('items', []))} to your "
                           f"{p.get('list')} list",
            "remove_from_list": f"would remove {p.get('item')} from your {p.get('list')} list",
            "clear_list": f"would clear your {p.get('list')} list",
            "show_list": f"would read your {p.get('list')} list",
            "show_notes": "would read your notes",
        }
        return Outcome(replies[match.intent], performed=False)

    def run(self, match: Match, ctx: Context) -> Outcome:
        p = match.params
        created = ctx.clock.now().timestamp()
        if match.intent == "add_note":
            item_id = uuid.uuid4().hex
            ctx.store.put_item(NOTE_KIND, item_id, {"id": item_id, "text": p["text"],
                                                    "created": created})
            return Outcome(f"Noted: {p['text']}", performed=True)
        if match.intent == "show_notes":
            notes = sorted((item_data(i) for i in ctx.store.get_items(NOTE_KIND)),
                           key=lambda d: d.get("created", 0))
            if not notes:
                return Outcome("You have no notes.", performed=True)
            return Outcome("Your notes: " + "; ".join(str(n.get("text", "")) for n in notes),
                           performed=True)
        name = p["list"]
        items = self._items(ctx, name)
        if match.intent == "add_to_list":
            have = {str(i["item"]).lower() for i in items}
            added = [i for i in p["items"] if i.lower() not in have]
            for n, item in enumerate(added):
                item_id = uuid.uuid4().hex
                # The small offset keeps the spoken order when the clock does not move.
                ctx.store.put_item(LIST_KIND, item_id, {"id": item_id, "list": name,
                                                        "item": item, "created": created + n / 1000})
            if not added:
                return Outcome(f"{', '.join(p['items'])} is already on your {name} list.",
                               performed=False)
            return Outcome(f"Added {', '.join(added)} to your {name} list.", performed=True)
        if match.intent == "show_list":
            if not items:
                return Outcome(f"Your {name} list is empty.", performed=True)
            return Outcome(f"On your {name} list: " + ", ".join(str(i["item"]) for i in items)
                           + ".", performed=True)
        if match.intent == "clear_list":
            for i in items:
                ctx.store.delete_item(LIST_KIND, str(i["id"]))
            return Outcome(f"Cleared your {name} list ({len(items)} items).", performed=True)
        # remove_from_list: the closest item, if it is close enough to be the one meant
        best = max(items, key=lambda i: fuzz.ratio(p["item"], str(i["item"]).lower()),
                   default=None)
        if best is None or fuzz.ratio(p["item"], str(best["item"]).lower()) < _FUZZY_ITEM:
            return Outcome(f"{p['item']} is not on your {name} list.", performed=False)
        ctx.store.delete_item(LIST_KIND, str(best["id"]))
        return Outcome(f"Removed {best['item']} from your {name} list.", performed=True)

    @staticmethod
    def _items(ctx: Context, name: str) -> list[dict[str, Any]]:
        items = [d for d in map(item_data, ctx.store.get_items(LIST_KIND))
                 if d.get("list") == name]
        return sorted(items, key=lambda d: d.get("created", 0))
