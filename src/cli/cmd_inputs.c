/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin inputs [--json]: where each input stands (committed checkpoints). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/jsonw.h"
#include "output/quarantine.h"

static void inputs_usage(FILE *out)
{
    fprintf(out, "Usage: tocsin inputs [--json]\n"
                 "\n"
                 "Lists every input tocsin has read (file path, or '-' for stdin) with its\n"
                 "format and committed checkpoint: the byte offset and line number where the\n"
                 "next read resumes, and when that was committed. A follower that keeps up\n"
                 "has its offset at the file's size.\n");
}

struct ictx {
    bool json;
    ts_buf_t buf;
    size_t n;
};

static int input_row(const ts_input_info_t *in, void *arg)
{
    struct ictx *c = arg;
    char when[48];
    ts_time_format(in->updated, when, sizeof when);
    if (c->json) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &c->buf);
        ts_format_input_json(&w, in);
        ts_buf_putc(&c->buf, '\n');
    } else {
        if (c->n == 0)
            ts_buf_printf(&c->buf, "%-8s %14s %10s  %-20s %s\n", "FORMAT", "OFFSET", "LINE",
                          "COMMITTED (UTC)", "INPUT");
        ts_buf_printf(&c->buf, "%-8s %14" PRIu64 " %10" PRIu64 "  %-20.19s %s\n", in->format,
                      in->state.offset, in->state.line, when, in->name);
    }
    c->n++;
    return 0;
}

int ts_cmd_inputs(ts_cli_t *cli, int argc, char **argv)
{
    struct ictx c = {.json = false, .buf = TS_BUF_INIT, .n = 0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            c.json = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            inputs_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("inputs", "unexpected argument '%s'", argv[i]);
            return TS_EXIT_USAGE;
        }
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int rc = ts_store_inputs_foreach(st, input_row, &c);
    if (rc < 0)
        fprintf(stderr, "tocsin: cannot list inputs: %s\n", ts_store_errmsg(st));
    else if (c.n == 0 && !c.json)
        printf("no input read yet\n");
    if (c.buf.len)
        fwrite(c.buf.data, 1, c.buf.len, stdout);
    ts_buf_free(&c.buf);
    ts_store_close(st);
    return rc < 0 ? TS_EXIT_FAIL : TS_EXIT_OK;
}
