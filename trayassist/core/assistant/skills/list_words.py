"""Reads list requests however worded: which list, which items, add / remove / clear / ask."""

from __future__ import annotations

import re

_ALIASES = {
    "grocery": "shopping", "groceries": "shopping", "grocery shopping": "shopping",
    "shop": "shopping", "shoping": "shopping", "shopping": "shopping", "food": "shopping",
    "todo": "todo", "to do": "todo", "do": "todo", "things to do": "todo", "task": "todo",
    "tasks": "todo", "chore": "todo", "chores": "todo", "todos": "todo", "todo s": "todo",
    "buy": "shopping", "to buy": "shopping", "things to buy": "shopping",
}
_STOP = {
    "my", "the", "our", "a", "an", "this", "that", "new", "your", "his", "her", "their", "to", "on",
    "from", "in", "into", "onto", "of", "with", "for", "add", "put", "create", "make", "start",
    "remove", "delete", "erase", "clear", "show", "read", "what", "is", "are", "whole", "entire",
    "empty", "another", "current", "existing", "me", "off", "named", "called", "and", "all", "any",
    "list", "lists", "s", "open", "it", "up", "i", "do", "have", "by", "about",
}
_NAME_AFTER = re.compile(r"\blist (?:called|named|titled|for|of) (?P<name>[a-z]+(?: [a-z]+)?)")
_ADD_ITEMS = [
    re.compile(r"\b(?:add|put|stick|throw|include|write|pop|place|insert|save|append)(?: down)? "
               r"(?P<items>.+?) (?:to|on|onto|in|into|for|at) (?:the|my|our|a|an|this|that|your)\b"),
    re.compile(r"\b(?:add|put|stick|throw|include|write|pop|place|insert|save|append)(?: down)? "
               r"(?P<items>.+?) (?:to|on|onto|in|into) (?:the |my |our )?(?:\w+ )?list\b"),
    re.compile(r"\blist with (?P<items>.+)$"),
    re.compile(r"\blist,? (?:please )?(?:add|put|include|append) (?P<items>.+)$"),
    re.compile(r"\bshould (?:have|include) (?P<items>.+?) on it\b"),
    re.compile(r"\b(?:need|want|get|buy) (?P<items>.+?) (?:on|to|in|onto|added to) (?:the|my|our)\b.*\blist\b"),
    re.compile(r"\b(?:add|put|append) to (?:the|my|our) (?:\w+ ){0,2}list (?P<items>.+)$"),
    re.compile(r"^(?:add|put|include|append) (?P<items>.+?)$"),
]
# "no longer need" is a removal, though it says "need".
_NOT_NEEDED = r"\b(?:no longer|do not|does not|dont) (?:need|want)"
_REMOVE_ITEM = [
    re.compile(r"\b(?:remove|delete|take|cross|scratch|strike|tick|erase|drop|rub|get rid of|nix|check)(?: off| out)? "
               r"(?P<item>.+?) (?:off|from|out of|on) (?:the|my|our|this|that|your|a)\b"),
    re.compile(r"\b(?:remove|delete|take|cross|scratch|strike|tick|erase|drop)(?: off| out)? "
               r"(?P<item>.+?) (?:off|from|out of) (?:the |my |our )?(?:\w+ )?list\b"),
    re.compile(r"\b(?:cross|tick|take|scratch|strike) off (?P<item>.+?)(?: (?:from|on) .*)?$"),
    # "we no longer need fries on the shopping list", "i do not need milk anymore"
    re.compile(rf"{_NOT_NEEDED} (?P<item>.+?)"
               r"(?: (?:on|in|from) (?:the|my|our|this|that|your)\b.*| any ?more\b.*| so\b.*)?$"),
]
NOT_NEEDED = re.compile(rf"{_NOT_NEEDED}\b")
_WHOLE_LIST = re.compile(
    r"\b(?:remove|delete|erase|clear|empty|wipe|get rid of|throw away|throw out|cancel|discard|scrap|"
    r"destroy|trash|bin|purge|drop)(?: out)? (?:(?:the|my|our|this|that|a|your|entire|whole|all|of) )*"
    r"(?:(?P<name>[a-z]+(?: [a-z]+){0,2}) )?lists?\b(?!.*\b(?:item|items|entry|line)\b)")
_EMPTYING = re.compile(r"\b(?:clear|empty|wipe)\b|\beverything\b|\ball (?:the )?items\b")
_EVERYTHING = re.compile(r"\b(?:remove|delete|erase|clear|wipe|get rid of|take off|cross off)(?: off)? (?:everything|"
                         r"all (?:the )?items|all of it|all entries)(?: (?:on|in|from|off) (?:the|my|our) "
                         r"(?P<name>(?:[a-z]+ ){0,3}?)list)?\b")
