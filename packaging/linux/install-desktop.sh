#!/usr/bin/env bash
# Put ProcureDesk on this user's Linux desktop, no root needed: the menu entry, the
# icons, the .pdesk file type with ProcureDesk as the program that opens it (a
# double-click on a .pdesk file opens it), and the `procure-desk` command in
# ~/.local/bin. Everything goes under $XDG_DATA_HOME (default ~/.local/share).
#
#   ./install-desktop.sh              install, or update after moving the folder
#   ./install-desktop.sh --uninstall  take it all away again (evaluation files stay)
#
# Run it from the unpacked application folder, beside the `procure-desk` program.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app="$here/procure-desk"
share="$here/share"
data="${XDG_DATA_HOME:-}"
[[ "$data" == /* ]] || data="$HOME/.local/share"  # the XDG rule: a relative value is ignored
config="${XDG_CONFIG_HOME:-}"
[[ "$config" == /* ]] || config="$HOME/.config"
bin="$HOME/.local/bin"
mime_type="application/x-procure-desk"
desktop_id="procure-desk.desktop"

say() { printf '%s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

refresh() {
  # the caches the desktop reads; each tool is optional, and its absence is said
  if have update-mime-database; then update-mime-database "$data/mime" >/dev/null
  else say "note: update-mime-database not found (package shared-mime-info): the .pdesk type is known after the next login"; fi
  if have update-desktop-database; then update-desktop-database -q "$data/applications" || true; fi
  # a user icon cache is refreshed only where one exists already (a stale cache hides icons)
  if [[ -f "$data/icons/hicolor/icon-theme.cache" ]] && have gtk-update-icon-cache; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" || true
  fi
  touch "$data/icons/hicolor" 2>/dev/null || true
}

remove_default() {
  local list="$config/mimeapps.list"
  if [[ -f "$list" ]] && grep -q "^$mime_type=" "$list"; then
    local tmp="$list.procure-desk.$$"
    grep -v "^$mime_type=" "$list" >"$tmp" || true
    mv "$tmp" "$list"
  fi
}

uninstall() {
  rm -f "$data/applications/$desktop_id" "$data/mime/packages/procure-desk.xml"
  rm -f "$data"/icons/hicolor/*/apps/procure-desk.png \
        "$data"/icons/hicolor/*/mimetypes/application-x-procure-desk.png
  # the command only if it is this folder's (never another installation's or a file)
  if [[ -L "$bin/procure-desk" && "$(readlink "$bin/procure-desk")" == "$app" ]]; then
    rm -f "$bin/procure-desk"
  fi
  remove_default
  mkdir -p "$data/mime" "$data/applications" "$data/icons/hicolor"
  refresh
  say "ProcureDesk is no longer on this desktop (the folder $here and your evaluation files are untouched)."
}

install() {
  [[ -x "$app" ]] || { say "install-desktop.sh: no program at $app; run this script from the unpacked ProcureDesk folder" >&2; exit 2; }
  [[ -d "$share" ]] || { say "install-desktop.sh: $share is missing; unpack the whole ProcureDesk folder again" >&2; exit 2; }
  # The desktop entry's Exec line quotes the path; these characters would need escapes
  # that desktop environments read differently, so the folder is better moved.
  if [[ "$app" =~ [\"\`\$\\%] || "$app" == *$'\n'* ]]; then
    say "install-desktop.sh: the folder's path ($here) has one of \" \` \$ \\ % in it; move the folder somewhere without them and run this again" >&2
    exit 2
  fi
  mkdir -p "$data/applications" "$data/mime/packages" "$data/icons"
  local line
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line//@EXEC@ %f/\"$app\" %f}"
    line="${line//@EXEC@/$app}"
    printf '%s\n' "$line"
  done <"$share/applications/$desktop_id" >"$data/applications/$desktop_id.tmp"
  mv "$data/applications/$desktop_id.tmp" "$data/applications/$desktop_id"
  cp "$share/mime/packages/procure-desk.xml" "$data/mime/packages/procure-desk.xml"
  cp -R "$share/icons/hicolor" "$data/icons/"
  refresh
  if have xdg-mime; then
    xdg-mime default "$desktop_id" "$mime_type" 2>/dev/null || true
  fi
  if [[ ! -e "$bin/procure-desk" || -L "$bin/procure-desk" ]]; then
    mkdir -p "$bin"
    ln -sfn "$app" "$bin/procure-desk"
    case ":$PATH:" in
      *":$bin:"*) ;;
      *) say "note: $bin is not on your PATH; the command is also at $app" ;;
    esac
  else
    say "note: $bin/procure-desk is another file and was left as it is; the command is at $app"
  fi
  say "ProcureDesk is in your applications menu, and .pdesk files open with it."
}

case "${1:-}" in
  "") install ;;
  --uninstall) uninstall ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) say "install-desktop.sh: unknown option $1 (--uninstall or nothing)" >&2; exit 2 ;;
esac
