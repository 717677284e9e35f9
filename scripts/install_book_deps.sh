#!/usr/bin/env bash
# What `make book` and its browser tests need beyond pip:
#   * Debian's `chromium` (the browser tests drive it through Playwright's executable_path;
#     Playwright never downloads a browser of its own here);
#   * a local copy of MathJax 3 from the npm registry, pinned by sha256, so the site typesets
#     math with no request to a CDN. It is unpacked into build/vendor/mathjax (git-ignored).
# Fatal only where the tests would fail anyway: no chromium and no way to install it is
# reported, and the browser tests then fail with the same message.
set -euo pipefail
cd "$(dirname "$0")/.."
MATHJAX_VERSION=3.2.2
MATHJAX_SHA256=1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
VENDOR=build/vendor

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "chromium: installing with apt-get (for the course site's browser tests)..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
      || echo "chromium: apt-get install chromium failed; the browser tests will fail."
  else
    echo "chromium: not installed and this is not a root shell with apt-get:"
    echo "  sudo apt-get install chromium    (the browser tests need it)"
  fi
fi
command -v chromium >/dev/null 2>&1 && echo "chromium: $(chromium --version 2>/dev/null | head -1)"

if [ ! -f "$VENDOR/mathjax/tex-mml-chtml.js" ]; then
  mkdir -p "$VENDOR"
  tarball="$VENDOR/mathjax-$MATHJAX_VERSION.tgz"
  if [ ! -f "$tarball" ]; then
    (cd "$VENDOR" && npm pack --silent "mathjax@$MATHJAX_VERSION" >/dev/null)
  fi
  if ! echo "$MATHJAX_SHA256  $tarball" | sha256sum --check --quiet -; then
    echo "mathjax: $tarball does not match the pinned sha256; removed it" >&2
    rm -f "$tarball"
    exit 1
  fi
  rm -rf "$VENDOR/mathjax.tmp" && mkdir -p "$VENDOR/mathjax.tmp"
  tar xzf "$tarball" -C "$VENDOR/mathjax.tmp" package/es5
  mv "$VENDOR/mathjax.tmp/package/es5" "$VENDOR/mathjax" && rm -rf "$VENDOR/mathjax.tmp"
fi
echo "mathjax: $MATHJAX_VERSION in $VENDOR/mathjax ($(du -sh "$VENDOR/mathjax" | cut -f1))"
