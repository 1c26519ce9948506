/* SPDX-License-Identifier: Apache-2.0 */
/* The OpenAPI 3.0.3 description of the REST API v1, served at
 * /api/v1/openapi.json and checked against the handlers by
 * tests/portal/test_openapi.c. */
#pragma once

/* The document: JSON text, NUL-terminated, static storage. */
extern const char ts_api_openapi_json[];
