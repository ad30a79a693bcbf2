# Sourced by ./run and ./test: makes sure the machine has what Larder needs, installing it with
# apt-get when run as root, or stops with one line saying what to do.

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || { echo "larder: $1 is missing: $2" >&2; exit 1; }
}

dpkg_has() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

postgres_server_present() {
  [ -n "${PG_BIN_DIR:-}" ] && [ -x "$PG_BIN_DIR/initdb" ] && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

ensure_system_packages() {
  need_cmd cargo "install Rust with rustup, then open a new shell"
  local missing=()
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg_has libpq-dev || missing+=(libpq-dev)
    dpkg_has pkg-config || missing+=(pkg-config)
  fi
  # Only the private local cluster needs the server binaries.
  if [ -z "${DATABASE_URL:-}" ] && ! postgres_server_present; then
    missing+=(postgresql)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "larder: missing system packages: run 'sudo apt-get install -y ${missing[*]}' and try again" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's package starts a system cluster on 5432; Larder runs its own, so leave that alone.
}

# Only ./test needs these: promtool (Debian's prometheus package) checks the alert rules.
ensure_test_packages() {
  command -v promtool >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "larder: promtool is missing: run 'sudo apt-get install -y --no-install-recommends prometheus' and try again" >&2
    exit 1
  fi
  echo "Installing prometheus for promtool (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
