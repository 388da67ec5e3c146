"""Notes and named lists ("add milk to my shopping list"), kept in the encrypted item store.

Lists: create, add, read, "what lists do I have", remove an item, clear or remove a list; what
is removed can be put back with "undo" during the session."""

from __future__ import annotations

import re
import uuid
from typing import Any

from rapidfuzz import fuzz

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context, item_data
from trayassist.core.assistant.normalize import Utterance, make_utterance
from trayassist.core.assistant.skills import list_words as lw
from trayassist.core.assistant.skills._common import compile_all, full, raw_tail

NOTE_KIND = "note"
LIST_KIND = "list_item"
LISTS_KIND = "list"  # a list that exists even while empty ("create a packing list")
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
_CLEAR = compile_all([rf"(?:clear|empty|wipe) (?:the|my|our) {_LISTNAME}"])
_CREATE = re.compile(r"\b(?:create|make|start|begin|new|set up|open)\b(?:.* )?\blist\b")
_FUZZY_ITEM = 85
_EVERYTHING = (r"(?:everything|every (?:item|thing|entry)|all (?:of )?(?:the |my )?(?:things|items|stuff|entries)"
               r"|all of it|all|the (?:whole )?lot)")
_ORDERING = re.compile(r"\b(?:buy|purchase|order|want|need|like to have|get me)\b(?: \w+)?(?: \w+)? "
                       rf"{_EVERYTHING} (?:on|in|from)\b")
_ALL_ITEMS = re.compile(rf"(?:(?:absolutely|just|simply) )?{_EVERYTHING}(?: (?:that is|that's|which is) (?:on|in) it)?")


def _removing(name: str | None, item: str) -> Match:
    """"Remove everything from my shopping list" empties the list; it has no item called
    "everything"."""
    if _ALL_ITEMS.fullmatch(item):
        return Match("clear_list", EXACT, {"list": name})
    return Match("remove_from_list", EXACT, {"list": name, "item": item})


