/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QMP: the line classifier on real QEMU lines (reference/test-environment.md 2.5) and malformed ones; the
 * client against a scripted peer on pipes (events before a return, errors, timeouts, late answers, EOF,
 * a peer that went away); then the real probe against the installed qemu-system-x86_64 and, when
 * $CVM_TEST_QEMU11 names one, a QEMU >= 10.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "checks.h"
#include "test-util.h"
#include "vm/qmp.h"

static const char greeting_72[] =
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
        "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}";
static const char shutdown_event[] = "{\"timestamp\": {\"seconds\": 1795322780, \"microseconds\": 909239}, "
                                     "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": "
                                     "\"host-qmp-quit\"}}";

static void qmp_parse_real_lines(void **state)
{
        QmpMessage m;

        assert_int_equal(qmp_message_parse(greeting_72, strlen(greeting_72), &m), 0);
        assert_int_equal(m.type, QMP_MESSAGE_GREETING);
        assert_non_null(json_get(m.value, "version", json_type_object));
        qmp_message_done(&m);

        /* The event QEMU sends before quit's return, with the \r\n of a chardev. */
        _cleanup_free_ char *crlf = NULL;
        assert_true(asprintf(&crlf, "%s\r\n", shutdown_event) > 0);
        assert_int_equal(qmp_message_parse(crlf, strlen(crlf), &m), 0);
        assert_int_equal(m.type, QMP_MESSAGE_EVENT);
        assert_string_equal(m.event, "SHUTDOWN");
        assert_string_equal(json_get_string(m.value, "reason"), "host-qmp-quit");
        assert_null(m.id);
        qmp_message_done(&m);

        static const char ret[] = "{\"return\": {\"status\": \"prelaunch\", \"running\": false}, \"id\": 7}";
        assert_int_equal(qmp_message_parse(ret, strlen(ret), &m), 0);
        assert_int_equal(m.type, QMP_MESSAGE_RETURN);
        assert_int_equal(json_object_get_int(m.id), 7);
        assert_string_equal(json_get_string(m.value, "status"), "prelaunch");
        qmp_message_done(&m);

        static const char err[] = "{\"id\": 2, \"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Class "
                                  "'tdx-guest' not found\"}}";
        assert_int_equal(qmp_message_parse(err, strlen(err), &m), 0);
        assert_int_equal(m.type, QMP_MESSAGE_ERROR);
        assert_string_equal(m.error_class, "DeviceNotFound");
        assert_string_equal(m.error_desc, "Class 'tdx-guest' not found");
        assert_int_equal(json_object_get_int(m.id), 2);
        qmp_message_done(&m);

        /* A return value need not be an object (qom-list-types returns an array). */
        static const char arr[] =
                "{\"return\": [{\"name\": \"tdx-guest\", \"parent\": \"x86-confidential-guest\"}]}";
        assert_int_equal(qmp_message_parse(arr, strlen(arr), &m), 0);
        assert_true(json_object_is_type(m.value, json_type_array));
        qmp_message_done(&m);
}

static void qmp_parse_rejects_malformed(void **state)
{
        static const char *const bad[] = {
                "",
                "not json",
                "[]",
                "{}",
                "{\"return\": {}} trailing",
                "{\"return\": {}, \"error\": {\"class\": \"A\", \"desc\": \"B\"}}",
                "{\"error\": {\"class\": \"GenericError\"}}",
                "{\"error\": \"GenericError\"}",
                "{\"event\": 5}",
                "{\"event\": \"\"}",
                "{\"QMP\": []}",
                "{\"return\": \"\xff\"}",
                "{\"return\": {\"a\": [1, 2}",
                "{\"unknown\": 1}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                QmpMessage m = { .type = QMP_MESSAGE_EVENT, .event = "untouched" };
                assert_int_equal(qmp_message_parse(bad[i], strlen(bad[i]), &m), -EBADMSG);
                assert_string_equal(m.event, "untouched");
        }

        /* Nesting beyond QMP_JSON_DEPTH. */
        _cleanup_free_ char *deep = malloc(2 * 40 + 32);
        assert_non_null(deep);
        char *p = stpcpy(deep, "{\"return\": ");
        for (size_t i = 0; i < 40; i++)
                *p++ = '[';
        for (size_t i = 0; i < 40; i++)
                *p++ = ']';
        strcpy(p, "}");
        QmpMessage m;
        assert_int_equal(qmp_message_parse(deep, strlen(deep), &m), -EBADMSG);

        /* Over the size cap: refused before parsing. */
        size_t n = QMP_MESSAGE_MAX + 1;
        _cleanup_free_ char *big = malloc(n);
        assert_non_null(big);
        memset(big, ' ', n);
        assert_int_equal(qmp_message_parse(big, n, &m), -E2BIG);
}

