# shellcheck shell=bash
# Heroku-style build output: headings start with an arrow, tools' own output is indented 7 spaces.

# header TEXT — a step heading.
header() {
  echo "-----> $*"
}

# info TEXT — a detail line under a heading.
info() {
  echo "       $*"
}

# indent — indents a tool's output as it streams (stdout and stderr merged by the caller).
indent() {
  sed -u -e '/^[[:space:]]*$/d' -e 's/^/       /'
}

# fail TEXT — reports an error and stops the build (on stderr, so it shows even inside $(...)).
fail() {
  echo "-----> Build failed"
  local line
  while IFS= read -r line; do echo " !     $line" >&2; done <<<"$*"
  exit 1
}

# build_failed — ends the build after a message already written to stderr.
build_failed() {
  echo "-----> Build failed"
  exit 1
}

# warn TEXT — a warning, each line marked, on stderr (the build goes on).
warn() {
  local line
  echo >&2
  while IFS= read -r line; do echo " !     $line" >&2; done <<<"$*"
  echo >&2
}
