# shellcheck shell=bash
# The app's config vars reach the build as files in ENV_DIR (file name = key, content = value).

# Variables a config var must not override during the build: they would break the toolchain.
readonly env_denied='^(PATH|GIT_DIR|CPATH|CPPATH|LD_PRELOAD|LIBRARY_PATH|LD_LIBRARY_PATH|HOME|PWD|SHELL|USER|BASH_ENV|ENV|IFS|LANG|BUILD_DIR)$'

# export_env_dir ENV_DIR — exports each config var, skipping denied or malformed names.
export_env_dir() {
  local env_dir=$1 file name
  [ -d "$env_dir" ] || return 0
  for file in "$env_dir"/*; do
    [ -f "$file" ] || continue
    name=$(basename "$file")
    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    [[ $name =~ $env_denied ]] && continue
    export "$name=$(cat "$file")"
  done
}
