#!/usr/bin/env bash
# System packages the integration tests need, installed with apt-get; safe to run again.
#   postgresql   the Postgres checkpointer test starts a throwaway cluster on loopback
#                (initdb/pg_ctl from /usr/lib/postgresql/*/bin; run as the 'postgres' user when root)
#   build tools  llama-cpp-python is an sdist and compiles on install
#   chromium     the web app's browser tests (Playwright drives this binary; no browser download)
set -euo pipefail

PACKAGES=(postgresql build-essential cmake chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "system deps already installed: ${PACKAGES[*]}"
    exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The Debian package creates and starts a system cluster; the tests start their own on a free
# port, so the system one is not needed (stopping it is harmless if it is not running).
if command -v pg_ctlcluster >/dev/null 2>&1; then
    for conf in /etc/postgresql/*/main; do
        [ -d "$conf" ] || continue
        ver=$(basename "$(dirname "$conf")")
        $SUDO pg_ctlcluster "$ver" main stop 2>/dev/null || true
    done
fi
