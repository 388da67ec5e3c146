#!/bin/sh
# `make package`: the PyInstaller one-folder build, then a .deb (dpkg-deb) and a .tar.gz
# of the same folder, into dist/. Offline: everything comes from the venv and the repo.
#
#   sh packaging/linux/build.sh [PYTHON]
#   PACKAGES="deb"            build only the .deb (default: "deb tar")
#   DEB_COMPRESSION="xz -z6"  dpkg-deb compressor and level (default "xz -z1": xz -z6 saves
#                             ~10% but took 7 min on 2 cores; zstd needs dpkg >= 1.21.18)
set -eu
PY="${1:-.venv/bin/python}"
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
PACKAGES="${PACKAGES:-deb tar}"
DEB_COMPRESSION="${DEB_COMPRESSION:-xz -z1}"

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "PyInstaller is missing: $PY -m pip install pyinstaller (it is in the [dev] extra)" >&2
  exit 1
fi
VERSION="$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
ARCH="$(dpkg --print-architecture 2>/dev/null || uname -m)"
WORK="$ROOT/build/pyinstaller"
FROZEN="$WORK/dist/trayassist"
mkdir -p dist

started=$(date +%s)
echo "== PyInstaller one-folder build (log: build/pyinstaller/build.log)"
mkdir -p "$WORK"
# No display while building: pynput would try to reach X while PyInstaller inspects it.
if ! env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 \
    "$PY" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$WORK/dist" --workpath "$WORK/work" packaging/trayassist.spec >"$WORK/build.log" 2>&1; then
  tail -30 "$WORK/build.log" >&2
  echo "PyInstaller failed (full log: $WORK/build.log)" >&2
  exit 1
fi
# The frozen app must at least start before it is packaged.
"$FROZEN/trayassist" --version

if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate resources/trayassist.desktop
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net resources/io.github.trayassist.metainfo.xml >/dev/null
elif command -v xmllint >/dev/null; then
  xmllint --noout resources/io.github.trayassist.metainfo.xml
else
  "$PY" -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' resources/io.github.trayassist.metainfo.xml
fi

case " $PACKAGES " in *" deb "*)
  echo "== .deb"
  STAGE="$ROOT/build/deb/trayassist_${VERSION}_${ARCH}"
  rm -rf "$STAGE"
  mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
           "$STAGE/usr/share/metainfo" "$STAGE/usr/share/icons" "$STAGE/usr/share/doc/trayassist"
  cp -a "$FROZEN" "$STAGE/opt/trayassist"
  # A relative symlink: the PyInstaller bootloader finds its _internal folder through
  # /proc/self/exe, so the link works from any cwd, and the package stays relocatable for tests.
  ln -s ../../opt/trayassist/trayassist "$STAGE/usr/bin/trayassist"
  install -m 644 resources/trayassist.desktop "$STAGE/usr/share/applications/trayassist.desktop"
  install -m 644 resources/io.github.trayassist.metainfo.xml "$STAGE/usr/share/metainfo/"
  cp -r resources/icons/hicolor "$STAGE/usr/share/icons/"
  printf 'TrayAssist %s\nLicense: MIT\n' "$VERSION" > "$STAGE/usr/share/doc/trayassist/copyright"
  find "$STAGE" -type d -exec chmod 755 {} +
  chmod -R u+rw,go+r,go-w "$STAGE"
  SIZE_KB="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
  sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE_KB@/$SIZE_KB/" \
    packaging/linux/control.in > "$STAGE/DEBIAN/control"
  DEB="dist/trayassist_${VERSION}_${ARCH}.deb"
  # shellcheck disable=SC2086 # DEB_COMPRESSION is "type -zLEVEL"
  set -- $DEB_COMPRESSION
  dpkg-deb --root-owner-group -Z"$1" ${2:-} --build "$STAGE" "$DEB" >/dev/null
  echo "built $DEB: $(du -h "$DEB" | cut -f1), installed size $((SIZE_KB / 1024)) MB"
;; esac

case " $PACKAGES " in *" tar "*)
  echo "== .tar.gz"
  TARBALL="dist/trayassist-${VERSION}-linux-$(uname -m).tar.gz"
  # The folder as built, plus the desktop entry, icons and metadata to install by hand.
  rm -rf build/tar && mkdir -p build/tar/share/applications build/tar/share/metainfo build/tar/share/icons
  install -m 644 resources/trayassist.desktop build/tar/share/applications/
  install -m 644 resources/io.github.trayassist.metainfo.xml build/tar/share/metainfo/
  cp -r resources/icons/hicolor build/tar/share/icons/
  tar --owner=0 --group=0 -czf "$TARBALL" -C "$WORK/dist" trayassist -C "$ROOT/build/tar" \
    --transform 's,^share,trayassist/share,' share
  echo "built $TARBALL: $(du -h "$TARBALL" | cut -f1)"
;; esac

echo "== done in $(( $(date +%s) - started )) s; AppImage not built: appimagetool downloads its runtime (no network here)"
