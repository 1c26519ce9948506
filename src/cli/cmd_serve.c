/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder: replaced by the implementation. */
#include <stdio.h>

#include "cli/cli.h"

int ts_cmd_serve(ts_cli_t *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    fprintf(stderr, "tocsin: serve: not built yet\n");
    return TS_EXIT_FAIL;
}
