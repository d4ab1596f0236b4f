#!/usr/bin/env bash
# N app processes behind HAProxy, sharing the store named by CIVICMAP_DATABASE_URL.
#   deploy/serve_replicas.sh N [PORT]      (PORT: the proxy's, default 8501)
# Each replica is `streamlit run app.py` on a free port of 127.0.0.1, with the caller's
# environment and CIVICMAP_TRUST_PROXY=1 (the client's address comes from X-Forwarded-For).
# Everything it starts is stopped by PID on Ctrl-C, SIGTERM or exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
n=${1:?usage: deploy/serve_replicas.sh N [PORT]}
port=${2:-8501}
HAPROXY=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive number, got '$n'" >&2; exit 2; }
[ -x "$HAPROXY" ] || { echo "haproxy not found: apt-get install haproxy" >&2; exit 2; }
case "${CIVICMAP_DATABASE_URL:-}" in
  postgresql*) ;;
  *) echo "warning: CIVICMAP_DATABASE_URL is not PostgreSQL; the replicas share" \
          "a SQLite file, which suits a trial on one machine only" >&2 ;;
esac

pids=()
workdir=$(mktemp -d)
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2> /dev/null || true
  done
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

free_port() {
  .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A missing or half-built store is built once, before any replica reads it (as `make run`).
.venv/bin/python -c 'import store, sys; sys.exit(0 if store.is_built() else 1)' \
  || .venv/bin/civicmap build

ports=()
servers=""
for i in $(seq "$n"); do
  p=$(free_port)
  CIVICMAP_TRUST_PROXY=1 .venv/bin/streamlit run app.py --server.address 127.0.0.1 \
    --server.port "$p" --server.headless true --browser.gatherUsageStats false \
    > "$workdir/app$i.log" 2>&1 &
  pids+=($!)
  ports+=("$p")
  servers+="    server app$i 127.0.0.1:$p check cookie app$i"$'\n'
done

for i in "${!ports[@]}"; do
  p=${ports[$i]}
  for _ in $(seq 360); do
    if .venv/bin/python -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$p/_stcore/health', timeout=2)" 2> /dev/null; then
      break
    fi
    kill -0 "${pids[$i]}" 2> /dev/null || { echo "replica $((i + 1)) exited:" >&2; tail -n 30 "$workdir/app$((i + 1)).log" >&2; exit 1; }
    sleep 0.5
  done
done

cfg=$workdir/haproxy.cfg
template=$(< deploy/haproxy.cfg.in)
template=${template//@BIND@/127.0.0.1:$port}
printf '%s\n' "${template//@SERVERS@/$servers}" > "$cfg"
"$HAPROXY" -c -q -f "$cfg"
"$HAPROXY" -f "$cfg" -db &
pids+=($!)

echo "Proxy: http://127.0.0.1:$port"
for i in "${!ports[@]}"; do
  echo "replica $((i + 1)): port ${ports[$i]} pid ${pids[$i]} log $workdir/app$((i + 1)).log"
done
echo "haproxy: pid ${pids[-1]} config $cfg"
wait "${pids[-1]}"
