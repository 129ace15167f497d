#!/bin/bash
# Prepares a container to run a Docker engine later (as images/dind's entrypoint does, without
# starting one) and runs sshd in the foreground. Settings (environment):
#   SSH_AUTHORIZED_KEY  the public key root may log in with
#   DIND_DNS            name servers for the engine's containers
set -euo pipefail
printf '%s\n' "${SSH_AUTHORIZED_KEY:?SSH_AUTHORIZED_KEY is required}" > /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys
ssh-keygen -A >/dev/null

# cgroups writable for an inner engine (see images/dind/dind-entrypoint.sh)
if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  for d in /sys/fs/cgroup/*/; do
    d=${d%/}
    mountpoint -q "$d" && mount -o remount,bind,rw "$d" 2>/dev/null || true
  done
else
  mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control || true
fi

# The engine's settings for this lab machine (provisioning merges its own into them): networks away
# from the outer ones, this network's MTU, the outer name servers.
mkdir -p /etc/docker
if [ ! -f /etc/docker/daemon.json ]; then
  mtu=$(cat /sys/class/net/eth0/mtu 2>/dev/null || echo 1500)
  dns=$(for s in ${DIND_DNS:-}; do printf '"%s",' "$s"; done)
  printf '{"storage-driver":"overlay2","bip":"10.253.0.1/24","default-address-pools":[{"base":"10.254.0.0/16","size":24}],"mtu":%s,"dns":[%s]}\n' "$mtu" "${dns%,}" > /etc/docker/daemon.json
fi
exec /usr/sbin/sshd -D -e