/* A client whose peer is the test: peer_w feeds the client, peer_r reads what it sends. */
typedef struct Peer {
        QmpClient *client;
        int peer_w, peer_r;
} Peer;

static void peer_open(Peer *p)
{
        int to_client[2], from_client[2];
        assert_int_equal(pipe2(to_client, O_CLOEXEC), 0);
        assert_int_equal(pipe2(from_client, O_CLOEXEC), 0);
        assert_int_equal(qmp_client_new(to_client[0], from_client[1], &p->client), 0);
        p->peer_w = to_client[1];
        p->peer_r = from_client[0];
        (void) fcntl(p->peer_r, F_SETFL, O_NONBLOCK);
}

static void peer_close(Peer *p)
{
        qmp_client_free(p->client);
        closep(&p->peer_w);
        closep(&p->peer_r);
}

static void peer_write(Peer *p, const char *text)
{
        size_t n = strlen(text);
        assert_int_equal(write(p->peer_w, text, n), (ssize_t) n);
}

static void peer_send(Peer *p, const char *line)
{
        size_t n = strlen(line);
        assert_int_equal(write(p->peer_w, line, n), (ssize_t) n);
        assert_int_equal(write(p->peer_w, "\n", 1), 1);
}

/* Everything the client has written so far. */
static char *peer_received(Peer *p)
{
        static char buf[65536];
        ssize_t k = read(p->peer_r, buf, sizeof(buf) - 1);
        buf[k < 0 ? 0 : k] = 0;
        return buf;
}

static void qmp_client_handshake_and_events(void **state)
{
        Peer p;
        unsigned major, minor, micro;
        const char *package;

        peer_open(&p);
        assert_int_equal(qmp_client_version(p.client, &major, &minor, &micro, &package), -ENODATA);

        peer_send(&p, greeting_72);
        peer_send(&p, "{\"return\": {}, \"id\": 1}");
        assert_int_equal(qmp_client_handshake(p.client, 1000000), 0);
        assert_string_equal(peer_received(&p), "{\"execute\":\"qmp_capabilities\",\"id\":1}\n");
        assert_int_equal(qmp_client_version(p.client, &major, &minor, &micro, &package), 0);
        assert_int_equal(major, 7);
        assert_int_equal(minor, 2);
        assert_int_equal(micro, 22);
        assert_string_equal(package, "Debian 1:7.2+dfsg-7+deb12u18+b3");

        /* As QEMU does on quit: the event first, then the return, a blank line in between for good measure.
         */
        peer_send(&p, shutdown_event);
        peer_send(&p, "");
        peer_send(&p, "{\"return\": {}, \"id\": 2}");
        json_object *ret = NULL;
        assert_int_equal(qmp_execute(p.client, "quit", NULL, 1000000, &ret, NULL, NULL), 0);
        assert_true(json_object_is_type(ret, json_type_object));
        json_object_put(ret);
        assert_string_equal(peer_received(&p), "{\"execute\":\"quit\",\"id\":2}\n");

        QmpMessage ev;
        assert_int_equal(qmp_client_next_event(p.client, &ev), 0);
        assert_string_equal(ev.event, "SHUTDOWN");
        qmp_message_done(&ev);
        assert_int_equal(qmp_client_next_event(p.client, &ev), -ENODATA);
        peer_close(&p);
}

