#!/usr/bin/env bash
# A real Docker-Engine-API server (rootful Podman) for the vllm-pearl tests.
#   up:   install if needed, start `podman system service`, print DOCKER_HOST=unix://…
#   down: remove every container, stop the service, reset its state.
# Why the settings: see ../shared/reference/CONTAINER-ENGINE.md (runc because crun refuses this
# host's hybrid cgroups; ulimits capped because root lacks CAP_SYS_RESOURCE here).
set -euo pipefail
TMP_BASE="$(dirname "$(mktemp -u)")"
SOCK="${PODMAN_SOCK:-$TMP_BASE/openjarvis-podman.sock}"
STATE="${PODMAN_STATE:-$TMP_BASE/openjarvis-podman}"
export DEBIAN_FRONTEND=noninteractive
export CONTAINERS_CONF="$STATE/containers.conf"
podman_() { podman --root "$STATE/storage" --runroot "$STATE/run" "$@"; }
ping_() { curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

up() {
  if ! dpkg -s podman runc conmon catatonit busybox-static curl >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      echo "container-engine: podman is not installed and this is not root; install podman runc conmon catatonit busybox-static" >&2
      exit 1
    fi
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends podman runc conmon catatonit busybox-static curl >/dev/null
  fi
  mkdir -p "$STATE"
  cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  if ! ping_; then
    rm -f "$SOCK"
    setsid podman --root "$STATE/storage" --runroot "$STATE/run" \
      system service --time=0 "unix://$SOCK" >"$STATE/service.log" 2>&1 </dev/null &
    echo $! >"$STATE/service.pid"
    for _ in $(seq 1 100); do ping_ && break; sleep 0.1; done
    ping_ || { echo "container-engine: podman service did not answer; see $STATE/service.log" >&2; exit 1; }
  fi
  # The vllm-pearl provider drives the engine through the docker CLI, not the socket directly.
  command -v docker >/dev/null 2>&1 ||
    echo "container-engine: warning: no docker CLI on PATH; the vllm-pearl tests need it" >&2
  echo "DOCKER_HOST=unix://$SOCK"
}

down() {
  [ -d "$STATE" ] || exit 0
  podman_ rm -af -t 0 >/dev/null 2>&1 || true
  if [ -f "$STATE/service.pid" ]; then
    pid="$(cat "$STATE/service.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  podman_ system reset -f >/dev/null 2>&1 || true
  rm -rf "$STATE" "$SOCK"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
