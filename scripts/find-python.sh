#!/usr/bin/env bash
# Print the path of a Python that Rasa 3.6 supports (3.8-3.10), preferring 3.10.
# Order: pyenv's 3.10 (the repo's .python-version), python3.10, python3.9,
# python3.8, then python3/python if their version fits.
set -u
supported() { "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null; }
candidates=()
if command -v pyenv >/dev/null 2>&1; then
  candidates+=("$(pyenv which python3.10 2>/dev/null)" "$(pyenv root 2>/dev/null)/versions/$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | tail -n1)/bin/python")
fi
candidates+=(python3.10 python3.9 python3.8 python3 python)
for candidate in "${candidates[@]}"; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if supported "$path"; then echo "$path"; exit 0; fi
done
cat >&2 <<'MSG'
error: no Python 3.8-3.10 found; Rasa 3.6 does not run on newer Pythons.
Fix: install Python 3.10 and put it on PATH as python3.10, for example
  pyenv install 3.10 && pyenv local 3.10      (this repo's .python-version says 3.10)
  or: apt-get install python3.10 python3.10-venv
then run the make command again.
MSG
exit 1
