# shellcheck shell=bash
# The app's package manager (npm, Yarn 1, Yarn 2+ "berry", pnpm): its binary, installing the
# dependencies (dev dependencies included, so build scripts have them), running scripts and pruning.
# pm, pm_request, pm_lockfile, pm_berry and pm_yarn_path come from lib/plan.cjs (load_package_json).
# shellcheck disable=SC2154

# warn_two_versions NAME PM ENGINES_VALUE — Heroku's warning when package.json names PM's version both in
# packageManager and in engines.PM (packageManager wins).
warn_two_versions() {
  local name=$1 pm_name=$2 engines=$3
  [ -n "$engines" ] && [[ $pkg_package_manager == "$pm_name@"?* ]] || return 0
  warn "Multiple $name versions declared
The package.json file indicates the target version of $name to install in two fields:
- \"packageManager\": \"$pkg_package_manager\"
- \"engines.$pm_name\": \"$engines\"
If both fields are present, then \"packageManager\" will take precedence and \"$pkg_package_manager\" will be installed.
To ensure we install the version of $name you want, remove one of these fields."
}

# install_package_manager BUILD_DIR CACHE_DIR — puts yarn or pnpm on PATH (npm is already there);
# sets pm_version.
install_package_manager() {
  local build_dir=$1 cache_dir=$2 spec listing version tarball dir native=
  case $pm in
    npm)
      pm_version=$npm_version
      return 0
      ;;
    yarn)
      if [ -n "$pm_berry" ] && { [ -z "$pm_request" ] || [[ $pm_request =~ ^[~^]?1(\.|$) ]]; }; then
        # Yarn 2+ named by no version of its own: the app's vendored release (.yarnrc.yml's yarnPath) is the one
        if [ ! -f "$build_dir/.yarnrc.yml" ]; then
          fail "The 'yarnrc.yml' file is not found: this app's yarn.lock is Yarn 2+'s, and no Yarn version is named.
Commit .yarnrc.yml with yarnPath pointing at the app's Yarn release (yarn set version), or name a
version in package.json: \"packageManager\": \"yarn@4.x.y\"."
        elif [ -z "$pm_yarn_path" ]; then
          fail "The 'yarnPath' could not be read from the 'yarnrc.yml' file: this app's yarn.lock is Yarn 2+'s, and no
Yarn version is named. Set yarnPath in .yarnrc.yml to the app's Yarn release (yarn set version), or
name a version in package.json: \"packageManager\": \"yarn@4.x.y\"."
        elif [ ! -f "$build_dir/$pm_yarn_path" ]; then
          fail "Yarn was not found: .yarnrc.yml names $pm_yarn_path as the app's Yarn release, and the repository
does not have it. Commit that file (yarn set version), or name a version in package.json:
\"packageManager\": \"yarn@4.x.y\"."
        fi
      fi
      local pm_field=${pkg_package_manager#yarn@}
      warn_two_versions Yarn yarn "$pkg_engines_yarn"
      if [ -n "$pm_yarn_path" ] && [ -f "$build_dir/$pm_yarn_path" ] && [ -n "$pm_request" ] && ! [[ $pm_request =~ ^[~^]?1(\.|$) ]]; then
        # a version named in package.json is installed, but yarn itself hands every command to the vendored release
        local name=engines.yarn value=$pkg_engines_yarn
        if [ "$pm_field" != "$pkg_package_manager" ]; then name=packageManager value=$pkg_package_manager; fi
        warn "Yarn release script may conflict with \"$name\"
The package.json file indicates the target version of Yarn to install with:
- \"$name\": \"$value\"
But the .yarnrc.yml configuration indicates a vendored release of Yarn should be used with:
- yarnPath: \"$pm_yarn_path\"
This will cause the buildpack to install yarn@$pm_request but, when running Yarn commands, the vendored release
at \"$pm_yarn_path\" will be executed instead.
To ensure we install the version of Yarn you want, choose only one of the following actions:
- Remove the \"$name\" field from package.json
- Remove the \"yarnPath\" configuration from .yarnrc.yml and delete the vendored release at \"$pm_yarn_path\""
      elif [ -n "$pm_yarn_path" ] && [ -f "$build_dir/$pm_yarn_path" ]; then
        # The app vendors its yarn release: a small launcher runs it with the app's Node.js.
        dir="$build_dir/.heroku/yarn/bin"
        mkdir -p "$dir"
        printf '#!/bin/sh\nexec node "%s" "$@"\n' "/app/$pm_yarn_path" >"$dir/yarn"
        chmod 755 "$dir/yarn"
        export PATH="$dir:$PATH"
        pm_version=$(cd "$build_dir" && yarn --version 2>/dev/null) || fail "The vendored yarn release ($pm_yarn_path) does not run"
        info "Using yarn $pm_version (yarnPath in .yarnrc.yml)"
        return 0
      fi
      spec=yarn
      if [ -n "$pm_berry" ] && ! [[ $pm_request =~ ^[~^]?1(\.|$) ]]; then
        # Yarn 2+ is published as @yarnpkg/cli-dist, save a few 2.x releases under the yarn package
        spec=@yarnpkg/cli-dist
        if [ -n "$pm_request" ] && listing=$(registry_view "$cache_dir" "yarn@$pm_request" version 2>/dev/null) &&
          printf '%s' "$listing" | plan highest >/dev/null 2>&1; then
          spec=yarn
        fi
      fi
      [ -n "$pm_request" ] || pm_request=$([ "$spec" = yarn ] && echo 1.22.x || echo 4.x)
      ;;
    pnpm)
      spec=pnpm
      warn_two_versions pnpm pnpm "$pkg_engines_pnpm"
      if [ -z "$pm_request" ]; then
        pm_request=latest
        warn "Default pnpm version used: package.json names no pnpm version, so the latest pnpm is installed,
