#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when missing: chromium (browser tests),
# postgresql (gradebook on a real PostgreSQL server), fonts-ipaexfont (Japanese in screenshots),
# poppler-utils + poppler-data (certificate PDFs rendered to PNG with Japanese text), nodejs + npm
# (configurable-http-proxy for aidojo hub), slapd + ldap-utils (the hub's LDAP login tested on 127.0.0.1;
# no system service is configured or used), bubblewrap (the grading sandbox of aidojo autograde).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fc-list 2>/dev/null | grep -qi ipaex || need+=(fonts-ipaexfont)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -d /usr/share/poppler/cMap ] || need+=(poppler-data)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
[ -x /usr/sbin/slapd ] || need+=(slapd ldap-utils)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "system-deps: please install: ${need[*]} (apt-get install ${need[*]})" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "system-deps: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
