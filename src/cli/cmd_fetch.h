/* SPDX-License-Identifier: Apache-2.0 */
/* `tocsin advisories fetch`: download changed advisories from a CSAF
 * provider over HTTPS and import them (advisory/fetch.h). */
#pragma once
#include "cli/cli.h"

/* argv[0] is "fetch". Exit codes: 0 all documents fine; 1 the provider could
 * not be read (TLS, HTTP, metadata) or the state/database failed; 2 usage,
 * or a URL that is not https; 5 the run completed but some documents were
 * refused (digest, signature, download) or rejected by the import. */
int ts_cmd_advisories_fetch(ts_cli_t *cli, int argc, char **argv);
