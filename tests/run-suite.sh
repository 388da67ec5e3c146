#!/bin/sh
# Runs the whole suite headless. As root with `unshare`, the run happens in a
# fresh network namespace with only loopback up: the proof that nothing in the
# app or its tests needs (or reaches) the network.
PY="$1"; shift
export QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1
unset DISPLAY WAYLAND_DISPLAY
run() { "$PY" -m pytest -p no:cacheprovider "$@"; }
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  echo "running the suite with no network (unshare -n, loopback only)"
  exec unshare -n sh -c 'ip link set lo up && exec "$0" -m pytest -p no:cacheprovider "$@"' "$PY" "$@"
fi
echo "note: not root or no unshare: running with the normal network namespace"
run "$@"
