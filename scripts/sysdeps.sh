#!/usr/bin/env bash
# Installs the Debian packages named as arguments, where they are missing, when run as root.
# Elsewhere it says what to install and fails.
set -euo pipefail
declare -A probe=([chromium]=/usr/bin/chromium [gettext]=/usr/bin/msgfmt [fonts-noto-cjk]=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc [postgresql-15]=/usr/lib/postgresql/15/bin/initdb [poppler-utils]=/usr/bin/pdftoppm [libpango-1.0-0]=/usr/lib/x86_64-linux-gnu/libpango-1.0.so.0 [libpangoft2-1.0-0]=/usr/lib/x86_64-linux-gnu/libpangoft2-1.0.so.0)
missing=()
for pkg in "$@"; do
  [ -e "${probe[$pkg]:-/nonexistent}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "安装系统软件包 / installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "缺少系统软件包 / missing system packages: ${missing[*]}" >&2
  echo "请以 root 运行：apt-get install ${missing[*]} / as root, run: apt-get install ${missing[*]}" >&2
  exit 1
fi
