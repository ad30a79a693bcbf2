#!/usr/bin/env bash
# The buyer's nightly order at volume: the order guide of an address with 2,000 order lines
# of history (400 orders over 80 days, over BENCH_GUIDE_PRODUCTS products from 5 providers),
# and one checkout that places 5 carts at once. Prints p50/p95/p99 and appends to
# bench/results/guide.txt.
#
#   bench/guide.sh                    BENCH_SECONDS=10 per concurrency, BENCH_ROUNDS=50 submits
#   BENCH_GUIDE_PRODUCTS=500 bench/guide.sh    a longer guide (default 100: 20 orders each)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-50}
PRODUCTS=${BENCH_GUIDE_PRODUCTS:-100}
PER_PROVIDER=$(( PRODUCTS / 5 ))
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
for tool in wrk psql curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing: apt-get install -y wrk postgresql-client curl python3" >&2; exit 1; }
done
cargo build --release --quiet --bin larder
LARDER="$ROOT/target/release/larder"
PG_URL=$("$LARDER" local-db start)
SERVER="${PG_URL%/*}"
DB=larder_bench_guide
psql -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$SERVER/$DB"
"$LARDER" seed scale --providers 20 --products 4000 --businesses 20 --orders 0 >/dev/null
q() { psql -qtA "$DATABASE_URL" -c "$1"; }
q "UPDATE users SET email_verified_at = now() WHERE email_verified_at IS NULL" >/dev/null
# Five providers that deliver everywhere, every day, with no minimum and a late cut-off.
PROVIDERS="SELECT id FROM providers ORDER BY slug LIMIT 5"
q "UPDATE providers SET status = 'active', delivery_areas = '{E,N,SE,SW,W,EC,WC,NW}', delivery_days = '{1,2,3,4,5,6,7}',
   min_order_value = 0 WHERE id IN ($PROVIDERS)" >/dev/null
q "UPDATE delivery_zones SET areas = '{E,N,SE,SW,W,EC,WC,NW}', days = '{1,2,3,4,5,6,7}', min_order_value = 0,
   lead_days = 0, cutoff = '23:59' WHERE provider_id IN ($PROVIDERS)" >/dev/null
q "UPDATE products SET active = true, in_stock = true WHERE provider_id IN ($PROVIDERS)" >/dev/null
# History: 400 orders at buyer1's default address over the last 80 days, 5 lines each, cycling
# through PRODUCTS / 5 products of each provider (each order's 5 lines from one provider).
q "WITH b AS (SELECT m.business_id, m.user_id, l.id AS location FROM memberships m JOIN users u ON u.id = m.user_id
                JOIN locations l ON l.business_id = m.business_id AND l.is_default WHERE u.email = 'buyer1@scale.test'),
        p AS (SELECT id, provider_id, sku, name, unit, pack_size, price, vat_rate, fractional,
                     row_number() OVER (ORDER BY provider_id, id) - 1 AS n
                FROM (SELECT *, row_number() OVER (PARTITION BY provider_id ORDER BY id) AS r
                        FROM products WHERE provider_id IN ($PROVIDERS)) x
               WHERE r <= $PER_PROVIDER),
        o AS (INSERT INTO orders (business_id, location_id, provider_id, placed_by, status, requested_delivery_date,
                                  delivery_address, subtotal, vat_total, total, idempotency_key, created_at)
              SELECT b.business_id, b.location, (SELECT provider_id FROM p WHERE n = (g * 5) % $PRODUCTS), b.user_id, 'delivered',
                     current_date - (g / 5), 'Bench address', 0, 0, 0, md5('bench-guide-' || g)::uuid, now() - (g / 5) * interval '1 day'
                FROM b, generate_series(0, 399) g
              RETURNING id, idempotency_key)
   INSERT INTO order_lines (order_id, product_id, position, sku, product_name, unit, pack_size, unit_price, vat_rate,
                            quantity, line_total, line_vat, fractional)
   SELECT o.id, p.id, k, p.sku, p.name, p.unit, p.pack_size, p.price, p.vat_rate, 2 + k, p.price * (2 + k), 0, p.fractional
     FROM o JOIN generate_series(0, 399) g ON o.idempotency_key = md5('bench-guide-' || g)::uuid,
          generate_series(0, 4) k JOIN p ON true
    WHERE p.n = (g * 5 + k) % $PRODUCTS" >/dev/null
echo "history lines: $(q "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN users u ON u.id = o.placed_by WHERE u.email = 'buyer1@scale.test'")"
q "ANALYZE" >/dev/null

PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
BASE="http://127.0.0.1:$PORT"
POOL=${DB_POOL_SIZE:-$(( $(nproc) * 2 ))}
PORT=$PORT RUN_WORKER=false DB_POOL_SIZE=$POOL RUST_LOG=warn "$LARDER" serve >"$OUT/guide-app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/readyz" && break; sleep 0.1; done
csrf_of() { grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//'; }
JAR="$OUT/guide.jar"; rm -f "$JAR"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | csrf_of)
curl -s -c "$JAR" -b "$JAR" -o /dev/null -d "csrf_token=$TOKEN&email=buyer1@scale.test&password=scale-bench-password&next=" "$BASE/login"
COOKIE=$(awk '$6 == "larder_session" {print $7}' "$JAR")
ROWS=$(curl -s -b "$JAR" "$BASE/guide" | grep -c 'id="row-' || true)
echo "guide rows shown: $ROWS"
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), pool $POOL"
  echo "guide rows: $ROWS, page $(curl -s -b "$JAR" -o /dev/null -w '%{size_download}' "$BASE/guide") bytes"
  for c in 1 16; do
    t=$(( c < 2 ? 1 : 2 ))
    echo "GET /guide c=$c: $(wrk -t$t -c$c -d"${SECONDS_EACH}s" -s "$ROOT/bench/p95.lua" -H "Cookie: larder_session=$COOKIE" "$BASE/guide" | grep '^RESULT' | sed 's/^RESULT //')"
  done
  # Five carts, one per provider, then one "Place orders"; only that POST is timed.
  BASE=$BASE COOKIE=$COOKIE ROUNDS=$ROUNDS DATABASE_URL=$DATABASE_URL python3 "$ROOT/bench/checkout_all.py"
  echo "peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$APP/status)"
} | tee -a "$OUT/guide.txt"
