#!/usr/bin/env bash
# Money at marketplace scale: the admin dashboard, the fee invoices and the finance exports on
# the 1,000,000-order benchmark database (bench/run.sh makes it on first use). Adds, once, what
# the scale seed leaves out: a journal for every paid invoice (issued, paid by card, a 2.5 % fee
# plus VAT, the transfer), an analytics event for every order, and invoice lines for
# the busiest provider's invoices. Times the monthly fee invoicing (first run and a repeat), the pages
# with wrk at c=1 and c=16, and exports from the request to the finished file. Appends to
# bench/results/money.txt.
#
#   bench/money.sh                 BENCH_SECONDS=10 per page and concurrency
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${BENCH_SECONDS:-10}
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
for tool in wrk psql curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing: apt-get install -y wrk postgresql-client curl python3" >&2; exit 1; }
done
cargo build --release --quiet --bin larder
LARDER="$ROOT/target/release/larder"
PG_URL=$("$LARDER" local-db start)
export DATABASE_URL="${PG_URL%/*}/larder_bench"
psql -qtA "${PG_URL%/*}/postgres" -c "SELECT 1 FROM pg_database WHERE datname = 'larder_bench'" | grep -q 1 \
  || psql -q "${PG_URL%/*}/postgres" -c "CREATE DATABASE larder_bench"
"$LARDER" migrate >/dev/null
q() { psql -qtA "$DATABASE_URL" -c "$1"; }
if ! q "SELECT 1 FROM providers WHERE slug = 'scale-provider-1'" | grep -q 1; then
  echo "Seeding scale data with ${BENCH_ORDERS:-1000000} orders (minutes)..."
  "$LARDER" seed scale --orders "${BENCH_ORDERS:-1000000}" >/dev/null
fi
q "UPDATE users SET email_verified_at = now() WHERE email LIKE '%@scale.test' AND email_verified_at IS NULL" >/dev/null

if ! q "SELECT 1 FROM journal_entries WHERE source LIKE 'bench-money:%' LIMIT 1" | grep -q 1; then
  echo "Journalling the paid invoices (a minute or two)..."
  start=$(date +%s)
  psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<'SQL'
BEGIN;
INSERT INTO analytics_events (kind, user_id, business_id, provider_id, subject_id, occurred_at)
SELECT 'order_placed', placed_by, business_id, provider_id, id, created_at FROM orders WHERE number LIKE 'SC-%'
ON CONFLICT DO NOTHING;
UPDATE invoices SET platform_fee = round(total * 0.025, 2), platform_fee_vat = round(round(total * 0.025, 2) * 0.2, 2)
 WHERE status = 'paid' AND number IS NOT NULL AND total > 0;
CREATE TEMP TABLE k (kind text, n int);
INSERT INTO k VALUES ('invoice_issued', 0), ('payment_received', 1), ('platform_fee', 2), ('transfer', 3);
CREATE TEMP TABLE e AS
SELECT larder_uuid_v7() AS id, k.kind, i.id AS invoice_id, i.business_id, i.provider_id, i.total,
       i.platform_fee AS fee, i.platform_fee_vat AS vat,
       CASE WHEN k.n = 0 THEN i.issued_at ELSE i.paid_at END AS at
  FROM invoices i CROSS JOIN k
 WHERE i.status = 'paid' AND i.paid_at IS NOT NULL AND i.total > 0;
INSERT INTO journal_entries (id, kind, source, invoice_id, occurred_at, memo)
SELECT id, kind, 'bench-money:' || invoice_id, invoice_id, at, '' FROM e;
INSERT INTO journal_lines (entry_id, account, business_id, provider_id, amount)
SELECT id, 'buyer_receivable', business_id, NULL, total FROM e WHERE kind = 'invoice_issued'
UNION ALL SELECT id, 'provider_payable', NULL, provider_id, -total FROM e WHERE kind = 'invoice_issued'
UNION ALL SELECT id, 'stripe_clearing', NULL, NULL, total FROM e WHERE kind = 'payment_received'
UNION ALL SELECT id, 'buyer_receivable', business_id, NULL, -total FROM e WHERE kind = 'payment_received'
UNION ALL SELECT id, 'provider_payable', NULL, provider_id, fee + vat FROM e WHERE kind = 'platform_fee'
UNION ALL SELECT id, 'platform_fee_revenue', NULL, NULL, -fee FROM e WHERE kind = 'platform_fee'
UNION ALL SELECT id, 'vat_on_fees', NULL, NULL, -vat FROM e WHERE kind = 'platform_fee'
UNION ALL SELECT id, 'provider_stripe_balance', NULL, provider_id, total - fee - vat FROM e WHERE kind = 'transfer'
UNION ALL SELECT id, 'stripe_clearing', NULL, NULL, -(total - fee - vat) FROM e WHERE kind = 'transfer';
COMMIT;
ANALYZE;
SQL
  echo "journalled in $(( $(date +%s) - start )) s"
