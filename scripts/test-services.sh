#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on free 127.0.0.1 ports for tests/production
# and benchmarks/ (docs/PRODUCTION.md).
#
#   scripts/test-services.sh start   # writes $BME_SERVICES_DIR/services.env
#   scripts/test-services.sh stop    # stops both and deletes their data
#
# BME_SERVICES_DIR (default reports/services) holds the env file and their
# data: give each concurrent run its own (make test-production does).
# PostgreSQL comes from /usr/lib/postgresql/*/bin, Redis from Debian's
# redis-server package (scripts/system-packages.sh installs both). Both get
# random passwords, written only to the env file (reports/ is not
# version-controlled). PostgreSQL refuses to run as root, so as root it runs
# as the `postgres` user (else `nobody`); when that user cannot enter
# BME_SERVICES_DIR (a checkout under /root, say), its data goes to a private
# /tmp/bme-postgres.* folder instead, recorded in postgres.dir for `stop`.
#
# Every step checks its own result: `set -e` does not apply inside a function
# called from a `||` list, as start is below. A service that fails to start
# stops the script with the end of its own log, after stopping the other.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(realpath -m "${BME_SERVICES_DIR:-reports/services}")
ENV_FILE=$DIR/services.env
PG_DIR_FILE=$DIR/postgres.dir

python=.venv/bin/python
[ -x "$python" ] || python=python3

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

# fail MESSAGE [LOG]: the message and the end of the service's log on stderr.
fail() {
  echo "test-services: $1" >&2
  if [ -n "${2:-}" ] && [ -s "$2" ]; then
    echo "--- last lines of $(basename "$2"):" >&2
    tail -n 20 "$2" >&2
  fi
}

pg_bin() {
  local bin
  bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [ -d "$bin" ] || bin=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
  if [ ! -x "$bin/pg_ctl" ]; then
    fail "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): run scripts/system-packages.sh"
    return 1
  fi
  echo "$bin"
}

pg_user() {
  if [ "$(id -u)" != 0 ]; then id -un
  elif id postgres >/dev/null 2>&1; then echo postgres
  else echo nobody; fi
}

# From /, as that user may not be allowed into the current folder.
as_pg_user() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$(pg_user)" -- "$@"); else "$@"; fi
}

# PostgreSQL's folder, owned by its user: inside DIR if that user can enter it, else under /tmp.
make_pg_dir() {
  local dir user
  user=$(pg_user)
  if as_pg_user test -x "$DIR"; then
    dir=$DIR/postgres
    mkdir -p "$dir" || return 1
  else
    dir=$(mktemp -d /tmp/bme-postgres.XXXXXX) || return 1
  fi
  echo "$dir" >"$PG_DIR_FILE" || return 1  # first, so that stop finds it whatever happens next
  { chown "$user" "$dir" && chmod 700 "$dir"; } || return 1
  if ! as_pg_user test -w "$dir"; then
    echo "user $user cannot write $dir" >&2
    return 1
  fi
  echo "$dir"
}

