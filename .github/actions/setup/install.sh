#!/usr/bin/env bash
# The setup action's last step: pip-install GITDESK_SPEC, then prove the command runs and say
# which version it is (GITHUB_OUTPUT: version).
set -euo pipefail

python -m pip install --disable-pip-version-check --quiet "$GITDESK_SPEC"
installed=$(gitdesk --version)
case $installed in
  "gitdesk "*) ;;
  *) echo "::error title=gitdesk setup::gitdesk --version printed: $installed"; exit 1;;
esac
echo "version=${installed#gitdesk }" >> "$GITHUB_OUTPUT"
echo "Installed $installed"
