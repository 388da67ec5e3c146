#!/bin/sh
# macOS: TrayAssist.app (the spec's BUNDLE step: Info.plist with NSMicrophoneUsageDescription
# and LSUIElement) and a .dmg made with hdiutil, into dist/.
#   sh packaging/macos/build.sh [PYTHON]
# NOT VERIFIED on the Linux machine this was written on; CI builds it on a macOS runner.
set -eu
PY="${1:-.venv/bin/python}"
cd "$(dirname "$0")/../.."
VERSION="$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
mkdir -p build dist

# The .icns the spec picks up: iconutil wants name@1x/@2x PNG pairs in an .iconset folder.
ICONSET=build/trayassist.iconset
rm -rf "$ICONSET" && mkdir -p "$ICONSET"
for px in 16 32 128 256; do
  cp "resources/icons/hicolor/${px}x${px}/apps/trayassist.png" "$ICONSET/icon_${px}x${px}.png"
done
for px in 16 32 128; do
  cp "resources/icons/hicolor/$((px * 2))x$((px * 2))/apps/trayassist.png" "$ICONSET/icon_${px}x${px}@2x.png"
done
iconutil -c icns -o build/trayassist.icns "$ICONSET"

QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 "$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/trayassist.spec

APP=dist/TrayAssist.app
/usr/libexec/PlistBuddy -c "Print :NSMicrophoneUsageDescription" "$APP/Contents/Info.plist"
/usr/libexec/PlistBuddy -c "Print :LSUIElement" "$APP/Contents/Info.plist"
"$APP/Contents/MacOS/trayassist" --version
# Unsigned build: ad-hoc signature so the hardened loader accepts the bundled dylibs.
# Release builds sign with a Developer ID and notarize instead (needs secrets, not here).
codesign --force --deep --sign - "$APP"

DMG="dist/TrayAssist-${VERSION}.dmg"
STAGE=build/dmg
rm -rf "$STAGE" "$DMG" && mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "TrayAssist ${VERSION}" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
echo "built $DMG: $(du -h "$DMG" | cut -f1)"
