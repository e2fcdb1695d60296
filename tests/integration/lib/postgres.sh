# Shared by the shell tests that run Stratus on PostgreSQL: a throwaway
# server from Debian's packages (initdb in a temporary folder, postgres on
# 127.0.0.1 at a free port of 47500-47549, trust authentication, C
# collation), stopped by PID. PostgreSQL refuses to run as root: as root,
# initdb and postgres run as the user nobody (setpriv), in a folder handed
# to it. Source it, then:
#   pg_start            # sets pg_url (postgresql://postgres@127.0.0.1:PORT/stratus), pg_pid
#   pg_stop             # SIGINT (fast shutdown), bounded wait, SIGKILL; removes the folder
# Without the binaries pg_start prints "SKIP: ..." and exits 77 (ctest's
# SKIP_RETURN_CODE).
# STRATUS_PG_PORTS=LO-HI (inclusive) takes the port from another range, for
# a test that owns one (the multi-controller test: 47560-47569).

pg_pid=""
pg_dir=""
pg_url=""

_pg_bindir() {
  if [ -n "${STRATUS_PG_BINDIR:-}" ]; then echo "$STRATUS_PG_BINDIR"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  echo "$d"
}

_pg_as_owner() {  # runs a command as the server's owner (nobody when root); SIGINT if this shell dies
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups --pdeathsig=INT -- "$@"
  else
    setpriv --pdeathsig=INT -- "$@"
  fi
}

pg_start() {
  local bindir port try
  bindir="$(_pg_bindir)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/postgres" ]; then
    echo "SKIP: PostgreSQL binaries not found (install postgresql, see scripts/install-deps.sh)"
    exit 77
  fi
  pg_dir="$(mktemp -d /tmp/stratus-pg.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$pg_dir"
  if ! _pg_as_owner "$bindir/initdb" -D "$pg_dir/data" -U postgres --auth=trust --locale=C --encoding=UTF8 -N \
      > "$pg_dir/initdb.log" 2>&1; then
    echo "FAIL: initdb:"; cat "$pg_dir/initdb.log"; exit 1
  fi
  local lo=47500 count=50
  if [ -n "${STRATUS_PG_PORTS:-}" ]; then
    lo="${STRATUS_PG_PORTS%-*}"
    count=$(( ${STRATUS_PG_PORTS#*-} - lo + 1 ))
  fi
  for try in $(seq 1 10); do
    port=$((lo + RANDOM % count))
    _pg_as_owner "$bindir/postgres" -D "$pg_dir/data" -k "$pg_dir" -p "$port" -h 127.0.0.1 \
      -c fsync=off -c synchronous_commit=off -c max_connections=100 > "$pg_dir/postgres.log" 2>&1 &
    pg_pid=$!
    # Asked through the socket in our own folder: on the TCP port, a server
    # another test started there first would answer while ours fails to bind.
    for _ in $(seq 1 150); do
      "$bindir/pg_isready" -q -h "$pg_dir" -p "$port" -U postgres && break
      kill -0 "$pg_pid" 2>/dev/null || break
      sleep 0.1
    done
    if "$bindir/pg_isready" -q -h "$pg_dir" -p "$port" -U postgres; then
      "$bindir/createdb" -h "$pg_dir" -p "$port" -U postgres stratus
      pg_url="postgresql://postgres@127.0.0.1:$port/stratus"
      return 0
    fi
    pg_stop_server  # most likely the port was taken: another one
  done
  echo "FAIL: postgres did not start:"; cat "$pg_dir/postgres.log"; exit 1
}

pg_stop_server() {
  if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
    kill -INT "$pg_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pg_pid" 2>/dev/null || true
  fi
  [ -n "$pg_pid" ] && wait "$pg_pid" 2>/dev/null || true
  pg_pid=""
}

pg_stop() {
  pg_stop_server
  [ -n "$pg_dir" ] && rm -rf "$pg_dir"
  pg_dir=""
}
