#!/usr/bin/env bash
# The Debian packages `make test` needs from the system, installed if missing
# (safe to rerun; silent when nothing is missing):
#   PostgreSQL and Redis   tests/production (scripts/test-services.sh)
#   chromium               the browser test (tests/servers)
#   Node.js and npm        the web chat widget (make web)
#   curl, make             scripts/serve.sh, the Makefile
# Python 3.10 is not a Debian 12 package: scripts/find-python.sh says how to get it.
set -euo pipefail

# Checked by what the tests run rather than by package name, so that e.g. a
# NodeSource nodejs (which bundles npm) or another PostgreSQL version counts.
missing=()
# need PACKAGE CHECK...: PACKAGE is missing unless CHECK succeeds.
need() { local package=$1; shift; "$@" >/dev/null 2>&1 || missing+=("$package"); }
need make command -v make
need curl command -v curl
need chromium test -x /usr/bin/chromium
need redis-server command -v redis-server
need postgresql compgen -G '/usr/lib/postgresql/*/bin/pg_ctl'
need nodejs command -v node
need npm command -v npm

[ ${#missing[@]} -gt 0 ] || exit 0
if [ "$EUID" != 0 ]; then
  echo "system-packages: missing ${missing[*]}; installing them needs root: sudo $0" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "system-packages: no apt-get (not Debian or Ubuntu): install ${missing[*]} yourself" >&2
  exit 1
fi
echo "system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
