# Shared by install.sh and uninstall.sh (sourced, not run; POSIX sh): where fieldgate lives on the
# board, and how the scripts talk. DESTDIR=/some/dir puts the same tree under that directory
# (packaging, tests).
DESTDIR="${DESTDIR:-}"
DESTDIR="${DESTDIR%/}"
# /opt/fieldgate is a symlink to the running release, fieldgate-releases/<UTC stamp>-<version>
# (relative, so it resolves under DESTDIR too); the unit and the command only ever name /opt/fieldgate.
APP=/opt/fieldgate
RELEASES_NAME=fieldgate-releases
RELEASES=/opt/$RELEASES_NAME
KEEP_OLD=2
ETC=/etc/fieldgate
STATE=/var/lib/fieldgate
UNIT=/etc/systemd/system/fieldgate.service
COMMAND=/usr/local/bin/fieldgate
MAN=/usr/local/share/man
# FIELDGATE_SYSTEMCTL: a stand-in for systemctl that is used even under DESTDIR (tests of the
# restart and the automatic swap back). FIELDGATE_START_WAIT: seconds the restarted service must
# stay active before an upgrade counts as done.
SYSTEMCTL="${FIELDGATE_SYSTEMCTL:-systemctl}"
START_WAIT="${FIELDGATE_START_WAIT:-10}"

say() { printf '%s: %s\n' "$(basename "$0")" "$*"; }
die() {
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
  exit 1
}
real() { [ -z "$DESTDIR" ]; }
# systemctl is run on a real install on a board where systemd runs, or through FIELDGATE_SYSTEMCTL
systemd_here() { [ -n "${FIELDGATE_SYSTEMCTL:-}" ] || { real && [ -d /run/systemd/system ]; }; }
