/* SPDX-License-Identifier: Apache-2.0 */
#include "portal/nocert.h"

#include <string.h>
#include <strings.h>

#include "core/markup.h"

bool ts_nocert_wants_html(const char *path, const char *accept)
{
    if (path == NULL || accept == NULL || strncmp(path, "/api/", 5) == 0 ||
        strcmp(path, "/metrics") == 0)
        return false;
    /* Browsers ask for pages with "text/html,application/xhtml+xml,...";
     * scripts and curl send any type or nothing, and keep getting JSON. */
    for (const char *p = accept; (p = strcasestr(p, "text/html")) != NULL; p += 9) {
        const char *q = p + 9;
        while (*q == ' ')
            q++;
        if (*q != ';')
            return true;
        /* "text/html;q=0" declines HTML. */
        q++;
        while (*q == ' ')
            q++;
        if (strncmp(q, "q=0", 3) != 0 || strspn(q + 3, ".0") != strcspn(q + 3, ",;"))
            return true;
    }
    return false;
}

static const char *what_happened(ts_peer_reason_t r)
{
    switch (r) {
    case TS_PEER_NO_CERT:
        return "Your browser did not present a certificate.";
    case TS_PEER_EXPIRED:
        return "The certificate your browser presented has expired.";
    case TS_PEER_NOT_YET_VALID:
        return "The certificate your browser presented is not valid yet: check your computer's "
               "clock.";
    case TS_PEER_REVOKED:
    case TS_PEER_REVOKED_REGISTRY:
        return "The certificate your browser presented has been revoked.";
    case TS_PEER_UNKNOWN_FINGERPRINT:
    case TS_PEER_SITE_REMOVED:
        return "The certificate your browser presented is not, or no longer, registered with "
               "this portal.";
    case TS_PEER_NO_TRUST:
    case TS_PEER_CRL_MISSING:
    case TS_PEER_CRL_BAD:
    case TS_PEER_CRL_BAD_SIGNATURE:
    case TS_PEER_CRL_OUT_OF_DATE:
    case TS_PEER_STORE_ERROR:
        return "The portal cannot check certificates at the moment: the problem is on the "
               "server's side, not yours.";
    default:
        return "The certificate your browser presented was not issued for this portal.";
    }
}

void ts_nocert_page(ts_peer_reason_t r, const char *contact, ts_buf_t *out)
{
    ts_buf_puts(out, "<!doctype html>\n"
                     "<html lang=\"en\">\n"
                     "<head>\n"
                     "<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>A site certificate is needed - tocsin portal</title>\n"
                     "</head>\n"
                     "<body>\n"
                     "<main id=\"nocert\">\n"
                     "<h1>This portal needs your site certificate</h1>\n"
                     "<p id=\"reason\"><strong>");
    ts_markup_text(out, what_happened(r));
    ts_buf_puts(
        out, "</strong></p>\n"
             "<p>The portal shows each site only what concerns it, so it lets in only browsers "
             "that present a certificate its CSIRT issued for them.</p>\n"
             "<h2>What to do</h2>\n"
             "<ol>\n"
             "<li>Import the certificate file your CSIRT gave you (a <code>.p12</code> file; its "
             "password comes separately) into your browser:\n"
             "<ul>\n"
             "<li>Firefox: Settings, Privacy &amp; Security, Certificates, View Certificates, "
             "Your Certificates, Import.</li>\n"
             "<li>Chrome, Chromium, Edge: Settings, Privacy and security, Security, Manage "
             "certificates, Your certificates, Import.</li>\n"
             "</ul></li>\n"
             "<li>If the browser warns that it does not trust this server, also import the "
             "portal's CA certificate (<code>ca.pem</code>) as a certificate authority.</li>\n"
             "<li>Close every window of the browser, open this page again, and choose the "
             "certificate when the browser asks.</li>\n"
             "</ol>\n"
             "<h2>Whom to ask</h2>\n"
             "<p id=\"contact\">No certificate yet, or it does not work? Ask ");
    if (contact && *contact)
        ts_markup_text(out, contact);
    else
        ts_buf_puts(out, "the CSIRT that runs this portal");
    ts_buf_puts(out,
                ". Give the time of this attempt; never send your certificate's password.</p>\n"
                "<p>Scripts: the REST API under <code>/api/v1/</code> takes the same "
                "certificate and answers in JSON.</p>\n"
                "</main>\n"
                "</body>\n"
                "</html>\n");
}
