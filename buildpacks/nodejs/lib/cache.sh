# shellcheck shell=bash
# The build cache, in Heroku's layout: CACHE_DIR/node/signature says what the cached directories were
# built with (the stack, Node.js, the package manager and their versions, prebuilt node_modules),
# CACHE_DIR/node/cache/<path> holds node_modules, or the app's package.json cacheDirectories instead.
# The cache only speeds installs up: the install always runs, so install scripts always run.
# shellcheck disable=SC2154

signature() {
  echo "paas v1; ${STACK:-bookworm}; node $node_version; $pm $pm_version; prebuild ${PREBUILD:-${node_modules_checked_in:+true}}"
}

# cached_paths — the app's cacheDirectories, one a line, or node_modules.
cached_paths() {
  if [ -n "$pkg_cache_directories" ]; then printf '%s\n' "$pkg_cache_directories"; else echo node_modules; fi
}

# restore_cache BUILD_DIR CACHE_DIR — puts the last build's cached directories back when they fit. The
# first build of an app has nothing to restore and says nothing.
restore_cache() {
  local build_dir=$1 cache_dir=$2 path
  # layouts of earlier buildpack versions
  rm -rf "$cache_dir/node_modules" "$cache_dir/node_modules.key" "$cache_dir/node/cache/node_modules.key" "$cache_dir/yarn"
  find "$cache_dir/node" -mindepth 1 -maxdepth 1 ! -name cache ! -name signature -exec rm -rf {} + 2>/dev/null || true
  if [ -n "$pkg_cache_directories_refused" ]; then
    warn "cacheDirectories (package.json) names paths outside the app, which are not cached:
$pkg_cache_directories_refused"
  fi
  if [ "${NODE_MODULES_CACHE:-true}" = false ]; then
    header "Restoring cache"
    info "Caching has been disabled because NODE_MODULES_CACHE=${NODE_MODULES_CACHE}"
    return 0
  fi
  if [ -n "$node_modules_checked_in" ] && [ "${SKIP_NODE_MODULES_CHECK:-false}" = true ]; then
    header "Restoring cache"
    info "Keeping existing node_modules because SKIP_NODE_MODULES_CHECK=${SKIP_NODE_MODULES_CHECK}"
    return 0
  fi
  [ -d "$cache_dir/node" ] || return 0
  header "Restoring cache"
  if [ "$(cat "$cache_dir/node/signature" 2>/dev/null)" != "$(signature)" ]; then
    if [ -n "$pkg_cache_directories" ]; then
      info "Invalidating cache due to a change in version of node, npm, yarn, pnpm or stack"
      info "Will not restore the following directories for this build:"
      cached_paths | while IFS= read -r path; do info "  $path"; done
    else
      info "Cached directories were not restored due to a change in version of node, npm, yarn, pnpm or stack"
      info "Module installation may take longer for this build"
    fi
    return 0
  fi
  if [ -n "$pkg_cache_directories" ]; then
    info "Loading from cacheDirectories (package.json):"
  elif [ -n "$node_modules_checked_in" ]; then
    info "- node_modules is checked into source control and cannot be cached"
    return 0
  elif npm_uses_ci; then
    # npm ci starts from an empty node_modules: npm's own cache (CACHE_DIR/npm) is what it reuses
    if [ -d "$cache_dir/npm/_cacache" ]; then info "- npm cache"; else info "- npm cache (not cached - skipping)"; fi
    return 0
  fi
  while IFS= read -r path; do
    if [ -e "$build_dir/$path" ] || [ -L "$build_dir/$path" ]; then
      info "- $path (exists - skipping)"
    elif [ -e "$cache_dir/node/cache/$path" ]; then
      mkdir -p "$(dirname "$build_dir/$path")"
      cp -a "$cache_dir/node/cache/$path" "$build_dir/$path"
      info "- $path"
    else
      info "- $path (not cached - skipping)"
    fi
  done < <(cached_paths)
}

# save_cache BUILD_DIR CACHE_DIR — keeps the cached directories (node_modules with its dev
# dependencies) for the next build, made beside the old copy and swapped in, so a build that dies
# midway leaves no half cache.
save_cache() {
  local build_dir=$1 cache_dir=$2 tmp path
  header "Caching build"
  if [ "${NODE_MODULES_CACHE:-true}" = false ] || { [ -n "$node_modules_checked_in" ] && [ -z "$pkg_cache_directories" ]; }; then
    rm -rf "$cache_dir/node"
    info "Clearing cache"
    return 0
  fi
  mkdir -p "$cache_dir/node"
  tmp=$(mktemp -d "$cache_dir/node/cache.new.XXXXXX")
  if [ -n "$pkg_cache_directories" ]; then
    info "Saving cacheDirectories (package.json):"
  elif npm_uses_ci; then
    # npm's cache stays where npm keeps it (CACHE_DIR/npm); node_modules is not kept
    if [ -d "$cache_dir/npm/_cacache" ]; then info "- npm cache"; else info "- npm cache (nothing to cache)"; fi
    rm -rf "$cache_dir/node/cache" "$tmp"
    mkdir -p "$cache_dir/node/cache"
    signature >"$cache_dir/node/signature"
    return 0
  fi
  while IFS= read -r path; do
    if [ -e "$build_dir/$path" ]; then
      mkdir -p "$(dirname "$tmp/$path")"
      cp -a "$build_dir/$path" "$tmp/$path"
      info "- $path"
    else
      info "- $path (nothing to cache)"
    fi
  done < <(cached_paths)
  # Yarn 1's own cache (CACHE_DIR/node/cache/yarn, as on Heroku) is content-addressed: kept as it is
  if [ -d "$cache_dir/node/cache/yarn" ]; then
    mv "$cache_dir/node/cache/yarn" "$tmp/yarn"
    info "- yarn cache"
  fi
  rm -rf "$cache_dir/node/cache"
  mv "$tmp" "$cache_dir/node/cache"
  signature >"$cache_dir/node/signature"
}
