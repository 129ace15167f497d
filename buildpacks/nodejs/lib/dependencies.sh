# shellcheck shell=bash
# Installs the app's dependencies, reusing CACHE_DIR/node_modules when nothing they depend on changed:
# the cache key is a sha256 of the lockfile, the node version and package.json's dependency fields.

# node_version is set by install_node (lib/node.sh) before dependencies are installed, the pkg_*
# variables by load_package_json (lib/json.sh).
# shellcheck disable=SC2154
cache_key() {
  local build_dir=$1
  {
    echo "node $node_version"
    echo "$pkg_dependency_fingerprint"
    if [ -f "$build_dir/package-lock.json" ]; then cat "$build_dir/package-lock.json"; fi
  } | sha256sum | cut -d' ' -f1
}

# restore_node_modules BUILD_DIR CACHE_DIR KEY — restores the cached node_modules when KEY matches.
restore_node_modules() {
  local build_dir=$1 cache_dir=$2 key=$3
  [ -d "$cache_dir/node_modules" ] && [ "$(cat "$cache_dir/node_modules.key" 2>/dev/null)" = "$key" ] || return 1
  header "Restoring cache"
  rm -rf "$build_dir/node_modules"
  cp -a "$cache_dir/node_modules" "$build_dir/node_modules"
  if [ -f "$build_dir/package-lock.json" ]; then
    info "node_modules restored from cache (lockfile unchanged)"
  else
    info "node_modules restored from cache (dependencies unchanged)"
  fi
}

# save_node_modules BUILD_DIR CACHE_DIR KEY — keeps a copy of node_modules (dev dependencies included).
# The copy is made beside the old one and swapped in, so a build that dies midway leaves no half cache.
save_node_modules() {
  local build_dir=$1 cache_dir=$2 key=$3 tmp
  [ -d "$build_dir/node_modules" ] || return 0
  tmp=$(mktemp -d "$cache_dir/node_modules.new.XXXXXX")
  cp -a "$build_dir/node_modules" "$tmp/node_modules"
  rm -rf "$cache_dir/node_modules" "$cache_dir/node_modules.key"
  mv "$tmp/node_modules" "$cache_dir/node_modules"
  rmdir "$tmp"
  echo "$key" >"$cache_dir/node_modules.key"
  info "Cached node_modules for the next build"
}

# install_dependencies BUILD_DIR CACHE_DIR — npm ci with a lockfile, npm install without.
install_dependencies() {
  local build_dir=$1 cache_dir=$2 key
  key=$(cache_key "$build_dir")
  if restore_node_modules "$build_dir" "$cache_dir" "$key"; then return 0; fi

  header "Installing dependencies"
  if [ -f "$build_dir/package-lock.json" ]; then
    info "Installing node modules (package-lock.json)"
    (cd "$build_dir" && npm ci --include=dev 2>&1) | indent || fail "npm ci failed: see the npm output above"
  else
    info "Installing node modules (package.json)"
    (cd "$build_dir" && npm install --include=dev 2>&1) | indent || fail "npm install failed: see the npm output above"
  fi
  save_node_modules "$build_dir" "$cache_dir" "$key"
}

# run_build_script BUILD_DIR — heroku-postbuild if defined, else build if defined.
run_build_script() {
  local build_dir=$1 script
  if [ -n "$pkg_script_heroku_postbuild" ]; then
    script=heroku-postbuild
  elif [ -n "$pkg_script_build" ]; then
    script=build
  else
    return 0
  fi
  header "Build"
  info "Running $script"
  (cd "$build_dir" && npm run "$script" 2>&1) | indent || fail "npm run $script failed"
}

# prune_dev_dependencies BUILD_DIR — the slug keeps production dependencies only. (An app without
# devDependencies has nothing to prune: its node_modules came from an install of exactly its deps.)
prune_dev_dependencies() {
  local build_dir=$1
  [ -d "$build_dir/node_modules" ] || return 0
  [ -n "$pkg_has_dev_dependencies" ] || return 0
  header "Pruning devDependencies"
  (cd "$build_dir" && npm prune --omit=dev 2>&1) | indent || fail "npm prune failed"
}
