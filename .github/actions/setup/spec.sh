#!/usr/bin/env bash
# The setup action's first step: what to pip-install, and a cache key for pip's downloads.
#
# In: GITDESK_VERSION or GITDESK_INSTALL (at most one), GITHUB_ACTION_PATH (this folder, inside
# a copy of the gitdesk repository at the ref named in `uses:`). Out, in GITHUB_OUTPUT: spec
# (one pip argument), key (changes when what pip resolves may change), pip-cache (pip's folder).
set -euo pipefail

fail() { echo "::error title=gitdesk setup::$1"; exit 1; }

if [ -n "${GITDESK_VERSION:-}" ] && [ -n "${GITDESK_INSTALL:-}" ]; then
  fail "give the input version or install, not both"
fi
source_dir=$(cd "$GITHUB_ACTION_PATH/../../.." && pwd)
if [ -n "${GITDESK_INSTALL:-}" ]; then
  spec=$GITDESK_INSTALL
  case $spec in *[[:space:]]*) fail "install: one pip requirement or URL without spaces";; esac
elif [ -n "${GITDESK_VERSION:-}" ]; then
  version=${GITDESK_VERSION#v}
  case $version in ''|*[!0-9A-Za-z.+-]*) fail "version: not a version number: $GITDESK_VERSION";; esac
  spec="gitdesk==$version"
else
  [ -f "$source_dir/pyproject.toml" ] || fail "no pyproject.toml in $source_dir: give the input version or install"
  spec=$source_dir
fi

# What pip resolves depends on the requirement and, for a source tree, on its declared dependencies.
if [ "$spec" = "$source_dir" ]; then
  key=$(sha256sum < "$source_dir/pyproject.toml" | cut -c1-16)
else
  key=$(printf '%s' "$spec" | sha256sum | cut -c1-16)
fi
{
  echo "spec=$spec"
  echo "key=$key"
  echo "pip-cache=$(python -m pip cache dir)"
} >> "$GITHUB_OUTPUT"
echo "gitdesk from: $spec"