static void qmp_client_errors_and_arguments(void **state)
{
        Peer p;
        peer_open(&p);
        peer_send(&p, greeting_72);
        peer_send(&p, "{\"return\": {}, \"id\": 1}");
        assert_int_equal(qmp_client_handshake(p.client, 1000000), 0);
        (void) peer_received(&p);

        _cleanup_(json_object_putp) json_object *args = json_object_new_object();
        assert_int_equal(json_add(args, "typename", json_object_new_string("tdx-guest")), 0);
        peer_send(&p,
                  "{\"id\": 2, \"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Class 'tdx-guest' not "
                  "found\"}}");
        _cleanup_free_ char *class = NULL, *desc = NULL;
        json_object *ret = (json_object *) 0x1;
        assert_int_equal(qmp_execute(p.client, "qom-list-properties", args, 1000000, &ret, &class, &desc),
                         -EREMOTEIO);
        assert_ptr_equal(ret, (json_object *) 0x1);
        assert_string_equal(class, "DeviceNotFound");
        assert_string_equal(desc, "Class 'tdx-guest' not found");
        assert_string_equal(peer_received(&p),
                            "{\"execute\":\"qom-list-properties\",\"arguments\":{\"typename\":"
                            "\"tdx-guest\"},\"id\":2}\n");

        /* A greeting in the middle is a protocol error. */
        peer_send(&p, greeting_72);
        assert_int_equal(qmp_execute(p.client, "query-status", NULL, 1000000, NULL, NULL, NULL), -EPROTO);
        /* A malformed line is consumed and reported; the stream stays usable. */
        peer_send(&p, "{\"return\": {}, \"error\": {}}");
        assert_int_equal(qmp_execute(p.client, "query-status", NULL, 1000000, NULL, NULL, NULL), -EBADMSG);
        peer_send(&p, "{\"return\": 5, \"id\": 5}");
        ret = NULL;
        assert_int_equal(qmp_execute(p.client, "query-status", NULL, 1000000, &ret, NULL, NULL), 0);
        assert_int_equal(json_object_get_int(ret), 5);
        json_object_put(ret);

        _cleanup_(json_object_putp) json_object *not_object = json_object_new_array();
        assert_int_equal(qmp_execute(p.client, "x", not_object, 1000, NULL, NULL, NULL), -EINVAL);
        peer_close(&p);
}

static void qmp_client_timeout_then_late_answer(void **state)
{
        Peer p;
        peer_open(&p);
        peer_send(&p, greeting_72);
        peer_send(&p, "{\"return\": {}, \"id\": 1}");
        assert_int_equal(qmp_client_handshake(p.client, 1000000), 0);

        assert_int_equal(qmp_execute(p.client, "query-status", NULL, 50000, NULL, NULL, NULL), -ETIMEDOUT);
        /* The answer to id 2 arrives after the caller gave up; the next command skips it by id. */
        peer_send(&p, "{\"return\": \"late\", \"id\": 2}");
        peer_send(&p, "{\"return\": \"mine\", \"id\": 3}");
        json_object *ret = NULL;
        assert_int_equal(qmp_execute(p.client, "query-status", NULL, 1000000, &ret, NULL, NULL), 0);
        assert_string_equal(json_object_get_string(ret), "mine");
        json_object_put(ret);

        /* A line split over two writes is reassembled. */
        peer_write(&p, "{\"return\": \"sp");
        peer_send(&p, "lit\", \"id\": 4}");
        ret = NULL;
        assert_int_equal(qmp_execute(p.client, "query-status", NULL, 1000000, &ret, NULL, NULL), 0);
        assert_string_equal(json_object_get_string(ret), "split");
        json_object_put(ret);
        peer_close(&p);
}

static void qmp_client_peer_gone(void **state)
{
        Peer p;

        /* The peer exits before its greeting. */
        peer_open(&p);
        closep(&p.peer_w);
        assert_int_equal(qmp_client_handshake(p.client, 1000000), -ECONNRESET);
        peer_close(&p);

        /* Something that is not QMP talks first. */
        peer_open(&p);
        peer_send(&p, "{\"return\": {}}");
        assert_int_equal(qmp_client_handshake(p.client, 1000000), -EPROTO);
        peer_close(&p);

        /* A partial line, then EOF. */
        peer_open(&p);
        peer_write(&p, "{\"QMP\": {");
        closep(&p.peer_w);
        assert_int_equal(qmp_client_handshake(p.client, 1000000), -EBADMSG);
        peer_close(&p);

        /* Nobody reads our commands any more: EPIPE, not a SIGPIPE that kills the test. */
        peer_open(&p);
        peer_send(&p, greeting_72);
        closep(&p.peer_r);
        assert_int_equal(qmp_client_handshake(p.client, 1000000), -ECONNRESET);
        sigset_t pending;
        assert_int_equal(sigpending(&pending), 0);
        assert_false(sigismember(&pending, SIGPIPE));
        /* ... and the client stays broken. */
        assert_int_equal(qmp_execute(p.client, "quit", NULL, 1000000, NULL, NULL, NULL), -ECONNRESET);
        peer_close(&p);
}

