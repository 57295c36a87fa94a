# Sourced by the serving benchmarks: a scratch folder removed (and background servers stopped) on exit, an
# API key and its sha256 for the servers, the wrk duration, and a readiness wait.
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
key="bench-$(date +%s)"
hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
duration="${BENCH_SECONDS:-15}"
wait_for() { for _ in $(seq 1 120); do curl -sf "$1" >/dev/null && return 0; sleep 1; done; echo "not ready: $1" >&2; return 1; }
