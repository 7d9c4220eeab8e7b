#!/usr/bin/env bash
# Vendor the YASGUI bundle (https://github.com/rdfjs/Yasgui, npm @zazuko/yasgui) into
# yasgui/ beside this script, so the workbench at / loads nothing from another origin
# and CI (which installs from PyPI only) finds the bundle in git.
#
#   server/static/vendor/update.sh [VERSION]     # default: the newest on npm
#
# Copies only what the page loads at run time: build/yasgui.min.js and
# build/yasgui.min.css (the CSS references no font or image file; icons are inline
# SVG, and YASGUI starts no worker). Writes VERSIONS (what was vendored, with the
# tarball's integrity) and THIRD-PARTY-LICENSES (the licence of every production
# dependency the bundle includes). The npm package ships no LICENSE of its own, so
# yasgui/LICENSE is the MIT licence copied once from the Yasgui repository; it is
# kept, and the script refuses to finish without it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/yasgui"
version="${1:-$(npm view @zazuko/yasgui version)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --omit=dev --ignore-scripts --no-audit --no-fund --silent "@zazuko/yasgui@$version"
package="node_modules/@zazuko/yasgui"
test "$(node -p "require('./$package/package.json').version")" = "$version"

mkdir -p "$target"
cp "$package/build/yasgui.min.js" "$package/build/yasgui.min.css" "$target/"
# The source map comment would make a browser's devtools ask for a file we do not ship.
sed -i -e 's|//# sourceMappingURL=yasgui\.min\.js\.map||' "$target/yasgui.min.js"
sed -i -e 's|/\*# sourceMappingURL=yasgui\.min\.css\.map \*/||' "$target/yasgui.min.css"

{
  echo "# What server/static/vendor/update.sh vendored, and from where."
  echo "@zazuko/yasgui $version $(npm view "@zazuko/yasgui@$version" dist.integrity)"
  echo "files: yasgui.min.js yasgui.min.css (from build/, source map comments removed)"
  echo "production dependencies as npm resolves them at vendoring time (name version licence); upstream built"
  echo "the bundle from its own lock file, so a version inside it may differ from the one listed:"
  for dir in $(npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | sort -u); do
    node -p "const p = require('$dir/package.json'); '  ' + p.name + ' ' + p.version + ' ' + (p.license || 'see its LICENSE')"
  done | sort -u
} > "$target/VERSIONS"

{
  echo "Licences of the packages bundled into yasgui.min.js, copied from node_modules by update.sh."
  for dir in $(npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | sort -u); do
    name="$(node -p "require('$dir/package.json').name")"
    for file in "$dir"/LICEN[CS]E* "$dir"/licen[cs]e*; do
      [ -f "$file" ] || continue
      printf '\n==== %s (%s) ====\n\n' "$name" "$(basename "$file")"
      cat "$file"
    done
  done
} > "$target/THIRD-PARTY-LICENSES"

test -s "$target/LICENSE" || { echo "missing $target/LICENSE: copy it from https://github.com/rdfjs/Yasgui/blob/main/LICENSE" >&2; exit 1; }
echo "vendored @zazuko/yasgui $version into $target"