static void qmp_client_read_events_nonblocking(void **state)
{
        Peer p;
        QmpMessage ev;

        peer_open(&p);
        peer_send(&p, greeting_72);
        peer_send(&p, "{\"return\": {}, \"id\": 1}");
        assert_int_equal(qmp_client_handshake(p.client, 1000000), 0);
        assert_true(qmp_client_fd(p.client) >= 0);

        /* Nothing there: returns at once. */
        assert_int_equal(qmp_client_read_events(p.client), 0);

        /* Two events, a stray answer, a malformed line and half of a third event. */
        peer_send(&p, shutdown_event);
        peer_send(&p, "{\"return\": {}, \"id\": 99}");
        peer_send(&p, "{\"nonsense\": true}");
        peer_send(&p, "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}");
        peer_write(&p, "{\"event\": \"RE");
        assert_int_equal(qmp_client_read_events(p.client), 2);
        assert_int_equal(qmp_client_next_event(p.client, &ev), 0);
        assert_string_equal(ev.event, "SHUTDOWN");
        qmp_message_done(&ev);
        assert_int_equal(qmp_client_next_event(p.client, &ev), 0);
        assert_string_equal(ev.event, "STOP");
        qmp_message_done(&ev);
        assert_int_equal(qmp_client_next_event(p.client, &ev), -ENODATA);

        /* The rest of the third event, then the peer goes: the event is queued, the end reported. */
        peer_send(&p, "SUME\"}");
        closep(&p.peer_w);
        assert_int_equal(qmp_client_read_events(p.client), -ECONNRESET);
        assert_int_equal(qmp_client_next_event(p.client, &ev), 0);
        assert_string_equal(ev.event, "RESUME");
        qmp_message_done(&ev);
        peer_close(&p);
}

static void qmp_client_oversized_line(void **state)
{
        Peer p;
        peer_open(&p);

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* Our copy of the client's ends must go, or the writes below never see EPIPE. */
                qmp_client_free(p.client);
                closep(&p.peer_r);
                /* A line of QMP_MESSAGE_MAX + 64 KiB without a newline. */
                static char chunk[65536];
                memset(chunk, 'x', sizeof(chunk));
                for (size_t sent = 0; sent < QMP_MESSAGE_MAX + sizeof(chunk); sent += sizeof(chunk))
                        if (write(p.peer_w, chunk, sizeof(chunk)) < 0)
                                _exit(0);
                _exit(0);
        }
        closep(&p.peer_w);
        assert_int_equal(qmp_client_handshake(p.client, 20 * 1000000), -E2BIG);
        peer_close(&p);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
}

static const cvm_finding *find(const cvm_host_report *rep, const char *id)
{
        for (size_t i = 0; i < rep->n_findings; i++)
                if (streq(rep->findings[i].id, id))
                        return rep->findings + i;
        fail_msg("no finding %s", id);
        return NULL;
}

/* Runs the checks on a facts document holding only the given "qemu" member. */
static cvm_host_report *check_with_qemu(json_object *qemu)
{
        _cleanup_(json_object_putp) json_object *doc = json_object_new_object();
        assert_int_equal(json_add(doc, "cvm-facts", json_object_new_int(1)), 0);
        assert_int_equal(json_add(doc, "files", json_object_new_object()), 0);
        assert_int_equal(json_add(doc, "paths", json_object_new_object()), 0);
        assert_int_equal(json_add(doc, "qemu", json_object_get(qemu)), 0);
        const char *s = json_object_to_json_string(doc);

        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = NULL;
        cvm_host_report *rep = NULL;
        assert_int_equal(cvm_host_facts_parse(s, strlen(s), &f), 0);
        assert_int_equal(cvm_host_check(f, (1u << CVM_TEE_TDX) | (1u << CVM_TEE_SNP), &rep), 0);
        return rep;
}

static bool has_string(json_object *a, const char *s)
{
        for (size_t i = 0; a && i < json_object_array_length(a); i++)
                if (streq(json_object_get_string(json_object_array_get_idx(a, i)), s))
                        return true;
        return false;
}

