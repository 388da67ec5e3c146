#!/bin/sh
# `make run`: start the tray. On a machine without a display (a server, CI box)
# start Xvfb and a tray host first so the app is real and can be screenshot.
PY="$1"; shift
if [ -z "$DISPLAY" ] && [ -z "$WAYLAND_DISPLAY" ]; then
  if command -v Xvfb >/dev/null && command -v trayer >/dev/null; then
    export DISPLAY=:77
    Xvfb :77 -screen 0 1024x600x24 -nolisten tcp >/dev/null 2>&1 &
    for i in 1 2 3 4 5 6 7 8 9 10; do xdpyinfo >/dev/null 2>&1 && break; sleep 0.3; done
    trayer --edge top --align right --widthtype request --height 32 --transparent false \
      --tint 0x303030 >/dev/null 2>&1 &
    echo "No display found: started Xvfb on $DISPLAY with a tray (screenshot: DISPLAY=$DISPLAY import -window root shot.png)"
  else
    echo "No display found and Xvfb/trayer are missing: the app will start without a visible tray."
  fi
fi
exec "$PY" -m trayassist.cli run "$@"
