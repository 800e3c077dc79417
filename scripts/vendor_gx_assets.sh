#!/usr/bin/env bash
# Rebuild pipelines/publish/gx_assets/ from the npm registry: the JS/CSS/fonts that Great
# Expectations 1.24.1's Data Docs load from CDNs, so the docs in a release work offline.
# Only the .min builds, woff2 fonts and each package's licence are kept.
#
#   scripts/vendor_gx_assets.sh            # rewrite pipelines/publish/gx_assets/ in place
#   scripts/vendor_gx_assets.sh DEST       # write into DEST instead (e.g. to diff)
#
# Needs npm (registry access only: `npm pack`, no CDN). ASSETS.md is kept as it is.
# The mapping CDN URL -> file lives in pipelines/publish/quality.py (CDN_ASSETS).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/pipelines/publish/gx_assets}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# folder | npm spec | files inside the package (paths as in the tarball, without package/)
ASSETS=(
  "bootstrap-4.3.1|bootstrap@4.3.1|LICENSE dist/css/bootstrap.min.css dist/js/bootstrap.min.js"
  "jquery-3.7.1|jquery@3.7.1|LICENSE.txt dist/jquery.min.js"
  "popper.js-1.12.9|popper.js@1.12.9|dist/umd/popper.min.js"
  "bootstrap-datepicker-1.9.0|bootstrap-datepicker@1.9.0|LICENSE dist/css/bootstrap-datepicker.min.css dist/js/bootstrap-datepicker.min.js"
  "fontawesome-free-6.6.0|@fortawesome/fontawesome-free@6.6.0|LICENSE.txt css/all.min.css webfonts/fa-brands-400.woff2 webfonts/fa-regular-400.woff2 webfonts/fa-solid-900.woff2 webfonts/fa-v4compatibility.woff2"
  "bootstrap-table-1.19.1|bootstrap-table@1.19.1|LICENSE dist/bootstrap-table.min.css dist/bootstrap-table.min.js dist/extensions/filter-control/bootstrap-table-filter-control.min.css dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
  "bootstrap-dark-1.1.0|@forevolve/bootstrap-dark@1.1.0|LICENSE dist/css/bootstrap-prefers-dark.min.css"
  "vega-5.33.1|vega@5.33.1|build/vega.min.js"
  "vega-lite-5.23.0|vega-lite@5.23.0|LICENSE build/vega-lite.min.js"
  "vega-embed-6.29.0|vega-embed@6.29.0|LICENSE build/vega-embed.min.js"
)

mkdir -p "$DEST"
for entry in "${ASSETS[@]}"; do
  IFS='|' read -r folder spec files <<<"$entry"
  echo "$spec -> $folder"
  mkdir -p "$WORK/$folder"
  tarball="$(cd "$WORK/$folder" && npm pack --silent "$spec" | tail -n 1)"
  members=()
  for f in $files; do members+=("package/$f"); done
  tar -xzf "$WORK/$folder/$tarball" -C "$WORK/$folder" "${members[@]}"
  rm -rf "${DEST:?}/$folder"
  mkdir -p "$DEST/$folder"
  (cd "$WORK/$folder/package" && cp --parents $files "$DEST/$folder/")
done

# Two npm packages ship no licence file; record what they declare instead.
cat >"$DEST/popper.js-1.12.9/LICENSE.md" <<'EOF'
popper.js 1.12.9 ships no LICENSE file in its npm package. Its package.json declares
"license": "MIT", and dist/umd/popper.min.js carries the notice:

    Copyright (C) Federico Zivolo 2017
    Distributed under the MIT License (license terms are at http://opensource.org/licenses/MIT).

MIT License text: https://opensource.org/licenses/MIT
EOF
cat >"$DEST/vega-5.33.1/LICENSE.md" <<'EOF'
vega 5.33.1 ships no LICENSE file in its npm package. Its package.json declares
"license": "BSD-3-Clause". Upstream (https://github.com/vega/vega/blob/main/LICENSE) the
copyright holder is the University of Washington Interactive Data Lab, the same as for
vega-lite and vega-embed: see ../vega-lite-5.23.0/LICENSE for the BSD-3-Clause text.
EOF

# Subresource-integrity hashes GX puts on two of its CDN tags: the vendored bytes must match.
check_sri() {
  local file="$DEST/$1" want="$2" got
  got="sha384-$(openssl dgst -sha384 -binary "$file" | openssl base64 -A)"
  if [[ "$got" != "$want" ]]; then echo "SRI mismatch for $1: $got" >&2; exit 1; fi
}
check_sri popper.js-1.12.9/dist/umd/popper.min.js \
  sha384-ApNbgh9B+Y1QKtv3Rn7W3mgPxhU9K/ScQsAP7hUibX39j7fakFPskvXusvfa0b4Q
check_sri bootstrap-4.3.1/dist/js/bootstrap.min.js \
  sha384-JjSmVgyd0p3pXB1rRibZUAYoIIy6OrQ6VrjIEaFf/nJGzIxFDsf4x0xIM+B07jRM

# Font Awesome's CSS lists woff2 before ttf; browsers stop at woff2, so no ttf is shipped.
du -sh "$DEST"