static bool has_property(json_object *q, const char *type, const char *name)
{
        json_object *l = json_get(json_get(q, "properties", json_type_object), type, json_type_array);
        for (size_t i = 0; l && i < json_object_array_length(l); i++)
                if (streq(strna(json_get_string(json_object_array_get_idx(l, i), "name")), name))
                        return true;
        return false;
}

static char *cache_dir(void)
{
        char tmpl[] = "/tmp/cvm-test-cache-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        assert_int_equal(setenv("CVM_CACHE_DIR", tmpl, 1), 0);
        return strdup(tmpl);
}

static char *find_in_path(const char *name)
{
        const char *path = getenv("PATH");
        for (const char *p = path; p && *p;) {
                size_t l = strcspn(p, ":");
                char *c;
                assert_true(asprintf(&c, "%.*s/%s", (int) l, p, name) > 0);
                if (access(c, X_OK) == 0)
                        return c;
                free(c);
                p += l + (p[l] == ':');
        }
        return NULL;
}

/* The cache holds one qemu-*.json per binary. */
static size_t count_files(const char *dir)
{
        size_t n = 0;
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (startswith(de->d_name, "qemu-"))
                        n++;
        closedir(d);
        return n;
}

/* The path of the one cache entry. */
static char *cache_entry(const char *dir)
{
        char *p = NULL;
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *de;
        while ((de = readdir(d)))
                if (startswith(de->d_name, "qemu-")) {
                        assert_null(p);
                        assert_true(asprintf(&p, "%s/%s", dir, de->d_name) > 0);
                }
        closedir(d);
        assert_non_null(p);
        return p;
}

static void qemu_probe_real_qemu_7_2(void **state)
{
        _cleanup_free_ char *qemu = find_in_path("qemu-system-x86_64");
        assert_non_null(qemu); /* registered only when there is one */
        /* Held for its cleanup: the probe caches below a temporary $CVM_CACHE_DIR. */
        _unused_ _cleanup_(rm_rf_freep) char *cache = cache_dir();
        assert_int_equal(unsetenv("CVM_QEMU"), 0);

        _cleanup_(json_object_putp) json_object *o = NULL, *again = NULL;
        assert_int_equal(probe_qemu("/", NULL, 0, &o), 0);
        assert_non_null(o);
        assert_int_equal(json_error_get(o), 0);
        const char *version = json_get_string(o, "version");
        assert_non_null(version);
        assert_string_equal(json_get_string(o, "path"), qemu);
        assert_non_null(json_get(o, "types", json_type_array));
        if (!startswith(version, "7.2.")) {
                print_message("# %s is QEMU %s, not bookworm's 7.2: version-specific assertions not run\n",
                              qemu, version);
                assert_int_equal(unsetenv("CVM_CACHE_DIR"), 0);
                return;
        }

        json_object *types = json_get(o, "types", json_type_array);
        assert_false(has_string(types, "tdx-guest"));
        assert_false(has_string(types, "sev-snp-guest"));
        assert_true(has_string(types, "sev-guest"));
        assert_true(has_string(types, "memory-backend-memfd"));
        assert_int_equal(json_object_object_length(json_get(o, "properties", json_type_object)), 0);

        cvm_host_report *rep = check_with_qemu(o);
        const cvm_finding *t = find(rep, "tdx.qemu"), *s = find(rep, "snp.qemu");
        assert_int_equal(t->status, CVM_CHECK_FAIL);
        assert_non_null(strstr(t->message, version));
        assert_non_null(strstr(t->message, qemu));
        assert_non_null(strstr(t->message, "has no tdx-guest object: TDX needs QEMU >= 10.1"));
        assert_non_null(strstr(t->hint, "10.1"));
        assert_int_equal(s->status, CVM_CHECK_FAIL);
        assert_non_null(strstr(s->message, "has no sev-snp-guest object: SEV-SNP needs QEMU >= 9.1"));
        cvm_host_report_free(rep);

        /* The cache entry: one file, keyed by the binary; a marked copy proves the next probe reads it. */
        _cleanup_free_ char *entry = cache_entry(cache);
        _cleanup_free_ char *text = NULL;
        size_t size;
        assert_int_equal(read_full_file(entry, 1024 * 1024, &text, &size), 0);
        _cleanup_(json_object_putp) json_object *doc = json_tokener_parse(text);
        assert_non_null(doc);
        json_object *key = json_get(doc, "key", json_type_object);
        assert_non_null(json_get_string(key, "path"));
        assert_non_null(json_get_string(key, "mtime"));
        json_object *cached = json_get(doc, "qemu", json_type_object);
        assert_true(json_object_equal(cached, o));
        assert_int_equal(json_add(cached, "package", json_object_new_string("marked")), 0);
        const char *marked = json_object_to_json_string(doc);
        assert_int_equal(write_full_file(entry, marked, strlen(marked)), 0);
        assert_int_equal(probe_qemu("/", NULL, 0, &again), 0);
        assert_string_equal(json_get_string(again, "package"), "marked");
        assert_string_equal(json_get_string(again, "path"), qemu);
        json_object_put(TAKE_PTR(again));

        /* Another key (the binary changed): QEMU is asked again and the entry replaced. */
        assert_int_equal(json_add(key, "size", json_object_new_int64(1)), 0);
        marked = json_object_to_json_string(doc);
        assert_int_equal(write_full_file(entry, marked, strlen(marked)), 0);
        assert_int_equal(probe_qemu("/", NULL, 0, &again), 0);
        assert_true(json_object_equal(o, again));
        json_object_put(TAKE_PTR(again));

        /* A corrupt entry is ignored and rewritten. */
        assert_int_equal(write_full_file(entry, "{\"key\": 1", 9), 0);
        assert_int_equal(probe_qemu("/", NULL, 0, &again), 0);
        assert_true(json_object_equal(o, again));
        assert_int_equal(count_files(cache), 1);
        free(text);
        assert_int_equal(read_full_file(entry, 1024 * 1024, &text, &size), 0);
        assert_non_null(strstr(text, "\"key\""));
        assert_int_equal(unsetenv("CVM_CACHE_DIR"), 0);
}

