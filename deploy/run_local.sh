#!/usr/bin/env bash
# Serve the app from N Streamlit replicas on loopback ports with nginx in front; Ctrl-C or SIGTERM stops them all.
#
#   deploy/run_local.sh N                        replicas on 127.0.0.1:8501.., nginx on http://127.0.0.1:8080
#   deploy/run_local.sh --render IP:PORT ...     print the nginx configuration for those replicas and exit
#
# Environment (all optional):
#   AUTOGRAD_PROXY_PORT     nginx's port (8080)
#   AUTOGRAD_REPLICA_PORT   the first replica's port (8501); replica i listens on it + i
#   AUTOGRAD_REPLICA_CORES  cores to pin the replicas to, one per replica ("0 1": replica i on the i-th)
#   AUTOGRAD_RUN_DIR        where configuration, logs, pids and replicas.tsv go (a new temporary directory)
#   AUTOGRAD_JOB_WORKERS, AUTOGRAD_JOB_MEMORY_MB   each replica's job service (README: the job service)
#   STREAMLIT_SERVER_COOKIE_SECRET   shared by all replicas (random per run): the XSRF cookie one replica
#                                    signs must check on another after a failover, or uploads are refused
#   PYTHON, NGINX           the interpreter (.venv/bin/python) and nginx binary (nginx)
# nginx runs as this script's child, not as a daemon, with its own prefix: no system service, no root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TEMPLATE="$ROOT/deploy/nginx.conf.template"

die() { echo "run_local.sh: $*" >&2; exit 2; }

upload_mb() {  # server.maxUploadSize from .streamlit/config.toml, so nginx passes what Streamlit accepts
  sed -n 's/^maxUploadSize *= *\([0-9]*\).*/\1/p' "$ROOT/.streamlit/config.toml" | head -1
}

