/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The built-in Intel SGX Root CA (intel-root.c), the default anchor of `cvm verify` for TDX quotes. */
#include "attest/openssl-util.h"

extern const char intel_sgx_root_ca_pem[];

/* A one-certificate stack holding it: 0, -ENOMEM. */
int intel_sgx_root_load(X509Stack **ret);
