#!/usr/bin/env bash
# Print the path of a working Python >= 3.12, or explain and fail.
# Each candidate is *run*: pyenv shims exist for versions that are not active
# and fail when called (STACK-NOTES).
set -u
candidates=(python3.13 python3.12 python3 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 /usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/local/bin/python3.12)
for candidate in "${candidates[@]}"; do
  out=$("$candidate" -c 'import sys; print(sys.executable) if sys.version_info >= (3, 12) else sys.exit(1)' 2>/dev/null) || continue
  [ -n "$out" ] && { echo "$out"; exit 0; }
done
echo "Chantier needs Python 3.12 or newer, and none was found." >&2
echo "Install it (e.g. 'apt-get install python3.12' or 'pyenv install 3.13') and run make again." >&2
exit 1
