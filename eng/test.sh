#!/usr/bin/env bash
# Runs every test project of Attest against real PostgreSQL and Redis servers.
# Installs what is missing (idempotent), starts throwaway servers on free loopback ports,
# runs `dotnet test` on the solution, stops the servers and prints one closing line:
#   N passed, N failed[, N skipped]
# With CI=true a missing PostgreSQL or Redis is a failure, never a skip.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "[test.sh] $*" >&2; }

need_apt=()
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[ -x "${pg_bin:-/nonexistent}/initdb" ] || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}") >/dev/null 2>&1 \
    || log "could not install ${need_apt[*]}"
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
fi

# npm packages the tests use (real MCP servers); installed once into eng/npm/node_modules.
if command -v npm >/dev/null 2>&1 && [ -f eng/npm/package.json ]; then
  if [ ! -d eng/npm/node_modules ] || [ eng/npm/package.json -nt eng/npm/node_modules ]; then
    log "installing npm packages"
    (cd eng/npm && npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1 && touch node_modules) || log "npm install failed"
  fi
  export ATTEST_TEST_NODE_MODULES="$root/eng/npm/node_modules"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
tmp="$(mktemp -d /tmp/attest-test.XXXXXX)"
chmod 755 "$tmp"
pg_started=0; redis_started=0
cleanup() {
  if [ $pg_started = 1 ]; then runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ $redis_started = 1 ]; then redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -x "${pg_bin:-/nonexistent}/initdb" ]; then
  pg_port=$(free_port)
  mkdir -p "$tmp/pg" "$tmp/sock" && chown postgres "$tmp/pg" "$tmp/sock"
  if runuser -u postgres -- "$pg_bin/initdb" -D "$tmp/pg" -A trust -U postgres >/dev/null 2>&1 &&
     runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/sock/pg.log" -w \
       -o "-p $pg_port -k $tmp/sock -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300" start >/dev/null 2>&1; then
    pg_started=1
    export ATTEST_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=100"
    log "PostgreSQL on 127.0.0.1:$pg_port"
  else
    log "PostgreSQL did not start"; cat "$tmp/sock/pg.log" >&2 2>/dev/null || true
  fi
fi
if command -v redis-server >/dev/null 2>&1; then
  redis_port=$(free_port)
  if redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null 2>&1; then
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis_started=1
    export ATTEST_TEST_REDIS="127.0.0.1:$redis_port"
    log "Redis on 127.0.0.1:$redis_port"
  fi
fi
if [ "${CI:-}" = "true" ]; then
  [ $pg_started = 1 ] || { log "CI: PostgreSQL is required"; echo "0 passed, 1 failed"; exit 1; }
  [ $redis_started = 1 ] || { log "CI: Redis is required"; echo "0 passed, 1 failed"; exit 1; }
  export ATTEST_REQUIRE_SERVERS=1
fi

results="$tmp/results"
mkdir -p "$results"
log "building"
if ! dotnet build Attest.slnx -c Release -warnaserror -nologo -v q > "$tmp/build.log" 2>&1; then
  grep -E "error|warning" "$tmp/build.log" | sort -u | head -50 >&2
  echo "0 passed, 1 failed"
  exit 1
fi
log "testing"
dotnet test Attest.slnx -c Release --no-build --nologo -v q \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=2400000 2>&1 \
  | grep -v -E "^\s*$|^Results File|^Additionally, path to test adapters|^A total of [0-9]+ test files|^Test run for " ; test_rc=${PIPESTATUS[0]}

passed=0; failed=0; skipped=0; files=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  files=$((files+1))
  line=$(grep -o '<Counters [^>]*>' "$f" | head -n1)
  get() { echo "$line" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  t=$(get total); e=$(get executed); p=$(get passed); fl=$(get failed); er=$(get error); to=$(get timeout); ab=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${fl:-0} + ${er:-0} + ${to:-0} + ${ab:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$test_rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; log "dotnet test exited $test_rc"; fi
if [ $skipped -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" = 0 ] && [ "$test_rc" = 0 ]
