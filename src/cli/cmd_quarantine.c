/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin quarantine list|stats */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/jsonw.h"
#include "output/quarantine.h"

static void q_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin quarantine list [--reason KEY] [--limit N] [--json]\n"
            "  tocsin quarantine stats [--json]\n"
            "\n"
            "Every record an input rejected is kept with its reason, the input, the line\n"
            "number and byte offset, and its first %d bytes. `list` shows them newest first;\n"
            "`stats` counts them per reason (syntax, utf8, missing, type, address, range,\n"
            "too-big, truncated, ...).\n",
            TS_QUARANTINE_DATA_MAX);
}

struct qctx {
    bool json;
    ts_buf_t buf;
    size_t n;
};

/* Shows record bytes safely on a terminal: printable ASCII kept, the rest \xNN. */
static void put_safe(ts_buf_t *b, const unsigned char *p, size_t n, size_t max)
{
    for (size_t i = 0; i < n && i < max; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            ts_buf_putc(b, (char)p[i]);
        else
            ts_buf_printf(b, "\\x%02x", p[i]);
    }
    if (n > max)
        ts_buf_puts(b, "...");
}

static int q_row(const ts_quarantine_rec_t *q, void *ctx)
{
    struct qctx *c = ctx;
    char when[48];
    ts_time_format(q->time, when, sizeof when);
    if (c->json) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &c->buf);
        ts_format_quarantine_json(&w, q);
        ts_buf_putc(&c->buf, '\n');
    } else {
        ts_buf_printf(&c->buf,
                      "#%lld %s %s:%llu (offset %llu, %llu bytes)\n  reason: %s: %s\n  data:   ",
                      (long long)q->id, when, q->input ? q->input : "?",
                      (unsigned long long)q->line, (unsigned long long)q->offset,
                      (unsigned long long)q->record_len, q->reason, q->detail ? q->detail : "");
        put_safe(&c->buf, q->data, q->data_len, 160);
        ts_buf_putc(&c->buf, '\n');
    }
    c->n++;
    fwrite(c->buf.data, 1, c->buf.len, stdout);
    ts_buf_reset(&c->buf);
    return 0;
}

static int q_count(const char *key, uint64_t count, void *ctx)
{
    struct qctx *c = ctx;
    if (c->json) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &c->buf);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "reason");
        ts_jsonw_cstr(&w, key);
        ts_jsonw_key(&w, "count");
        ts_jsonw_uint(&w, count);
        ts_jsonw_object_end(&w);
        ts_buf_putc(&c->buf, '\n');
    } else {
        ts_buf_printf(&c->buf, "%-16s %llu\n", key, (unsigned long long)count);
    }
    c->n++;
    return 0;
}

int ts_cmd_quarantine(ts_cli_t *cli, int argc, char **argv)
{
    if (argc < 2) {
        ts_cli_usage_error("quarantine", "quarantine needs a command");
        return TS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        q_usage(stdout);
        return TS_EXIT_OK;
    }
    const char *sub = argv[1];
    bool list = strcmp(sub, "list") == 0;
    if (!list && strcmp(sub, "stats") != 0) {
        ts_cli_usage_error("quarantine", "quarantine: unknown command '%s'", sub);
        return TS_EXIT_USAGE;
    }
    static const struct option opts[] = {
        {"reason", required_argument, NULL, 'r'},
        {"limit", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct qctx c = {.json = false, .buf = TS_BUF_INIT, .n = 0};
    const char *reason = NULL;
    size_t limit = 0;
    int ch;
    argc--;
    argv++;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            reason = optarg;
            break;
        case 'l':
            if (ts_cli_parse_limit(optarg, &limit) < 0)
                return TS_EXIT_USAGE;
            break;
        case 'j':
            c.json = true;
            break;
        case 'h':
            q_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("quarantine", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        ts_cli_usage_error("quarantine", "unexpected argument '%s'", argv[optind]);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int rc;
    if (list) {
        rc = ts_store_quarantine_foreach(st, reason, limit, q_row, &c);
        if (rc == 0 && c.n == 0 && !c.json)
            printf("the quarantine is empty\n");
    } else {
        if (!c.json)
            ts_buf_printf(&c.buf, "%-16s %s\n", "REASON", "COUNT");
        rc = ts_store_quarantine_stats(st, q_count, &c);
        if (c.buf.len)
            fwrite(c.buf.data, 1, c.buf.len, stdout);
    }
    if (rc < 0)
        fprintf(stderr, "tocsin: cannot read the quarantine: %s\n", ts_store_errmsg(st));
    ts_buf_free(&c.buf);
    ts_store_close(st);
    return rc < 0 ? TS_EXIT_FAIL : TS_EXIT_OK;
}
