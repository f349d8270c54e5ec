#!/usr/bin/env bash
# Install what the Makefile's targets need, and nothing twice. Two levels:
#   support/bootstrap.sh      what running needs (make db, make run): PostgreSQL,
#                             sqitch, and .venv from requirements.txt;
#   support/bootstrap.sh dev  on top, what make test, lint, bench and ha need: pgTAP
#                             and pg_prove, pg_cron, pg_auto_failover, Prometheus,
#                             HAProxy, Chromium, and .venv from requirements-dev.txt.
# Debian packages are installed when run as root, otherwise printed as the exact command.
# A later piece of work adds its system packages to the list of the level that needs them.
set -euo pipefail
cd "$(dirname "$0")/.."

level=${1:-run}
case "$level" in
  run|dev) ;;
  *) echo "usage: $0 [run|dev]" >&2; exit 2 ;;
esac

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
  echo "bootstrap: not a Debian/Ubuntu system; install PostgreSQL and sqitch yourself" \
       "(and for make test: pgTAP, pg_prove, pg_cron, pg_auto_failover, Prometheus, HAProxy, Chromium)" >&2
else
  updated=0
  apt_update() { [ "$updated" = 1 ] || [ "$(id -u)" -ne 0 ] || { apt-get update -qq; updated=1; }; }

  base=(postgresql postgresql-client sqitch libdbd-pg-perl python3-venv)
  # No docker-compose: Debian's package is Compose v1, which no longer runs on Python 3.12;
  # tests/deploy validates the compose file without it. HAProxy checks docker/proxy/haproxy.cfg.
  # Chromium renders /docs headless in tests/gateway/test_docs_page.py.
  [ "$level" = run ] || base+=(libtap-parser-sourcehandler-pgtap-perl prometheus haproxy chromium)
  mapfile -t need < <(missing_packages "${base[@]}")
  if [ ${#need[@]} -gt 0 ]; then apt_update; install_packages "${need[@]}"; fi

  if [ "$level" = dev ]; then
    major=$(pg_major)
    mapfile -t need < <(missing_packages "postgresql-$major-pgtap" "postgresql-$major-cron" \
                                    "postgresql-$major-auto-failover")
    if [ ${#need[@]} -gt 0 ]; then apt_update; install_packages "${need[@]}"; fi
  fi
fi

# Debian's system Python refuses `pip install`: everything Python lives in .venv. One stamp
# per level, holding the hash of the requirements it installed (dev installs run's too).
requirements=requirements.txt
[ "$level" = run ] || requirements=requirements-dev.txt
stamp=.venv/.$level.sha
wanted=$(cat requirements.txt "$requirements" | sha1sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "bootstrap: installing Python packages into .venv ($requirements)"
  # (this machine's pip config names local mirrors that may be absent; hide those warnings)
  .venv/bin/pip install -q -r "$requirements" 2> >(grep -v "is ignored: it is neither" >&2)
  echo "$wanted" > "$stamp"
  if [ "$level" = dev ]; then
    cat requirements.txt requirements.txt | sha1sum | cut -d' ' -f1 > .venv/.run.sha
  fi
fi
