/* SPDX-License-Identifier: Apache-2.0 */
/* The certificate registry's backend operations (see certreg.h). */
#pragma once
#include "store/certreg.h"
#include "store/store_int.h"

struct ts_store_cert_ops {
    int (*add)(ts_store_t *st, const ts_cert_rec_t *rec);
    int (*lookup)(ts_store_t *st, const char *fingerprint, ts_cert_cb cb, void *ctx);
    int (*revoke)(ts_store_t *st, const char *key, int64_t when);
    int (*foreach)(ts_store_t *st, ts_cert_cb cb, void *ctx);
};
