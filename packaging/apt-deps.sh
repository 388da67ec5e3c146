#!/bin/sh
# Installs the named Debian packages that are missing, when running as root.
# A desktop user who is not root gets the apt command to run instead.
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null
elif command -v apt-get >/dev/null; then
  echo "note: missing system packages:$missing"
  echo "      install them with: sudo apt-get install$missing"
fi
exit 0
