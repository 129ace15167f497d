#!/bin/bash
# Starts dockerd inside a Docker-in-Docker host container: the engine answers on
# tcp://0.0.0.0:2375 (no TLS: lab network only) and on /var/run/docker.sock.
# Extra arguments are passed to dockerd. Settings (environment):
#   DIND_STORAGE_DRIVER  overlay2 (default; /var/lib/docker must be a bind mount, not overlayfs) or vfs
#   DIND_BIP             the inner default bridge (default 10.253.0.1/24, away from the outer 172.17/16)
#   DIND_ADDRESS_POOL    pool for inner user networks (default 10.254.0.0/16, /24 each)
#   DIND_DNS             name servers for the inner containers, space-separated (dind-host.sh passes
#                        this machine's: on a user-defined network this container only sees Docker's
#                        embedded 127.0.0.11, and the inner engine would fall back to 8.8.8.8)
set -euo pipefail
log() { printf '[dind] %s\n' "$*" >&2; }

# A restarted container keeps its file system: clear what the previous engine left behind.
rm -f /var/run/docker.pid /var/run/docker.sock /var/run/docker/containerd/containerd.pid \
      /var/run/docker/containerd/containerd.sock /var/run/docker/libnetwork/*.sock 2>/dev/null || true

# cgroup v1: each hierarchy is a read-only bind mount of this container's own cgroup; the inner
# engine creates its containers' cgroups below it, so make the bind mounts writable (a plain
# remount tries the shared superblock and fails with "busy"; remount,bind changes only this mount).
if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  for d in /sys/fs/cgroup/*/; do
    d=${d%/}
    if mountpoint -q "$d" && ! mount -o remount,bind,rw "$d"; then log "cannot make $d writable"; fi
  done
else
  # cgroup v2 (private cgroup namespace): move ourselves out of the root so controllers can be
  # delegated to the inner engine's containers.
  mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control || true
fi

# Published ports reach inner containers through forwarding in this network namespace.
if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != 1 ]; then
  log 'net.ipv4.ip_forward is 0: start the container with --sysctl net.ipv4.ip_forward=1'
fi

mtu=$(cat /sys/class/net/eth0/mtu 2>/dev/null || echo 1500)
args=(
  --host=unix:///var/run/docker.sock
  --host=tcp://0.0.0.0:2375
  --tls=false
  --storage-driver="${DIND_STORAGE_DRIVER:-overlay2}"
  --bip="${DIND_BIP:-10.253.0.1/24}"
  --default-address-pool="base=${DIND_ADDRESS_POOL:-10.254.0.0/16},size=24"
  --mtu="$mtu"
  --shutdown-timeout=10
)
for server in ${DIND_DNS:-}; do args+=(--dns="$server"); done
log "starting dockerd ${args[*]} $*"
exec dockerd "${args[@]}" "$@"
