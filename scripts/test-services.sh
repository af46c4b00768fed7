#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on free 127.0.0.1 ports for tests/production
# and benchmarks/ (README, "Production").
#
#   scripts/test-services.sh start   # writes $BME_SERVICES_DIR/services.env
#   scripts/test-services.sh stop    # stops both and deletes $BME_SERVICES_DIR
#
# BME_SERVICES_DIR (default reports/services) holds their data: give each
# concurrent run its own (make test-production does).
# PostgreSQL comes from /usr/lib/postgresql/*/bin, Redis from Debian's
# redis-server package. Both get random passwords, written only to the env
# file (reports/ is not version-controlled). PostgreSQL refuses to run as
# root, so as root it runs as the `postgres` user (else `nobody`).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(realpath -m "${BME_SERVICES_DIR:-reports/services}")
ENV_FILE=$DIR/services.env

python=.venv/bin/python
[ -x "$python" ] || python=python3

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || bin=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
  [ -x "$bin/pg_ctl" ] || { echo "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)." >&2; return 1; }
  echo "$bin"
}

pg_user() {
  if [ "$(id -u)" != 0 ]; then id -un
  elif id postgres >/dev/null 2>&1; then echo postgres
  else echo nobody; fi
}

as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$(pg_user)" -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin=$1 port=$2 password=$3
  mkdir -p "$DIR/postgres"
  (umask 077; printf '%s\n' "$password" >"$DIR/postgres/pwfile")
  chown -R "$(pg_user)" "$DIR/postgres"
  as_pg_user "$bin/initdb" -D "$DIR/postgres/data" -U bme --pwfile="$DIR/postgres/pwfile" \
    --auth=scram-sha-256 -E UTF8 --no-locale --no-sync >"$DIR/postgres/initdb.log"
  rm -f "$DIR/postgres/pwfile"
  # Unix sockets off (TCP on loopback only); no durability needed for throwaway data.
  as_pg_user "$bin/pg_ctl" -D "$DIR/postgres/data" -l "$DIR/postgres/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U bme bme
}

start_redis() {
  local port=$1 password=$2
  command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install redis-server" >&2; return 1; }
  mkdir -p "$DIR/redis"
  redis-server --bind 127.0.0.1 --port "$port" --requirepass "$password" --save '' --appendonly no \
    --dir "$DIR/redis" --logfile "$DIR/redis/server.log" --pidfile "$DIR/redis/redis.pid" --daemonize yes
  for _ in $(seq 1 50); do
    [ -s "$DIR/redis/redis.pid" ] && return 0
    sleep 0.1
  done
  echo "Redis did not start (see $DIR/redis/server.log)." >&2
  return 1
}

stop() {
  local bin
  if [ -d "$DIR/postgres/data" ] && bin=$(pg_bin 2>/dev/null); then
    as_pg_user "$bin/pg_ctl" -D "$DIR/postgres/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -s "$DIR/redis/redis.pid" ]; then
    kill "$(cat "$DIR/redis/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}

start() {
  stop
  mkdir -p "$DIR"
  chmod 755 "$DIR"  # PostgreSQL's user must reach its data inside
  local bin pg_port redis_port pg_password redis_password
  bin=$(pg_bin)
  pg_port=$(free_port)
  redis_port=$(free_port)
  pg_password=$(secret)
  redis_password=$(secret)
  start_postgres "$bin" "$pg_port" "$pg_password"
  start_redis "$redis_port" "$redis_password"
  umask 077
  cat >"$ENV_FILE" <<ENV
BME_TEST_POSTGRES_URL=postgresql://bme:$pg_password@127.0.0.1:$pg_port/bme
BME_TEST_REDIS_HOST=127.0.0.1
BME_TEST_REDIS_PORT=$redis_port
BME_TEST_REDIS_PASSWORD=$redis_password
ENV
  echo "PostgreSQL on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port ($ENV_FILE)."
}

case "${1:-}" in
  start) start || { stop; exit 1; } ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
