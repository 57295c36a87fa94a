#!/usr/bin/env bash
# Installs the Debian packages bankops needs (when run as root or with sudo), or says which are missing.
# Prerequisites that a machine of this kind already has (Node 20, Java 17, Maven, Python 3.10+) are checked.
set -euo pipefail

# libxgboost-dev: the library's c_api.h, against which tests/unit/xgboost-prototypes.test.ts checks the binding
packages=(prometheus prometheus-alertmanager libxgboost0 libxgboost-dev unzip)
[ "${BANKOPS_WITH_CHROMIUM:-1}" = "1" ] && packages+=(chromium)
# make bench: wrk (throughput) and Go (benchmarks/loadgen, the fixed-rate load generator)
[ "${BANKOPS_BENCH:-0}" = "1" ] && packages+=(wrk golang-go)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-venv python3-pip)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "bankops: missing Debian packages: ${missing[*]}" >&2
    echo "  install them as root: apt-get install -y ${missing[*]}" >&2
    exit 3
  fi
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "bankops: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 3
fi
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
if [ "${java_major:-0}" -lt 17 ]; then
  echo "bankops: Java 17 or newer is required (found: ${java_major:-none}); apt-get install openjdk-17-jre-headless" >&2
  exit 3
fi
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {
  echo "bankops: Python 3.10 or newer is required (found: $(python3 --version 2>&1))" >&2
  exit 3
}
echo "system prerequisites: ok"
