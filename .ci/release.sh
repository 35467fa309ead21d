#!/usr/bin/env bash
# Build gitdesk's sdist and wheel for a version tag and check them before anything is published:
# `twine check --strict`, the wheel installed in a clean virtual environment (no system site
# packages, outside this folder) whose `gitdesk --version` must equal the tag, and release notes
# present in tooling/CHANGELOG.md.
#
# Usage: bash .ci/release.sh vX.Y.Z [OUTDIR]      (OUTDIR default: dist; it must not exist)
# The release workflow runs this; so can a maintainer before pushing the tag.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${1:?usage: bash .ci/release.sh vX.Y.Z [OUTDIR]}
out=${2:-dist}
python=${PYTHON:-python3}
case $tag in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "::error title=release::not a version tag: $tag"; exit 1;;
esac
if [ -e "$out" ]; then
  echo "::error title=release::$out exists: remove it, so only this build is published"; exit 1
fi

"$python" .ci/release_notes.py "$tag" > /dev/null
"$python" -m build --sdist --wheel --outdir "$out" .
"$python" -m twine check --strict "$out"/*

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$out"/*.whl
version=$(cd "$work" && "$work/venv/bin/gitdesk" --version)
if [ "$version" != "gitdesk ${tag#v}" ]; then
  echo "::error title=release::the wheel says '$version', the tag says $tag"; exit 1
fi
echo "release: $(cd "$out" && ls | tr '\n' ' ')checked: $version"
