/* SPDX-License-Identifier: Apache-2.0 */
/* The portal queries' backend operations (see eventq.h). */
#pragma once
#include "store/store_int.h"

struct ts_store_portal_ops {
    int placeholder_;
};
