#!/usr/bin/env bash
# npm run down: stops the supervisor and the platform's own processes. Apps' containers, Docker,
# PostgreSQL and Redis keep running.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
stop_pid() { # name pid seconds
  kill -TERM "$2" 2>/dev/null || true
  for _ in $(seq 1 $(($3 * 5))); do kill -0 "$2" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$2" 2>/dev/null; then kill -KILL "$2" 2>/dev/null || true; fi
  say "stopped $1 (pid $2)"
}
# The supervisor stops its children (SIGTERM, SIGKILL after 20 s) before it exits.
if pid=$(pid_of supervisor); then stop_pid supervisor "$pid" 30; fi
rm -f "$run_dir/supervisor.pid"
# Components without a supervisor (started by an older up.sh, or left by a supervisor that was killed).
for c in "${components[@]}"; do
  if pid=$(pid_of "$c"); then stop_pid "$c" "$pid" 15; fi
  rm -f "$run_dir/$c.pid"
done
