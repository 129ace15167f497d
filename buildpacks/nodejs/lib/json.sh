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

# dependency_fingerprint FILE — a stable text of package.json's dependency declarations.
dependency_fingerprint() {
  "$bootstrap_node" "$json_tool" dependencies "$1"
}