which may not be the one the lockfile was made with. Name one, e.g. \"packageManager\": \"pnpm@10.x.y\"
(corepack use pnpm@latest writes it)."
      fi
      ;;
  esac
  info "Downloading and installing $pm ($pm_request)..."
  listing=$(registry_view "$cache_dir" "$spec@$pm_request" version) ||
    fail "Unable to install $pm $pm_request: the npm registry has no $spec release matching it.
Name a published version or range in package.json (packageManager or engines.$pm)."
  version=$(printf '%s' "$listing" | plan highest) ||
    fail "Unable to install $pm $pm_request: no $pm version matches it (package.json: packageManager or engines.$pm)"
  dir="$build_dir/.heroku/$pm"
  if [ "$(cat "$dir/.paas-version" 2>/dev/null)" != "$spec@$version" ]; then
    tarball=$(fetch_package "$spec" "$version" "$cache_dir/pm-dist") || fail "Unable to download $pm $version"
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$tarball" -C "$dir" --strip-components=1
    if [ "$pm" = pnpm ] && [ ! -f "$dir/bin/pnpm.cjs" ] && [ ! -f "$dir/bin/pnpm.js" ] && [ -f "$dir/bin/pnpm.mjs" ]; then
      # pnpm 12+ is a native executable, published for each platform as @pnpm/exe.<platform>; its
      # install script would fetch it, so the buildpack takes it from the registry itself
      native=$(fetch_package @pnpm/exe.linux-x64 "$version" "$cache_dir/pm-dist") || fail "Unable to download pnpm $version's executable (@pnpm/exe.linux-x64)"
      tar -xzf "$native" -C "$dir" --strip-components=1 package/pnpm 2>/dev/null || fail "@pnpm/exe.linux-x64 $version has no pnpm executable"
      mv "$dir/pnpm" "$dir/pnpm-native"
      chmod 755 "$dir/pnpm-native"
    fi
    echo "$spec@$version" >"$dir/.paas-version"
    find "$cache_dir/pm-dist" -mindepth 1 -maxdepth 1 ! -name "$(basename "$tarball")" ! -name "$(basename "${native:-none}")" -delete
  fi
  mkdir -p "$dir/bin"
  local entry=bin/yarn.js
  if [ "$pm" = pnpm ]; then entry=bin/pnpm.cjs; [ -f "$dir/$entry" ] || entry=bin/pnpm.js; fi
  if [ "$pm" = pnpm ] && [ -x "$dir/pnpm-native" ]; then
    printf '#!/bin/sh\nexec "$(dirname "$(dirname "$(readlink -f "$0")")")/pnpm-native" "$@"\n' >"$dir/bin/$pm"
  else
    [ -f "$dir/$entry" ] || fail "$spec $version has no $entry"
    printf '#!/bin/sh\nexec node "$(dirname "$(readlink -f "$0")")/%s" "$@"\n' "${entry#bin/}" >"$dir/bin/$pm"
  fi
  chmod 755 "$dir/bin/$pm"
  chmod -R a+rX "$dir"
  export PATH="$dir/bin:$PATH"
  # where Heroku's buildpack puts it: beside node
  ln -sfn "../../$pm/bin/$pm" "$build_dir/.heroku/node/bin/$pm"
  pm_version=$(cd "$build_dir" && $pm --version 2>/dev/null | tail -n1) || fail "$pm $version does not run with Node.js $node_version"
  info "Installed $pm $version"
  info "Using $pm $pm_version"
}

