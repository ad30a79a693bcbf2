#!/usr/bin/env bash
# Benchmark at marketplace scale: builds release, seeds (or reuses) a scale database, starts the
# app, logs in as generated users and drives each endpoint with wrk at concurrency 1 and 16,
# then measures each endpoint's main query bare with EXPLAIN ANALYZE. Writes bench/RESULTS.md.
#
#   bench/run.sh                      full run (1,000,000 orders on first use; see README)
#   BENCH_ORDERS=100000 BENCH_SECONDS=5 bench/run.sh   smaller and quicker
#   BENCH_DATABASE_URL=postgres://…   use that database instead of the private cluster's
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH_DIR="$ROOT/bench"
SECONDS_EACH=${BENCH_SECONDS:-10}
ORDERS=${BENCH_ORDERS:-1000000}
OUT="$BENCH_DIR/results"
mkdir -p "$OUT"
declare -A PACKAGE=([wrk]=wrk [psql]=postgresql-client [pgbench]=postgresql [curl]=curl)
for tool in wrk psql pgbench curl; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing: apt-get install -y ${PACKAGE[$tool]}" >&2; exit 1; }
done

cargo build --release --quiet --bin larder
LARDER="$ROOT/target/release/larder"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  DB_URL=$BENCH_DATABASE_URL
else
  PG_URL=$("$LARDER" local-db start)
  DB_URL="${PG_URL%/*}/larder_bench"
  psql -qtA "${PG_URL%/*}/postgres" -c "SELECT 1 FROM pg_database WHERE datname = 'larder_bench'" | grep -q 1 \
    || psql -q "${PG_URL%/*}/postgres" -c "CREATE DATABASE larder_bench"
fi
export DATABASE_URL=$DB_URL
"$LARDER" migrate >/dev/null
if ! psql -qtA "$DB_URL" -c "SELECT 1 FROM providers WHERE slug = 'scale-provider-1'" | grep -q 1; then
  echo "Seeding scale data with $ORDERS orders (minutes)..."
  /usr/bin/time -f "seed: %e s" "$LARDER" seed scale --orders "$ORDERS" | tee "$OUT/seed.txt"
fi
# Discovery reads stored trust scores: work them out as the hourly job would, timed.
"$LARDER" recompute-trust | tee "$OUT/trust.txt"
q() { psql -qtA "$DB_URL" -c "$1"; }
BUYER_ID=$(q "SELECT m.business_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'buyer1@scale.test'")
PROVIDER_ID=$(q "SELECT m.provider_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'provider1@scale.test'")
PROVIDER_SLUG=$(q "SELECT slug FROM providers WHERE id = '$PROVIDER_ID'")
# Submits must take the success path: provider1 delivers everywhere, every day, with no minimum.
q "UPDATE providers SET status = 'active', delivery_areas = '{E,N,SE,SW,W,EC,WC,NW}', delivery_days = '{1,2,3,4,5,6,7}',
   min_order_value = 0 WHERE id = '$PROVIDER_ID'" >/dev/null
# Scale accounts seeded before email confirmation existed count as confirmed.
q "UPDATE users SET email_verified_at = now() WHERE email LIKE '%@scale.test' AND email_verified_at IS NULL" >/dev/null
q "UPDATE delivery_zones SET areas = '{E,N,SE,SW,W,EC,WC,NW}', days = '{1,2,3,4,5,6,7}', min_order_value = 0,
   lead_days = 0, cutoff = '23:59' WHERE provider_id = '$PROVIDER_ID'" >/dev/null
ORDER_ID=$(q "SELECT id FROM orders WHERE business_id = '$BUYER_ID' ORDER BY created_at DESC LIMIT 1")
OUTCODE=$(q "SELECT outcode FROM locations WHERE business_id = '$BUYER_ID' AND is_default")
PRODUCT_ID=$(q "SELECT id FROM products WHERE provider_id = '$PROVIDER_ID' AND active AND in_stock LIMIT 1")

PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
BASE="http://127.0.0.1:$PORT"
POOL=${DB_POOL_SIZE:-$(( $(nproc) * 2 ))}
PORT=$PORT RUN_WORKER=false DB_POOL_SIZE=$POOL RUST_LOG=warn "$LARDER" serve >"$OUT/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/readyz" && break; sleep 0.1; done

