"""`trayassist doctor`: checks what the app needs and says how to fix each problem."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from trayassist.core.config import Settings, SettingsStore
from trayassist.core.paths import Paths

if TYPE_CHECKING:
    from trayassist.builder import ServiceBuilder


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""


def check_input_device(settings: Settings, sd: Any = None) -> Check:
    try:
        if sd is None:
            import sounddevice

            sd = sounddevice
        wanted = settings.input_device or None
        info = sd.query_devices(wanted, kind="input")
        return Check("microphone", "ok", f"{info['name']} ({int(info['default_samplerate'])} Hz)")
    except Exception as exc:  # PortAudio missing, no device, named device gone
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "PortAudio" in msg and "library" in msg:
            fix = "install PortAudio (Debian: sudo apt-get install libportaudio2)"
        else:
            fix = ("connect a microphone, or pick one in Settings → Microphone; "
                   "on Linux `pactl list short sources` lists them")
        return Check("microphone", "fail", f"no input device: {msg}", fix)


def check_model(settings: Settings, builder: ServiceBuilder) -> Check:
    from trayassist.core.transcribe import models

    try:
        resolved = models.resolve(settings.model, settings.model_path, builder.paths.cache,
                                  hub_cache=builder.hub_cache)
    except models.ModelNeedsDownload as exc:
        return Check("model", "fail", str(exc),
                     "choose the bundled tiny.en in Settings, or download the model from the tray when asked")
    except models.ModelError as exc:
        return Check("model", "fail", str(exc),
                     "reinstall TrayAssist (from source: `pip install trayassist[model]`) "
                     "or point Settings → Model folder at a good copy")
    return Check("model", "ok", f"{resolved.name} from {resolved.source}: {resolved.path}")


def check_hotkey(env: dict[str, str] | None = None) -> Check:
    from trayassist.platform.hotkeys.backend import select_backend

    choice = select_backend(dict(os.environ) if env is None else env)
    if choice.backend.is_global:
        return Check("hotkey", "ok", choice.describe())
    return Check("hotkey", "warn", choice.describe(),
                 "bind `trayassist ptt toggle` to a key in your desktop's keyboard shortcut settings")


def check_keyring(settings: Settings) -> Check:
    import keyring

    from trayassist.core.history import keys

    backend = keys.secure_backend(keyring)
    if backend is not None:
        return Check("keyring", "ok", f"history key kept by {type(backend).__name__}")
    if settings.history_key_backend in ("passphrase", "session", "off"):
        return Check("keyring", "ok", f"no secure OS keyring; history uses: {keys.label(settings.history_key_backend)}")
    return Check("keyring", "warn", f"no secure OS keyring ({keys.describe_backend(keyring)})",
                 "unlock or install a Secret Service (GNOME Keyring, KWallet), or choose a passphrase "
                 "or session-only key in Settings → History key")


def check_history(settings: Settings, builder: ServiceBuilder) -> Check:
    """Opens the history the way the app would, without creating one and without asking
    for a passphrase."""
    from trayassist.builder import Remedy
    from trayassist.core.history.factory import key_meta_path

    paths = builder.paths
    backend = settings.history_key_backend
    if backend in ("off", "session"):
        return Check("history", "ok", "history is off" if backend == "off" else "history is kept for the session only")
    if not paths.history_db.exists() and not key_meta_path(paths).exists():
        return Check("history", "ok", "no history yet (it starts with the first utterance)")
    opening = builder.open_history(settings)
    if opening.store is not None:
        count = opening.store.count()
        opening.store.close()
        return Check("history", "ok", f"opens; {count} record{'s' if count != 1 else ''}")
    if opening.remedy is Remedy.PASSPHRASE:
        return Check("history", "ok", "locked with a passphrase (asked when the app starts)")
    if opening.remedy is Remedy.FRESH_START:
        return Check("history", "fail", opening.problem or "cannot be opened",
                     "`trayassist history start-fresh` starts a new one and keeps the old files aside, unchanged")
    fix = ("update TrayAssist: a newer version wrote this history" if opening.remedy is Remedy.UPDATE
           else "see the keyring check; the app asks how to protect the history when it starts")
    return Check("history", "warn", opening.problem or "cannot be opened", fix)


def check_tray() -> Check:
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept alive for the checks below
    platform = QApplication.platformName()
    if QSystemTrayIcon.isSystemTrayAvailable():
        return Check("tray", "ok", f"system tray available ({platform})")
    return Check("tray", "warn", f"no system tray on this desktop ({platform})",
                 "GNOME needs the AppIndicator extension; the app still works through the hotkey and CLI")


def check_mic_watch() -> Check:
    from trayassist.core.privacy.mic import choose_mic_watch

    watch, statuses = choose_mic_watch()
    detail = "; ".join(f"{s.name}: {'ok' if s.ok else s.detail}" for s in statuses) or "no backend for this OS"
    if watch.available().ok:
        return Check("mic-watch", "ok", f"using {watch.name} ({detail})")
    fixes = [s.fix for s in statuses if s.fix]
    return Check("mic-watch", "warn", detail, fixes[0] if fixes else "")


def check_guard() -> Check:
    from trayassist.core.privacy.guard import ConnectionBlocked, NetworkGuard

    guard = NetworkGuard(own_connections=lambda: [])
    try:
        guard.check("socket.connect", (None, ("192.0.2.1", 443)))
    except ConnectionBlocked:
        return Check("guard", "ok", "non-loopback connections from Python code are blocked and counted")
    return Check("guard", "fail", "the network guard did not block a test address",
                 "report this as a bug: the guard is the app's own promise")


def run_checks(paths: Paths, keyring_module: Any = None) -> list[Check]:
    from trayassist.builder import ServiceBuilder

    settings = SettingsStore(paths.settings_file).load()
    builder = ServiceBuilder(paths, dict(os.environ), keyring_module=keyring_module)
    checks: list[tuple[str, Callable[[], Check]]] = [
        ("microphone", lambda: check_input_device(settings)),
        ("model", lambda: check_model(settings, builder)),
        ("hotkey", check_hotkey),
        ("keyring", lambda: check_keyring(settings)),
        ("history", lambda: check_history(settings, builder)),
        ("tray", check_tray),
        ("mic-watch", check_mic_watch),
        ("guard", check_guard),
    ]
    results = []
    for name, fn in checks:
        try:
            results.append(fn())
        except Exception as exc:  # one broken probe must not hide the others
            results.append(Check(name, "fail", f"check crashed: {type(exc).__name__}: {exc}".splitlines()[0]))
    return results


def run_doctor(paths: Paths, as_json: bool = False) -> int:
    paths.ensure()
    results = run_checks(paths)
    if as_json:
        print(json.dumps({"ok": all(c.status != "fail" for c in results),
                          "checks": [asdict(c) for c in results]}, indent=2))
    else:
        marks = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
        for c in results:
            print(f"[{marks[c.status]}] {c.name}: {c.detail}")
            if c.fix and c.status != "ok":
                print(f"       fix: {c.fix}")
    return 1 if any(c.status == "fail" for c in results) else 0