render() {  # render PREFIX LISTEN WORKERS HOST:PORT...: the nginx configuration on stdout
  local prefix=$1 listen=$2 workers=$3; shift 3
  local all="    upstream autograd_all {\n        zone autograd_all 64k;\n" groups="" pools="" served="" keep=""
  local i j
  local -a hosts=("$@")
  for i in "${!hosts[@]}"; do
    all+="        server ${hosts[i]} max_fails=1 fail_timeout=10s;\n"
    groups+="    upstream autograd_r$i {\n        zone autograd_r$i 64k;\n"
    groups+="        server ${hosts[i]} max_fails=1 fail_timeout=10s;\n"
    for j in "${!hosts[@]}"; do
      [ "$j" = "$i" ] || groups+="        server ${hosts[j]} backup max_fails=1 fail_timeout=10s;\n"
    done
    groups+="    }\n"
    pools+="        r$i autograd_r$i;\n"
    served+="        \"~(^|, )${hosts[i]//./\\\\.}\$\" r$i;\n"
    keep+="        \"r$i:r$i\" \"\";\n"
  done
  all+="    }\n"
  local text
  text=$(<"$TEMPLATE")
  text=${text//@PREFIX@/$prefix}
  text=${text//@LISTEN@/$listen}
  text=${text//@WORKERS@/$workers}
  text=${text//@UPLOAD_MB@/$(upload_mb)}
  text=${text//@UPSTREAMS@/$(printf "%b" "$all$groups")}
  text=${text//@POOLS@/$(printf "%b" "${pools%\\n}")}
  text=${text//@SERVED_BY@/$(printf "%b" "${served%\\n}")}
  text=${text//@KEEP_COOKIE@/$(printf "%b" "${keep%\\n}")}
  printf '%s\n' "$text"
}

if [ "${1:-}" = "--render" ]; then
  shift
  [ $# -ge 1 ] || die "--render needs at least one IP:PORT"
  for host in "$@"; do  # the affinity cookie names the replica by $upstream_addr, which is always an address
    [[ "$host" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+$ ]] || die "--render takes IPv4:PORT, not $host"
  done
  render "${AUTOGRAD_RUN_DIR:-/tmp/nginx}" "${AUTOGRAD_PROXY_LISTEN:-80}" auto "$@"
  exit 0
fi

N=${1:-}
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "usage: deploy/run_local.sh N (N >= 1 replicas) | --render HOST:PORT ..."
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
NGINX=${NGINX:-nginx}
PROXY_PORT=${AUTOGRAD_PROXY_PORT:-8080}
FIRST_PORT=${AUTOGRAD_REPLICA_PORT:-8501}
read -r -a CORES <<<"${AUTOGRAD_REPLICA_CORES:-}"
[ -x "$PYTHON" ] || die "no Python at $PYTHON: create the .venv (README) or set PYTHON"
command -v "$NGINX" >/dev/null || die "nginx not found: install it (Debian: apt-get install nginx) or set NGINX"
[ ${#CORES[@]} -eq 0 ] || [ ${#CORES[@]} -ge "$N" ] || die "AUTOGRAD_REPLICA_CORES names ${#CORES[@]} cores for $N replicas"

port_free() {  # whether nothing listens on 127.0.0.1:$1 (binding tells, whoever holds it)
  "$PYTHON" -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
port_free "$PROXY_PORT" || die "port $PROXY_PORT (nginx) is already in use: stop what holds it or set AUTOGRAD_PROXY_PORT"
PORTS=()
for ((i = 0; i < N; i++)); do
  port=$((FIRST_PORT + i))
  port_free "$port" || die "port $port (replica r$i) is already in use: stop what holds it or set AUTOGRAD_REPLICA_PORT"
  PORTS+=("$port")
done

RUN_DIR=${AUTOGRAD_RUN_DIR:-$(mktemp -d -t autograd-replicas.XXXXXX)}
mkdir -p "$RUN_DIR"
rm -f "$RUN_DIR/ready" "$RUN_DIR/replicas.tsv"
export STREAMLIT_SERVER_COOKIE_SECRET=${STREAMLIT_SERVER_COOKIE_SECRET:-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')}

PIDS=()
NGINX_PID=""
stop() {  # TERM every replica's process group (its job workers too) and nginx; KILL what is left after 20 s
  trap - EXIT INT TERM
  [ -z "$NGINX_PID" ] || kill -TERM "$NGINX_PID" 2>/dev/null || true
  local pid deadline=$((SECONDS + 20))
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do  # the whole group: the server stops its job workers on the way out
    while kill -0 -- "-$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  done
  while [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  [ -z "$NGINX_PID" ] || kill -KILL "$NGINX_PID" 2>/dev/null || true
  rm -f "$RUN_DIR/ready"
  echo "run_local.sh: stopped"
}
trap stop EXIT
trap 'exit 0' INT TERM

HOSTS=()
for ((i = 0; i < N; i++)); do
  pin=()
  [ ${#CORES[@]} -eq 0 ] || pin=(taskset -c "${CORES[i]}")
  # setsid: each replica leads its own process group, so stopping it stops its job workers too.
  (cd "$ROOT" && exec setsid "${pin[@]}" "$PYTHON" -m streamlit run streamlit_app.py \
    --server.port "${PORTS[i]}" --server.address 127.0.0.1 --server.headless true \
    --browser.gatherUsageStats false --server.fileWatcherType none) >"$RUN_DIR/replica-r$i.log" 2>&1 &
  PIDS+=("$!")
  HOSTS+=("127.0.0.1:${PORTS[i]}")
  printf 'r%s\t%s\t%s\n' "$i" "${PORTS[i]}" "$!" >>"$RUN_DIR/replicas.tsv"
done

for ((i = 0; i < N; i++)); do  # a replica is in only once its health endpoint answers
  deadline=$((SECONDS + 120))
  until curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:${PORTS[i]}/_stcore/health"; do
    if ! kill -0 "${PIDS[i]}" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "run_local.sh: replica r$i did not start; the end of its log:" >&2
      tail -20 "$RUN_DIR/replica-r$i.log" >&2
      exit 1
    fi
    sleep 0.3
  done
done

render "$RUN_DIR" "127.0.0.1:$PROXY_PORT" 1 "${HOSTS[@]}" >"$RUN_DIR/nginx.conf"
"$NGINX" -t -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/error.log" || die "nginx -t refused $RUN_DIR/nginx.conf"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/error.log" -g "daemon off;" &
NGINX_PID=$!
until curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$PROXY_PORT/_stcore/health"; do
  kill -0 "$NGINX_PID" 2>/dev/null || { tail -5 "$RUN_DIR/error.log" >&2; die "nginx did not start"; }
  sleep 0.2
done
echo "http://127.0.0.1:$PROXY_PORT" >"$RUN_DIR/ready"
echo "run_local.sh: $N replicas behind http://127.0.0.1:$PROXY_PORT (logs, pids and configuration in $RUN_DIR)"

declare -A REPORTED=()
while kill -0 "$NGINX_PID" 2>/dev/null; do  # nginx keeps serving while any replica lives; say when one dies
  for ((i = 0; i < N; i++)); do
    if [ -z "${REPORTED[$i]:-}" ] && ! kill -0 "${PIDS[i]}" 2>/dev/null; then
      REPORTED[$i]=1
      echo "run_local.sh: replica r$i (port ${PORTS[i]}) exited; nginx sends its browsers to the others"
    fi
  done
  sleep 1 &
  wait $! || true
done
echo "run_local.sh: nginx exited; see $RUN_DIR/error.log" >&2
exit 1
