# shellcheck shell=bash
# The Python runtime of the slug: the build image's interpreter and standard library, copied into
# BUILD_DIR/.heroku/python, with the shared libraries its modules need that the run image lacks.

# The libraries the run image has (libc, libstdc++, zlib, ...): not copied.
readonly run_image_libs='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|libresolv\.so\.2|ld-linux-x86-64\.so\.2|libgcc_s\.so\.1|libstdc\+\+\.so\.6|libz\.so\.1|libtinfo\.so\.6|linux-vdso\.so\.1)$'

python_version() {
  python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])'
}

# requested_python_version BUILD_DIR — the version .python-version or runtime.txt asks for, and where.
requested_python_version() {
  local build_dir=$1 line
  if [ -f "$build_dir/.python-version" ]; then
    line=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$build_dir/.python-version" | head -n1 | tr -d '[:space:]')
    [ -n "$line" ] && echo "${line#python-} .python-version" && return
  fi
  if [ -f "$build_dir/runtime.txt" ]; then
    line=$(head -n1 "$build_dir/runtime.txt" | tr -d '[:space:]')
    [ -n "$line" ] && echo "${line#python-} runtime.txt"
  fi
}

# stack_with_python VERSION — ", or move the app to the stack whose Python it is" when a stack has it.
stack_with_python() {
  local stack
  case $1 in
    3.11 | 3.11.*) stack=bookworm ;;
    3.13 | 3.13.*) stack=trixie ;;
    *) return 0 ;;
  esac
  [ "$stack" = "${STACK:-bookworm}" ] || echo ", or move the app to the $stack stack (paas stack:set $stack)"
}

# check_python_version BUILD_DIR — fails clearly when the app asks for a Python this builder lacks.
check_python_version() {
  local build_dir=$1 have requested want from
  have=$(python_version)
  requested=$(requested_python_version "$build_dir")
  if [ -z "$requested" ]; then
    info "No Python version requested (.python-version or runtime.txt): using $have"
    return
  fi
  want=${requested% *}
  from=${requested#* }
  if ! [[ $want =~ ^3(\.[0-9]+){0,2}$ ]]; then
    fail "$from asks for Python \"$want\", which is not a version like 3.11 or 3.11.2"
  fi
  case "$have" in
    "$want" | "$want".*) info "Python $want requested ($from): using $have" ;;
    *)
      if [ "${want%.*}" = "${have%.*}" ] && [[ $want =~ ^3\.[0-9]+\.[0-9]+$ ]]; then
        info "Python $want requested ($from): using $have, the ${have%.*} release this builder has"
      else
        fail "$from asks for Python $want, but the ${STACK:-bookworm} stack has Python $have only. Ask for ${have%.*}$(stack_with_python "$want")."
      fi
      ;;
  esac
}

# install_python_runtime BUILD_DIR CACHE_DIR — the interpreter, its standard library (without tests,
# IDLE, Tk and the static library for embedding) and the extra shared libraries, into
# BUILD_DIR/.heroku/python. Assembled once per Python build and kept in CACHE_DIR/python/runtime.
install_python_runtime() {
  local build_dir=$1 cache_dir=$2 prefix short lib id cached
  prefix="$build_dir/.heroku/python"
  short=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  id="$(python_version) $(sha256sum "/usr/bin/python$short" | cut -c1-16)"
  cached="$cache_dir/python/runtime"
  rm -rf "$prefix"
  mkdir -p "$build_dir/.heroku"
  if [ -d "$cached" ] && [ "$(cat "$cache_dir/python/runtime.id" 2>/dev/null)" = "$id" ]; then
    cp -a "$cached" "$prefix"
    info "Python $(python_version) from the cache ($(du -sh "$prefix" | cut -f1))"
    return
  fi
  mkdir -p "$prefix/bin" "$prefix/lib"
  cp "/usr/bin/python$short" "$prefix/bin/python$short"
  ln -s "python$short" "$prefix/bin/python3"
  ln -s python3 "$prefix/bin/python"
  tar -C /usr/lib -cf - \
    --exclude="python$short/test" --exclude="python$short/idlelib" --exclude="python$short/tkinter" \
    --exclude="python$short/turtledemo" --exclude="python$short/config-$short-*" --exclude="python$short/lib2to3/tests" \
    "python$short" | tar -C "$prefix/lib" -xf -
  for lib in $( (ldd "$prefix/bin/python$short"; for so in "$prefix/lib/python$short/lib-dynload/"*.so; do ldd "$so"; done) 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do
    if ! [[ $(basename "$lib") =~ $run_image_libs ]]; then cp -L "$lib" "$prefix/lib/"; fi
  done
  info "Installed Python $(python_version) into .heroku/python ($(du -sh "$prefix" | cut -f1))"
  mkdir -p "$cache_dir/python"
  rm -rf "$cached"
  cp -a "$prefix" "$cached"
  echo "$id" >"$cache_dir/python/runtime.id"
}
