#!/usr/bin/env bash
# npm run up: starts the whole platform in the background, installing what is missing. Idempotent:
# what already runs is left alone. Apps keep running across `npm run down` / `npm run up`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$root"
mkdir -p "$PAAS_HOME" "$run_dir" "$log_dir"
chmod 700 "$PAAS_HOME"

# 1. npm dependencies
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "Installing npm dependencies"
  npm ci --no-audit --no-fund >/dev/null
fi

# 2. Docker
ensure_docker

# 3. PostgreSQL: DATABASE_URL when set; otherwise the local server, installed and started when missing.
if [ -z "${DATABASE_URL:-}" ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    command -v pg_ctlcluster >/dev/null || { step "Installing PostgreSQL"; apt_install postgresql; }
    step "Starting PostgreSQL"
    cluster=$(ls /etc/postgresql | sort -V | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start || true
    wait_for postgres 30 pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL did not start"
  fi
  if psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/paas
    psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname = 'paas'" | grep -q 1 ||
      psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE paas' >/dev/null
  else
    # A stock Debian server refuses passwordless TCP logins: give paas a role and a password of its own.
    pwfile=$PAAS_HOME/postgres-password
    [ -f "$pwfile" ] || (umask 077; node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))' > "$pwfile")
    pw=$(cat "$pwfile")
    su postgres -c "psql -qAt" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'paas') THEN CREATE ROLE paas LOGIN CREATEDB PASSWORD '$pw'; END IF;
END \$\$;
SQL
    su postgres -c "psql -qAtc \"select 1 from pg_database where datname = 'paas'\"" | grep -q 1 ||
      su postgres -c "createdb -O paas paas"
    export DATABASE_URL=postgres://paas:$pw@127.0.0.1:5432/paas
  fi
fi

# 4. Redis: REDIS_URL when set; otherwise the local server, installed and started when missing.
# A Redis this script starts is its own ($PAAS_HOME/redis-owned): unless PAAS_REDIS_ACL=off, it
# gets an ACL user per component (scripts/redis-acl.mjs) and its default user is off. A Redis given
# by REDIS_URL, or one that was running already (the shared Redis of tests and CI), is never changed.
redis_acl=
if [ -z "${REDIS_URL:-}" ]; then
  export REDIS_URL=redis://127.0.0.1:6379
  redis_owned=$PAAS_HOME/redis-owned
  redis_answers() { redis-cli -h 127.0.0.1 -p 6379 ping 2>&1 | grep -qE 'PONG|NOAUTH'; }
  if ! redis_answers; then
    command -v redis-server >/dev/null || { step "Installing Redis"; apt_install redis-server; }
    step "Starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    acl_args=()
    if [ "${PAAS_REDIS_ACL:-auto}" != off ]; then
      write_redis_acl
      acl_args=(--aclfile "$PAAS_HOME/redis-acl.conf")
    fi
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --dir /var/lib/redis --logfile /var/log/redis/paas.log "${acl_args[@]}" >/dev/null
    wait_for redis 20 redis_answers || die "Redis did not start"
    echo 6379 > "$redis_owned"
  fi
  if [ -f "$redis_owned" ] && [ "${PAAS_REDIS_ACL:-auto}" != off ] && [ -f "$PAAS_HOME/redis-acl.conf" ]; then
    write_redis_acl
    # the running server reloads the users (new passwords or rules take effect now)
    REDISCLI_AUTH=$(redis_password paas-admin) redis-cli --user paas-admin -h 127.0.0.1 -p 6379 ACL LOAD 2>&1 | grep -q OK ||
      die "could not reload the Redis users; restart the Redis npm run up started (its ACL file is $PAAS_HOME/redis-acl.conf)"
    redis_acl=1
  fi
fi

# 5. TypeScript
step "Building the platform (tsc -b)"
npm run --silent build

# 6. Base images
bash scripts/base-images.sh | sed 's/^/       /'

