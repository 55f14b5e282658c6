# Shared by install.sh and uninstall.sh (sourced, not run): where fieldgate lives on the board, and
# how the scripts talk. DESTDIR=/some/dir puts the same tree under that directory (packaging, tests).
DESTDIR="${DESTDIR:-}"
DESTDIR="${DESTDIR%/}"
APP=/opt/fieldgate
ETC=/etc/fieldgate
STATE=/var/lib/fieldgate
UNIT=/etc/systemd/system/fieldgate.service
COMMAND=/usr/local/bin/fieldgate
MAN=/usr/local/share/man

say() { printf '%s: %s\n' "$(basename "$0")" "$*"; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
real() { [ -z "$DESTDIR" ]; }