_ALL_LISTS = re.compile(r"\b(?:what|which|all|any|show|list|read|name|display|give me|tell me)\b.*\blists\b|"
                        r"\bhow many lists\b|\bavailable lists\b|\blists (?:do i have|are there|available)\b")
_HAS_ITEM = [
    re.compile(r"^(?:is|are) (?:there )?(?:any )?(?P<item>.+?) (?:on|in) (?:the|my|our|this)\b"),
    re.compile(r"^did i (?:add|put|include|write) (?P<item>.+?) (?:on|to|in|onto) (?:the|my|our)\b"),
    re.compile(r"^do i have (?P<item>.+?) (?:on|in) (?:the|my|our)\b"),
    re.compile(r"^(?:is|are) (?P<item>.+?) (?:already )?(?:on|in) (?:the|my|our)\b"),
]
_PRONOUNS = {"it", "that", "this", "them", "those", "these", "something", "stuff", "things", "an item",
             "item", "the item", "that item", "this item", "a thing", "some items", "items", "one",
             "some", "the last item", "the last one", "everything"}


def list_name(text: str) -> str | None:
    """The list a request names: "my grocery list" -> "shopping", "list called packing" -> "packing"."""
    text = re.sub(r"\bthings to do\b", "todo", text)
    text = re.sub(r"\bthings to buy\b", "shopping", text)
    m = _NAME_AFTER.search(text)
    if m:
        named = [w for w in m.group("name").split() if w not in _STOP]
        if named:
            return canonical(" ".join(named))
    tokens = text.split()
    for i, tok in enumerate(tokens):
        if tok not in ("list", "lists") or i == 0:
            continue
        words: list[str] = []
        for w in reversed(tokens[max(0, i - 3):i]):
            if w in _STOP:
                break
            words.insert(0, w)
        if words:
            return canonical(" ".join(words))
    if re.search(r"\b(?:shopping|groceries|grocery)\b|\bto buy\b|\bneed to get\b", text):
        return "shopping"
    if re.search(r"\b(?:to ?do|todos?|chores|tasks)\b|\b(?:have|need|left) to do\b", text):
        return "todo"
    return None


def canonical(name: str) -> str:
    name = name.strip()
    if name.endswith(" s"):
        name = name[:-2]
    return _ALIASES.get(name, name)


def split_items(items: str) -> list[str]:
    items = re.sub(r"\b(?:please|thanks|as well|too|also|if (?:it|they) (?:is|are) not.*|unless.*)$", "",
                   items).strip()
    parts = re.split(r",| and | & | plus ", items)
    out = []
    for p in parts:
        p = re.sub(r"^(?:some|a|an|the|more|also) ", "", p.strip())
        if p and p not in _PRONOUNS:
            out.append(p)
    return out


def items_to_add(text: str) -> list[str]:
    for rx in _ADD_ITEMS:
        m = rx.search(text)
        if m:
            items = m.group("items")
            if re.search(r"\blist\b", items) and rx is not _ADD_ITEMS[2]:
                continue
            found = split_items(items)
            if found and all(len(i.split()) <= 8 for i in found):
                return found
    return []


def item_to_remove(text: str) -> str | None:
    for rx in _REMOVE_ITEM:
        m = rx.search(text)
        if m:
            item = re.sub(r"^(?:the|a|an|some) ", "", m.group("item").strip())
            if item and item not in _PRONOUNS and not item.endswith("list") and len(item.split()) <= 8:
                return item
    return None


def whole_list(text: str) -> tuple[str, str | None] | None:
    """("remove" or "clear", the list's name or None) when the request is about a whole list."""
    m = _EVERYTHING.search(text)
    if m is not None:
        words = [w for w in (m.group("name") or "").split() if w not in _STOP]
        return "clear", (canonical(" ".join(words)) if words else list_name(text))
    m = _WHOLE_LIST.search(text)
    if m is None:
        return None
    name = m.group("name")
    words = [w for w in (name or "").split() if w not in _STOP]
    return ("clear" if _EMPTYING.search(text) else "remove"), (canonical(" ".join(words)) if words else None)


def asks_all_lists(text: str) -> bool:
    return bool(_ALL_LISTS.search(text))


def item_asked(text: str) -> str | None:
    for rx in _HAS_ITEM:
        m = rx.match(text)
        if m:
            item = re.sub(r"^(?:the|a|an|some|any) ", "", m.group("item").strip())
            if item and item not in _PRONOUNS and item not in ("anything", "there anything", "something"):
                return item
    return None
