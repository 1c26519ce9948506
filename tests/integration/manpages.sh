# SPDX-License-Identifier: Apache-2.0
# The man pages say what --help says: the build wrote one page per command
# (and per verb with a help of its own), each page rendered back to text
# holds exactly its --help text, the pages are those the current binary
# gives (none stale, none missing), and groff finds nothing to warn about.
source "$(dirname "$0")/lib.inc"
command -v groff >/dev/null || skip "groff is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
MAN=$(dirname "$TOCSIN")/man
[ -r "$MAN/tocsin.1" ] || skip "the man pages are not built in $MAN (python3 missing at configure time)"

# Up to date: the pages are what the binary's help gives now.
python3 "$SRC/man/manpage.py" "$TOCSIN" "$WORK/man"
for f in "$WORK"/man/*.1; do
    cmp -s "$f" "$MAN/$(basename "$f")" && ok || fail "$(basename "$f") is not what the binary's --help gives"
done
expect_eq "no stale page in the build" "$(cd "$WORK/man" && ls)" "$(cd "$MAN" && ls -- *.1)"

# One page per command of tocsin --help.
cmds=$("$TOCSIN" --help | sed -n '/^Commands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -l)" -ge 14 ] && ok || fail "commands listed: $cmds"
for c in $cmds; do
    [ -r "$MAN/tocsin-$c.1" ] && ok || fail "no man page for tocsin $c"
done

# Rendered back to text, each page holds its help text word for word.
text() { tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//'; }
for page in "$MAN"/*.1; do
    name=$(basename "$page" .1)
    # shellcheck disable=SC2086
    args=$(echo "${name#tocsin}" | tr '-' ' ')
    # shellcheck disable=SC2086
    want=$("$TOCSIN" $args --help | sed '1s/^Usage:[[:space:]]*//' | text)
    got=$(groff -man -Tascii -P-cbou -rLL=250n "$page" | sed -n '/^SYNOPSIS$/,/^SEE ALSO$/p' |
        sed '1d;$d' | grep -v '^DESCRIPTION$' | text)
    if [ "$got" = "$want" ]; then ok; else
        fail "$name: the page differs from --help"
        diff <(echo "$want" | tr ' ' '\n') <(echo "$got" | tr ' ' '\n') | head -8 >&2
    fi
    warn=$(groff -man -ww -z "$page" 2>&1)
    expect_eq "$name: groff warnings" "" "$warn"
    grep -q "^\.TH ${name^^} 1 " "$page" && ok || fail "$name: title"
done
finish
