# Shared by up.sh, down.sh and .ci/run: the platform's settings and helpers.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PAAS_HOME=${PAAS_HOME:-$HOME/.paas}
export PAAS_API_PORT=${PAAS_API_PORT:-5050}
export PAAS_ROUTER_PORT=${PAAS_ROUTER_PORT:-8080}
export PAAS_BUILDER_PORT=${PAAS_BUILDER_PORT:-5053}
export PAAS_DOMAIN=${PAAS_DOMAIN:-localhost}
export PAAS_API_URL=${PAAS_API_URL:-http://127.0.0.1:$PAAS_API_PORT}
run_dir=$PAAS_HOME/run
log_dir=$PAAS_HOME/logs
components=(controller builder router)
# The embedded image registry (Debian's docker-registry under a small Node process) unless the
# operator points paas at their own with PAAS_REGISTRY.
[ -n "${PAAS_REGISTRY:-}" ] || components+=(registry)
# What the supervisor runs: NAME=SCRIPT, relative to the checkout.
supervised=()
for c in "${components[@]}"; do
  case $c in
    registry) supervised+=("registry=apps/controller/dist/registry/registry-main.js") ;;
    *) supervised+=("$c=apps/$c/dist/main.js") ;;
  esac
done

say() { printf '%s\n' "$*"; }
step() { printf -- '-----> %s\n' "$*"; }
die() { printf ' !     %s\n' "$*" >&2; exit 1; }

pid_of() { # component -> prints the pid if it is running
  local f=$run_dir/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

apt_ready=
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $*: this is not a Debian/Ubuntu machine; install it yourself"
  if [ -z "$apt_ready" ]; then apt-get update -qq >/dev/null; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # description seconds command...
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# Docker: use DOCKER_HOST when set; otherwise the local engine, installed and started when missing.
# dockerd runs in the host's own network namespace exactly once; it is never stopped by `npm run down`.
ensure_docker() {
  if [ -n "${DOCKER_HOST:-}" ]; then
    docker version >/dev/null 2>&1 || die "DOCKER_HOST=$DOCKER_HOST does not answer"
    return
  fi
  if ! command -v dockerd >/dev/null; then
    step "Installing Docker (Debian's docker.io)"
    apt_install docker.io
  fi
  # PAAS_USERNS_REMAP=1: the engine maps containers' root to an unprivileged range of the host
  # (dockerd --userns-remap=default); the runtime then runs root images as built (container-hardening.ts).
  local remap=()
  [ "${PAAS_USERNS_REMAP:-0}" = 1 ] && remap=(--userns-remap=default)
  if ! docker version >/dev/null 2>&1; then
    step "Starting dockerd${remap:+ with user-namespace remapping}"
    mkdir -p /var/log
    setsid nohup dockerd "${remap[@]}" >/var/log/paas-dockerd.log 2>&1 < /dev/null &
    wait_for dockerd 60 docker version || die "dockerd did not start; see /var/log/paas-dockerd.log"
  fi
  if [ ${#remap[@]} -gt 0 ] && ! docker info --format '{{.SecurityOptions}}' 2>/dev/null | grep -q userns; then
    say " !     PAAS_USERNS_REMAP=1, but the running engine does not remap user namespaces: add"
    say "       \"userns-remap\": \"default\" to /etc/docker/daemon.json and restart dockerd (npm run up never restarts it)"
  fi
  # docker-compose checks docker-compose.yml in the tests.
  command -v docker-compose >/dev/null || { step "Installing docker-compose"; apt_install docker-compose; }
}

# The Redis users of a Redis up.sh owns: passwords in $PAAS_HOME/redis-users (made once), the ACL file
# from them (scripts/redis-acl.mjs; PAAS_REDIS_PREFIX, default paas).
redis_password() { # user
  sed -n "s/^$1=//p" "$PAAS_HOME/redis-users"
}
write_redis_acl() {
  local users=$PAAS_HOME/redis-users
  if [ ! -f "$users" ]; then
    (umask 077; for u in paas-admin controller builder router; do
      echo "$u=$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
    done > "$users")
  fi
  (umask 077; node "$root/scripts/redis-acl.mjs" "${PAAS_REDIS_PREFIX:-paas}" "$users" > "$PAAS_HOME/redis-acl.conf.tmp" &&
    mv "$PAAS_HOME/redis-acl.conf.tmp" "$PAAS_HOME/redis-acl.conf") || die "could not write the Redis ACL file"
}
