import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from trayassist.core.status import Status
from trayassist.core.status_text import describe
from trayassist.ui.tray import Tray, icon_state

pytestmark = pytest.mark.ui


def status(**kw) -> Status:
    base = {"state": "idle", "mic": {"self": False, "others": []},
            "network": {"up_bps": 0, "down_bps": 0, "talkers": [], "self_connections": 0,
                        "self_blocked": 0, "alert": None}, "indicators_paused": False, "error": None}
    base.update(kw)
    return Status.from_json(base)


def test_tooltip_says_the_state_in_words() -> None:
    assert "Idle" in describe(status())
    assert "Listening" in describe(status(state="listening", mic={"self": True, "others": []}))
    # Our stream is open, its device has not delivered yet: words said now would be lost.
    waking = describe(status(state="listening", mic={"self": True, "receiving": False, "others": []}))
    assert "Starting the microphone" in waking and "Listening" not in waking
    assert "0 connections since start" in describe(status())
    others = status(mic={"self": False, "others": [{"pid": 5, "name": "zoom", "exe": "/usr/bin/zoom"}]})
    assert "zoom" in describe(others)
    err = describe(status(state="error", error="No microphone found"))
    assert "No microphone found" in err


def test_alert_and_own_connections_turn_the_icon_red() -> None:
    assert not icon_state(status()).alert
    assert icon_state(status(network={"self_connections": 1})).alert
    alert = {"name": "zoom", "message": "zoom is recording and uploading"}
    assert icon_state(status(network={"alert": alert})).alert
    assert not icon_state(status(indicators_paused=True, network={"alert": {"name": "x"}})).alert


def test_menu_has_the_documented_actions(qtbot) -> None:
    calls = []
    names = ("toggle", "cancel", "history", "privacy", "transcribe_file", "settings", "models", "about", "quit",
             "forget_5m", "forget_today")
    actions = {k: (lambda *_a, k=k: calls.append(k)) for k in names}
    paused = []
    tray = Tray(actions, paused.append)
    texts = [a.text() for a in tray.contextMenu().actions() if a.text() and a.isVisible()]
    labels = [t.replace("&", "") for t in texts]
    assert labels == ["Start listening", "History…", "Privacy…", "Transcribe a file…", "Settings…",
                      "Speech models…", "Forget", "Pause indicators", "About TrayAssist", "Quit"]
    keys = [t[t.index("&") + 1].lower() for t in texts]  # every entry reachable from the keyboard
    assert len(set(keys)) == len(keys), texts
    forget = next(a for a in tray.contextMenu().actions() if a.text() == "&Forget").menu()
    assert [a.text().replace("&", "") for a in forget.actions()] == ["The last 5 minutes", "Today"]
    forget.actions()[1].trigger()
    tray.apply(status(state="listening", mic={"self": True, "others": []}))
    assert tray.listen_action.text() == "Stop &listening"
    assert tray.cancel_action.isVisible() and "Listening" in tray.toolTip()
    cancel_key = tray.cancel_action.text()[tray.cancel_action.text().index("&") + 1].lower()
    assert cancel_key not in keys  # its mnemonic is free while it shows
    tray.cancel_action.trigger()
    tray.listen_action.trigger()
    tray.pause_action.trigger()
    tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)  # left click toggles
    assert calls == ["forget_today", "cancel", "toggle", "toggle"] and paused == [True]
    tray.apply(status())
    assert not tray.cancel_action.isVisible()


def test_a_mic_that_is_open_but_not_delivering_yet_is_red_with_a_ring() -> None:
    starting = icon_state(status(state="listening", mic={"self": True, "receiving": False, "others": []}))
    live = icon_state(status(state="listening", mic={"self": True, "receiving": True, "others": []}))
    assert starting.state == live.state == "listening"  # red either way: the mic is open
    assert starting.waiting and not live.waiting
    assert not icon_state(status()).waiting
