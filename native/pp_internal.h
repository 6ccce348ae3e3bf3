/* Shared by the shim's C files; not exported. */
#ifndef PP_INTERNAL_H
#define PP_INTERNAL_H

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include "posixprocs.h"

#include <stddef.h>
#include <sys/types.h>

/* More descriptors than any caller passes on purpose; bounds the child's stack use. */
#define PP_SPAWN_MAX_FDS 256

/* Whether a spawn request is well formed (what PosixProcsNative_Spawn checks before forking). */
int pp_spawn_request_is_valid(const PosixProcsSpawnRequest* request);

/* pp_spawn_in_group's processGroup when the request's flags alone decide the child's group. */
#define PP_SPAWN_GROUP_FROM_FLAGS ((pid_t)-1)

/* PosixProcsNative_Spawn for a request already validated, with the child's process group
 * chosen by the caller: 0 makes the child lead a new group, a positive pgid makes it join
 * that group (setpgid in the child, before exec), PP_SPAWN_GROUP_FROM_FLAGS leaves it to
 * the request's flags. Same results as PosixProcsNative_Spawn. */
int32_t pp_spawn_in_group(const PosixProcsSpawnRequest* request, pid_t processGroup, int32_t* pid, int32_t* failedStep);

/* Translates a PP_RLIMIT_* id to the platform's RLIMIT_*; -1 if unknown. */
int pp_native_rlimit_resource(int32_t portable);

/* Translates a PP_W* bit set to native waitpid options; -1 if an unknown bit is set. */
int pp_native_wait_options(int32_t portable);

/* Closes every descriptor from 3 up except those in keep (sorted ascending, >= 3): close_range
 * where the kernel has it, else a loop bounded by RLIMIT_NOFILE. Async-signal-safe: for
 * children of fork. */
void pp_close_all_but(const int32_t* keep, int32_t keepCount);

#endif
