#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL 15: initdb into a temporary folder, the server
# run as a non-root user on a loopback port, DATABASE_URL exported, the server stopped at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/sysdeps.sh" postgresql-15
pgbin=/usr/lib/postgresql/15/bin
tmp=$(mktemp -d /tmp/ecredit-pg.XXXXXX)
chmod 755 "$tmp"
run_as=()
if [ "$(id -u)" = 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$tmp"
  run_as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  "${run_as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap stop EXIT
"${run_as[@]}" "$pgbin/initdb" -D "$tmp/data" -U ecredit --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $tmp -c fsync=off -c max_connections=50" start >/dev/null
"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U ecredit ecredit
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export DATABASE_URL="postgres://ecredit@127.0.0.1:$port/ecredit"
"$@"
