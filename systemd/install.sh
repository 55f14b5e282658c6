#!/usr/bin/env bash
# Installs fieldgate as a systemd service on this board. Run it as root from a checkout (or an
# unpacked release) where `npm ci` has run:
#
#   sudo systemd/install.sh
#
# What it does (each step is skipped when already done, so running it again is safe; it is also
# how to upgrade):
#   - creates the system user and group `fieldgate` (member of `dialout`, for the serial ports);
#   - installs the program to /opt/fieldgate with production dependencies only, and the command
#     /usr/local/bin/fieldgate (it uses /etc/fieldgate/fieldgate.yaml unless told otherwise);
#   - installs /etc/fieldgate/fieldgate.yaml from the demo config, ONLY if there is none: a
#     configuration that exists is never touched;
#   - creates /var/lib/fieldgate (recordings), owned by fieldgate;
#   - installs the man pages fieldgate(8) and fieldgate.yaml(5) under /usr/local/share/man;
#   - installs /etc/systemd/system/fieldgate.service, enables it, and starts it unless it runs
#     already (an upgrade is applied by `systemctl restart fieldgate`, when the line allows it).
#
# DESTDIR=/some/dir installs the same tree under that directory instead of / (packaging, tests):
# then no user is created, nothing is chowned and systemctl is not run.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=paths.sh
source "$(dirname "${BASH_SOURCE[0]}")/paths.sh"

check_prerequisites() {
  if real && [ "$(id -u)" -ne 0 ]; then die "run it as root (sudo $0), or set DESTDIR to install under another directory"; fi
  command -v node >/dev/null || die "node is not installed: Node.js 20.19 or newer is needed (hardware/README.md says how)"
  command -v npm >/dev/null || die "npm is not installed (it comes with Node.js)"
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
    || die "node $(node --version) is too old: fieldgate needs 20.19 or newer"
  if [ ! -f "$SRC/dist/cli.js" ]; then
    say "no build in $SRC: running npm ci (it builds dist/)"
    (cd "$SRC" && npm ci --no-audit --no-fund)
  fi
}

create_user() {
  real || return 0
  getent group fieldgate >/dev/null || groupadd --system fieldgate
  if ! id -u fieldgate >/dev/null 2>&1; then
    useradd --system --gid fieldgate --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin \
      --comment "fieldgate gateway" fieldgate
    say "created the system user fieldgate"
  fi
  getent group dialout >/dev/null || groupadd --system dialout
  usermod -a -G dialout fieldgate
}

# Staged next to the old version, then swapped: a failed npm ci leaves the installed one as it was.
install_app() {
  local stage="$DESTDIR$APP.new" item
  rm -rf "$stage"
  mkdir -p "$stage"
  for item in bin dist config systemd hardware docs package.json package-lock.json README.md LICENSE; do
    if [ -e "$SRC/$item" ]; then cp -R "$SRC/$item" "$stage/"; fi
  done
  say "installing production dependencies in $APP (npm ci --omit=dev)"
  (cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
  chmod 0755 "$stage/bin/fieldgate.js"
  rm -rf "$DESTDIR$APP.old"
  if [ -d "$DESTDIR$APP" ]; then mv "$DESTDIR$APP" "$DESTDIR$APP.old"; fi
  mv "$stage" "$DESTDIR$APP"
  rm -rf "$DESTDIR$APP.old"
  mkdir -p "$(dirname "$DESTDIR$COMMAND")"
  cat >"$DESTDIR$COMMAND" <<EOF
#!/bin/sh
# fieldgate, installed by systemd/install.sh: uses the service's configuration unless told otherwise.
: "\${FIELDGATE_CONFIG:=$ETC/fieldgate.yaml}"
export FIELDGATE_CONFIG
exec $APP/bin/fieldgate.js "\$@"
EOF
  chmod 0755 "$DESTDIR$COMMAND"
}

install_config() {
  local conf="$DESTDIR$ETC/fieldgate.yaml"
  mkdir -p "$DESTDIR$ETC"
  if [ -e "$conf" ]; then
    say "kept the existing $ETC/fieldgate.yaml (never overwritten)"
  else
    cp "$SRC/config/fieldgate.yaml" "$conf.new"
    if ! grep -q '^status:' "$conf.new"; then
      printf '\nstatus:\n  listen: 127.0.0.1:8081           # HTTP /health /status /metrics; `fieldgate status` reads it\n' >>"$conf.new"
    fi
    mv "$conf.new" "$conf"
    say "installed $ETC/fieldgate.yaml (the demo config: edit it, then systemctl reload fieldgate)"
  fi
  if real; then
    chown root:fieldgate "$DESTDIR$ETC" "$conf"
    chmod 0750 "$DESTDIR$ETC"
    chmod 0640 "$conf"
  fi
}

install_state_dir() {
  mkdir -p "$DESTDIR$STATE"
  chmod 0750 "$DESTDIR$STATE"
  if real; then chown -R fieldgate:fieldgate "$DESTDIR$STATE"; fi
}

install_man() {
  local page section
  for page in fieldgate.8 fieldgate.yaml.5; do
    section="${page##*.}"
    mkdir -p "$DESTDIR$MAN/man$section"
    install -m 0644 "$SRC/man/$page" "$DESTDIR$MAN/man$section/$page"
  done
}

install_unit() {
  mkdir -p "$(dirname "$DESTDIR$UNIT")"
  install -m 0644 "$SRC/systemd/fieldgate.service" "$DESTDIR$UNIT"
  if ! real || [ ! -d /run/systemd/system ]; then
    say "not enabling the service (DESTDIR set, or systemd is not running here)"
    return 0
  fi
  systemctl daemon-reload
  systemctl enable --quiet fieldgate.service
  if systemctl is-active --quiet fieldgate.service; then
    say "fieldgate is running the previous version: run  systemctl restart fieldgate  to switch"
  elif "$APP/bin/fieldgate.js" check -c "$ETC/fieldgate.yaml" >/dev/null; then
    systemctl start fieldgate.service
    say "started fieldgate"
  else
    say "NOT started: $ETC/fieldgate.yaml is not valid (fieldgate check -c $ETC/fieldgate.yaml says why)"
  fi
}

main() {
  check_prerequisites
  create_user
  install_app
  install_config
  install_state_dir
  install_man
  install_unit
  cat <<EOF
install.sh: done. Installed under ${DESTDIR:-/}:
  $APP                      the program
  $COMMAND          the command (fieldgate check, fieldgate status)
  $ETC/fieldgate.yaml    the configuration
  $STATE                 recordings
  $MAN/man8/fieldgate.8, man5/fieldgate.yaml.5   man fieldgate, man fieldgate.yaml
  $UNIT
Check it:
  systemctl status fieldgate             is it running? (STATUS: servers, sessions, devices up)
  journalctl -u fieldgate -f             its log
  fieldgate status                       servers, port pools, sessions, devices
  fieldgate check                        validate $ETC/fieldgate.yaml after editing it
  systemctl reload fieldgate             apply the edited configuration without a restart
EOF
}

main "$@"
