# shellcheck shell=bash
# The app's dependencies, into a virtual environment at BUILD_DIR/.heroku/venv made with the slug's
# own interpreter, installed by the build image's pip. The environment is cached in CACHE_DIR under a
# key (the Python version and the requirements): when it matches, nothing is installed.

# requirements_file BUILD_DIR OUT — writes the requirements to install into OUT; prints where they came from.
requirements_file() {
  local build_dir=$1 out=$2
  if [ -f "$build_dir/requirements.txt" ]; then
    cp "$build_dir/requirements.txt" "$out"
    echo "requirements.txt"
  elif [ -f "$build_dir/Pipfile" ]; then
    [ -f "$build_dir/Pipfile.lock" ] || fail "Pipfile without Pipfile.lock: run pipenv lock and commit Pipfile.lock"
    python3 - "$build_dir/Pipfile.lock" >"$out" <<'PY' || fail "Pipfile.lock could not be read"
import json, sys
lock = json.load(open(sys.argv[1]))
for name, spec in sorted(lock.get("default", {}).items()):
    version = spec.get("version", "") if isinstance(spec, dict) else ""
    print(f"{name}{version}")
PY
    echo "Pipfile.lock"
  else
    python3 - "$build_dir/pyproject.toml" >"$out" <<'PY' || fail "pyproject.toml could not be read"
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb")).get("project", {})
for dep in project.get("dependencies", []):
    print(dep)
PY
    echo "pyproject.toml [project] dependencies"
  fi
}

# install_python_dependencies BUILD_DIR CACHE_DIR
install_python_dependencies() {
  local build_dir=$1 cache_dir=$2 venv reqs from key
  venv="$build_dir/.heroku/venv"
  reqs=$(mktemp)
  from=$(requirements_file "$build_dir" "$reqs")
  key=$( (python_version; cat "$reqs") | sha256sum | cut -d' ' -f1)
  rm -rf "$venv"
  if [ -d "$cache_dir/python/venv" ] && [ "$(cat "$cache_dir/python/venv.key" 2>/dev/null)" = "$key" ]; then
    header "Restoring cache"
    cp -a "$cache_dir/python/venv" "$venv"
    info "Dependencies restored from cache ($from unchanged)"
    return
  fi
  header "Installing dependencies"
  "$build_dir/.heroku/python/bin/python3" -m venv --without-pip "$venv"
  if grep -q -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$reqs"; then
    info "Installing from $from with pip"
    # from the app's directory: relative paths in the requirements (./wheels/x.whl, ./lib) are the app's
    (cd "$build_dir" && PIP_CACHE_DIR="$cache_dir/pip" python3 -m pip --python "$venv/bin/python" install \
      --no-input --disable-pip-version-check --progress-bar off -r "$reqs") 2>&1 | indent ||
      fail "pip install failed: see pip's output above (the package index must be reachable from the builder; PIP_INDEX_URL sets it)"
  else
    info "$from lists no dependencies"
  fi
  mkdir -p "$cache_dir/python"
  rm -rf "$cache_dir/python/venv" "$cache_dir/python/venv.key"
  cp -a "$venv" "$cache_dir/python/venv"
  echo "$key" >"$cache_dir/python/venv.key"
  info "Cached the environment for the next build"
}
