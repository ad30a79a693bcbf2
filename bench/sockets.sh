#!/usr/bin/env bash
# Live updates at volume: one release app instance holding 1,000 WebSockets on one order's
# page; a change to the order is committed and every socket must receive the re-read status.
# Prints the time to deliver (first, median, p99, last socket, per round) and the app's
# memory per open socket; appends to bench/results/sockets.txt.
#
#   bench/sockets.sh                         1,000 sockets, 5 rounds
#   BENCH_SOCKETS=200 BENCH_ROUNDS=3 bench/sockets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SOCKETS=${BENCH_SOCKETS:-1000}
ROUNDS=${BENCH_ROUNDS:-5}
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
for tool in psql curl; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing: apt-get install -y postgresql-client curl" >&2; exit 1; }
done
cargo build --release --quiet --bin larder --example ws_fanout
LARDER="$ROOT/target/release/larder"
PG_URL=$("$LARDER" local-db start)
SERVER="${PG_URL%/*}"
DB=larder_bench_sockets
psql -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$SERVER/$DB"
"$LARDER" migrate >/dev/null
"$LARDER" seed scale --providers 3 --products 30 --businesses 3 --orders 30 >/dev/null
q() { psql -qtA "$DATABASE_URL" -c "$1"; }
q "UPDATE users SET email_verified_at = now() WHERE email_verified_at IS NULL" >/dev/null
BUSINESS=$(q "SELECT m.business_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'buyer1@scale.test'")
ORDER_ID=$(q "SELECT id FROM orders WHERE business_id = '$BUSINESS' ORDER BY created_at DESC LIMIT 1")

# Each socket is a file descriptor on both ends.
ulimit -n $(( SOCKETS * 2 + 1024 ))
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
BASE="http://127.0.0.1:$PORT"
POOL=${DB_POOL_SIZE:-$(( $(nproc) * 2 ))}
PORT=$PORT BASE_URL=$BASE RUN_WORKER=false DB_POOL_SIZE=$POOL RUST_LOG=warn "$LARDER" serve >"$OUT/sockets-app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/readyz" && break; sleep 0.1; done

JAR=$(mktemp)
token=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null -d "csrf_token=$token&email=buyer1@scale.test&password=scale-bench-password&next=" "$BASE/login"
COOKIE="larder_session=$(grep larder_session "$JAR" | awk '{print $7}')"
rm -f "$JAR"

{
  echo "# $(date -u +%FT%TZ) · $(nproc) cores · pool $POOL · load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$ROOT/target/release/examples/ws_fanout" "$BASE" "$COOKIE" "$ORDER_ID" "$DATABASE_URL" "$APP" "$SOCKETS" "$ROUNDS"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$OUT/sockets.txt"
