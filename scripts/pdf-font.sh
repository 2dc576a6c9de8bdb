#!/usr/bin/env bash
# Installs the Chinese TrueType font that the PDF of printed notices embeds
# (Debian's fonts-droid-fallback) when it is missing, for `make run`. Without
# it gongkai still serves every page and the print view; only the PDF link
# says that the server has no Chinese font. A failed install is therefore a
# warning, not an error.
set -uo pipefail

font=${GONGKAI_PDF_FONT:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf}
[[ -e $font ]] && exit 0
if ! command -v apt-get >/dev/null; then
	echo "pdf-font.sh: no $font and no apt-get: notices print from the browser only (see --pdf-font)" >&2
	exit 0
fi
echo "pdf-font.sh: installing fonts-droid-fallback for the PDF of printed notices"
apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
((EUID == 0)) || apt=(sudo "${apt[@]}")
if ! { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends fonts-droid-fallback; }; then
	echo "pdf-font.sh: could not install fonts-droid-fallback: notices print from the browser only" >&2
fi
exit 0
