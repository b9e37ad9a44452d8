/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A QMP client (qemu/qemu docs/interop/qmp-spec.rst) over a connected pair of file descriptors: a
 * child's stdout/stdin pipes (-qmp stdio) or both ends of one unix socket (-qmp unix:PATH).
 *
 * Messages are JSON objects, one per line. QEMU may send asynchronous events at any time, also between a
 * command and its answer (the SHUTDOWN event arrives before quit's return, test-environment.md 2.5); the
 * client queues them and hands them out through qmp_client_next_event(). Every input line is bounded
 * (QMP_MESSAGE_MAX, QMP_JSON_DEPTH) and every call has a deadline.
 */

#include <json-c/json.h>

#include "json-util.h"
#include "macro.h"

/* A qom-list-types answer of a full system emulator is about 100 KiB; 16 MiB is far beyond any reply. */
#define QMP_MESSAGE_MAX (16U * 1024 * 1024)
#define QMP_JSON_DEPTH  32
/* Events nobody asked for are dropped, oldest first, beyond this many. */
#define QMP_EVENTS_MAX 256

typedef enum QmpMessageType {
        QMP_MESSAGE_GREETING, /* {"QMP": {"version": ..., "capabilities": [...]}} */
        QMP_MESSAGE_RETURN,   /* {"return": VALUE [, "id": ID]} */
        QMP_MESSAGE_ERROR,    /* {"error": {"class": S, "desc": S} [, "id": ID]} */
        QMP_MESSAGE_EVENT,    /* {"event": S, "data": ..., "timestamp": ...} */
        _QMP_MESSAGE_TYPE_MAX,
        _QMP_MESSAGE_TYPE_INVALID = -EINVAL,
} QmpMessageType;

const char *qmp_message_type_to_string(QmpMessageType t);
QmpMessageType qmp_message_type_from_string(const char *s);

/* One received message. Pointers borrow from root, which the message owns. */
typedef struct QmpMessage {
        QmpMessageType type;
        json_object *root;
        json_object *value;      /* greeting: the "QMP" object; return: its value; event: "data" or NULL */
        json_object *id;         /* the "id" member of a return or error, NULL when absent */
        const char *error_class; /* error only */
        const char *error_desc;  /* error only */
        const char *event;       /* event only */
} QmpMessage;

void qmp_message_done(QmpMessage *m);

/*
 * Classifies one line (without or with its trailing newline). Pure: no I/O, no state.
 * Returns 0, -E2BIG above QMP_MESSAGE_MAX, -EBADMSG for anything that is not one of the four kinds
 * (invalid JSON, too deep, not an object, an error without class/desc, both "return" and "error", ...).
 */
int qmp_message_parse(const char *line, size_t size, QmpMessage *ret);

typedef struct QmpClient QmpClient;

/*
 * Takes ownership of both descriptors (they may be the same socket) and makes them non-blocking.
 * Nothing is read or written yet.
 */
int qmp_client_new(int in_fd, int out_fd, QmpClient **ret);
QmpClient *qmp_client_free(QmpClient *c);

/*
 * Reads the greeting and negotiates capabilities (qmp_capabilities), within timeout_usec.
 * -ECONNRESET when the peer closes first, -EPROTO when its first message is not a greeting, -ETIMEDOUT,
 * -EBADMSG / -E2BIG for malformed input, -EREMOTEIO when qmp_capabilities is refused.
 */
int qmp_client_handshake(QmpClient *c, uint64_t timeout_usec);

/* The greeting's "QMP"."version" numbers and "package" string (borrowed). -ENODATA before a handshake. */
int qmp_client_version(const QmpClient *c, unsigned *ret_major, unsigned *ret_minor, unsigned *ret_micro,
                       const char **ret_package);

/*
 * Runs one command (arguments may be NULL; it is not consumed) and waits up to timeout_usec for its
 * answer, queueing events that arrive meanwhile.
 * Returns 0 with *ret_return (a new reference; the caller puts it) on success; -EREMOTEIO when QEMU
 * answered with an error, then *reterr_class / *reterr_desc (malloc'ed, may be NULL pointers) name it;
 * -ETIMEDOUT; -ECONNRESET when QEMU closed the connection; -EBADMSG / -E2BIG for malformed input.
 * After -ETIMEDOUT the late answer is recognised by its id and skipped by later calls.
 */
int qmp_execute(QmpClient *c, const char *command, json_object *arguments, uint64_t timeout_usec,
                json_object **ret_return, char **reterr_class, char **reterr_desc);

/*
 * For an event loop: the descriptor to poll for input, and a call that takes whatever has arrived without
 * waiting, queueing events (fetch them with qmp_client_next_event()) and dropping answers nobody waits
 * for. Returns the number of events queued; -ECONNRESET once the peer closed (complete lines before it
 * are still queued), -E2BIG / -EBADMSG when the stream broke.
 */
int qmp_client_fd(const QmpClient *c);
int qmp_client_read_events(QmpClient *c);

/* The oldest queued event (caller owns the message), or -ENODATA. */
int qmp_client_next_event(QmpClient *c, QmpMessage *ret);
/* Events dropped because the queue was full. */
size_t qmp_client_events_dropped(const QmpClient *c);

DEFINE_TRIVIAL_CLEANUP_FUNC(QmpClient *, qmp_client_free)
