# shellcheck shell=bash
# The app's dependencies: the build cache, the install (lib/package-managers.sh), the lifecycle
# scripts Heroku runs (heroku-prebuild, heroku-postbuild or build, heroku-cleanup) and pruning.
# The cache only speeds installs up: the install always runs, so install scripts always run.
# shellcheck disable=SC2154

# cache_key — what cached node_modules must have been built with to be restored: the Node.js
# version, the package manager and its version, the stack.
cache_key() {
  echo "node $node_version $pm $pm_version stack ${STACK:-bookworm}" | sha256sum | cut -c1-32
}

# restore_cache BUILD_DIR CACHE_DIR — puts the last build's node_modules back when it fits.
restore_cache() {
  local build_dir=$1 cache_dir=$2 key
  header "Restoring cache"
  if [ "${NODE_MODULES_CACHE:-true}" = false ]; then
    info "Caching has been disabled because NODE_MODULES_CACHE=${NODE_MODULES_CACHE}"
    return 0
  fi
  if [ -n "$node_modules_checked_in" ]; then
    info "Skipping (node_modules is checked into source control)"
    return 0
  fi
  if [ ! -d "$cache_dir/node_modules" ]; then
    info "Cached directories were not restored: this is the first build (or the cache was purged)"
    return 0
  fi
  key=$(cache_key)
  if [ "$(cat "$cache_dir/node_modules.key" 2>/dev/null)" != "$key" ]; then
    info "Cached directories were not restored due to a change in version of node, npm, yarn, pnpm or stack"
    info "Module installation may take longer for this build"
    return 0
  fi
  if [ "$pm" = npm ] && [ -n "$pm_lockfile" ] && [ "${USE_NPM_INSTALL:-false}" != true ]; then
    info "npm ci installs from the lockfile and npm's cache (node_modules is not restored)"
    return 0
  fi
  rm -rf "$build_dir/node_modules"
  cp -a "$cache_dir/node_modules" "$build_dir/node_modules"
  info "- node_modules"
}

# save_cache BUILD_DIR CACHE_DIR — keeps node_modules (dev dependencies included) for the next build,
# made beside the old copy and swapped in, so a build that dies midway leaves no half cache.
save_cache() {
  local build_dir=$1 cache_dir=$2 tmp
  header "Caching build"
  if [ "${NODE_MODULES_CACHE:-true}" = false ] || [ -n "$node_modules_checked_in" ] || [ ! -d "$build_dir/node_modules" ]; then
    rm -rf "$cache_dir/node_modules" "$cache_dir/node_modules.key"
    info "Clearing cache"
    return 0
  fi
  tmp=$(mktemp -d "$cache_dir/node_modules.new.XXXXXX")
  cp -a "$build_dir/node_modules" "$tmp/node_modules"
  rm -rf "$cache_dir/node_modules" "$cache_dir/node_modules.key"
  mv "$tmp/node_modules" "$cache_dir/node_modules"
  rmdir "$tmp"
  cache_key >"$cache_dir/node_modules.key"
  info "- node_modules"
}

# run_script NAME — runs a package.json script with the package manager; a failure stops the build.
run_script() {
  info "Running $1"
  (pm_run "$1" 2>&1) | indent || fail "Build failed: the $1 script exited with an error (see its output above)"
}

# install_dependencies BUILD_DIR CACHE_DIR — heroku-prebuild, then the install.
install_dependencies() {
  local build_dir=$1 cache_dir=$2
  header "Installing dependencies"
  if [ -n "$pkg_has_heroku_prebuild" ]; then run_script heroku-prebuild; fi
  (cd "$build_dir" && pm_install "$build_dir" "$cache_dir") ||
    fail "Installing dependencies with $pm failed: see the $pm output above"
}

# run_build_script BUILD_DIR — heroku-postbuild when defined (an empty one means no build), else build.
run_build_script() {
  local build_dir=$1
  header "Build"
  if [ -n "$pkg_has_heroku_postbuild" ]; then
    run_script heroku-postbuild
  elif [ -n "$pkg_has_build" ]; then
    if [ "$pkg_build_script" = "ng build" ]; then
      warn "\"ng build\" detected as the build script: \`ng build --prod\` (or --configuration production) is recommended."
    fi
    run_script build
  else
    info "Detected package.json has no build script: skipping"
  fi
}

# prune_dev_dependencies BUILD_DIR CACHE_DIR — the slug keeps production dependencies only, unless
# NODE_ENV, NPM_CONFIG_PRODUCTION, NPM_CONFIG_INCLUDE/OMIT or YARN_PRODUCTION keep them.
prune_dev_dependencies() {
  local build_dir=$1 cache_dir=$2 reason
  header "Pruning devDependencies"
  reason=$(prune_reason)
  if [ -n "$reason" ]; then info "$reason"; return 0; fi
  if [ -z "$pkg_has_dev_dependencies" ] || { [ ! -d "$build_dir/node_modules" ] && [ -z "$pm_berry" ]; }; then
    info "Skipping (no devDependencies)"
    return 0
  fi
  (cd "$build_dir" && pm_prune "$build_dir" "$cache_dir") || fail "Pruning devDependencies with $pm failed"
}

# run_cleanup_script — heroku-cleanup, after pruning, when defined.
run_cleanup_script() {
  if [ -n "$pkg_has_heroku_cleanup" ]; then
    header "Cleanup"
    run_script heroku-cleanup
  fi
}
