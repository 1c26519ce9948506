#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The resolver `tocsin notify run --resolve-cmd` calls after a crash for a
# mail whose data had all gone out: does the relay of tests/support/postfix.sh
# (its directory is $1) have the message with Message-ID $2? Postfix logs the
# Message-ID when its cleanup daemon reads the headers, and "from=...
# (queue active)" from qmgr once the message is safely in its queue; only the
# second means the relay took it. The log is written asynchronously (within
# milliseconds on a quiet machine), so up to 3 s are allowed for it. Exit 0: it has it; 1: it does not.
# A CSIRT whose relay is Postfix can run the same check on the relay's log.
set -euo pipefail
dir=${1:?relay directory}
msgid=${2:?message id}
log="$dir/maillog"
for _ in $(seq 30); do
    ids=$(grep -F "message-id=$msgid" "$log" 2>/dev/null | sed -n 's/.*: \([0-9A-F]\{6,\}\): message-id=.*/\1/p' || true)
    for q in $ids; do
        if grep -q " $q: from=<.*(queue active)" "$log"; then exit 0; fi
    done
    sleep 0.1
done
exit 1
