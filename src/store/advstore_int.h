/* SPDX-License-Identifier: Apache-2.0 */
/* The advisory store's backend operations (see advstore.h). */
#pragma once
#include "store/store_int.h"

struct ts_store_advisory_ops {
    int placeholder_;
};
