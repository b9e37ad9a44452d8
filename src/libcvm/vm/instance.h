/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macro.h"

/*
 * The runtime directory of a running VM, BASE/NAME/ (BASE from runtime_dir_base(): /run/cvm as root, else
 * $XDG_RUNTIME_DIR/cvm), mode 0700:
 *
 *   lock          held (an open file description lock) by the supervising `cvm run` for its whole life
 *   pid           QEMU's pid, one line
 *   state.json    InstanceState below
 *   qmp.sock      QEMU's QMP monitor for the supervisor
 *   control.sock  QEMU's second QMP monitor, for cvm status / stop / list
 *
 * A directory whose lock nobody holds and whose QEMU is gone is stale (the supervisor was killed): it is
 * reported by instance_inspect() and cleaned by the next instance_acquire() of that name.
 */

#define INSTANCE_LOCK           "lock"
#define INSTANCE_PID            "pid"
#define INSTANCE_STATE          "state.json"
#define INSTANCE_QMP_SOCKET     "qmp.sock"
#define INSTANCE_CONTROL_SOCKET "control.sock"

/* state.json caps: an argv of a few KiB, far below this. */
#define INSTANCE_STATE_MAX (1024U * 1024)

typedef struct InstanceState {
        char *name;
        pid_t pid;            /* QEMU; 0 while none runs */
        uint64_t pid_start;   /* QEMU's start time (/proc/PID/stat field 22): tells a reused pid apart */
        pid_t supervisor_pid; /* the cvm run process */
        char *coco;           /* "no", "tdx", "sev-snp" */
        char *started;        /* RFC 3339, UTC */
        char *qemu;
        char **argv;
        char *qmp_socket, *control_socket;
        unsigned restarts;
        /* "libvirt": the domain of this name runs under libvirtd at connect (URI); NULL: cvm's own QEMU. */
        char *backend, *connect;
} InstanceState;

void instance_state_done(InstanceState *s);
/* Pretty JSON text ending in a newline. */
int instance_state_format(const InstanceState *s, char **ret);
/* Parses state.json text; -EBADMSG when it is not a state document (name, pid and supervisor missing). */
int instance_state_parse(const char *text, size_t size, InstanceState *ret);
/* "2026-11-22T04:59:47Z" for t. */
int rfc3339_format(time_t t, char **ret);

typedef struct Instance {
        char *name;
        char *dir;
        int lock_fd;
} Instance;

/*
 * Creates BASE (0700) and BASE/NAME (0700) if needed and takes the lock. A stale directory (lock free,
 * QEMU of state.json gone) is emptied first, and *ret_cleaned tells so. -EBUSY: a supervisor holds the
 * lock, or a QEMU of a previous run of this name still lives (its pid in *ret_busy_pid, if not NULL).
 * -EINVAL for a name that is not a single path component.
 */
int instance_acquire(const char *base, const char *name, Instance **ret, bool *ret_cleaned,
                     pid_t *ret_busy_pid);
/* Writes state.json (atomically, by rename) and the pid file. */
int instance_write_state(Instance *i, const InstanceState *s);
/* Path of a file in the directory (malloc'ed), NULL on OOM. */
char *instance_path(const Instance *i, const char *file);
/* Removes the directory and then drops the lock. Accepts NULL. */
Instance *instance_release(Instance *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(Instance *, instance_release)

typedef enum InstanceLiveness {
        INSTANCE_RUNNING,  /* a supervisor holds the lock */
        INSTANCE_STALE,    /* nobody holds the lock and no QEMU of it runs: left by a killed supervisor */
        INSTANCE_ORPHANED, /* nobody holds the lock but its QEMU still runs */
        _INSTANCE_LIVENESS_MAX,
        _INSTANCE_LIVENESS_INVALID = -EINVAL,
} InstanceLiveness;

const char *instance_liveness_to_string(InstanceLiveness l);
InstanceLiveness instance_liveness_from_string(const char *s);

/*
 * Looks at BASE/NAME without changing anything. *ret_state is filled when state.json could be read
 * (else zeroed; a supervisor that is still starting has none yet). -ENOENT: no such directory.
 */
int instance_inspect(const char *base, const char *name, InstanceLiveness *ret_liveness,
                     InstanceState *ret_state);
/* The names of the directories below BASE, sorted; an empty list when BASE does not exist. */
int instance_list(const char *base, char ***ret);

/* The start time of a process in clock ticks since boot (proc(5) /proc/PID/stat field 22); -ESRCH: gone. */
int proc_start_time(pid_t pid, uint64_t *ret);
/* Whether the process pid started at start_time still runs (start_time 0: any process with that pid). */
bool pid_is_alive(pid_t pid, uint64_t start_time);
