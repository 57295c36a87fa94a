#!/usr/bin/env bash
# bankops serving against MLflow's own scoring server (`mlflow models serve`) on the same champion model,
# BENCH_WORKERS (1) workers each, the same load generator (wrk), single-record requests. Then latency at a fixed
# 1,000 req/s, a batch of 1,000 records, and the cost of prediction events (on vs off).
# Needs the stack up with a champion (make demo KEEP=1) and Go (for benchmarks/loadgen).
# Run: bash benchmarks/serving-vs-mlflow.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/common.sh
source benchmarks/common.sh
home="${BANKOPS_HOME:-.bankops}"
mlflow_url="${BANKOPS_MLFLOW_URL:-http://127.0.0.1:${BANKOPS_MLFLOW_PORT:-5000}}"
venv="$home/opt/mlflow/venv"
conns="${BENCH_CONNECTIONS:-8}"
workers="${BENCH_WORKERS:-1}"

# bodies: one raw record (bankops), the workshop's dataframe_split (bankops /invocations), and the
# encoded features of the same record for MLflow's server (it scores the model's own input).
npx tsx benchmarks/serving-bodies.ts "$work" >/dev/null

BANKOPS_SERVING_API_KEYS=$hash BANKOPS_SERVING_PORT=8010 BANKOPS_SERVING_SCRAPE_TARGET=off BANKOPS_LOG_LEVEL=warn bin/bankops serve --workers "$workers" > "$work/serve-on.log" 2>&1 &
BANKOPS_SERVING_API_KEYS=$hash BANKOPS_SERVING_PORT=8012 BANKOPS_SERVING_EVENTS=off BANKOPS_SERVING_SCRAPE_TARGET=off BANKOPS_LOG_LEVEL=warn bin/bankops serve --workers "$workers" > "$work/serve-off.log" 2>&1 &
PATH="$venv/bin:$PATH" MLFLOW_TRACKING_URI="$mlflow_url" "$venv/bin/mlflow" models serve -m "models:/bank-marketing@champion" --env-manager local \
  --host 127.0.0.1 -p 5011 --workers "$workers" > "$work/mlflow-serve.log" 2>&1 &
wait_for http://127.0.0.1:8010/ready; wait_for http://127.0.0.1:8012/ready; wait_for http://127.0.0.1:5011/ping

lua() { # wrk script posting a body file with headers
  cat > "$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/$2"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
}
lua predict record.json; lua invocations workshop.json; lua mlflow encoded.json
run() { echo "== $1"; wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$work/$2.lua" "$3" | grep -E "Requests/sec|50%|99%|Non-2xx" ; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg); $workers worker(s) each; wrk -t2 -c$conns -d${duration}s"
run "bankops /v1/predict (events on)" predict http://127.0.0.1:8010/v1/predict
run "bankops /invocations, workshop payload (events on)" invocations http://127.0.0.1:8010/invocations
run "bankops /v1/predict (events off)" predict http://127.0.0.1:8012/v1/predict
run "mlflow models serve /invocations (encoded features)" mlflow http://127.0.0.1:5011/invocations
# Fixed-rate latency: an open-loop generator (benchmarks/loadgen, Go) that measures from each request's due
# time, so a stalled server cannot hide behind a waiting client (wrk's closed loop would).
(cd benchmarks/loadgen && go build -o "$work/loadgen" .)
fixed() { "$work/loadgen" -addr "127.0.0.1:$1" -path "$2" -body "$work/$3" -header "Authorization: Bearer $key" -rate "$4" -duration "${BENCH_FIXED_SECONDS:-20s}"; }
echo "== fixed 1,000 req/s, single records, /v1/predict (events on)"
fixed 8010 /v1/predict record.json 1000
echo "== fixed 1,000 req/s, the workshop payload, /invocations (events on)"
fixed 8010 /invocations workshop.json 1000
echo "== a batch of 1,000 records, 5 batches/s (events on)"
fixed 8010 /v1/predict batch1000.json 5
echo "== the same with events off (the cost of publishing)"
fixed 8012 /v1/predict record.json 1000
fixed 8012 /v1/predict batch1000.json 5
