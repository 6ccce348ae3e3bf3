/* Shared by the shim's C files; not exported. */
#ifndef PP_INTERNAL_H
#define PP_INTERNAL_H

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include "posixprocs.h"

#include <stddef.h>

/* Translates a PP_RLIMIT_* id to the platform's RLIMIT_*; -1 if unknown. */
int pp_native_rlimit_resource(int32_t portable);

/* Translates a PP_W* bit set to native waitpid options; -1 if an unknown bit is set. */
int pp_native_wait_options(int32_t portable);

#endif
