#!/bin/sh
# Installs or upgrades fieldgate as a systemd service on this board. Run it as root from a checkout
# (or an unpacked release) where `npm ci` has run:
#
#   sudo systemd/install.sh                          install, or upgrade to this checkout's version
#   sudo /opt/fieldgate/systemd/install.sh --rollback   put the previous release back
#
# What it does (running it again is safe; it is also how to upgrade):
#   - creates the system user and group `fieldgate` (member of `dialout`, for the serial ports);
#   - installs the program, with production dependencies only, as a new release
#     /opt/fieldgate-releases/<UTC stamp>-<version>, beside the running one;
#   - installs /etc/fieldgate/fieldgate.yaml from the demo config, ONLY if there is none: a
#     configuration that exists is never touched;
#   - runs `fieldgate check` of the NEW release on /etc/fieldgate/fieldgate.yaml: a configuration
#     the new version refuses aborts the upgrade, and nothing is changed;
#   - swaps /opt/fieldgate (a symlink) to the new release in one rename, and installs the command
#     /usr/local/bin/fieldgate, /var/lib/fieldgate, the man pages and the unit;
#   - restarts the service and waits FIELDGATE_START_WAIT seconds (10): if it does not stay active,
#     /opt/fieldgate is swapped back to the previous release and that one is restarted;
#   - keeps the previous releases, at most 2 besides the running one (older ones are deleted).
#
# --rollback swaps /opt/fieldgate to the newest release older than the running one, restarts the
# service (swapping forward again if it does not come up) and says which version runs now.
#
# DESTDIR=/some/dir installs the same tree under that directory instead of / (packaging, tests):
# then no user is created, nothing is chowned and systemctl is not run.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$(cd "$HERE/.." && pwd)"
# shellcheck source=systemd/paths.sh
. "$HERE/paths.sh"

REL="$DESTDIR$RELEASES"
STAGE=''
trap 'if [ -n "$STAGE" ]; then rm -rf "$STAGE"; fi' EXIT

need_root() {
  if real && [ "$(id -u)" -ne 0 ]; then die "run it as root (sudo $0), or set DESTDIR to install under another directory"; fi
}

