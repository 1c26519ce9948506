#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Reads a delivered mail as its recipient would and checks it:
#   mailcheck.py GNUPGHOME FILE
# prints one JSON object: message_id, to, subject (decoded), form ("signed",
# "encrypted", "smime-signed", "smime-encrypted" or "plain"), signature
# ("good" when gpg or gpgsm verified the CSIRT's signature, else what it
# said), text (the decoded body text) and attachments (file names). An RFC
# 3156 or RFC 8551 signed part is verified over its exact bytes; an
# encrypted one is decrypted (and its signature verified) by gpg, or gpgsm
# for S/MIME, with the recipient's key (GNUPGHOME is both).
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


def gpgsm(args, data=None):
    return subprocess.run(['gpgsm', '--homedir', home, '--batch', '--status-fd', '1'] + args,
                          input=data, capture_output=True)


def verify_signed(raw, msg):
    """A multipart/signed entity: its first part's bytes against the
    signature part, with gpg (RFC 3156) or gpgsm (RFC 8551)."""
    boundary = msg.get_param('boundary').encode()
    # The first part's bytes between its delimiter line and the line end
    # before the next delimiter, with CRLF line ends (the relay's mailbox
    # stores LF).
    text = raw.replace(b'\r\n', b'\n')
    delim = b'--' + boundary
    start = text.index(delim + b'\n') + len(delim) + 1
    end = text.index(b'\n' + delim, start)
    signed = text[start:end].replace(b'\n', b'\r\n')
    smime = msg.get_param('protocol') == 'application/pkcs7-signature'
    sigpart = msg.get_payload()[1]
    sig = sigpart.get_payload(decode=True) if smime else sigpart.get_content()
    with tempfile.TemporaryDirectory() as t:
        with open(os.path.join(t, 'd'), 'wb') as f:
            f.write(signed)
        with open(os.path.join(t, 's'), 'wb') as f:
            f.write(sig if isinstance(sig, bytes) else sig.encode())
        tool = gpgsm if smime else gpg
        return status(tool(['--verify', os.path.join(t, 's'), os.path.join(t, 'd')]))


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
    smime = msg.get_param('protocol') == 'application/pkcs7-signature'
    out['form'] = 'smime-signed' if smime else 'signed'
    out['signature'] = verify_signed(raw, msg)
    walk(msg.get_payload()[0])
elif ctype == 'application/pkcs7-mime':
    # RFC 8551 3.3 around 3.5.3: enveloped-data holding a signed entity.
    out['form'] = 'smime-encrypted'
    res = subprocess.run(['gpgsm', '--homedir', home, '--batch', '--decrypt'],
                         input=msg.get_payload(decode=True), capture_output=True)
    dec = res.stdout if res.returncode == 0 else b''
    if not dec:
        out['signature'] = 'not decrypted: ' + res.stderr.decode('utf-8', 'replace')[-300:]
    else:
        inner = email.message_from_bytes(dec, policy=email.policy.default)
        if inner.get_content_type() == 'multipart/signed':
            out['signature'] = verify_signed(dec, inner)
            walk(inner.get_payload()[0])
        else:
            walk(inner)
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
