#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes the man pages of tocsin from the --help texts of the built binary,
# so that the two cannot drift: tocsin(1) from `tocsin --help`, tocsin-CMD(1)
# from `tocsin CMD --help` for each command that `tocsin --help` lists, and
# tocsin-CMD-VERB(1) for a verb whose own help a command's help points to
# ("see tocsin advisories fetch --help"). tests/integration/manpages.sh
# renders the pages back to text and compares them with the help texts.
#   manpage.py TOCSIN_BINARY OUT_DIR
import os
import re
import subprocess
import sys


def help_text(tocsin, args):
    r = subprocess.run([tocsin, *args, "--help"], capture_output=True, text=True, check=True)
    return r.stdout


def commands(top):
    """(name, summary) of the Commands: section of tocsin --help."""
    out, inside = [], False
    for line in top.splitlines():
        if line == "Commands:":
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            m = re.match(r"^  (\S+)\s+(.*)$", line)
            if m:
                out.append((m.group(1), m.group(2)))
    return out


def first_sentence(text):
    """The description's first sentence, as a NAME line's summary."""
    body = text.split("\n\n", 1)[1] if "\n\n" in text else text
    s = " ".join(body.split()).split(". ")[0].rstrip(".")
    return s[:1].lower() + s[1:]


def esc(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    if s.startswith((".", "'")):
        s = "\\&" + s
    return s


def roff(title, name, summary, version, text, see_also):
    lines = text.rstrip("\n").split("\n")
    usage, i = [], 0
    if lines and lines[0].startswith("Usage:"):
        first = lines[0][len("Usage:"):].strip()
        if first:
            usage.append(first)
        i = 1
        while i < len(lines) and lines[i].strip():
            # Continuation lines are aligned under the first one's text.
            line = lines[i][len("Usage: "):] if first else lines[i].strip()
            usage.append(line.rstrip())
            i += 1
    out = [
        f'.TH {title.upper()} 1 "" "tocsin {version}" "tocsin manual"',
        ".nh",
        ".ad l",
        ".SH NAME",
        f"{esc(name)} \\- {esc(summary)}",
        ".SH SYNOPSIS",
        ".nf",
        *[esc(u) for u in usage],
        ".fi",
        ".SH DESCRIPTION",
    ]
    pre = False
    for line in lines[i:]:
        if not line.strip():
            if pre:
                out.append(".fi")
                pre = False
            out.append(".PP")
        elif line.startswith(" "):
            if not pre:
                out.append(".nf")
                pre = True
            out.append(esc(line))
        else:
            if pre:
                out.append(".fi")
                pre = False
            out.append(esc(line))
    if pre:
        out.append(".fi")
    out += [".SH SEE ALSO", ", ".join(f"\\fB{esc(p)}\\fR(1)" for p in see_also)]
    return "\n".join(out) + "\n"


def main(tocsin, outdir):
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):  # no page of a command that is gone
        if old.endswith(".1"):
            os.remove(os.path.join(outdir, old))
    version = subprocess.run([tocsin, "--version"], capture_output=True, text=True,
                             check=True).stdout.split()[-1]
    top = help_text(tocsin, [])
    cmds = commands(top)
    pages = {"tocsin": ("tocsin", "a CSIRT early-warning and information-sharing system", top)}
    for name, summary in cmds:
        text = help_text(tocsin, [name])
        pages[f"tocsin-{name}"] = (f"tocsin {name}", summary, text)
        for verb in sorted(set(re.findall(rf"tocsin {re.escape(name)} (\w+) \-\-help", text))):
            vtext = help_text(tocsin, [name, verb])
            pages[f"tocsin-{name}-{verb}"] = (f"tocsin {name} {verb}", first_sentence(vtext),
                                              vtext)
    for page, (name, summary, text) in pages.items():
        see = ["tocsin"] if page != "tocsin" else [p for p in pages if p != "tocsin"]
        with open(os.path.join(outdir, f"{page}.1"), "w") as f:
            f.write(roff(page, name, summary, version, text, see))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: manpage.py TOCSIN_BINARY OUT_DIR")
    main(sys.argv[1], sys.argv[2])