# pm_run SCRIPT [FLAGS] — runs a package.json script with the app's package manager; FLAGS (the build
# script's NODE_BUILD_FLAGS) reach the script as one argument, as on Heroku.
pm_run() {
  local extra=()
  if [ -n "${2:-}" ]; then
    if [ "$pm" = yarn ]; then extra=("$2"); else extra=(-- "$2"); fi
  fi
  case $pm in
    npm) npm run "$1" "${extra[@]}" ;;
    yarn) yarn run "$1" "${extra[@]}" ;;
    pnpm) pnpm run "$1" "${extra[@]}" ;;
  esac
}

# npm_uses_ci — whether npm installs with `npm ci` from the lockfile and npm's cache (as Heroku: with a
# lockfile and npm 6 or later, unless USE_NPM_INSTALL=true) rather than `npm install` over the
# node_modules restored from the cache.
npm_uses_ci() {
  [ "$pm" = npm ] && [ -n "$pm_lockfile" ] || return 1
  case ${USE_NPM_INSTALL:-} in
    true) return 1 ;;
    false) version_at_least "$npm_version" 5.7.0 ;;
    *) [ "$(npm_major)" -ge 6 ] ;;
  esac
}

# npm_major — the major version of the installed npm.
npm_major() { echo "${npm_version%%.*}"; }

# pm_install BUILD_DIR CACHE_DIR — installs every dependency, dev dependencies included.
pm_install() {
  local build_dir=$1 cache_dir=$2 dev_flag
  case $pm in
    npm)
      # NPM_CONFIG_PRODUCTION=true installs without dev dependencies, as on Heroku
      if [ "$(printf '%s' "${NPM_CONFIG_PRODUCTION:-${npm_config_production:-}}" | tr 'A-Z' 'a-z')" = true ]; then
        if [ "$(npm_major)" -ge 7 ]; then dev_flag=--omit=dev; else dev_flag=--production=true; fi
      elif [ "$(npm_major)" -ge 7 ]; then dev_flag=--include=dev; else dev_flag=--production=false; fi
      if [ -d "$build_dir/node_modules" ] && [ -n "$node_modules_checked_in" ]; then
        info "Prebuild detected (node_modules already exists)"
        info "Rebuilding any native modules"
        npm rebuild 2>&1 | indent || return 1
        info "Installing any new modules (package.json)"
        npm install "$dev_flag" 2>&1 | indent
      elif npm_uses_ci; then
        info "Installing node modules"
        npm ci "$dev_flag" --prefer-offline 2>&1 | indent
      else
        case $pm_lockfile in
          package-lock.json) info "Installing node modules (package.json + package-lock)" ;;
          npm-shrinkwrap.json) info "Installing node modules (package.json + shrinkwrap)" ;;
          *) info "Installing node modules (package.json)" ;;
        esac
        npm install "$dev_flag" --prefer-offline 2>&1 | indent
      fi
      ;;
    yarn)
      if [ -n "$pm_berry" ]; then
        # Yarn 2+ reads .yarnrc.yml only
        for rc in .npmrc .yarnrc; do
          if [ -f "$build_dir/$rc" ]; then
            warn "There is an existing $rc file that will not be used. Yarn 2+ reads its settings from .yarnrc.yml
only: move them there (https://yarnpkg.com/configuration/yarnrc)."
          fi
        done
        info "Running 'yarn install' with yarn.lock"
        [ -d "$build_dir/.yarn/cache" ] || export YARN_CACHE_FOLDER="$cache_dir/yarn-berry"
        yarn install --immutable 2>&1 | indent
      else
        info "Installing node modules (yarn.lock)"
        yarn install --frozen-lockfile --production="$([ "$(printf '%s' "${YARN_PRODUCTION:-}" | tr 'A-Z' 'a-z')" = true ] && echo true || echo false)" --non-interactive --cache-folder "$cache_dir/node/cache/yarn" --prefer-offline 2>&1 | indent
      fi
      ;;
    pnpm)
      info "Running 'pnpm install' with pnpm-lock.yaml"
      pnpm install --frozen-lockfile --prod=false --store-dir "$cache_dir/pnpm-store" --package-import-method=copy \
        --config.confirmModulesPurge=false --reporter=append-only 2>&1 | indent
      ;;
  esac
}

