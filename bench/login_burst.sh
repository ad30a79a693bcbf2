#!/usr/bin/env bash
# Memory under a burst of logins: 200 people log in at once with production password hashing
# (argon2id, 19 MiB, t=2). Reports the process's peak RSS (VmHWM), its RSS once the burst is
# over, login latency and how many logins failed. Target: peak ≤ 100 MB, no 5xx.
#
#   bench/login_burst.sh            BURST=500 bench/login_burst.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT="$ROOT/bench/results"
BURST=${BURST:-200}
mkdir -p "$OUT"
command -v psql >/dev/null || { echo "bench: psql is missing: apt-get install -y postgresql-client" >&2; exit 1; }

cargo build --release --quiet --bin larder
LARDER="$ROOT/target/release/larder"
PG_URL=$("$LARDER" local-db start)
DB_URL="${PG_URL%/*}/larder_login_bench"
psql -q "${PG_URL%/*}/postgres" -c "DROP DATABASE IF EXISTS larder_login_bench" -c "CREATE DATABASE larder_login_bench"
export DATABASE_URL=$DB_URL
"$LARDER" migrate >/dev/null
ADMIN_PASSWORD=burst-bench-password-1 "$LARDER" create-admin burst@bench.test "Burst" >/dev/null

PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
PORT=$PORT RUN_WORKER=false RUST_LOG=warn "$LARDER" serve >"$OUT/login_burst_app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" && break; sleep 0.1; done
rss() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$APP/status"; }
idle=$(rss VmRSS)

python3 - "$PORT" "$BURST" >"$OUT/login_burst.txt" <<'PY'
import http.cookiejar, re, sys, threading, time, urllib.error, urllib.parse, urllib.request
port, n = sys.argv[1], int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
results, ready = [], threading.Barrier(n)
def one():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": "burst@bench.test",
                                   "password": "burst-bench-password-1", "next": ""}).encode()
    ready.wait()
    start = time.monotonic()
    try:
        status = opener.open(f"{base}/login", body).status
    except urllib.error.HTTPError as e:
        status = e.code
    results.append((status, time.monotonic() - start))
threads = [threading.Thread(target=one) for _ in range(n)]
for t in threads: t.start()
for t in threads: t.join()
times = sorted(t * 1000 for _, t in results)
codes = {}
for s, _ in results: codes[s] = codes.get(s, 0) + 1
print(f"logins={n} statuses={dict(sorted(codes.items()))} "
      f"p50={times[len(times)//2]:.0f}ms p95={times[int(len(times)*0.95)-1]:.0f}ms max={times[-1]:.0f}ms")
PY
peak=$(rss VmHWM)
after=$(rss VmRSS)
summary="$(cat "$OUT/login_burst.txt") rss_idle=${idle}MB rss_peak=${peak}MB rss_after=${after}MB"
echo "$summary"
echo "$summary" >"$OUT/login_burst.txt"
