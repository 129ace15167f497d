# shellcheck shell=bash
# The app's dependencies: the install (lib/package-managers.sh), the lifecycle
# scripts Heroku runs (heroku-prebuild, heroku-postbuild or build, heroku-cleanup) and pruning.
# The cache only speeds installs up: the install always runs, so install scripts always run.
# shellcheck disable=SC2154

# run_script NAME [FLAGS] — runs a package.json script with the package manager (FLAGS: the build
# script's NODE_BUILD_FLAGS); a failure stops the build with the cause when it is a known one.
run_script() {
  local log
  log=$(mktemp)
  if [ "$pm" = npm ]; then info "Running $1"; else info "Running $1 ($pm)"; fi
  if [[ " $pkg_empty_scripts " == *" $1 "* ]]; then
    rm -f "$log"
    return 0
  fi
  if [ -n "${2:-}" ]; then info "Running with $2 flags"; fi
  if ! (pm_run "$1" "${2:-}" 2>&1) | tee "$log" | indent; then
    explain_failure "$log"
    fail "A build script exited with a non-zero exit code: the $1 script failed (see its output above)"
  fi
  rm -f "$log"
}

# explain_failure LOG — for a failure whose cause a tool's output shows, a message saying what to do
# (on stderr); nothing for the others.
explain_failure() {
  local log=$1 message=
  if grep -q 'ERR_OSSL_EVP_UNSUPPORTED' "$log" && grep -q '\[webpack-cli\] Error' "$log"; then
    message="Unsupported cryptographic algorithm used: webpack hashes with an algorithm OpenSSL 3 (Node.js 17+) no
longer offers. With webpack 5.54.0 or later, set output.hashFunction to xxhash64; older versions need a
custom output.hashFunction. NODE_OPTIONS=--openssl-legacy-provider (paas config:set) is a stopgap, not
for production.
https://webpack.js.org/configuration/output/#outputhashfunction"
  elif grep -q 'ERR_OSSL_EVP_UNSUPPORTED' "$log"; then
    message="Unsupported cryptographic algorithm used: code or a dependency uses an algorithm OpenSSL 3 (Node.js 17+)
no longer offers. Update the dependencies and code that use it. NODE_OPTIONS=--openssl-legacy-provider
(paas config:set) is a stopgap, not for production.
https://devcenter.heroku.com/articles/nodejs-support"
  elif grep -q 'JavaScript heap out of memory' "$log"; then
    message="Node.js Out-Of-Memory (OOM): the build ran out of heap. Lower the build's memory use, or raise the limit
with NODE_OPTIONS=--max-old-space-size=N (in MB)."
  elif grep -q 'flatmap-stream' "$log" && grep -qE 'E404|404 Not Found' "$log"; then
    message="The flatmap-stream module has been removed from the npm registry (it carried malware): update
the dependency that pulls it in (event-stream) and its lockfile."
  elif grep -qE 'npm (ERR!|error) code E404|404 Not Found' "$log"; then
    message="A package could not be found in the npm registry: check the names and versions in package.json (and
the lockfile), and that a private registry is configured with its token."
  elif grep -qE 'npm (ERR!|error) code ERESOLVE' "$log"; then
    message="Conflict detected in requested npm dependencies (ERESOLVE): fix the peer dependency versions, or install
with NPM_CONFIG_LEGACY_PEER_DEPS=true."
  elif grep -qE 'can only install packages when your package.json and package-lock.json|are in sync|Missing: .* from lock file' "$log"; then
    message="npm lockfile is not in sync with package.json: run npm install, commit package-lock.json and push again."
  elif grep -qE 'npm (ERR!|error) code 128|exited with error code: 128' "$log"; then
    message="npm Git dependency error (code 128): a git dependency could not be fetched. Check its URL and that it
is reachable without credentials (or with a token in the URL of a private registry)."
  elif grep -q 'The lockfile would have been modified by this install' "$log"; then
    message="Yarn lockfile is not in sync with package.json (Yarn 2+ installs with --immutable): run yarn install,
commit yarn.lock and push again."
  elif grep -qE 'Your lockfile needs to be updated|frozen-lockfile' "$log"; then
    message="Outdated Yarn lockfile: yarn.lock is not in sync with package.json. Run yarn install, commit
yarn.lock and push again."
  fi
  if [ -n "$message" ]; then warn "$message"; fi
  return 0
}

# install_dependencies BUILD_DIR CACHE_DIR — heroku-prebuild, then the install.
install_dependencies() {
  local build_dir=$1 cache_dir=$2
  local log
  header "Installing dependencies"
  if [ -n "$pkg_has_heroku_prebuild" ]; then run_script heroku-prebuild; fi
  log=$(mktemp)
  if ! (cd "$build_dir" && pm_install "$build_dir" "$cache_dir") | tee "$log"; then
    explain_failure "$log"
    fail "Installing dependencies with $pm failed: see the $pm output above"
  fi
  rm -f "$log"
}

# run_build_script BUILD_DIR — heroku-postbuild when defined (an empty one means no build), else build.
run_build_script() {
  local build_dir=$1
  header "Build"
  if [ -n "$pkg_has_heroku_postbuild" ]; then
    if [ -n "$pkg_has_build" ]; then info "Detected both \"build\" and \"heroku-postbuild\" scripts"; fi
    run_script heroku-postbuild "${NODE_BUILD_FLAGS:-}"
  elif [ -n "$pkg_has_build" ]; then
    if [ "$pkg_build_script" = "ng build" ]; then
      warn "\"ng build\" detected as build script. We recommend you use \`ng build --prod\` or add \`--prod\` to your build flags."
    fi
    run_script build "${NODE_BUILD_FLAGS:-}"
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

# list_dependencies — with NODE_VERBOSE=true, the app's top-level dependencies as installed.
list_dependencies() {
  [ "${NODE_VERBOSE:-false}" = true ] || return 0
  case $pm in
    npm) npm ls --depth=0 ;;
    yarn) if [ -n "$pm_berry" ]; then yarn info --name-only; else yarn list --depth=0; fi ;;
    pnpm) pnpm ls --depth=0 ;;
  esac 2>/dev/null | indent || true
}

# run_cleanup_script — heroku-cleanup, after pruning, when defined.
run_cleanup_script() {
  if [ -n "$pkg_has_heroku_cleanup" ]; then
    header "Cleanup"
    run_script heroku-cleanup
  fi
}