# 7. The image registry: the operator's (PAAS_REGISTRY, with PAAS_REGISTRY_USERNAME/PASSWORD), or the
# embedded one (Debian's docker-registry), on loopback for one machine (PAAS_REGISTRY_LISTEN, default
# 127.0.0.1:5056); listening elsewhere it serves TLS under paas's CA and hosts pull from
# PAAS_REGISTRY_HOSTS_ADDRESS (see README, "The image registry").
if [ -z "${PAAS_REGISTRY:-}" ]; then
  command -v docker-registry >/dev/null || { step "Installing the image registry (Debian's docker-registry)"; apt_install docker-registry; }
  # Debian's package starts its own registry on :5000 under systemd; paas runs its own instead.
  export PAAS_REGISTRY_LISTEN=${PAAS_REGISTRY_LISTEN:-127.0.0.1:5056}
  reg_port=${PAAS_REGISTRY_LISTEN##*:}
  reg_host=${PAAS_REGISTRY_LISTEN%:*}
  creds=$PAAS_HOME/registry-credentials
  [ -f "$creds" ] || (umask 077; node -e 'console.log("paas:" + require("crypto").randomBytes(18).toString("hex"))' > "$creds")
  PAAS_REGISTRY_USERNAME=$(cut -d: -f1 "$creds"); export PAAS_REGISTRY_USERNAME
  PAAS_REGISTRY_PASSWORD=$(cut -d: -f2 "$creds"); export PAAS_REGISTRY_PASSWORD
  case $reg_host in
    127.*|localhost) export PAAS_REGISTRY="http://127.0.0.1:$reg_port" ;;
    *)
      # TLS (the registry component issues its certificate from paas's CA and writes the CA here);
      # on 0.0.0.0 this machine pushes at loopback, otherwise at the address it listens on.
      export PAAS_REGISTRY_CA_FILE=$PAAS_HOME/registry/tls/ca.crt
      if [ "$reg_host" = 0.0.0.0 ]; then
        export PAAS_REGISTRY="https://127.0.0.1:$reg_port"
      else
        export PAAS_REGISTRY="https://$PAAS_REGISTRY_LISTEN"
        export PAAS_REGISTRY_HOSTS_ADDRESS=${PAAS_REGISTRY_HOSTS_ADDRESS:-$PAAS_REGISTRY_LISTEN}
      fi
      if [ -n "${PAAS_REGISTRY_HOSTS_ADDRESS:-}" ]; then
        export PAAS_REGISTRY_TLS_NAMES=${PAAS_REGISTRY_TLS_NAMES:-${PAAS_REGISTRY_HOSTS_ADDRESS%:*}}
      fi
      ;;
  esac
fi

# 8. The platform secret and the environment every component starts with
secret_file=$PAAS_HOME/secret
[ -f "$secret_file" ] || (umask 077; node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))' > "$secret_file")
export PAAS_SECRET=$(cat "$secret_file")
# A fresh PAAS_HOME (a new secret) against the database of an earlier one could not read its config.
node apps/controller/dist/check-secret.js || die "PAAS_SECRET (from $secret_file) does not match the database at DATABASE_URL"
# Each component's own changes to that environment (scripts/supervisor.mjs reads $PAAS_HOME/env/NAME.env):
# the router gets no PAAS_SECRET, only the key derived from it that opens certificate keys (HKDF, labelled).
mkdir -p "$PAAS_HOME/env"
cert_key=$(node --input-type=module -e 'const { certKeyOf } = await import("@paas/shared"); console.log(certKeyOf(process.env.PAAS_SECRET))')
(umask 077; printf -- '-PAAS_SECRET\n-PAAS_REGISTRY_PASSWORD\nPAAS_ROUTER_CERT_KEY=%s\n' "$cert_key" > "$PAAS_HOME/env/router.env")
# With the Redis ACL, each component connects as its own user.
for c in "${components[@]}"; do
  [ "$c" != registry ] || continue
  [ -n "$redis_acl" ] || { sed -i '/^REDIS_URL=/d' "$PAAS_HOME/env/$c.env" 2>/dev/null || true; continue; }
  (umask 077; touch "$PAAS_HOME/env/$c.env"; sed -i '/^REDIS_URL=/d' "$PAAS_HOME/env/$c.env"
   echo "REDIS_URL=redis://$c:$(redis_password "$c")@127.0.0.1:6379" >> "$PAAS_HOME/env/$c.env")
