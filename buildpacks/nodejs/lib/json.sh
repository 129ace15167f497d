# shellcheck shell=bash
# Reads package.json with the build image's bootstrap Node.js (the app's own is not installed yet).
bootstrap_node=/opt/paas/node/bin/node
json_tool="$(dirname "${BASH_SOURCE[0]}")/json-tool.cjs"

# json_get FILE DOTTED.PATH — the value (strings raw, other values as JSON), or nothing when absent.
json_get() {
  "$bootstrap_node" "$json_tool" get "$1" "$2"
}

# highest_version RANGE — reads `npm view ... version --json` on stdin, prints the highest version.
highest_version() {
  "$bootstrap_node" "$json_tool" highest
}

# load_package_json FILE — sets the pkg_* variables the build reads (one node start for all of them):
# pkg_engines_node, pkg_engines_npm, pkg_script_heroku_postbuild, pkg_script_build,
# pkg_has_dev_dependencies, pkg_dependency_fingerprint.
load_package_json() {
  local assignments
  assignments=$("$bootstrap_node" "$json_tool" shell "$1") || fail "package.json could not be read"
  eval "$assignments"
}