# prune_reason — why dev dependencies stay, or nothing when they are pruned.
prune_reason() {
  if [ "${NODE_ENV:-production}" = test ]; then echo "Skipping because NODE_ENV is 'test'"
  elif [ "${NODE_ENV:-production}" != production ]; then echo "Skipping because NODE_ENV is not 'production'"
  elif [ "$pm" = npm ] && [ "$npm_version" = 5.3.0 ]; then echo "Skipping because npm 5.3.0 fails when running 'npm prune' due to a known issue https://github.com/npm/npm/issues/17781"
  elif [ "$pm" = npm ] && [[ " 5.1.0 5.2.0 5.4.1 5.4.2 5.5.0 5.5.1 5.6.0 " == *" $npm_version "* ]]; then
    echo "Skipping because npm $npm_version sometimes fails when running 'npm prune' due to a known issue https://github.com/npm/npm/issues/19356 (npm 5.7.1 or later prunes)"
  elif [ -n "${NPM_CONFIG_PRODUCTION:-${npm_config_production:-}}" ]; then
    echo "Skipping because NPM_CONFIG_PRODUCTION is '${NPM_CONFIG_PRODUCTION:-${npm_config_production:-}}'"
  elif [[ ${NPM_CONFIG_INCLUDE:-${npm_config_include:-}} == *dev* ]]; then echo "Skipping because NPM_CONFIG_INCLUDE includes 'dev'"
  elif [ -n "${NPM_CONFIG_OMIT+x}${npm_config_omit+x}" ] && [[ ${NPM_CONFIG_OMIT:-${npm_config_omit:-}} != *dev* ]]; then
    echo "Skipping because NPM_CONFIG_OMIT does not omit 'dev'"
  elif [ "$pm" = yarn ] && [ -z "$pm_berry" ] && [ -n "${YARN_PRODUCTION:-}" ]; then
    echo "Skipping because YARN_PRODUCTION is '$YARN_PRODUCTION'"
  elif [ "$pm" = pnpm ] && [ "${PNPM_SKIP_PRUNING:-}" = true ]; then
    echo "Skipping because PNPM_SKIP_PRUNING is 'true'"
  elif [ "$pm" = yarn ] && [ -n "$pm_berry" ] && [ "${YARN2_SKIP_PRUNING:-}" = true ]; then
    echo "Skipping because YARN2_SKIP_PRUNING is 'true'"
  fi
}

# version_at_least VERSION MIN — whether VERSION is MIN or later.
version_at_least() {
  [ "$(printf '%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# pm_prune BUILD_DIR CACHE_DIR — removes dev dependencies from node_modules.
pm_prune() {
  local build_dir=$1 cache_dir=$2
  case $pm in
    npm)
      if [ "$(npm_major)" -ge 7 ]; then npm prune --omit=dev 2>&1 | indent; else npm prune --production 2>&1 | indent; fi
      ;;
    yarn)
      if [ -n "$pm_berry" ]; then
        # Yarn 2 and 3 lack `workspaces focus --production`: the buildpack's own plugin prunes on
        # every Berry version, under Heroku's name for it
        info "Running 'yarn heroku prune'"
        YARN_PLUGINS="$bp_dir/lib/yarn-prune-plugin.cjs" yarn heroku prune 2>&1 | indent || return 1
        if [ "$(cd "$build_dir" && yarn config get nodeLinker 2>/dev/null)" = node-modules ] && [ -d "$build_dir/.yarn/cache" ]; then
          info "Removing local yarn cache to reduce slug size"
          rm -rf "$build_dir/.yarn/cache"
        fi
      else
        yarn install --frozen-lockfile --production=true --ignore-scripts --non-interactive --cache-folder "$cache_dir/node/cache/yarn" --prefer-offline 2>&1 | indent
      fi
      ;;
    pnpm)
      # a workspace is pruned by a production install (pnpm prune does not handle workspaces);
      # --ignore-scripts came with pnpm 8.15.6
      if ! version_at_least "$pm_version" 8.15.6 && [ -n "$pkg_has_install_scripts" ]; then
        warn "Pruning skipped due to presence of lifecycle scripts: pnpm $pm_version would run them again while
pruning, without the dev dependencies they may need (pnpm 8.15.6+ prunes without them)."
      elif [ -n "$pm_workspace" ]; then
        pnpm install --prod --frozen-lockfile --store-dir "$cache_dir/pnpm-store" --package-import-method=copy \
          --config.confirmModulesPurge=false --reporter=append-only 2>&1 | indent
      elif version_at_least "$pm_version" 8.15.6; then
        pnpm prune --prod --ignore-scripts --config.confirmModulesPurge=false 2>&1 | indent
      else
        pnpm prune --prod --config.confirmModulesPurge=false 2>&1 | indent
      fi
      ;;
  esac
}
