#!/usr/bin/env bash
# Runs extra Docker hosts on this machine: each is a Docker-in-Docker container (image
# paas/dind:bookworm, built by scripts/base-images.sh) with its own engine, network namespace and
# state, for the multi-host scheduler's tests, `paas hosts:add` trials and the benchmarks.
#
#   dind-host.sh start NAME   start (or restart) host NAME; prints "NAME tcp://IP:2375 IP":
#                             the engine's URL and the address where its published ports are
#                             reachable from this machine
#   dind-host.sh stop NAME    stop it gracefully (state is kept; `start` brings it back)
#   dind-host.sh kill NAME    SIGKILL it and everything in it (simulates losing the host)
#   dind-host.sh rm NAME      remove the container and its state
#   dind-host.sh ls           one line per host: NAME STATE URL ADDRESS
#
# Hosts are containers `paas-host-NAME` labelled paas.role=dind-host and paas.dind=NAME, on the
# bridge network `paas-dind`, each with a fixed address so its URL survives a restart. An engine's
# state lives in ${PAAS_HOME:-~/.paas}/hosts/NAME/docker, bind-mounted at /var/lib/docker (overlay2
# cannot run on the container's own overlay file system). Settings (environment):
#   PAAS_DIND_SUBNET         subnet of the paas-dind network when it is created (10.213.0.0/24)
#   PAAS_DIND_START_TIMEOUT  seconds to wait for an engine to answer (60)
# The engine listens without TLS on the paas-dind bridge: no port is published on this machine's
# own interfaces, so keep it to a lab machine.
set -euo pipefail

image=paas/dind:bookworm
network=paas-dind
subnet=${PAAS_DIND_SUBNET:-10.213.0.0/24}
home=${PAAS_HOME:-$HOME/.paas}
start_timeout=${PAAS_DIND_START_TIMEOUT:-60}
# Docker's default capabilities plus these: SYS_ADMIN (mounts: overlay2, cgroups, namespaces) and
# NET_ADMIN (bridge, veth, iptables) are required; the others are there so the inner engine can
# grant them to its own containers. --privileged is not used: it fails where CAP_SYS_RESOURCE
# cannot be granted. seccomp must be unconfined (runc's keyctl and namespace calls).
caps=(SYS_ADMIN NET_ADMIN SYS_PTRACE SYS_NICE IPC_LOCK)