check_prerequisites() {
  need_root
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

# The release /opt/fieldgate points to (its directory name), or nothing.
current_id() {
  if [ -L "$DESTDIR$APP" ]; then basename "$(readlink "$DESTDIR$APP")"; fi
}
version_of() { printf '%s\n' "${1#*-}"; }
# Installed releases, oldest first (names start with their UTC install stamp).
releases() {
  if [ -d "$REL" ]; then (cd "$REL" && find . -mindepth 1 -maxdepth 1 -type d ! -name '*.partial' | sed 's|^\./||' | sort); fi
}

# The layout before releases: /opt/fieldgate a directory. It becomes the oldest release, unchanged.
adopt_plain_directory() {
  if [ ! -d "$DESTDIR$APP" ] || [ -L "$DESTDIR$APP" ]; then return 0; fi
  v="$(node -p 'require(process.argv[1]).version' "$DESTDIR$APP/package.json" 2>/dev/null || echo unknown)"
  s="$(date -u -r "$DESTDIR$APP/package.json" +%Y%m%dT%H%M%SZ 2>/dev/null || echo 00000000T000000Z)"
  mkdir -p "$REL"
  mv "$DESTDIR$APP" "$REL/$s-$v"
  swap_to "$s-$v"
  rm -rf "$DESTDIR$APP.old" "$DESTDIR$APP.new"
  say "moved the installed $APP ($v) to $RELEASES/$s-$v"
}

# One rename replaces the symlink: /opt/fieldgate is always one whole release.
swap_to() {
  rm -f "$DESTDIR$APP.swap"
  ln -s "$RELEASES_NAME/$1" "$DESTDIR$APP.swap"
  mv -T "$DESTDIR$APP.swap" "$DESTDIR$APP"
}

# Copies the checkout into a new release directory and installs its production dependencies there.
stage_release() {
  version="$(node -p 'require(process.argv[1]).version' "$SRC/package.json")"
  case "$version" in '' | *[!A-Za-z0-9.+_-]*) die "package.json has no usable version: '$version'" ;; esac
  mkdir -p "$REL"
  rm -rf "$REL"/*.partial
  while :; do
    NEW="$(date -u +%Y%m%dT%H%M%SZ)-$version"
    [ -e "$REL/$NEW" ] || break
    sleep 1
  done
  STAGE="$REL/$NEW.partial"
  mkdir -p "$STAGE"
  for item in bin dist config systemd hardware docs package.json package-lock.json README.md LICENSE; do
    if [ -e "$SRC/$item" ]; then cp -R "$SRC/$item" "$STAGE/"; fi
  done
  say "installing $version with production dependencies in $RELEASES/$NEW (npm ci --omit=dev)"
  (cd "$STAGE" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
  chmod 0755 "$STAGE/bin/fieldgate.js"
  printf 'release=%s\nversion=%s\ninstalled=%s\nfrom=%s\n' "$NEW" "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SRC" \
    >"$STAGE/RELEASE"
  mv "$STAGE" "$REL/$NEW"
  STAGE=''
}

install_config() {
  conf="$DESTDIR$ETC/fieldgate.yaml"
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

# `fieldgate check` of release $1 on the configuration the service runs; its output on failure.
config_ok_for() {
  if ! out="$("$REL/$1/bin/fieldgate.js" check -c "$DESTDIR$ETC/fieldgate.yaml" 2>&1)"; then
    printf '%s\n' "$out" >&2
    return 1
  fi
}

install_command() {
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

install_state_dir() {
  mkdir -p "$DESTDIR$STATE"
  chmod 0750 "$DESTDIR$STATE"
  if real; then chown -R fieldgate:fieldgate "$DESTDIR$STATE"; fi
}

install_man() {
  for page in fieldgate.8 fieldgate.yaml.5; do
    section="${page##*.}"
    mkdir -p "$DESTDIR$MAN/man$section"
    install -m 0644 "$SRC/man/$page" "$DESTDIR$MAN/man$section/$page"
  done
}

install_unit() {
  mkdir -p "$(dirname "$DESTDIR$UNIT")"
  install -m 0644 "$SRC/systemd/fieldgate.service" "$DESTDIR$UNIT"
}

# Restarts the service and watches it for START_WAIT seconds: 0 when it stayed active.
restarted_and_up() {
  "$SYSTEMCTL" restart fieldgate.service || return 1
  i=0
  while [ "$i" -lt "$START_WAIT" ]; do
    sleep 1
    "$SYSTEMCTL" is-active --quiet fieldgate.service || return 1
    i=$((i + 1))
  done
  "$SYSTEMCTL" is-active --quiet fieldgate.service
}

# Makes release $1 the running one ($3: upgrade or rollback). When the service does not stay up,
# swaps back to $2 (if any), restarts that, and fails; a failed upgrade's release is deleted.
activate() {
  swap_to "$1"
  if ! systemd_here; then
    say "now installed: $(version_of "$1") ($RELEASES/$1); not restarting the service (DESTDIR set, or systemd is not running here)"
    return 0
  fi
  "$SYSTEMCTL" daemon-reload
  "$SYSTEMCTL" enable --quiet fieldgate.service
  if restarted_and_up; then
    say "fieldgate $(version_of "$1") is running ($RELEASES/$1)"
    return 0
  fi
  [ -n "$2" ] || die "fieldgate $(version_of "$1") did not stay up (journalctl -u fieldgate -n 50 says why)"
  say "fieldgate $(version_of "$1") did not stay up (journalctl -u fieldgate -n 50 says why): swapping back to $(version_of "$2")"
  swap_to "$2"
  if [ "$3" = upgrade ]; then rm -rf "${REL:?}/$1"; fi
  if restarted_and_up; then
    say "fieldgate $(version_of "$2") is running again ($RELEASES/$2)"
  else
    say "fieldgate $(version_of "$2") did not come up either (systemctl status fieldgate)"
  fi
  die "$3 to $(version_of "$1") failed and was undone: $APP is $RELEASES/$2 again"
}

# Deletes all but the running release and the KEEP_OLD newest others.
prune() {
  cur="$(current_id)"
  releases | sort -r | while read -r id; do
    [ "$id" = "$cur" ] && continue
    if [ "$KEEP_OLD" -gt 0 ]; then
      KEEP_OLD=$((KEEP_OLD - 1))
    else
      rm -rf "${REL:?}/$id"
      say "deleted the old release $id"
    fi
  done
}

upgrade() {
  check_prerequisites
  create_user
  stage_release
  install_config
  if ! config_ok_for "$NEW"; then
    rm -rf "${REL:?}/$NEW"
    prev="$(current_id)"
    die "upgrade aborted: fieldgate $version refuses $ETC/fieldgate.yaml (above); nothing was changed${prev:+, $(version_of "$prev") stays}"
  fi
  adopt_plain_directory
  prev="$(current_id)"
  install_command
  install_state_dir
  install_man
  install_unit
  activate "$NEW" "$prev" upgrade
  prune
  cat <<EOF
install.sh: done. Installed under ${DESTDIR:-/}:
  $APP -> $RELEASES/$NEW   the program${prev:+ (previous: $prev; install.sh --rollback puts it back)}
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

rollback() {
  need_root
  cur="$(current_id)"
  [ -n "$cur" ] || die "$APP is not a release symlink: nothing to roll back (install.sh installs one)"
  prev=''
  for id in $(releases); do
    [ "$id" != "$cur" ] || break
    prev="$id"
  done
  [ -n "$prev" ] || die "no release older than $cur in $RELEASES: nothing to roll back to"
  config_ok_for "$prev" || die "rollback aborted: fieldgate $(version_of "$prev") refuses $ETC/fieldgate.yaml (above); nothing was changed"
  activate "$prev" "$cur" rollback
  say "rolled back: fieldgate $(version_of "$prev") is now the current release ($RELEASES/$prev); $cur is kept"
}

case "${1:-}" in
  '') upgrade ;;
  --rollback) rollback ;;
  -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown option $1 (--rollback, --help)" ;;
esac
