#!/usr/bin/env bash
# Standing orders at volume: 10,000 businesses each with a standing order due on the same
# morning, placed by one worker sweep (one connection, one occurrence per transaction, the
# same submit as checkout). Prints the time and orders per second; appends to
# bench/results/standing.txt.
#
#   bench/standing.sh                 10,000 standing orders
#   BENCH_STANDING=2000 bench/standing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNT=${BENCH_STANDING:-10000}
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
command -v psql >/dev/null || { echo "bench: psql is missing: apt-get install -y postgresql-client" >&2; exit 1; }
cargo build --release --quiet --bin larder
LARDER="$ROOT/target/release/larder"
PG_URL=$("$LARDER" local-db start)
SERVER="${PG_URL%/*}"
DB=larder_bench_standing
psql -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$SERVER/$DB"
"$LARDER" seed scale --providers 400 --products 8000 --businesses "$COUNT" --orders 0 >/dev/null
# Wednesday 2 Dec 2026: every zone here closes at noon that day, so placing opens at 10:00.
"$LARDER" seed standing "$COUNT" 2026-12-02 | tee "$OUT/standing.txt"
"$LARDER" place-standing 2026-12-02T10:30:00Z | tee -a "$OUT/standing.txt"
# A second sweep over the same morning must place nothing: each delivery is decided once.
"$LARDER" place-standing 2026-12-02T10:31:00Z | tee -a "$OUT/standing.txt"
psql -qtA "$DATABASE_URL" -c "SELECT 'orders from standing orders: ' || count(*) FROM orders WHERE standing_order_id IS NOT NULL" | tee -a "$OUT/standing.txt"
