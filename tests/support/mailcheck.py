#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Reads a delivered mail as its recipient would and checks it:
#   mailcheck.py GNUPGHOME FILE
# prints one JSON object: message_id, to, subject (decoded), form ("signed",
# "encrypted" or "plain"), signature ("good" when gpg verified the CSIRT's
# signature, else what gpg said), text (the decoded body text) and
# attachments (file names). An RFC 3156 signed part is verified over its
# exact bytes; an encrypted one is decrypted (and its signature verified) by
# gpg with the recipient's key.
import email
import email.header
import email.policy
import json
import os
import subprocess
import sys
import tempfile

home, path = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
out = {
    'message_id': msg['Message-ID'],
    'to': str(msg['To']),
    'subject': str(msg['Subject']),
    'form': 'plain',
    'signature': 'none',
    'text': '',
    'attachments': [],
}


def gpg(args, data=None):
    return subprocess.run(['gpg', '--homedir', home, '--batch', '--status-fd', '1'] + args,
                          input=data, capture_output=True)


def status(res):
    if b'[GNUPG:] GOODSIG' in res.stdout:
        return 'good'
    return (res.stdout + res.stderr).decode('utf-8', 'replace').strip()[-300:]


def walk(entity):
    for part in entity.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if name:
            out['attachments'].append(name)
        elif part.get_content_type() == 'text/plain' and not out['text']:
            out['text'] = part.get_content()


ctype = msg.get_content_type()
if ctype == 'multipart/signed':
    out['form'] = 'signed'
    boundary = msg.get_param('boundary').encode()
    # RFC 3156 5: the first part's bytes between its delimiter line and the
    # line end before the next delimiter, with CRLF line ends (the relay's
    # mailbox stores LF).
    text = raw.replace(b'\r\n', b'\n')
    delim = b'--' + boundary
    start = text.index(delim + b'\n') + len(delim) + 1
    end = text.index(b'\n' + delim, start)
    signed = text[start:end].replace(b'\n', b'\r\n')
    sig = msg.get_payload()[1].get_content()
    with tempfile.TemporaryDirectory() as t:
        with open(os.path.join(t, 'd'), 'wb') as f:
            f.write(signed)
        with open(os.path.join(t, 's'), 'w') as f:
            f.write(sig if isinstance(sig, str) else sig.decode())
        out['signature'] = status(gpg(['--verify', os.path.join(t, 's'), os.path.join(t, 'd')]))
    walk(msg.get_payload()[0])
elif ctype == 'multipart/encrypted':
    out['form'] = 'encrypted'
    armour = msg.get_payload()[1].get_payload(decode=True)
    res = gpg(['--decrypt'], armour)
    dec = subprocess.run(['gpg', '--homedir', home, '--batch', '--decrypt'], input=armour,
                         capture_output=True).stdout
    out['signature'] = status(res)
    walk(email.message_from_bytes(dec, policy=email.policy.default))
else:
    walk(msg)
print(json.dumps(out))
