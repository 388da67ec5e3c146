"""A real PulseAudio virtual microphone for tests (recipe in DESIGN.md).

`virt` is a null sink; `vmic` is a virtual source fed by `virt.monitor`, so
whatever `paplay -d virt file.wav` plays is what a program recording from
`vmic` captures. No mocks in the audio path.

The default sink is a second null sink, `speakers`, that nothing records: what the app
or a test plays without naming a sink (a spoken reply, a chime) would otherwise go
straight into the microphone and mix into whatever the next take says.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SINK = "virt"
SOURCE = "vmic"
SPEAKERS = "speakers"


def _pactl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=10, check=check)


def server_running() -> bool:
    if not shutil.which("pactl"):
        return False
    try:
        return _pactl("info", check=False).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Poll a condition with a deadline (tests wait on conditions, never sleep blindly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)  # sleep-ok: polling interval of a bounded wait
    return bool(predicate())


def start_server() -> None:
    if server_running():
        return
    if not shutil.which("pulseaudio"):
        raise RuntimeError("pulseaudio is not installed (make test installs it as root)")
    subprocess.run(
        ["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
         f"--load=module-null-sink sink_name={SINK}", "--load=module-native-protocol-unix"],
        capture_output=True, timeout=30, check=False,
    )
    if not wait_for(server_running, 10):
        raise RuntimeError("pulseaudio did not start")


def sources() -> list[str]:
    out = _pactl("list", "short", "sources").stdout
    return [line.split("\t")[1] for line in out.splitlines() if "\t" in line]


def sinks() -> list[str]:
    out = _pactl("list", "short", "sinks").stdout
    return [line.split("\t")[1] for line in out.splitlines() if "\t" in line]


def add_virtual_mic() -> None:
    present = sinks()
    for sink in (SINK, SPEAKERS):
        if sink not in present:
            _pactl("load-module", "module-null-sink", f"sink_name={sink}")
    if SOURCE not in sources():
        _pactl("load-module", "module-virtual-source", f"source_name={SOURCE}",
               f"master={SINK}.monitor")
    _pactl("set-default-source", SOURCE)
    _pactl("set-default-sink", SPEAKERS)


def remove_virtual_mic() -> None:
    out = _pactl("list", "short", "modules").stdout
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == "module-virtual-source" and f"source_name={SOURCE}" in parts[2]:
            _pactl("unload-module", parts[0], check=False)


def ensure_virtual_mic() -> None:
    start_server()
    add_virtual_mic()


def source_outputs() -> list[dict[str, str]]:
    """Every stream capturing from any source, with its properties."""
    out = _pactl("list", "source-outputs").stdout
    items: list[dict[str, str]] = []
    for block in out.split("Source Output #")[1:]:
        props: dict[str, str] = {}
        for line in block.splitlines():
            line = line.strip()
            if " = " in line:
                k, v = line.split(" = ", 1)
                props[k] = v.strip('"')
        items.append(props)
    return items


def play(wav: Path, wait: bool = True) -> subprocess.Popen[bytes]:
    """Play a file into the virtual mic (through the `virt` sink)."""
    proc = subprocess.Popen(["paplay", "-d", SINK, str(wav)])
    if wait:
        proc.wait(timeout=300)
    return proc


@dataclass
class Speech:
    text: str
    path: Path
    seconds: float


def speak(text: str, path: Path, rate: int = 160, voice: str = "en-us") -> Speech:
    """espeak-ng speech converted to 16 kHz mono WAV."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), text],
                   check=True, timeout=60)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(path)],
                   check=True, timeout=60)
    raw.unlink()
    return Speech(text, path, duration(path))


def silence(path: Path, seconds: float) -> Path:
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(path),
                    "trim", "0", str(seconds)], check=True, timeout=60)
    return path


def concat(parts: list[Path], out: Path) -> Path:
    subprocess.run(["sox", *map(str, parts), str(out)], check=True, timeout=120)
    return out


def duration(path: Path) -> float:
    out = subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    return float(out.strip())
