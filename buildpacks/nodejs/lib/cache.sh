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
  elif [ "$pm" = pnpm ]; then
    # pnpm installs from its content-addressed store (CACHE_DIR/pnpm-store), kept as it is
    if [ -d "$cache_dir/pnpm-store" ]; then info "- pnpm cache"; else info "- pnpm cache (not cached - skipping)"; fi
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
  elif [ "$pm" = pnpm ] || npm_uses_ci; then
    # npm's cache and pnpm's store stay where they are kept (CACHE_DIR/npm, CACHE_DIR/pnpm-store);
    # node_modules is not kept
    if [ "$pm" = pnpm ]; then
      if [ -d "$cache_dir/pnpm-store" ]; then info "- pnpm cache"; else info "- pnpm cache (nothing to cache)"; fi
    elif [ -d "$cache_dir/npm/_cacache" ]; then info "- npm cache"; else info "- npm cache (nothing to cache)"; fi
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

# prune_pnpm_store CACHE_DIR — every 40th build, the store loses the packages no project uses any more
# (CACHE_DIR/pnpm_prune_store_counter counts down; a counter that is not a number starts again).
prune_pnpm_store() {
  local cache_dir=$1 counter
  [ "$pm" = pnpm ] || return 0
  counter=$(cat "$cache_dir/pnpm_prune_store_counter" 2>/dev/null || true)
  if ! [[ $counter =~ ^[0-9]+$ ]]; then counter=40; fi
  if [ "$counter" -eq 0 ]; then
    info "Cleaning up pnpm store"
    # a store that never got a package has no files directory: pnpm before 9.12 fails on it (ENOENT)
    if [ -d "$cache_dir/pnpm-store" ] && find "$cache_dir/pnpm-store" -mindepth 2 -maxdepth 2 -name files | grep -q .; then
      pnpm store prune --store-dir "$cache_dir/pnpm-store" 2>&1 | indent || true
    fi
    counter=40
  else
    counter=$((counter - 1))
  fi
  echo "$counter" >"$cache_dir/pnpm_prune_store_counter"
}
