#!/usr/bin/env bash
# The serving cost of a shadow: the same champion answering alone, then with a challenger scoring every
# request beside it (its score published as a shadow event), in one run: wrk throughput and the fixed-rate
# latency of benchmarks/loadgen. Needs the stack with a champion and one more registered version (make demo).
# Run: bash benchmarks/shadow-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/common.sh
source benchmarks/common.sh
npx tsx benchmarks/serving-bodies.ts "$work" >/dev/null
# the shadow server reads its challenger from the registry's alias: the newest version that is not champion
challenger=$(npx tsx benchmarks/shadow-alias.ts set)
echo "challenger for the shadow: v$challenger"
common="BANKOPS_SERVING_API_KEYS=$hash BANKOPS_SERVING_SCRAPE_TARGET=off BANKOPS_LOG_LEVEL=warn"
env $common BANKOPS_SERVING_PORT=8020 BANKOPS_SERVING_MODE=champion bin/bankops serve > "$work/alone.log" 2>&1 &
env $common BANKOPS_SERVING_PORT=8022 BANKOPS_SERVING_MODE=shadow bin/bankops serve > "$work/shadow.log" 2>&1 &
wait_for http://127.0.0.1:8020/ready; wait_for http://127.0.0.1:8022/ready
curl -sf http://127.0.0.1:8022/v1/model | grep -q '"mode":"shadow"' || { echo "the shadow server is not in shadow mode" >&2; exit 1; }
cat > "$work/predict.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/record.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c8 -d${duration}s"
for port in 8020 8022; do
  echo "== $([ $port = 8020 ] && echo 'champion alone' || echo 'champion + shadow') /v1/predict (events on)"
  wrk -t2 -c8 -d"${duration}s" --latency -s "$work/predict.lua" "http://127.0.0.1:$port/v1/predict" | grep -E "Requests/sec|50%|99%|Non-2xx"
done
(cd benchmarks/loadgen && go build -o "$work/loadgen" .)
for port in 8020 8022; do
  echo "== fixed 500 req/s, $([ $port = 8020 ] && echo 'champion alone' || echo 'champion + shadow')"
  "$work/loadgen" -addr "127.0.0.1:$port" -path /v1/predict -body "$work/record.json" -header "Authorization: Bearer $key" -rate 500 -duration "${BENCH_FIXED_SECONDS:-20s}"
done
npx tsx benchmarks/shadow-alias.ts clear