start_postgres() {
  local bin=$1 port=$2 password=$3 dir out ok=true
  dir=$(make_pg_dir) || { fail "PostgreSQL: no folder for its data that user $(pg_user) can write"; return 1; }
  if ! (umask 077 && printf '%s\n' "$password" >"$dir/pwfile") || ! chown "$(pg_user)" "$dir/pwfile"; then
    fail "PostgreSQL: cannot write $dir/pwfile"
    return 1
  fi
  as_pg_user "$bin/initdb" -D "$dir/data" -U bme --pwfile="$dir/pwfile" \
    --auth=scram-sha-256 -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 || ok=false
  rm -f "$dir/pwfile"
  $ok || { fail "PostgreSQL: initdb failed" "$dir/initdb.log"; return 1; }
  # Unix sockets off (TCP on loopback only); no durability needed for throwaway data.
  if ! out=$(as_pg_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start 2>&1); then
    fail "PostgreSQL did not start on 127.0.0.1:$port: $out" "$dir/server.log"
    return 1
  fi
  if ! out=$(PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U bme bme 2>&1) ||
    ! out=$(PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$port" -U bme -d bme -tAc 'SELECT 1' 2>&1) ||
    [ "$out" != 1 ]; then
    fail "PostgreSQL on 127.0.0.1:$port does not answer: $out" "$dir/server.log"
    return 1
  fi
}

redis_answers() {
  local port=$1 password=$2
  if command -v redis-cli >/dev/null; then
    [ "$(REDISCLI_AUTH=$password redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]
  else  # the port accepts connections
    "$python" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null
  fi
}

# In the background rather than --daemonize, so that its pid is known at once and a crash seen.
start_redis() {
  local port=$1 password=$2 log=$DIR/redis/server.log pid
  if ! command -v redis-server >/dev/null; then
    fail "Redis: redis-server not found: run scripts/system-packages.sh"
    return 1
  fi
  mkdir -p "$DIR/redis" || { fail "Redis: cannot create $DIR/redis"; return 1; }
  redis-server --bind 127.0.0.1 --port "$port" --requirepass "$password" --save '' --appendonly no \
    --dir "$DIR/redis" </dev/null >"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$DIR/redis/redis.pid" || { fail "Redis: cannot write $DIR/redis/redis.pid"; return 1; }
  for _ in $(seq 1 100); do
    redis_answers "$port" "$password" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "Redis did not start on 127.0.0.1:$port" "$log"
  return 1
}

write_env() {
  local pg_port=$1 pg_password=$2 redis_port=$3 redis_password=$4
  (
    umask 077
    cat >"$ENV_FILE" <<ENV
BME_TEST_POSTGRES_URL=postgresql://bme:$pg_password@127.0.0.1:$pg_port/bme
BME_TEST_REDIS_HOST=127.0.0.1
BME_TEST_REDIS_PORT=$redis_port
BME_TEST_REDIS_PASSWORD=$redis_password
ENV
  ) || { fail "cannot write $ENV_FILE"; return 1; }
}

stop_postgres() {
  local dir=$DIR/postgres bin
  if [ -s "$PG_DIR_FILE" ]; then dir=$(cat "$PG_DIR_FILE"); fi
  case $dir in
    "$DIR/postgres" | /tmp/bme-postgres.*) ;;
    *) fail "not deleting $dir, named in $PG_DIR_FILE"; return 0 ;;
  esac
  if [ -d "$dir/data" ] && bin=$(pg_bin 2>/dev/null) && as_pg_user "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_pg_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || fail "PostgreSQL in $dir/data did not stop"
  fi
  rm -rf "$dir"
}

stop_redis() {
  local pid
  [ -s "$DIR/redis/redis.pid" ] || return 0
  pid=$(cat "$DIR/redis/redis.pid")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  fail "Redis (pid $pid) did not stop"
}

stop() {
  stop_postgres
  stop_redis
  rm -rf "$DIR"
}

start() {
  local bin pg_port redis_port pg_password redis_password
  stop
  # 755: PostgreSQL's user must enter it when the data goes inside (services.env stays 600).
  { mkdir -p "$DIR" && chmod 755 "$DIR"; } || { fail "cannot create $DIR"; return 1; }
  bin=$(pg_bin) || return 1
  { pg_port=$(free_port) && redis_port=$(free_port); } || { fail "no free port found (with $python)"; return 1; }
  for _ in 1 2 3; do [ "$redis_port" != "$pg_port" ] || redis_port=$(free_port) || return 1; done
  { pg_password=$(secret) && redis_password=$(secret); } || { fail "no random password (/dev/urandom)"; return 1; }
  start_postgres "$bin" "$pg_port" "$pg_password" || return 1
  start_redis "$redis_port" "$redis_password" || return 1
  write_env "$pg_port" "$pg_password" "$redis_port" "$redis_password" || return 1
  echo "PostgreSQL on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port ($ENV_FILE)."
}

case "${1:-}" in
  start) start || { stop; exit 1; } ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
