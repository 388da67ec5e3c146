"""Privacy indicators: who uses the microphone, what talks to the network, and the guard
that keeps TrayAssist itself off the network."""

from trayassist.core.privacy.guard import ConnectionBlocked, NetworkGuard
from trayassist.core.privacy.mic import NoMicWatch, candidate_watches, choose_mic_watch
from trayassist.core.privacy.monitor import PrivacyMonitor
from trayassist.core.privacy.net import NetWatch, Talker
from trayassist.core.privacy.types import BackendStatus, MicUser, MicWatch

__all__ = [
    "BackendStatus", "ConnectionBlocked", "MicUser", "MicWatch", "NetWatch", "NetworkGuard",
    "NoMicWatch", "PrivacyMonitor", "Talker", "candidate_watches", "choose_mic_watch",
]