done

start_supervisor() {
  if pid=$(pid_of supervisor); then say "       the supervisor is running (pid $pid)"; return; fi
  # It stops components an earlier run left behind, then starts and restarts each one (scripts/supervisor.mjs).
  rm -f "$run_dir/supervisor.json"
  setsid nohup node "$root/scripts/supervisor.mjs" "${supervised[@]}" >>"$log_dir/supervisor.log" 2>&1 < /dev/null &
  echo $! > "$run_dir/supervisor.pid"
  say "       started the supervisor (pid $!, log $log_dir/supervisor.log) for ${components[*]} (logs $log_dir/<component>.log)"
  # Its state file appears once it has started the components (after stopping any left behind).
  wait_for supervisor 60 test -f "$run_dir/supervisor.json" || { tail -n 20 "$log_dir/supervisor.log" >&2; die "the supervisor did not start"; }
}
healthy() { # component
  case $1 in
    controller) curl -m 5 -fsS "http://127.0.0.1:$PAAS_API_PORT/health" ;;
    builder) curl -m 5 -fsS "http://127.0.0.1:$PAAS_BUILDER_PORT/healthz" ;;
    router) curl -m 5 -fsS -H "Host: $PAAS_DOMAIN" "http://127.0.0.1:$PAAS_ROUTER_PORT/healthz" ;;
    # the registry's API answers 401 without credentials: it is up
    registry) curl -m 5 -ks -o /dev/null -w '%{http_code}' "$PAAS_REGISTRY/v2/" | grep -qE '^(200|401)$' ;;
  esac
}

step "Starting the platform"
start_supervisor
for c in "${components[@]}"; do
  if ! wait_for "$c" 60 healthy "$c"; then
    tail -n 20 "$log_dir/$c.log" >&2 || true
    die "$c did not become healthy; its log is $log_dir/$c.log"
  fi
done

# This machine's engine trusts the embedded registry at the address the hosts use (Docker reads
# /etc/docker/certs.d per pull: no restart). Hosts provisioned by paas get the same file.
if [ -n "${PAAS_REGISTRY_CA_FILE:-}" ] && [ -n "${PAAS_REGISTRY_HOSTS_ADDRESS:-}" ] && [ -z "${DOCKER_HOST:-}" ] && [ -f "$PAAS_REGISTRY_CA_FILE" ]; then
  install -D -m 0644 "$PAAS_REGISTRY_CA_FILE" "/etc/docker/certs.d/$PAAS_REGISTRY_HOSTS_ADDRESS/ca.crt"
fi

# 9. First run: the admin account and a logged-in CLI
node apps/controller/dist/bootstrap-admin.js | sed 's/^/       /'

port_suffix=":$PAAS_ROUTER_PORT"; [ "$PAAS_ROUTER_PORT" = 80 ] && port_suffix=
say ""
say "paas is up."
say "  API:       $PAAS_API_URL"
say "  Apps:      http://<app>.$PAAS_DOMAIN$port_suffix/"
say "  CLI:       bin/paas (logged in as $(node -e 'try{console.log(require(process.argv[1]).email)}catch{console.log("?")}' "$PAAS_HOME/cli.json"); config in $PAAS_HOME/cli.json)"
say "  CLI anywhere: npm install -g $PAAS_API_URL/cli/paas-cli.tgz, then paas login --api $PAAS_API_URL"
say "  Registry:  ${PAAS_REGISTRY}"
say "  Logs:      $log_dir/"
say "  Stop:      npm run down"