class NotesSkill(Skill):
    name = "notes"
    template_only = frozenset({"add_note", "show_notes"})
    destructive = frozenset({"remove_list", "clear_list"})

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
            items = lw.split_items(m.group("items"))
            if items and all(len(i.split()) <= 5 for i in items):
                return Match("add_to_list", EXACT, {"list": lw.canonical(m.group("list")), "items": items})
            return None
        m = full(_REMOVE, text)
        if m:
            return _removing(lw.canonical(m.group("list")), m.group("item").strip())
        m = full(_CLEAR, text)
        if m:
            return Match("clear_list", EXACT, {"list": lw.canonical(m.group("list"))})
        m = full(_SHOW, text)
        if m:
            return Match("show_list", EXACT, {"list": lw.canonical(m.group("list"))})
        if full(_SHOW_NOTES, text):
            return Match("show_notes", EXACT, {})
        return None

    def parse(self, label: str, utt: Utterance, ctx: Context) -> Match | None:
        rule = self.match(utt, ctx)
        if rule is not None:
            return rule
        text = utt.text
        name = lw.list_name(text)
        if name is None and not re.search(r"\b(?:lists?|notes)\b", text):
            return None  # "put it on my tab", "what timers do I have": no list in sight
        if label == "notes.note":
            return None  # free notes only through their templates: prose says "note" too often
        if label != "notes.remove" and _ORDERING.search(text):
            return None  # "buy everything on my shopping list": an order, which no skill here places
        if label == "notes.query":
            if re.search(r"\bnotes\b", text) and not re.search(r"\blists?\b", text):
                return Match("show_notes", EXACT, {})
            item = lw.item_asked(text)
            if item is not None:
                return Match("has_item", EXACT, {"list": name, "item": item})
            if lw.asks_all_lists(text) or name is None and re.search(r"\blists\b", text):
                return Match("show_lists", EXACT, {})
            return Match("show_list", EXACT, {"list": name})
        adding = re.search(r"\b(?:add|put|include|append|need|want)\b", text) and not lw.NOT_NEEDED.search(text)
        if label == "notes.remove" or (not adding and (lw.item_to_remove(text) or lw.whole_list(text))):
            whole = lw.whole_list(text)
            if whole is not None and lw.item_to_remove(text) is None:
                intent = "clear_list" if whole[0] == "clear" else "remove_list"
                return Match(intent, EXACT, {"list": whole[1] or name})
            item = lw.item_to_remove(text)
            if item is None:
                return Match("remove_from_list", EXACT, {"list": name},
                             error="Which item should I remove, and from which list?")
            return _removing(name, item)
        # Commas separate items ("eggs, bread and butter") but normalising drops them.
        items = lw.items_to_add(make_utterance(re.sub(r"(?<!\d),|,(?!\d)", " and ", utt.raw)).text)
        if not items and _CREATE.search(text):
            return Match("create_list", EXACT, {"list": name},
                         error=None if name else "What should the new list be called?")
        if not items:
            return Match("add_to_list", EXACT, {"list": name}, error="What should I add to the list?")
        return Match("add_to_list", EXACT, {"list": name, "items": items})

    def preview(self, match: Match, ctx: Context) -> Outcome:
        p = match.params
        name = p.get("list") or self._default_list(ctx) or "shopping"
        replies = {
            "add_note": f"would note: {p.get('text', '')}",
            "add_to_list": f"would add {', '.join(p.get('items', []))} to your {name} list",
            "create_list": f"would create a {name} list",
            "remove_from_list": f"would remove {p.get('item')} from your {name} list",
            "clear_list": f"would clear your {name} list",
            "remove_list": f"would remove your {name} list",
            "show_list": f"would read your {name} list",
            "has_item": f"would look for {p.get('item')} on your {name} list",
            "show_lists": "would name your lists",
            "show_notes": "would read your notes",
        }
        return Outcome(replies[match.intent], performed=False)

    def run(self, match: Match, ctx: Context) -> Outcome:
        p = match.params
        created = ctx.clock.now().timestamp()
        if match.intent == "add_note":
            item_id = uuid.uuid4().hex
            ctx.store.put_item(NOTE_KIND, item_id, {"id": item_id, "text": p["text"], "created": created})
            return Outcome(f"Noted: {p['text']}", performed=True)
        if match.intent == "show_notes":
            notes = sorted((item_data(i) for i in ctx.store.get_items(NOTE_KIND)),
                           key=lambda d: d.get("created", 0))
            if not notes:
                return Outcome("You have no notes.", performed=True)
            return Outcome("Your notes: " + "; ".join(str(n.get("text", "")) for n in notes), performed=True)
        if match.intent == "show_lists":
            names = self._lists(ctx)
            if not names:
                return Outcome("You have no lists.", performed=True)
            return Outcome(f"You have {len(names)} list{'s' if len(names) != 1 else ''}: "
                           f"{', '.join(names)}.", performed=True)
        name = p.get("list") or self._default_list(ctx)
        if name is None:
            return Outcome("Which list? You have: " + ", ".join(self._lists(ctx)) + ".", performed=False)
        items = self._items(ctx, name)
        if match.intent == "create_list":
            if name in self._lists(ctx):
                return Outcome(f"You already have a {name} list.", performed=False)
            self._remember_list(ctx, name, created)
            return Outcome(f"Created your {name} list.", performed=True)
        if match.intent == "add_to_list":
            return self._add(ctx, name, items, p["items"], created)
        if match.intent == "show_list":
            if not items:
                known = name in self._lists(ctx)
                return Outcome(f"Your {name} list is empty." if known else f"You have no {name} list.",
                               performed=True)
            return Outcome(f"On your {name} list: " + ", ".join(str(i["item"]) for i in items) + ".",
                           performed=True)
        if match.intent == "has_item":
            found = self._closest(items, p["item"])
            return Outcome(f"Yes, {found['item']} is on your {name} list." if found
                           else f"No, {p['item']} is not on your {name} list.", performed=True)
        if match.intent in ("clear_list", "remove_list"):
            return self._drop_list(ctx, name, items, whole=match.intent == "remove_list")
        best = self._closest(items, p["item"])
        if best is None:
            return Outcome(f"{p['item']} is not on your {name} list.", performed=False)
        ctx.store.delete_item(LIST_KIND, str(best["id"]))
        ctx.undo.push(f"removing {best['item']}", lambda: self._restore(ctx, [best], None))
        return Outcome(f"Removed {best['item']} from your {name} list. Say \"undo\" to put it back.",
                       performed=True)

    def _add(self, ctx: Context, name: str, items: list[dict[str, Any]], new: list[str],
             created: float) -> Outcome:
        have = {str(i["item"]).lower() for i in items}
        added = [i for i in new if i.lower() not in have]
        self._remember_list(ctx, name, created)
        for n, item in enumerate(added):
            item_id = uuid.uuid4().hex
            # The small offset keeps the spoken order when the clock does not move.
            ctx.store.put_item(LIST_KIND, item_id, {"id": item_id, "list": name, "item": item,
                                                    "created": created + n / 1000})
        if not added:
            return Outcome(f"{', '.join(new)} is already on your {name} list.", performed=False)
        return Outcome(f"Added {', '.join(added)} to your {name} list.", performed=True)

    def _drop_list(self, ctx: Context, name: str, items: list[dict[str, Any]], whole: bool) -> Outcome:
        record = next((r for r in self._records(ctx) if r.get("name") == name), None)
        if not items and record is None:
            return Outcome(f"You have no {name} list.", performed=False)
        for i in items:
            ctx.store.delete_item(LIST_KIND, str(i["id"]))
        if whole and record is not None:
            ctx.store.delete_item(LISTS_KIND, str(record["id"]))
        what = "removing" if whole else "clearing"
        ctx.undo.push(f"{what} your {name} list",
                      lambda: self._restore(ctx, items, record if whole else None, name))
        done = "Removed" if whole else "Cleared"
        count = f"{len(items)} item{'s' if len(items) != 1 else ''}"
        return Outcome(f"{done} your {name} list ({count}). Say \"undo\" to bring it back.", performed=True)

    @staticmethod
    def _restore(ctx: Context, items: list[dict[str, Any]], record: dict[str, Any] | None,
                 name: str | None = None) -> str:
        if record is not None:
            ctx.store.put_item(LISTS_KIND, str(record["id"]), record)
        for i in items:
            ctx.store.put_item(LIST_KIND, str(i["id"]), i)
        if name is not None:
            return f"Your {name} list is back ({len(items)} item{'s' if len(items) != 1 else ''})."
        return f"{', '.join(str(i['item']) for i in items)} is back on your list."

    @staticmethod
    def _closest(items: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
        """The item meant, if one is close enough (rapidfuzz ratio)."""
        best = max(items, key=lambda i: fuzz.ratio(wanted, str(i["item"]).lower()), default=None)
        if best is None or fuzz.ratio(wanted, str(best["item"]).lower()) < _FUZZY_ITEM:
            return None
        return best

    def _default_list(self, ctx: Context) -> str | None:
        names = self._lists(ctx)
        return names[0] if len(names) == 1 else None

    @staticmethod
    def _records(ctx: Context) -> list[dict[str, Any]]:
        return [item_data(r) for r in ctx.store.get_items(LISTS_KIND)]

    def _lists(self, ctx: Context) -> list[str]:
        names = [str(r.get("name")) for r in sorted(self._records(ctx), key=lambda d: d.get("created", 0))]
        for d in map(item_data, ctx.store.get_items(LIST_KIND)):
            if str(d.get("list")) not in names:
                names.append(str(d.get("list")))
        return names

    def _remember_list(self, ctx: Context, name: str, created: float) -> None:
        if any(r.get("name") == name for r in self._records(ctx)):
            return
        list_id = uuid.uuid4().hex
        ctx.store.put_item(LISTS_KIND, list_id, {"id": list_id, "name": name, "created": created})

    @staticmethod
    def _items(ctx: Context, name: str) -> list[dict[str, Any]]:
        items = [d for d in map(item_data, ctx.store.get_items(LIST_KIND)) if d.get("list") == name]
        return sorted(items, key=lambda d: d.get("created", 0))
