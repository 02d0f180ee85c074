#!/bin/bash
# Run today's tests/test_hostile_env.py against the code of an older commit, one case at a
# time, with the memory and time bounded (a case that exhausts memory or hangs on the old code
# must not take the machine with it). Prints "<exit code> <seconds> <test id>" per case.
#
#   tools/hostile_on_old_code.sh 366e99a        # the commit issue 15 was filed against
#
# pytest's exit code per case: 0 passed, 1 failed, 124 stopped by the timeout (a hang).
set -u
commit=${1:?commit}
here=$(cd "$(dirname "$0")/.." && pwd)
base=$(mktemp -d /tmp/hostile-base.XXXXXX)
git -C "$here" worktree add -q --detach "$base/tree" "$commit"
trap 'git -C "$here" worktree remove --force "$base/tree"; rm -rf "$base"' EXIT
cp "$here/tests/test_hostile_env.py" "$base/tree/tests/"
cd "$base/tree"
ulimit -v 4000000
export PYTHONPATH="$base/tree"
python3 -m pytest -p no:cacheprovider --collect-only -q tests/test_hostile_env.py 2>/dev/null | grep "::" |
while read -r id; do
  start=$(date +%s)
  timeout -k 5 120 python3 -m pytest -p no:cacheprovider -q -x "$id" > /dev/null 2>&1
  echo "$? $(( $(date +%s) - start ))s $id"
done