static void qemu_probe_failures(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree(
                (const char *[]){ "/fails",
                                  "#!/bin/sh\necho 'qemu-system-x86_64: -machine none: unsupported "
                                  "machine type' >&2\nexit 3\n",
                                  "/chatty", "#!/bin/sh\necho '{\"return\": {}}'\nexec sleep 30\n",
                                  "/not-executable", "", NULL });
        /* Held for its cleanup: the probe caches below a temporary $CVM_CACHE_DIR. */
        _unused_ _cleanup_(rm_rf_freep) char *cache = cache_dir();
        _cleanup_free_ char *fails = NULL, *chatty = NULL, *noexec = NULL, *missing = NULL;
        json_object *o;

        assert_true(asprintf(&fails, "%s/fails", dir) > 0);
        assert_true(asprintf(&chatty, "%s/chatty", dir) > 0);
        assert_true(asprintf(&noexec, "%s/not-executable", dir) > 0);
        assert_true(asprintf(&missing, "%s/missing", dir) > 0);
        assert_int_equal(chmod(fails, 0755), 0);
        assert_int_equal(chmod(chatty, 0755), 0);

        /* --no-qemu: not collected, nothing started. */
        o = (json_object *) 0x1;
        assert_int_equal(probe_qemu("/", fails, CVM_FACTS_NO_QEMU, &o), 0);
        assert_null(o);

        /* Exits before QMP: its stderr and exit status are kept for the message. */
        assert_int_equal(probe_qemu("/", fails, 0, &o), 0);
        assert_int_equal(json_error_get(o), -ECONNRESET);
        assert_string_equal(json_get_string(o, "path"), fails);
        assert_string_equal(json_get_string(o, "stderr"),
                            "qemu-system-x86_64: -machine none: unsupported machine type");
        assert_int_equal(json_object_get_int(json_get(o, "exit_status", json_type_int)), 3);
        cvm_host_report *rep = check_with_qemu(o);
        const cvm_finding *t = find(rep, "tdx.qemu");
        assert_int_equal(t->status, CVM_CHECK_FAIL);
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want,
                             "QEMU %s exited before answering over QMP (exit status 3): qemu-system-x86_64: "
                             "-machine none: unsupported machine type",
                             fails) > 0);
        assert_string_equal(t->message, want);
        assert_non_null(strstr(t->hint, "-machine none -nodefaults -display none -qmp stdio"));
        cvm_host_report_free(rep);
        json_object_put(o);
        /* Failures are not cached. */
        assert_int_equal(count_files(cache), 0);

        /* Speaks, but not QMP: killed at once, no child left behind (waitpid below finds none). */
        assert_int_equal(probe_qemu("/", chatty, 0, &o), 0);
        assert_int_equal(json_error_get(o), -EPROTO);
        assert_int_equal(json_object_get_int(json_get(o, "signal", json_type_int)), SIGKILL);
        rep = check_with_qemu(o);
        assert_non_null(strstr(find(rep, "snp.qemu")->message, "does not speak QMP on -qmp stdio (killed by "
                                                               "signal 9, Killed)"));
        cvm_host_report_free(rep);
        json_object_put(o);
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);

        assert_int_equal(probe_qemu("/", noexec, 0, &o), 0);
        assert_int_equal(json_error_get(o), -EACCES);
        rep = check_with_qemu(o);
        assert_non_null(
                strstr(find(rep, "tdx.qemu")->message, "cannot be started: EACCES (Permission denied)"));
        cvm_host_report_free(rep);
        json_object_put(o);

        assert_int_equal(probe_qemu("/", missing, 0, &o), 0);
        assert_int_equal(json_error_get(o), -ENOENT);
        assert_string_equal(json_get_string(o, "path"), missing);
        json_object_put(o);

        /* Nothing anywhere. */
        _cleanup_free_ char *old_path = strdup(getenv("PATH") ?: "");
        assert_int_equal(setenv("PATH", dir, 1), 0);
        assert_int_equal(unsetenv("CVM_QEMU"), 0);
        assert_int_equal(probe_qemu("/", NULL, 0, &o), 0);
        assert_int_equal(setenv("PATH", old_path, 1), 0);
        if (access("/usr/libexec/qemu-kvm", X_OK) < 0 && access("/usr/bin/qemu-kvm", X_OK) < 0) {
                assert_int_equal(json_error_get(o), -ENOENT);
                assert_null(json_get_string(o, "path"));
                assert_non_null(json_get(o, "searched", json_type_array));
                rep = check_with_qemu(o);
                t = find(rep, "tdx.qemu");
                assert_int_equal(t->status, CVM_CHECK_FAIL);
                assert_string_equal(t->message,
                                    "No QEMU binary found ($CVM_QEMU unset, no qemu-system-x86_64 in "
                                    "PATH, no /usr/libexec/qemu-kvm or /usr/bin/qemu-kvm)");
                cvm_host_report_free(rep);
        }
        json_object_put(o);
        assert_int_equal(unsetenv("CVM_CACHE_DIR"), 0);
}

