# The Node.js runtime's environment in every process of the slug (sourced before the command runs).
# HOME is the app's directory (/app), as on Heroku.
export PATH="$HOME/.heroku/node/bin:$HOME/.heroku/yarn/bin:$PATH:$HOME/bin:$HOME/node_modules/.bin"
export PATH="$HOME/.heroku/pnpm/bin:$PATH"
export NODE_HOME="$HOME/.heroku/node"
export NODE_ENV=${NODE_ENV:-production}

# WEB_CONCURRENCY, as Heroku sets it: the process's memory limit (cgroup v1 or v2) over WEB_MEMORY
# MB per worker (512, or 2048 above 16 GB), at least 1; an app's own WEB_CONCURRENCY is kept.
paas_memory_mb() {
  local bytes=
  if [ -r /sys/fs/cgroup/memory.max ]; then bytes=$(cat /sys/fs/cgroup/memory.max)
  elif [ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then bytes=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
  fi
  case $bytes in ''|max|*[!0-9]*) echo 512 ;; *) echo $((bytes / 1048576)) ;; esac
}
if [ -z "${WEB_CONCURRENCY:-}" ]; then
  MEMORY_AVAILABLE=${MEMORY_AVAILABLE:-$(paas_memory_mb)}
  if [ "$MEMORY_AVAILABLE" -gt 129024 ]; then MEMORY_AVAILABLE=129024; fi
  if [ "$MEMORY_AVAILABLE" -gt 16384 ]; then WEB_MEMORY=${WEB_MEMORY:-2048}; else WEB_MEMORY=${WEB_MEMORY:-512}; fi
  WEB_CONCURRENCY=$((MEMORY_AVAILABLE / WEB_MEMORY))
  if [ "$WEB_CONCURRENCY" -lt 1 ] || [ "$WEB_CONCURRENCY" -gt 200 ]; then WEB_CONCURRENCY=1; fi
  export MEMORY_AVAILABLE WEB_MEMORY WEB_CONCURRENCY
fi
unset -f paas_memory_mb
