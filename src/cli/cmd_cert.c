/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder: replaced by the implementation. */
#include <stdio.h>

#include "cli/cli.h"

int ts_cmd_ca(ts_cli_t *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    fprintf(stderr, "tocsin: ca: not built yet\n");
    return TS_EXIT_FAIL;
}

int ts_cmd_cert(ts_cli_t *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    fprintf(stderr, "tocsin: cert: not built yet\n");
    return TS_EXIT_FAIL;
}
