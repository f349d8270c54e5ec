#!/usr/bin/env bash
# Install everything the Makefile's targets need, and nothing twice:
#   1. Debian packages (PostgreSQL, pgTAP, sqitch, pg_prove, Prometheus, ...),
#      installed when run as root, otherwise printed as the exact command;
#   2. the project virtualenv .venv, from requirements-dev.txt.
# Every later piece of work adds its system packages to the one list below.
set -euo pipefail
cd "$(dirname "$0")/.."

# The PostgreSQL major version the server packages belong to: the installed
# one, else the one Debian's `postgresql` package would bring.
pg_major() {
  local installed
  installed=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
  if [ -n "$installed" ]; then echo "$installed"; return; fi
  apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9]\+\)$/\1/p' | head -n 1
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_packages() {
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing system packages; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $*" >&2
    exit 1
  fi
  echo "bootstrap: installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v dpkg-query >/dev/null; then
  echo "bootstrap: not a Debian/Ubuntu system; install PostgreSQL, pgTAP, sqitch and pg_prove yourself" >&2
else
  updated=0
  apt_update() { [ "$updated" = 1 ] || [ "$(id -u)" -ne 0 ] || { apt-get update -qq; updated=1; }; }

  # No docker-compose: Debian's package is Compose v1, which no longer runs on Python 3.12;
  # tests/deploy validates the compose file without it. HAProxy checks docker/proxy/haproxy.cfg.
  # Chromium renders /docs headless in tests/gateway/test_docs_page.py.
  base=(postgresql postgresql-client sqitch libdbd-pg-perl libtap-parser-sourcehandler-pgtap-perl
        prometheus haproxy python3-venv chromium)
  mapfile -t need < <(missing_packages "${base[@]}")
  if [ ${#need[@]} -gt 0 ]; then apt_update; install_packages "${need[@]}"; fi

  major=$(pg_major)
  mapfile -t need < <(missing_packages "postgresql-$major-pgtap" "postgresql-$major-cron" \
                                  "postgresql-$major-auto-failover")
  if [ ${#need[@]} -gt 0 ]; then apt_update; install_packages "${need[@]}"; fi
fi

# Debian's system Python refuses `pip install`: everything Python lives in .venv.
stamp=.venv/.requirements.sha
wanted=$(cat requirements.txt requirements-dev.txt | sha1sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "bootstrap: installing Python packages into .venv"
  # (this machine's pip config names local mirrors that may be absent; hide those warnings)
  .venv/bin/pip install -q -r requirements-dev.txt 2> >(grep -v "is ignored: it is neither" >&2)
  echo "$wanted" > "$stamp"
fi
