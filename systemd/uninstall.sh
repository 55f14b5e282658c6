#!/bin/sh
# Removes what systemd/install.sh installed: stops and disables the service, removes the unit,
# /opt/fieldgate and every release in /opt/fieldgate-releases, the command /usr/local/bin/fieldgate,
# the man pages and the user fieldgate. Run it as root:
#
#   sudo /opt/fieldgate/systemd/uninstall.sh            keeps /etc/fieldgate and /var/lib/fieldgate
#   sudo /opt/fieldgate/systemd/uninstall.sh --purge    also removes /var/lib/fieldgate (recordings)
#
# /etc/fieldgate (your configuration) is always kept. Running it again is safe. DESTDIR=/some/dir
# removes the tree installed there by `DESTDIR=/some/dir install.sh` (no systemctl, no userdel).
set -eu

# shellcheck source=systemd/paths.sh
. "$(dirname "$0")/paths.sh"

purge=0
case "${1:-}" in
  '') ;;
  --purge) purge=1 ;;
  *) die "unknown option $1 (only --purge)" ;;
esac
if real && [ "$(id -u)" -ne 0 ]; then die "run it as root (sudo $0)"; fi

if systemd_here; then
  "$SYSTEMCTL" disable --now --quiet fieldgate.service 2>/dev/null || true
fi
rm -f "$DESTDIR$UNIT"
if systemd_here; then
  "$SYSTEMCTL" daemon-reload
  "$SYSTEMCTL" reset-failed fieldgate.service 2>/dev/null || true
fi

rm -rf "$DESTDIR$APP" "$DESTDIR$APP.swap" "$DESTDIR$APP.new" "$DESTDIR$APP.old" "$DESTDIR$RELEASES"
# only our own wrapper, never another program of that name
if [ -f "$DESTDIR$COMMAND" ] && grep -q 'installed by systemd/install.sh' "$DESTDIR$COMMAND"; then
  rm -f "$DESTDIR$COMMAND"
fi

rm -f "$DESTDIR$MAN/man8/fieldgate.8" "$DESTDIR$MAN/man5/fieldgate.yaml.5"

if real && id -u fieldgate >/dev/null 2>&1; then userdel fieldgate; say "removed the user fieldgate"; fi
if real && getent group fieldgate >/dev/null; then groupdel fieldgate 2>/dev/null || true; fi

if [ "$purge" = 1 ]; then
  rm -rf "$DESTDIR$STATE"
  say "removed $STATE"
elif [ -d "$DESTDIR$STATE" ]; then
  say "kept $STATE (recordings; --purge removes it)"
fi
if [ -d "$DESTDIR$ETC" ]; then say "kept $ETC (your configuration)"; fi
say "done"