static void qemu_checks_from_facts(void **state)
{
        /* Versions and types decide; the facts are what a saved document would hold. */
        static const struct {
                const char *json;
                cvm_check_status tdx, snp;
                const char *tdx_message;
        } cases[] = {
                { "{\"path\": \"/q\", \"version\": \"11.1.3\", \"types\": [\"tdx-guest\", "
                  "\"sev-snp-guest\"], "
                  "\"properties\": {}}",
                  CVM_CHECK_PASS, CVM_CHECK_PASS, "QEMU 11.1.3 at /q provides tdx-guest" },
                { "{\"path\": \"/q\", \"version\": \"10.0.13\", \"package\": \"Debian "
                  "1:10.0.13+ds-0+deb13u1\", "
                  "\"types\": [\"sev-guest\", \"sev-snp-guest\"], \"properties\": {}}",
                  CVM_CHECK_FAIL, CVM_CHECK_PASS,
                  "QEMU 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1) at /q has no tdx-guest object: TDX needs "
                  "QEMU >= "
                  "10.1" },
                { "{\"path\": \"/q\", \"version\": \"8.2.2\", \"types\": [\"tdx-guest\"], \"properties\": "
                  "{}}",
                  CVM_CHECK_WARN, CVM_CHECK_FAIL,
                  "QEMU 8.2.2 at /q has tdx-guest but predates upstream support (10.1): a downstream build "
                  "whose "
                  "options may differ from what cvm emits" },
                { "{\"path\": \"/q\", \"version\": \"10.2.0\", \"types\": [], \"properties\": {}}",
                  CVM_CHECK_FAIL, CVM_CHECK_FAIL,
                  "QEMU 10.2.0 at /q has no tdx-guest object (built without TDX support?)" },
                { "{\"error\": \"ETIMEDOUT\", \"path\": \"/q\"}", CVM_CHECK_SKIP, CVM_CHECK_SKIP,
                  "QEMU /q did not answer over QMP within 10 s" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(json_object_putp) json_object *q = json_tokener_parse(cases[i].json);
                assert_non_null(q);
                cvm_host_report *rep = check_with_qemu(q);
                assert_int_equal(find(rep, "tdx.qemu")->status, cases[i].tdx);
                assert_int_equal(find(rep, "snp.qemu")->status, cases[i].snp);
                assert_string_equal(find(rep, "tdx.qemu")->message, cases[i].tdx_message);
                cvm_host_report_free(rep);
        }
}

static void qemu_probe_qemu11(void **state)
{
        const char *q11 = getenv("CVM_TEST_QEMU11");
        assert_false(isempty(q11)); /* registered only when set */
        /* Held for its cleanup: the probe caches below a temporary $CVM_CACHE_DIR. */
        _unused_ _cleanup_(rm_rf_freep) char *cache = cache_dir();
        _cleanup_(json_object_putp) json_object *o = NULL;

        assert_int_equal(probe_qemu("/", q11, 0, &o), 0);
        assert_int_equal(json_error_get(o), 0);
        const char *version = json_get_string(o, "version");
        assert_non_null(version);
        json_object *types = json_get(o, "types", json_type_array);
        assert_true(has_string(types, "tdx-guest"));
        assert_true(has_string(types, "sev-snp-guest"));
        /* reference/test-environment.md 3.3: what qom-list-properties gives for the two objects. */
        assert_true(has_property(o, "tdx-guest", "quote-generation-socket"));
        assert_true(has_property(o, "tdx-guest", "attributes"));
        assert_true(has_property(o, "tdx-guest", "sept-ve-disable"));
        assert_true(has_property(o, "tdx-guest", "mrconfigid"));
        assert_true(has_property(o, "sev-snp-guest", "cbitpos"));
        assert_true(has_property(o, "sev-snp-guest", "reduced-phys-bits"));
        assert_true(has_property(o, "sev-snp-guest", "id-block"));
        assert_true(has_property(o, "sev-snp-guest", "host-data"));

        cvm_host_report *rep = check_with_qemu(o);
        assert_int_equal(find(rep, "tdx.qemu")->status, CVM_CHECK_PASS);
        assert_int_equal(find(rep, "snp.qemu")->status, CVM_CHECK_PASS);
        assert_non_null(strstr(find(rep, "tdx.qemu")->message, version));
        cvm_host_report_free(rep);
        assert_int_equal(unsetenv("CVM_CACHE_DIR"), 0);
}

int main(void)
{
        struct CMUnitTest tests[] = {
                cmocka_unit_test(qmp_parse_real_lines),
                cmocka_unit_test(qmp_parse_rejects_malformed),
                cmocka_unit_test(qmp_client_handshake_and_events),
                cmocka_unit_test(qmp_client_errors_and_arguments),
                cmocka_unit_test(qmp_client_timeout_then_late_answer),
                cmocka_unit_test(qmp_client_peer_gone),
                cmocka_unit_test(qmp_client_read_events_nonblocking),
                cmocka_unit_test(qmp_client_oversized_line),
                cmocka_unit_test(qemu_checks_from_facts),
                cmocka_unit_test(qemu_probe_failures),
                cmocka_unit_test(qemu_probe_real_qemu_7_2),
                cmocka_unit_test(qemu_probe_qemu11),
        };
        size_t n = ELEMENTSOF(tests) - 2;

        /*
         * The cases that need a QEMU run only where there is one (cmocka 1.1.5 reports skip() as "not ok #
         * SKIP", which meson counts as a failure).
         */
        _cleanup_free_ char *qemu = find_in_path("qemu-system-x86_64");
        if (qemu)
                tests[n++] = tests[ELEMENTSOF(tests) - 2];
        else
                printf("# SKIP qemu_probe_real_qemu_7_2: no qemu-system-x86_64 in PATH\n");
        if (!isempty(getenv("CVM_TEST_QEMU11")))
                tests[n++] = tests[ELEMENTSOF(tests) - 1];
        else
                printf("# SKIP qemu_probe_qemu11: $CVM_TEST_QEMU11 is not set\n");
        fflush(stdout);
        return _cmocka_run_group_tests("test-qmp", tests, n, NULL, NULL);
}
