"""Open applications and folders by (fuzzy) name; never launches on a guess."""

from __future__ import annotations

import re
from pathlib import Path

from rapidfuzz import fuzz

from trayassist.core.assistant.base import EXACT, STRONG, Match, Outcome, Skill
from trayassist.core.assistant.context import AppEntry, Context
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full

_OPEN = r"(?:open|launch|start|run|bring up|fire up|pull up|load|switch to|go to)(?: up)?"
_KIND = r"(?P<kind>app|application|program|programme|folder|directory|dir)"
_OPEN_RX = compile_all([
    rf"{_OPEN} (?:me )?(?:the |my |a |an )?(?P<name>.+?)(?: {_KIND})?(?: please)?",
])
_SHOW_FOLDER_RX = compile_all([
    r"(?:show|show me|browse|take me to)(?: the| my)? (?P<name>.+?) (?P<kind>folder|directory)",
    r"(?:show|show me|browse|take me to)(?: the| my) (?P<name>downloads|documents|desktop|"
    r"pictures|photos|music|videos|home folder|home directory)",
])
FOLDER_ALIASES = {
    "home": "home", "home folder": "home", "home directory": "home", "my home": "home",
    "documents": "documents", "document": "documents", "docs": "documents",
    "downloads": "downloads", "download": "downloads", "desktop": "desktop",
    "pictures": "pictures", "picture": "pictures", "photos": "pictures", "images": "pictures",
    "music": "music", "videos": "videos", "video": "videos", "movies": "videos",
    "templates": "templates", "public": "public", "applications": "applications",
}
APP_SCORE = 85  # rapidfuzz ratio needed for an app name; lower guesses are not acted on
AMBIGUOUS_GAP = 4
_VENDOR = re.compile(r"^(?:gnome|kde|libreoffice|microsoft|mozilla|google|the) ")
_SUFFIX = re.compile(r" (?:web browser|browser|media player|player|editor|app)$")


def _keys(app: AppEntry) -> set[str]:
    name = app.name.lower()
    keys = {name, _VENDOR.sub("", name), _SUFFIX.sub("", name)}
    if app.generic_name:
        keys.add(app.generic_name.lower())
    if app.exec_argv:
        keys.add(Path(app.exec_argv[0]).name.lower())
    if app.target:
        keys.add(Path(app.target).stem.lower().rsplit(".", 1)[-1])
    return {k for k in keys if k}


def _score(query: str, key: str) -> float:
    return max(fuzz.ratio(query, key), fuzz.ratio(query.replace(" ", ""), key.replace(" ", "")))


def rank_apps(query: str, apps: list[AppEntry]) -> list[tuple[float, AppEntry]]:
    ranked = [(max(_score(query, k) for k in _keys(a)), a) for a in apps]
    ranked.sort(key=lambda p: -p[0])
    return ranked


class OpenAppSkill(Skill):
    name = "apps"
    template_only = frozenset({"open_app", "open_folder"})

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.text
        m = full(_OPEN_RX, text) or full(_SHOW_FOLDER_RX, text)
        if not m:
            return None
        name = m.group("name").strip()
        kind = m.groupdict().get("kind") or ""
        name = re.sub(r"^(?:up |the |my )+", "", name)
        folders = ctx.launcher.folders() if ctx.launcher is not None else {}
        folder = FOLDER_ALIASES.get(name)
        if folder and kind not in ("app", "application", "program", "programme"):
            if folders and folder not in folders:
                return Match("open_folder", EXACT, {"folder": folder},
                             error=f"I don't know where your {folder} folder is.")
            return Match("open_folder", EXACT, {"folder": folder})
        if kind in ("folder", "directory", "dir"):
            return Match("open_folder", EXACT, {"folder": name},
                         error=f"I don't know a folder called {name}.")
        if m.re in _SHOW_FOLDER_RX:
            return None
        apps = ctx.launcher.apps() if ctx.launcher is not None else []
        ranked = rank_apps(name, apps)
        good = [(s, a) for s, a in ranked if s >= APP_SCORE]
        if not good:
            if kind:  # they clearly asked for an app: say it is missing, launch nothing
                return Match("open_app", EXACT, {"name": name},
                             error=f"I couldn't find an app called {name}.")
            return None
        best_score, best = good[0]
        rivals = [a for s, a in good[1:] if best_score - s < AMBIGUOUS_GAP and a.name != best.name]
        if rivals:
            names = ", ".join([best.name, *(a.name for a in rivals[:3])])
            return Match("open_app", STRONG, {"name": name},
                         error=f"Several apps match {name}: {names}. Say the full name.")
        confidence = EXACT if best_score >= 95 else STRONG
        return Match("open_app", confidence, {"name": name, "app": best.name,
                                              "target": best.target})

    def preview(self, match: Match, ctx: Context) -> Outcome:
        if match.intent == "open_folder":
            return Outcome(f"would open your {match.params['folder']} folder", performed=False)
        return Outcome(f"would open {match.params['app']}", performed=False)

    def run(self, match: Match, ctx: Context) -> Outcome:
        launcher = ctx.launcher
        if launcher is None:
            return Outcome("Opening apps is not available on this system.", performed=False)
        if match.intent == "open_folder":
            folder = match.params["folder"]
            path = launcher.folders().get(folder)
            if path is None:
                return Outcome(f"I don't know where your {folder} folder is.", performed=False)
            launcher.open_folder(path)
            return Outcome(f"Opening your {folder} folder.", performed=True)
        app = next((a for a in launcher.apps() if a.target == match.params["target"]), None)
        if app is None:
            return Outcome(f"{match.params['app']} is no longer installed.", performed=False)
        launcher.launch(app)
        return Outcome(f"Opening {app.name}.", performed=True)
