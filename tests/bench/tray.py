"""The running tray: start-up, idle cost, and how fast another program's capture shows."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.bench.harness import PrivateMic, RunningApp, changed_pixels, launch, tray_pixels
from tests.bench.ptt import ptt_cycle
from tests.bench.report import Budget, Figure
from tests.support import pulse
from tests.support.desktop import Desktop

ICON_PIXELS = 50  # changed pixels in the tray area that count as "an icon is drawn there"


def _log_started(app: RunningApp, launched_wall: float) -> float | None:
    # "... INFO MainThread trayassist.app: TrayAssist X started (pid N)"
    for line in app.log().splitlines():
        if "trayassist.app: TrayAssist" in line and " started " in line:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            return stamp - launched_wall
    return None


def startup(desk: Desktop, mic: PrivateMic, root: Path, runs: int, out: Callable[[str], None],
            keyring: bool = False) -> tuple[list[Figure], dict[str, Any]]:
    """Launch → icon drawn in the tray (screen pixels), → `status` answers, → first text.
    With `keyring`, as a desktop user with GNOME Keyring sees it: a real Secret Service on
    the session bus holds the history key (opened at start)."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        env, settings = None, None
        if keyring:
            from tests.support.keyring import SecretService

            svc = SecretService.start(root / "keyring-home")
            stack.callback(svc.stop)
            env, settings = svc.env, {"history_key_backend": "auto"}
        return _startup(desk, mic, root, runs, out, env, settings, " (real GNOME Keyring)" if keyring else "")


def _startup(desk: Desktop, mic: PrivateMic, root: Path, runs: int, out: Callable[[str], None],
             env: dict[str, str] | None, settings: dict[str, Any] | None, label: str
             ) -> tuple[list[Figure], dict[str, Any]]:
    wav = pulse.speak("Open my notes.", root / "first.wav").path
    empty = tray_pixels(desk)
    tray, status, text, logline, cold = [], [], [], [], []
    for i in range(runs):
        pulse.wait_for(lambda: changed_pixels(tray_pixels(desk), empty) < ICON_PIXELS, 10)
        wall0 = time.time()
        app = launch(desk, mic, root / f"start{'-kr' if label else ''}-{i}", settings, wait=False, env=env)
        t_tray = t_status = None
        try:
            deadline = app.launched_at + 60
            while (t_tray is None or t_status is None) and time.monotonic() < deadline:
                if t_tray is None and changed_pixels(tray_pixels(desk), empty) >= ICON_PIXELS:
                    # Stamped after the grab: an upper bound, within one grab (~20 ms).
                    t_tray = time.monotonic() - app.launched_at
                if t_status is None and app.try_status() is not None:
                    t_status = time.monotonic() - app.launched_at
                time.sleep(0.005)  # sleep-ok: polling interval of a bounded wait
            if t_status is None:
                raise RuntimeError(f"app did not start:\n{app.app.output()[-2000:]}")
            # The first dictation right away: the model loads while the user speaks.
            result, _ = ptt_cycle(app, wav)
            t_text = time.monotonic() - app.launched_at
            cold.append(float(result["timings"]["release_to_text"]))
            text.append(t_text)
            status.append(t_status)
            if t_tray is not None:
                tray.append(t_tray)
            started = _log_started(app, wall0)
            if started is not None:
                logline.append(started)
            out(f"  run {i + 1}: tray icon {t_tray if t_tray is None else round(t_tray, 3)} s, "
                f"status {t_status:.3f} s, first text {t_text:.2f} s "
                f"(release→text {cold[-1]:.3f} s, {result['text']!r})")
        finally:
            app.stop()
    figures = [
        Figure("start-up", f"launch → tray icon drawn (Xvfb + trayer){label}", "s", tray, Budget(1.0, "p50")),
        Figure("start-up", f"launch → 'started' log line{label}", "s", logline),
        Figure("start-up", f"launch → `status` answers{label}", "s", status),
        Figure("start-up", f"launch → first transcript (press at once, 1 s speech){label}", "s", text,
               note="includes playing the speech and loading the model while it plays"),
        Figure("start-up", f"release → text of that first (cold) press{label}", "s", cold),
    ]
    return figures, {"tray": tray, "status": status, "first_text": text, "log_started": logline,
                     "cold_release_to_text": cold}


