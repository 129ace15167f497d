#!/usr/bin/env bash
# npm run down: stops the platform's own processes. Apps' containers, Docker, PostgreSQL and Redis keep running.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
for c in "${components[@]}"; do
  if pid=$(pid_of "$c"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    say "stopped $c (pid $pid)"
  fi
  rm -f "$run_dir/$c.pid"
done
