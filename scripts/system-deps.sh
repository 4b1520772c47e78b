#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when missing: chromium (browser tests),
# postgresql (gradebook on a real PostgreSQL server), fonts-ipaexfont (Japanese in screenshots),
# poppler-utils + poppler-data (certificate PDFs: pdffonts checks the embedded font, pdftoppm renders them),
# libreoffice-calc-nogui (HR's xlsx exports opened by a real spreadsheet application, headless).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fc-list 2>/dev/null | grep -qi ipaex || need+=(fonts-ipaexfont)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -d /usr/share/poppler/cMap ] || need+=(poppler-data)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "system-deps: please install: ${need[*]} (apt-get install ${need[*]})" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "system-deps: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