def idle_cost(app: RunningApp, seconds: float, label: str, out: Callable[[str], None],
              slice_s: float = 5.0) -> tuple[list[Figure], dict[str, Any]]:
    """CPU % of one core (the app and any helper processes it runs) and RSS, in slices."""
    procs = app.process_tree()
    main = procs[0]

    def cpu() -> tuple[float, float]:
        total = mine = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
            except Exception:  # a helper exited
                continue
            total += t.user + t.system
            if p.pid == main.pid:
                mine = t.user + t.system
        return total, mine

    cpu_pct, main_pct, rss = [], [], []
    end = time.monotonic() + seconds
    c0, m0, w0 = *cpu(), time.monotonic()
    while time.monotonic() < end:
        time.sleep(min(slice_s, max(0.0, end - time.monotonic())))  # sleep-ok: a sampling window
        c1, m1, w1 = *cpu(), time.monotonic()
        cpu_pct.append((c1 - c0) / (w1 - w0) * 100)
        main_pct.append((m1 - m0) / (w1 - w0) * 100)
        rss.append(main.memory_info().rss / 1e6)
        c0, m0, w0 = c1, m1, w1
    total = sum(cpu_pct) / len(cpu_pct)
    helpers = [f"{p.name()}({p.pid})" for p in procs[1:]]
    out(f"  idle, {label}: CPU {total:.2f} % of a core (app alone {sum(main_pct) / len(main_pct):.2f} %), "
        f"RSS {max(rss):.0f} MB; helper processes: {helpers or 'none'}")
    unloaded = "unloaded" in label
    figures = [
        Figure("idle", f"CPU, {label} ({seconds:g} s, {slice_s:g} s slices)", "%", cpu_pct,
               Budget(0.5, "p50", "≤ 0.50 % (mean)") if unloaded else None,
               note=f"mean {total:.2f} %"),
        Figure("idle", f"RSS, {label}", "MB", rss, Budget(150, "max", "≤ 150 MB") if unloaded else None),
    ]
    if unloaded:  # the budget is on the mean over the window, not one slice
        figures[0].budget = Budget(0.5, "mean", "mean ≤ 0.50 %")
    return figures, {"cpu_pct": cpu_pct, "app_cpu_pct": main_pct, "rss_mb": rss, "helpers": helpers}


def indicator_latency(app: RunningApp, runs: int, out: Callable[[str], None]
                      ) -> tuple[list[Figure], dict[str, Any]]:
    """`parec -d vmic` starts → its pid is in `status` mic.others; and after it stops → gone."""
    shown, gone = [], []
    for _ in range(runs):
        time.sleep(1.2)  # sleep-ok: spaced out, so each start is seen from a settled monitor
        t0 = time.monotonic()
        proc = subprocess.Popen(["parec", "-d", app.mic.source], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            seen = _poll(app, lambda s, pid=proc.pid: any(o.get("pid") == pid for o in s["mic"]["others"]), t0)
            if seen is not None:
                shown.append(seen)
        finally:
            t1 = time.monotonic()
            proc.terminate()
            proc.wait(5)
        left = _poll(app, lambda s, pid=proc.pid: all(o.get("pid") != pid for o in s["mic"]["others"]), t1)
        if left is not None:
            gone.append(left)
    out(f"  indicator: shown after {[round(v * 1000) for v in shown]} ms; "
        f"cleared after {[round(v * 1000) for v in gone]} ms")
    return ([Figure("indicator", "another program starts capturing → in status", "s", shown,
                    Budget(0.5, "p95", "p95 ≤ 0.5 s"), note=f"{runs - len(shown)} of {runs} not seen in 5 s"
                    if len(shown) < runs else ""),
             Figure("indicator", "it stops → gone from status", "s", gone)],
            {"shown": shown, "gone": gone})


def _poll(app: RunningApp, pred: Callable[[dict[str, Any]], bool], t0: float,
          timeout: float = 5.0) -> float | None:
    while time.monotonic() - t0 < timeout:
        s = app.try_status()
        if s is not None and pred(s):
            return time.monotonic() - t0
        time.sleep(0.005)  # sleep-ok: polling interval of a bounded wait
    return None
