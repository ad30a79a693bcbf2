#!/usr/bin/env bash
# Browser suite: real Chromium against the real app on a fresh database, with a real SMTP
# catcher (maildev). Starts everything it needs and stops it afterwards; exits non-zero on any
# failed scenario, serious accessibility violation or HTML error.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
RESULTS="$PWD/results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

need() { # command, Debian package
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then echo "e2e: $1 is missing: run 'sudo apt-get install -y $2'" >&2; exit 1; fi
  echo "Installing $2 (apt-get)..."
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $2 >/dev/null
}
need npm npm
need curl curl
need java default-jre-headless
need chromium "chromium fonts-liberation"
need psql postgresql-client

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
APP_PORT=$(free_port); SMTP_PORT=$(free_port); WEB_PORT=$(free_port)

(cd "$ROOT" && cargo build --quiet --bin larder)
LARDER="$ROOT/target/debug/larder"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  SERVER_URL="${TEST_DATABASE_URL%/*}"
else
  PG_URL=$(cd "$ROOT" && "$LARDER" local-db start)
  SERVER_URL="${PG_URL%/*}"
fi
DB="larder_e2e_$$"
psql -q "$SERVER_URL/postgres" -c "CREATE DATABASE $DB" >/dev/null

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Run the package binary itself, not through npx, so the pid we stop is maildev's own.
node_modules/.bin/maildev --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$SMTP_PORT" -w "$WEB_PORT" \
  --mail-directory "$RESULTS/mail" >"$RESULTS/maildev.log" 2>&1 &
PIDS+=($!)

export DATABASE_URL="$SERVER_URL/$DB" APP_ENV=test RUN_WORKER=true PORT="$APP_PORT" \
  BASE_URL="http://127.0.0.1:$APP_PORT" SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" LARDER_ROOT="$ROOT" \
  STRIPE_WEBHOOK_SECRET=whsec_e2e_larder CLIENT_IP_HEADER=X-E2E-Client
"$LARDER" migrate >/dev/null
export E2E_ADMIN_EMAIL=admin@e2e.test E2E_ADMIN_PASSWORD=e2e-admin-password-1
ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD" "$LARDER" create-admin "$E2E_ADMIN_EMAIL" "E2E Admin" >/dev/null
"$LARDER" serve >"$RESULTS/app.log" 2>&1 &
PIDS+=($!)

wait_for() { # url, what
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "e2e: $2 did not start; see $RESULTS" >&2; exit 1
}
wait_for "http://127.0.0.1:$APP_PORT/readyz" "the app"
wait_for "http://127.0.0.1:$WEB_PORT/api/healthz" "maildev"

export E2E_BASE_URL="http://127.0.0.1:$APP_PORT" MAILDEV_URL="http://127.0.0.1:$WEB_PORT"
start=$(date +%s)
npx playwright test "$@"
echo "Browser scenarios passed in $(( $(date +%s) - start )) s"

# Every page the scenarios visited, through the Nu HTML checker.
pages=("$RESULTS"/html/*.html)
java -jar node_modules/vnu-jar/build/dist/vnu.jar --errors-only --skip-non-html "${pages[@]}"
echo "Nu HTML checker: ${#pages[@]} pages, no errors"
