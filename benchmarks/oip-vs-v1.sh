#!/usr/bin/env bash
# The Open Inference Protocol v2 route against bankops' own /v1/predict on one serving process, events on:
# wrk throughput and latency for one record and for a batch of 1,000 (columnar tensors vs a records array).
# Needs the stack with a champion (make demo). Run: bash benchmarks/oip-vs-v1.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/common.sh
source benchmarks/common.sh
model="${BANKOPS_MODEL_NAME:-bank-marketing}"
npx tsx benchmarks/serving-bodies.ts "$work" >/dev/null
BANKOPS_SERVING_API_KEYS=$hash BANKOPS_SERVING_SCRAPE_TARGET=off BANKOPS_LOG_LEVEL=warn BANKOPS_SERVING_PORT=8024 \
  bin/bankops serve > "$work/serve.log" 2>&1 &
wait_for http://127.0.0.1:8024/ready || { cat "$work/serve.log" >&2; exit 1; }
script() { # body file → a wrk script posting it
  cat > "$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/$1"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
}
for body in record.json oip1.json batch1000.json oip1000.json; do script "$body"; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c8 -d${duration}s"
run() { # label, body, path
  echo "== $1"
  wrk -t2 -c8 -d"${duration}s" --latency -s "$work/$2.lua" "http://127.0.0.1:8024$3" | grep -E "Requests/sec|50%|99%|Non-2xx"
}
run "one record, /v1/predict" record.json /v1/predict
run "one record, /v2/models/$model/infer" oip1.json "/v2/models/$model/infer"
run "1,000 records, /v1/predict" batch1000.json /v1/predict
run "1,000 records, /v2/models/$model/infer" oip1000.json "/v2/models/$model/infer"