die() { printf 'dind-host: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }

container_of() { printf 'paas-host-%s' "$1"; }

check_name() {
  [[ $1 =~ ^[a-z0-9][a-z0-9_.-]{0,47}$ ]] || die "invalid host name '$1' (lower-case letters, digits, '.', '_', '-'; at most 48)"
}

# The container's state ("running", "exited", …) or nothing when there is no such container.
state_of() { docker container inspect --format '{{.State.Status}}' "$1" 2>/dev/null || true; }

address_of() {
  docker container inspect --format "{{with index .NetworkSettings.Networks \"$network\"}}{{with .IPAMConfig}}{{.IPv4Address}}{{end}}{{end}}" "$1"
}

ensure_network() {
  # A few tries: another run may be creating the network, or removing it (its last host gone), just now.
  local try
  for try in 1 2 3 4 5; do
    docker network inspect "$network" >/dev/null 2>&1 && return
    docker network create --driver bridge --subnet "$subnet" --label paas.role=dind-network \
      --opt com.docker.network.bridge.name="$network" "$network" >/dev/null 2>&1 && return
    sleep 1
  done
  docker network inspect "$network" >/dev/null 2>&1 \
    || die "cannot create network $network with subnet $subnet (set PAAS_DIND_SUBNET to a free one)"
}

# The first address of the network's subnet that no host holds (running or not) and that is not
# the gateway. Subnets up to /24 are searched; two racing starts are resolved by `docker run` retries.
free_address() {
  local cidr gateway used base prefix i a
  cidr=$(docker network inspect --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$network")
  gateway=$(docker network inspect --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}' "$network")
  used=" $gateway $(docker network inspect --format '{{range .Containers}}{{.IPv4Address}} {{end}}' "$network" | sed 's#/[0-9]*##g') "
  local ids; mapfile -t ids < <(docker ps -aq --filter label=paas.role=dind-host)
  for id in "${ids[@]}"; do used+="$(address_of "$id") "; done
  base=${cidr%/*}; base=${base%.*}; prefix=${cidr#*/}
  [ "$prefix" -ge 24 ] || prefix=24
  for ((i = 2; i < 2 ** (32 - prefix) - 1; i++)); do
    a="$base.$i"
    [[ $used == *" $a "* ]] || { printf '%s' "$a"; return; }
  done
  die "no free address left in $cidr"
}

# This machine's name servers, for the inner engine's containers (loopback ones are unreachable
# from there; systemd-resolved's stub points at the real list).
dns_servers() {
  local f servers
  for f in /etc/resolv.conf /run/systemd/resolve/resolv.conf; do
    [ -r "$f" ] || continue
    servers=$(awk '$1 == "nameserver" && $2 !~ /^(127\.|::1$)/ { printf "%s ", $2 }' "$f")
    [ -z "$servers" ] || { printf '%s' "$servers"; return; }
  done
}

wait_for_engine() { # container address
  local c=$1 addr=$2 deadline=$((SECONDS + start_timeout))
  while ((SECONDS < deadline)); do
    [ "$(state_of "$c")" = running ] || { docker logs --tail 20 "$c" >&2 || true; die "$c stopped while starting"; }
    [ "$(curl -fsS -m 1 "http://$addr:2375/_ping" 2>/dev/null)" = OK ] && return
    sleep 0.2
  done
  docker logs --tail 20 "$c" >&2 || true
  die "the engine in $c did not answer at tcp://$addr:2375 within ${start_timeout}s"
}

cmd_start() {
  local name=$1 c state addr dir attempt
  check_name "$name"
  command -v curl >/dev/null || die "curl is needed"
  c=$(container_of "$name")
  state=$(state_of "$c")
  if [ -z "$state" ]; then
    docker image inspect "$image" >/dev/null 2>&1 || die "image $image is missing: run scripts/base-images.sh"
    ensure_network
    dir="$home/hosts/$name/docker"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    local args=(run --detach --name "$c" --hostname "$name" --init
      --label paas.role=dind-host --label "paas.dind=$name" --label "paas.dind.state=$dir"
      --network "$network"
      --security-opt seccomp=unconfined --security-opt apparmor=unconfined
      --sysctl net.ipv4.ip_forward=1
      --env "DIND_DNS=$(dns_servers)"
      --volume "$dir:/var/lib/docker")
    for cap in "${caps[@]}"; do args+=(--cap-add "$cap"); done
    for attempt in 1 2 3 4 5; do
      addr=$(free_address)
      if docker "${args[@]}" --ip "$addr" "$image" >/dev/null 2>"$home/hosts/$name/run.err"; then break; fi
      docker rm --force "$c" >/dev/null 2>&1 || true # created but not started
      grep -qi 'address already in use\|already allocated' "$home/hosts/$name/run.err" && [ "$attempt" -lt 5 ] && continue
      cat "$home/hosts/$name/run.err" >&2
      die "cannot start $c"
    done
    rm -f "$home/hosts/$name/run.err"
  elif [ "$state" != running ]; then
    docker start "$c" >/dev/null
  fi
  addr=$(address_of "$c")
  wait_for_engine "$c" "$addr"
  printf '%s tcp://%s:2375 %s\n' "$name" "$addr" "$addr"
}

cmd_stop() {
  local c; check_name "$1"; c=$(container_of "$1")
  [ -n "$(state_of "$c")" ] || die "no host named $1"
  docker stop --time 20 "$c" >/dev/null
}

cmd_kill() {
  local c; check_name "$1"; c=$(container_of "$1")
  [ "$(state_of "$c")" = running ] || die "host $1 is not running"
  docker kill --signal KILL "$c" >/dev/null
}

cmd_rm() {
  local name=$1 c dir
  check_name "$name"
  c=$(container_of "$name")
  dir=$(docker container inspect --format '{{index .Config.Labels "paas.dind.state"}}' "$c" 2>/dev/null || true)
  [ -n "$dir" ] || dir="$home/hosts/$name/docker"
  docker rm --force --volumes "$c" >/dev/null 2>&1 || true
  # Only ever a directory made by `start`: …/hosts/NAME/docker.
  [[ $dir == */hosts/"$name"/docker ]] || die "refusing to remove unexpected state directory $dir"
  rm -rf "${dir%/docker}"
}

cmd_ls() {
  local ids id
  mapfile -t ids < <(docker ps -aq --filter label=paas.role=dind-host)
  for id in "${ids[@]}"; do
    docker container inspect --format '{{index .Config.Labels "paas.dind"}} {{.State.Status}}' "$id" | {
      read -r name state
      addr=$(address_of "$id")
      printf '%s %s tcp://%s:2375 %s\n' "$name" "$state" "$addr" "$addr"
    }
  done
}

[ $# -ge 1 ] || usage
verb=$1; shift
case $verb in
  start | stop | kill | rm) [ $# -eq 1 ] || usage; "cmd_$verb" "$1" ;;
  ls) [ $# -eq 0 ] || usage; cmd_ls ;;
  *) usage ;;
esac
