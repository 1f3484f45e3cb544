#!/usr/bin/env bash
# Install the Debian packages the test suite needs, but only those that are missing:
#   postgresql      initdb/pg_ctl (tests/support/postgres.py)
#   chromium        /usr/bin/chromium, driven by Playwright (tests/support/browser.py)
#   fonts-noto-cjk  CJK glyphs for screenshots/PDFs
#   poppler-utils   pdftoppm, pdffonts (PDF checks)
#   libpango        WeasyPrint's text layout (navigation reports, certificates)
set -euo pipefail

missing=()

# PostgreSQL: same search order as find_pg_bin() in tests/support/postgres.py.
have_initdb() {
    if [[ -n "${IPCITY_PG_BIN:-}" && -x "${IPCITY_PG_BIN}/initdb" ]]; then
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        local bindir
        bindir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$bindir" && -x "$bindir/initdb" ]]; then
            return 0
        fi
    fi
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [[ -x "$d/initdb" ]]; then
            return 0
        fi
    done
    return 1
}

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

have_initdb || missing+=(postgresql)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
pkg_installed fonts-noto-cjk || missing+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-system-deps: all system dependencies present"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-system-deps: missing Debian packages: ${missing[*]}" >&2
    echo "Run as root:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