csrf_of() { grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//'; }
login() { # email, jar -> prints the session cookie value
  local token
  rm -f "$2" # a jar left by an earlier run is logged in, and /login would redirect
  token=$(curl -s -c "$2" -b "$2" "$BASE/login" | csrf_of)
  curl -s -c "$2" -b "$2" -o /dev/null -d "csrf_token=$token&email=$1&password=scale-bench-password&next=" "$BASE/login"
  grep larder_session "$2" | awk '{print $7}'
}
BUYER=$(login buyer1@scale.test "$OUT/buyer.jar")
PROVIDER=$(login provider1@scale.test "$OUT/provider.jar")
CSRF=$(curl -s -b "$OUT/buyer.jar" "$BASE/account" | csrf_of)

declare -A RESULTS
bench() { # name, cookie, path, [script]
  local name=$1 cookie=$2 path=$3 script=${4:-$BENCH_DIR/p95.lua}
  for c in 1 16; do
    local t=$([ $c = 1 ] && echo 1 || echo 2)
    RESULTS["$name:$c"]=$(CSRF=$CSRF PRODUCT=$PRODUCT_ID BENCH_DIR=$BENCH_DIR wrk -t$t -c$c -d"${SECONDS_EACH}s" -s "$script" \
      -H "Cookie: larder_session=$cookie" "$BASE$path" | grep '^RESULT' | sed 's/^RESULT //')
    echo "$name c=$c: ${RESULTS[$name:$c]}"
  done
}
bench discovery "$BUYER" "/discover?filtered=1"
bench discovery_filtered "$BUYER" "/discover?filtered=1&category=dairy_eggs&delivers=1"
bench discovery_text "$BUYER" "/discover?filtered=1&q=cream"
bench catalog "$BUYER" "/providers/$PROVIDER_SLUG"
bench compare "$BUYER" "/compare?q=double+cream"
bench buyer_orders "$BUYER" "/orders"
bench provider_orders "$PROVIDER" "/provider/orders"
bench order_page "$BUYER" "/orders/$ORDER_ID"
bench cart_add "$BUYER" "/cart/items" "$BENCH_DIR/cart_add.lua"

# Submit: every request needs a filled cart and its own key, so 16 buyers each add and submit
# in a loop; only the submits are timed.
submit_loop() { # buyer number, rounds
  local jar="$OUT/submit$1.jar" cookie token loc date cart
  login "buyer$1@scale.test" "$jar" >/dev/null
  token=$(curl -s -b "$jar" "$BASE/account" | csrf_of)
  loc=$(q "SELECT l.id FROM locations l JOIN memberships m ON m.business_id = l.business_id JOIN users u ON u.id = m.user_id WHERE u.email = 'buyer$1@scale.test'")
  date=$(q "SELECT to_char(d, 'YYYY-MM-DD') FROM generate_series(current_date + 1, current_date + 15, interval '1 day') d WHERE extract(isodow FROM d)::int = ANY (SELECT unnest(delivery_days) FROM providers WHERE id = '$PROVIDER_ID') LIMIT 1")
  for _ in $(seq 1 "$2"); do
    curl -s -b "$jar" -o /dev/null -d "csrf_token=$token&product_id=$PRODUCT_ID&quantity=2" "$BASE/cart/items"
    # The checkout page names the cart it shows; the submit must name the same one.
    cart=$(curl -s -b "$jar" "$BASE/checkout/$PROVIDER_SLUG" | sed -n 's/.*name="cart" value="\([0-9a-f]*\)".*/\1/p')
    curl -s -b "$jar" -o /dev/null -w "%{http_code} %{time_total} %{redirect_url}\n" \
      -d "csrf_token=$token&key=$(cat /proc/sys/kernel/random/uuid)&date=$date&location=$loc&cart=$cart" "$BASE/checkout/$PROVIDER_SLUG"
  done
}
percentiles() { awk '{print $2 * 1000}' | sort -n | awk '{a[NR]=$1} END {printf "p50=%.2f p95=%.2f p99=%.2f n=%d", a[int(NR*0.5)+1], a[int(NR*0.95)], a[int(NR*0.99)], NR}'; }
submit_loop 2 100 > "$OUT/submit1.txt"
# A placed order redirects to its page; anything else (a refusal redirects to the cart) is not one.
outcomes() { awk '{print $1 ($3 ~ /\/orders\/[0-9a-f-]+$/ ? "-order" : "-other")}' | sort | uniq -c | xargs; }
RESULTS["submit:1"]="$(percentiles < "$OUT/submit1.txt") outcomes=$(outcomes < "$OUT/submit1.txt")"
SUBMITTERS=()
for n in $(seq 3 18); do submit_loop "$n" 30 > "$OUT/submit16-$n.txt" & SUBMITTERS+=($!); done
wait "${SUBMITTERS[@]}" # not a bare wait: the app is a background job too
RESULTS["submit:16"]="$(cat "$OUT"/submit16-*.txt | percentiles) outcomes=$(cat "$OUT"/submit16-*.txt | outcomes)"
echo "submit c=1: ${RESULTS[submit:1]}"; echo "submit c=16: ${RESULTS[submit:16]}"
RSS=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$APP/status)