fi
# The provider with the most invoices exports its sales; its invoices get their lines (the
# scale seed writes none).
SELLER=$(q "SELECT u.email FROM invoices i JOIN memberships m ON m.provider_id = i.provider_id JOIN users u ON u.id = m.user_id
            WHERE u.email LIKE 'provider%@scale.test' GROUP BY u.email ORDER BY count(*) DESC, u.email LIMIT 1")
if ! q "SELECT 1 FROM invoice_lines il JOIN invoices i ON i.id = il.invoice_id JOIN memberships m ON m.provider_id = i.provider_id
        JOIN users u ON u.id = m.user_id WHERE u.email = '$SELLER' LIMIT 1" | grep -q 1; then
  q "INSERT INTO invoice_lines (invoice_id, position, description, unit, quantity, unit_price, vat_rate, line_total, line_vat, fractional)
     SELECT i.id, l.position, l.product_name, l.unit, l.quantity, l.unit_price, l.vat_rate, l.line_total, l.line_vat, l.fractional
       FROM invoices i JOIN order_lines l ON l.order_id = i.order_id
       JOIN memberships m ON m.provider_id = i.provider_id JOIN users u ON u.id = m.user_id
      WHERE u.email = '$SELLER'" >/dev/null
fi
echo "seller: $SELLER, $(q "SELECT count(*) FROM invoices i JOIN memberships m ON m.provider_id = i.provider_id JOIN users u ON u.id = m.user_id WHERE u.email = '$SELLER'") invoices"
echo "journal: $(q "SELECT count(*) FROM journal_entries") entries, $(q "SELECT count(*) FROM journal_lines") lines; $(q "SELECT count(*) FROM invoices") invoices, $(q "SELECT count(*) FROM analytics_events") events"

PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
BASE="http://127.0.0.1:$PORT"
POOL=${DB_POOL_SIZE:-$(( $(nproc) * 2 ))}
ADMIN_PASSWORD=bench-admin-password-1 "$LARDER" create-admin admin@bench.test "Bench Admin" >/dev/null 2>&1 || true
PORT=$PORT RUN_WORKER=false DB_POOL_SIZE=$POOL RUST_LOG=warn "$LARDER" serve >"$OUT/money-app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/readyz" && break; sleep 0.1; done
csrf_of() { grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//'; }
login() { # jar, email, password
  local token
  token=$(curl -s -c "$1" -b "$1" "$BASE/login" | csrf_of)
  curl -s -c "$1" -b "$1" -o /dev/null -d "csrf_token=$token&email=$2&password=$3&next=" "$BASE/login"
}
ADMIN_JAR="$OUT/money-admin.jar"; PROVIDER_JAR="$OUT/money-provider.jar"; rm -f "$ADMIN_JAR" "$PROVIDER_JAR"
login "$ADMIN_JAR" admin@bench.test bench-admin-password-1
login "$PROVIDER_JAR" "$SELLER" scale-bench-password
cookie() { awk '$6 == "larder_session" {print $7}' "$1"; }
# An export, from the request to the finished file: the POST's time, then the build.
export_run() { # jar, base, kind, from, to
  local token t run built
  token=$(curl -s -b "$1" "$BASE$2" | csrf_of)
  t=$(curl -s -b "$1" -o /dev/null -w '%{time_total}' -d "csrf_token=$token&kind=$3&format=xero&from=$4&to=$5" "$BASE$2")
  run=$(q "SELECT id FROM report_runs ORDER BY created_at DESC LIMIT 1")
  built=$("$LARDER" export "$run")
  echo "$3 $4..$5: request $(python3 -c "print(round($t * 1000, 1))") ms, $built, $(q "SELECT total_rows || ' documents, ' || length(content) / 1024 || ' KiB' FROM report_runs WHERE id = '$run'")"
}
page() { # jar, path
  for c in 1 16; do
    t=$(( c < 2 ? 1 : 2 ))
    echo "GET $2 c=$c: $(wrk -t$t -c$c -d"${SECONDS_EACH}s" -s "$ROOT/bench/p95.lua" -H "Cookie: larder_session=$(cookie "$1")" "$BASE$2" | grep '^RESULT' | sed 's/^RESULT //')"
  done
}
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), pool $POOL"
  echo "fee invoicing, June 2026, first run: $("$LARDER" issue-fee-invoices 2026-06)"
  echo "fee invoicing, June 2026, again: $("$LARDER" issue-fee-invoices 2026-06)"
  echo "fee invoicing, July 2026: $("$LARDER" issue-fee-invoices 2026-07)"
  echo "fee invoice lines: $(q "SELECT count(*) FROM fee_invoice_lines")"
  page "$ADMIN_JAR" "/admin/analytics"
  page "$ADMIN_JAR" "/admin/analytics?from=2026-01-01&to=2026-11-30"
  page "$ADMIN_JAR" "/admin/fee-invoices"
  page "$PROVIDER_JAR" "/provider/plan"
  page "$PROVIDER_JAR" "/provider/fee-invoices"
  page "$PROVIDER_JAR" "/provider/exports"
  export_run "$ADMIN_JAR" /admin/exports fee_invoices 2026-06-01 2026-06-30
  export_run "$PROVIDER_JAR" /provider/exports sales_invoices 2026-06-01 2026-06-30
  export_run "$PROVIDER_JAR" /provider/exports sales_invoices 2026-01-01 2026-11-30
  echo "peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$APP/status)"
} | tee -a "$OUT/money.txt"
