#!/usr/bin/env bash
# dockerd.sh — a Docker daemon for faultline's kind clusters, on addresses
# that stay out of everyone's way (198.19.0.0/16; never Docker's 172.17/16).
#
#   hack/dockerd.sh start   use the daemon `docker info` reaches, or start
#                           /usr/sbin/dockerd in the background; then make
#                           sure the `kind` network is 198.19.1.0/24
#   hack/dockerd.sh stop    stop the daemon this script started (pidfile)
#
# Where the capability bounding set lacks CAP_SYS_RESOURCE (some sandboxes
# and nested containers), privileged containers (every kind node) fail in
# runc; the daemon then runs them through kind/images/runc-nosysres.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${FAULTLINE_CACHE:-$HOME/.cache/faultline}
PIDFILE=/run/faultline-dockerd.pid
LOG=$CACHE/dockerd.log
KIND_SUBNET=198.19.1.0/24
KIND_GATEWAY=198.19.1.1
export PATH=$PATH:/usr/local/go/bin

log() { printf 'dockerd.sh: %s\n' "$*" >&2; }

# has_cap BIT: true when the capability bounding set holds capability BIT.
has_cap() {
  local hex
  hex=$(sed -n 's/^CapBnd:\s*//p' /proc/self/status)
  (( (16#$hex >> $1) & 1 ))
}

# runtime_args prints the dockerd flags registering the runc wrapper, when
# this host needs it (CAP_SYS_RESOURCE is capability 24).
runtime_args() {
  has_cap 24 && return 0
  local bin=$CACHE/bin/runc-nosysres
  mkdir -p "$CACHE/bin"
  (cd "$root" && CGO_ENABLED=0 GOFLAGS= go build -trimpath -o "$bin" ./kind/images/runc-nosysres) >&2
  log "CAP_SYS_RESOURCE is not in the bounding set: default runtime $bin"
  printf '%s\n' --add-runtime "faultline-runc=$bin" --default-runtime faultline-runc
}

start_daemon() {
  [ -x /usr/sbin/dockerd ] || { log "no /usr/sbin/dockerd: run hack/install-deps.sh"; exit 1; }
  local args=(--bip 198.19.250.1/24 --default-address-pool base=198.19.0.0/17,size=24
              --pidfile "$PIDFILE")
  local extra
  extra=$(runtime_args)
  [ -n "$extra" ] && mapfile -t -O ${#args[@]} args <<<"$extra"
  mkdir -p "$CACHE"
  log "starting /usr/sbin/dockerd (log $LOG)"
  nohup /usr/sbin/dockerd "${args[@]}" >>"$LOG" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 120); do
    docker info >/dev/null 2>&1 && { log "dockerd $pid answers"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; last lines of $LOG:"
  tail -n 20 "$LOG" >&2
  exit 1
}

# kind_network makes sure the docker network kind uses is 198.19.1.0/24.
kind_network() {
  local subnet
  if subnet=$(docker network inspect kind -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' 2>/dev/null); then
    subnet=${subnet% }
    if [ "$subnet" != "$KIND_SUBNET" ]; then
      log "docker network 'kind' exists with subnet $subnet, not $KIND_SUBNET: remove it (docker network rm kind) or keep kind clusters off this daemon"
      exit 1
    fi
    return 0
  fi
  docker network create --driver bridge --subnet "$KIND_SUBNET" --gateway "$KIND_GATEWAY" \
    -o com.docker.network.bridge.enable_ip_masquerade=true kind >/dev/null
  log "created docker network kind ($KIND_SUBNET)"
}

stop_daemon() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || { log "no $PIDFILE: no daemon of ours"; return 0; }
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
    log "pid $pid from $PIDFILE is not a dockerd: nothing to stop"; rm -f "$PIDFILE"; return 0
  fi
  kill "$pid"
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || { log "stopped dockerd $pid"; return 0; }; sleep 0.5; done
  log "dockerd $pid still running after 30 s"; exit 1
}

case "${1:-}" in
  start) docker info >/dev/null 2>&1 || start_daemon; kind_network ;;
  stop) stop_daemon ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