# Bare SQL: each endpoint's main query through psql.
AREAS=$(python3 -c "
o='$OUTCODE'; import re
letters=re.match('[A-Z]+', o).group(0); a=[letters] if len(letters)<len(o) else []
if o[-1].isalpha() and len(o)>2 and o[-2].isdigit(): a.append(o[:-1])
a.append(o); print('{' + ','.join(a) + '}')")
declare -A BARE FLOOR
SUBST=(-e "s/:areas/'$AREAS'/g" -e "s/:provider/'$PROVIDER_ID'/g" -e "s/:buyer/'$BUYER_ID'/g" -e "s/:order/'$ORDER_ID'/g")
# psql does not echo comments: the timings come back in the file's order.
mapfile -t TIMES < <(sed "${SUBST[@]}" "$BENCH_DIR/queries.sql" | psql -q "$DB_URL" | grep 'Execution Time' | grep -o '[0-9.]*')
NAMES=(discovery discovery_filtered discovery_text catalog compare buyer_orders provider_orders order_page)
for i in "${!NAMES[@]}"; do BARE[${NAMES[$i]}]=${TIMES[$i]:-}; done
# The floor: the same statement prepared once and run back to back by pgbench over a socket, so
# it pays the round trip but neither planning nor EXPLAIN's instrumentation.
sed "${SUBST[@]}" "$BENCH_DIR/queries.sql" | awk -v dir="$OUT" '
  /^-- [a-z_]+$/ { file = dir "/floor-" $2 ".sql"; printf "" > file; next }
  file && !/^\\/ { sub(/^EXPLAIN \([^)]*\) /, ""); print >> file }'
for name in "${NAMES[@]}"; do
  FLOOR[$name]=$(pgbench -n -M prepared -c 1 -T 3 -f "$OUT/floor-$name.sql" "$DB_URL" 2>/dev/null | awk '/latency average/ {print $4}')
done

COUNTS=$(q "SELECT format('%s providers, %s products, %s businesses, %s orders, %s order lines, %s invoices',
  (SELECT count(*) FROM providers), (SELECT count(*) FROM products), (SELECT count(*) FROM businesses),
  (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines), (SELECT count(*) FROM invoices))")
{
  echo "# Benchmark results"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') with \`bench/run.sh\` (${SECONDS_EACH} s per endpoint and concurrency)."
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM;"
  echo "app (release build, DB_POOL_SIZE=$POOL), PostgreSQL $(q 'SHOW server_version') and wrk on the same machine."
  echo "Data: $COUNTS."
  echo "Logged in as buyer1@scale.test and provider1@scale.test (cookies); the buyer's default location is in $OUTCODE."
  echo
  echo "| endpoint | c=1 p50 / p95 / p99 ms | c=1 req/s | c=16 p50 / p95 / p99 ms | c=16 req/s | EXPLAIN ANALYZE ms | pgbench floor ms | c=1 p50 ÷ floor |"
  echo "|---|---|---|---|---|---|---|---|"
  for name in discovery discovery_filtered discovery_text catalog compare buyer_orders provider_orders order_page cart_add submit; do
    one=${RESULTS[$name:1]}; six=${RESULTS[$name:16]}
    get() { echo "$1" | grep -o "$2=[0-9.]*" | cut -d= -f2; }
    bare=${BARE[$name]:-} floor=${FLOOR[$name]:-}
    ratio=""
    if [ -n "$floor" ]; then ratio=$(python3 -c "print(f'{$(get "$one" p50)/$floor:.1f}')" 2>/dev/null || true); fi
    echo "| $name | $(get "$one" p50) / $(get "$one" p95) / $(get "$one" p99) | $(get "$one" rps) | $(get "$six" p50) / $(get "$six" p95) / $(get "$six" p99) | $(get "$six" rps) | ${bare:-–} | ${floor:-–} | ${ratio:-–} |"
  done
  echo
  echo "Server peak RSS (VmHWM) over the whole run: $RSS."
  echo "Submit is timed with curl (add to cart, then submit with a fresh key), one buyer for c=1 and 16 buyers in parallel for c=16;"
  echo "its req/s column is empty because curl's connection setup is included."
  echo "Submit outcomes (HTTP status, and whether it redirected to a new order): c=1 ${RESULTS[submit:1]#*outcomes=}; c=16 ${RESULTS[submit:16]#*outcomes=}."
  echo "Raw output: bench/results/ (ignored by git)."
} > "$BENCH_DIR/RESULTS.md"
cat "$BENCH_DIR/RESULTS.md"
