#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the storage tests: no mocks, a real server on loopback.
#
#   scripts/pg_cluster.sh start DIR PORT   init (once) + start; prints the SQLAlchemy URL last
#   scripts/pg_cluster.sh stop DIR         stop it (a no-op when it is not running)
#
# The cluster lives entirely in DIR (data, socket, log), listens only on 127.0.0.1:PORT with
# trust auth, and holds a database named fitness_test. Running `start` again on a running
# cluster just prints the URL, so it is cheap to call twice. Progress goes to stderr so that
# `... | tail -n 1` gives the URL.
set -euo pipefail

DB_NAME="fitness_test"
DB_USER="postgres"

die() { echo "pg_cluster: $*" >&2; exit 1; }
say() { echo "pg_cluster: $*" >&2; }

pg_bindir() {
  local initdb
  initdb="$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$initdb" ]; then
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed; as root run: apt-get install -y postgresql"
    say "installing Debian's postgresql (one time)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    initdb="$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$initdb" ] || die "postgresql installed but initdb not found under /usr/lib/postgresql"
  fi
  dirname "$initdb"
}

# initdb refuses to run as root, so as root every server command runs as the postgres user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_running() {  # $1 = bindir, $2 = data dir
  [ -f "$2/PG_VERSION" ] && as_owner "$1/pg_ctl" -D "$2" status >/dev/null 2>&1
}

cmd_start() {
  local dir="${1:?usage: pg_cluster.sh start DIR PORT}" port="${2:?usage: pg_cluster.sh start DIR PORT}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
  local bindir data
  bindir="$(pg_bindir)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  data="$dir/data"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "user 'postgres' not found (the postgresql package creates it)"
    chown postgres: "$dir"
    chmod 700 "$dir"
    runuser -u postgres -- test -x "$dir" || die "user postgres cannot enter $dir (a parent folder is private)"
  fi

  if is_running "$bindir" "$data"; then
    say "already running in $dir"
  else
    if [ ! -f "$data/PG_VERSION" ]; then
      say "initdb in $data"
      # --no-sync and fsync=off: a throwaway test cluster, not a place to keep data.
      as_owner "$bindir/initdb" -D "$data" -U "$DB_USER" -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=trust --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed (log above)"; }
      cat >>"$data/postgresql.conf" <<EOF

# written by scripts/pg_cluster.sh: loopback only, socket inside the cluster folder
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
full_page_writes = off
max_connections = 100
EOF
    fi
    say "starting on 127.0.0.1:$port"
    as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 -o "-p $port" start >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2 || true; die "server did not start (port $port in use?)"; }
  fi

  local exists
  exists="$(as_owner "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -tAX \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" \
    || die "server in $dir is running but not answering on 127.0.0.1:$port (started with another port?)"
  if [ "$exists" != "1" ]; then
    as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME"
  fi
  echo "postgresql+psycopg://$DB_USER@127.0.0.1:$port/$DB_NAME"
}

cmd_stop() {
  local dir="${1:?usage: pg_cluster.sh stop DIR}"
  [ -d "$dir/data" ] || { say "nothing to stop in $dir"; return 0; }
  local bindir
  bindir="$(pg_bindir)"
  if is_running "$bindir" "$dir/data"; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
    say "stopped"
  else
    say "not running"
  fi
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) die "usage: pg_cluster.sh start DIR PORT | stop DIR" ;;
esac
