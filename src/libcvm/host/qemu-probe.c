/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the QEMU binary can do, asked over QMP: QEMU is started paused with no machine
 * (`-S -machine none -nodefaults -display none -qmp stdio`, the way libvirt probes capabilities), asked
 * query-version, qom-list-types and qom-list-properties, then told to quit and reaped. Nothing runs a
 * shell; the child never outlives the probe (PROBE_TIMEOUT_USEC overall, then SIGKILL). No -accel: with
 * -machine none QEMU needs none and picks its default (TCG for qemu-system-*, which 7.2 and 11.1 start
 * with here), and qemu-kvm builds may lack TCG altogether. -no-user-config keeps a local qemu.conf from
 * adding devices to the empty machine.
 *
 * The "qemu" member of the facts:
 *   {"path": "/usr/bin/qemu-system-x86_64",               the binary, as found
 *    "version": "7.2.22", "package": "Debian 1:7.2+dfsg-7+deb12u18+b3",
 *    "types": ["sev-guest", "memory-backend-memfd", ...],  the wanted_types[] below that QEMU has
 *    "properties": {"tdx-guest": [{"name": "attributes", "type": "uint64"}, ...],
 *                   "sev-snp-guest": [...]}}               for those of the two types QEMU has
 * and when the probe failed:
 *   {"error": "ENOENT", "searched": ["$CVM_QEMU", "PATH:qemu-system-x86_64", "/usr/libexec/qemu-kvm", ...]}
 *   {"error": "EACCES" | "ENOEXEC" | "ECONNRESET" | "EPROTO" | "ETIMEDOUT" | ..., "path": P,
 *    "stderr": "first 4 KiB of QEMU's stderr", "exit_status": N | "signal": N}
 * ECONNRESET means QEMU exited before speaking QMP (a bad option, a missing library: see "stderr").
 *
 * Results are cached per binary under $CVM_CACHE_DIR, else /var/cache/cvm for root, else
 * $XDG_CACHE_HOME/cvm or ~/.cache/cvm, keyed by (realpath, size, mtime, ctime, cvm version). A wrapper
 * script is keyed by the script itself. The cache never fails the probe.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "facts.h"
#include "fileio.h"
#include "log.h"
#include "time-util.h"
#include "vm/qmp.h"

#define PROBE_TIMEOUT_USEC (10U * 1000 * 1000)
#define PROBE_STDERR_MAX   4096U
#define CACHE_FILE_MAX     (1024U * 1024)

extern char **environ;

/*
 * The object and device types a confidential launch may use; the probe records which exist.
 * Sources: reference/launch.md 1.1-1.3 and 8 (guest objects, memory backends, vsock for the QGS path),
 * QEMU docs/system/i386/{tdx,amd-memory-encryption}.rst.
 */
static const char *const wanted_types[] = {
        "tdx-guest",            /* TDX (QEMU >= 10.1) */
        "sev-guest",            /* SEV / SEV-ES */
        "sev-snp-guest",        /* SEV-SNP (QEMU >= 9.1) */
        "memory-backend-memfd", /* guest RAM; the shared half next to guest_memfd */
        "memory-backend-ram",
        "memory-backend-file",
        "vhost-vsock-pci", /* guest <-> host channel (kernel vhost) */
        "vhost-user-vsock-pci",
        "virtio-serial-pci",
        "virtio-blk-pci",
        "virtio-scsi-pci",
        "virtio-net-pci",
        "virtio-rng-pci",
        "tpm-crb", /* vTPM with swtpm */
        "tpm-emulator",
        "isa-debugcon", /* firmware log (docs/interop/firmware.json verbose-dynamic) */
        "igvm-cfg",     /* IGVM firmware (QEMU >= 10.1) */
        "kvm-accel",
};

/* Types whose properties the checks and the launcher need (qom-list-properties). */
static const char *const property_types[] = { "tdx-guest", "sev-snp-guest" };

static const char *const fallback_binaries[] = { "/usr/libexec/qemu-kvm", "/usr/bin/qemu-kvm" };

static uint64_t left_usec(uint64_t deadline)
{
        uint64_t now = now_usec();
        return now >= deadline ? 0 : deadline - now;
}

static bool is_executable_file(const char *p)
{
        struct stat st;
        return stat(p, &st) >= 0 && S_ISREG(st.st_mode) && access(p, X_OK) >= 0;
}

/* The binary to probe: 0 with a path, -ENOENT with the places searched in *ret_searched. */
static int find_qemu(const char *qemu, char **ret, json_object **ret_searched)
{
        if (!isempty(qemu))
                return (*ret = strdup(qemu)) ? 0 : -ENOMEM;

        const char *env = secure_getenv("CVM_QEMU");
        if (!isempty(env))
                return (*ret = strdup(env)) ? 0 : -ENOMEM;

        const char *path = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin";
        for (const char *p = path; *p;) {
                size_t l = strcspn(p, ":");
                /* Relative PATH entries depend on the working directory: not a place to take QEMU from. */
                if (l > 0 && p[0] == '/') {
                        _cleanup_free_ char *c = NULL;
                        if (asprintf(&c, "%.*s/qemu-system-x86_64", (int) l, p) < 0)
                                return -ENOMEM;
                        if (is_executable_file(c)) {
                                *ret = TAKE_PTR(c);
                                return 0;
                        }
                }
                p += l;
                if (*p == ':')
                        p++;
        }
        for (size_t i = 0; i < ELEMENTSOF(fallback_binaries); i++)
                if (is_executable_file(fallback_binaries[i]))
                        return (*ret = strdup(fallback_binaries[i])) ? 0 : -ENOMEM;

        json_object *s = json_object_new_array();
        if (!s || json_append(s, json_object_new_string("$CVM_QEMU")) < 0 ||
            json_append(s, json_object_new_string("PATH:qemu-system-x86_64")) < 0) {
                json_object_put(s);
                return -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(fallback_binaries); i++)
                if (json_append(s, json_object_new_string(fallback_binaries[i])) < 0) {
                        json_object_put(s);
                        return -ENOMEM;
                }
        *ret_searched = s;
        return -ENOENT;
}

typedef struct QemuChild {
        pid_t pid;
        int stdin_w, stdout_r, stderr_r;
        bool reaped;
        int status;
} QemuChild;

/* Kills and reaps a child still running, closes what is left: no probe leaves a process behind. */
static void qemu_child_done(QemuChild *c)
{
        if (c->pid > 0 && !c->reaped) {
                (void) kill(c->pid, SIGKILL);
                while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
                        ;
                c->reaped = true;
        }
        closep(&c->stdin_w);
        closep(&c->stdout_r);
        closep(&c->stderr_r);
        c->stdin_w = c->stdout_r = c->stderr_r = -EBADF;
}

/* pipe2() may hand out 0-2 when the caller closed its stdio; the child's dup2 targets must stay free. */
static int pipe_above_stdio(int fds[2])
{
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        for (size_t i = 0; i < 2; i++)
                if (fds[i] <= STDERR_FILENO) {
                        int n = fcntl(fds[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
                        int saved = errno;
                        (void) close(fds[i]);
                        if (n < 0) {
                                (void) close(fds[1 - i]);
                                return -saved;
                        }
                        fds[i] = n;
                }
        return 0;
}

static int spawn_qemu(const char *path, QemuChild *ret)
{
        int in[2] = { -EBADF, -EBADF }, out[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF };
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        int r;

        r = pipe_above_stdio(in);
        if (r >= 0)
                r = pipe_above_stdio(out);
        if (r >= 0)
                r = pipe_above_stdio(err);
        if (r < 0)
                goto fail_pipes;

        char *const argv[] = {
                (char *) path,
                (char *) "-no-user-config",
                (char *) "-S",
                (char *) "-machine",
                (char *) "none",
                (char *) "-nodefaults",
                (char *) "-display",
                (char *) "none",
                (char *) "-qmp",
                (char *) "stdio",
                NULL,
        };

        r = -posix_spawn_file_actions_init(&fa);
        if (r < 0)
                goto fail_pipes;
        r = -posix_spawnattr_init(&attr);
        if (r < 0) {
                posix_spawn_file_actions_destroy(&fa);
                goto fail_pipes;
        }
        /* The child starts with default signal dispositions and an empty mask, whatever ours are. */
        sigemptyset(&none);
        sigfillset(&all);
        r = -posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
        if (r >= 0)
                r = -posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
        if (r >= 0)
                r = -posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
        if (r >= 0)
                r = -posix_spawnattr_setsigmask(&attr, &none);
        if (r >= 0)
                r = -posix_spawnattr_setsigdefault(&attr, &all);
        if (r >= 0)
                r = -posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        pid_t pid = 0;
        if (r >= 0)
                /* glibc reports a failed execve (ENOENT, EACCES, ENOEXEC) as posix_spawn's result. */
                r = -posix_spawn(&pid, path, &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r < 0)
                goto fail_pipes;

        (void) close(in[0]);
        (void) close(out[1]);
        (void) close(err[1]);
        *ret = (QemuChild){ .pid = pid, .stdin_w = in[1], .stdout_r = out[0], .stderr_r = err[0] };
        return 0;

fail_pipes:
        for (size_t i = 0; i < 2; i++) {
                closep(&in[i]);
                closep(&out[i]);
                closep(&err[i]);
        }
        return r;
}

/* Waits for the child to exit until the deadline, then kills it. */
static void reap_child(QemuChild *c, uint64_t deadline)
{
        while (c->pid > 0 && !c->reaped) {
                pid_t k = waitpid(c->pid, &c->status, WNOHANG);
                if (k == c->pid) {
                        c->reaped = true;
                        break;
                }
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        /* ECHILD: the application ignores SIGCHLD and the kernel reaped it already. */
                        c->reaped = true;
                        c->status = -1;
                        break;
                }
                if (now_usec() >= deadline) {
                        log_debug("QEMU (pid %d) did not exit in time, killing it", (int) c->pid);
                        (void) kill(c->pid, SIGKILL);
                        while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
                                ;
                        c->reaped = true;
                        break;
                }
                (void) nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
        }
}

/* What QEMU wrote to stderr, bounded, as printable ASCII so the facts stay valid UTF-8. */
static char *read_stderr(int fd)
{
        char buf[PROBE_STDERR_MAX + 1];
        size_t n = 0;

        if (fd < 0)
                return NULL;
        (void) fcntl(fd, F_SETFL, O_NONBLOCK);
        for (;;) {
                char sink[4096];
                ssize_t k = n < PROBE_STDERR_MAX ? read(fd, buf + n, PROBE_STDERR_MAX - n)
                                                 : read(fd, sink, sizeof(sink));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                if (n < PROBE_STDERR_MAX)
                        n += (size_t) k;
        }
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
                n--;
        if (n == 0)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if ((buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\t') || (unsigned char) buf[i] >= 0x7f)
                        buf[i] = '?';
        buf[n] = 0;
        return strdup(buf);
}

static int query_version(QmpClient *q, uint64_t deadline, json_object *o)
{
        _cleanup_(json_object_putp) json_object *v = NULL;
        int r = qmp_execute(q, "query-version", NULL, left_usec(deadline), &v, NULL, NULL);
        if (r < 0)
                return r;

        json_object *qemu = json_get(v, "qemu", json_type_object);
        json_object *major = json_get(qemu, "major", json_type_int),
                    *minor = json_get(qemu, "minor", json_type_int),
                    *micro = json_get(qemu, "micro", json_type_int);
        if (!major || !minor || !micro)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "query-version answer lacks qemu.major/minor/micro");
        char version[64];
        snprintf(version, sizeof(version), "%" PRId64 ".%" PRId64 ".%" PRId64, json_object_get_int64(major),
                 json_object_get_int64(minor), json_object_get_int64(micro));
        if (json_add(o, "version", json_object_new_string(version)) < 0)
                return -ENOMEM;
        const char *package = json_get_string(v, "package");
        if (package && json_add(o, "package", json_object_new_string(package)) < 0)
                return -ENOMEM;
        return 0;
}

static int query_types(QmpClient *q, uint64_t deadline, json_object *o)
{
        _cleanup_(json_object_putp) json_object *list = NULL;
        int r = qmp_execute(q, "qom-list-types", NULL, left_usec(deadline), &list, NULL, NULL);
        if (r < 0)
                return r;
        if (!json_object_is_type(list, json_type_array))
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "qom-list-types did not return an array");

        bool have[ELEMENTSOF(wanted_types)] = {};
        size_t n = json_object_array_length(list);
        for (size_t i = 0; i < n; i++) {
                const char *name = json_get_string(json_object_array_get_idx(list, i), "name");
                if (!name)
                        continue;
                for (size_t w = 0; w < ELEMENTSOF(wanted_types); w++)
                        if (streq(name, wanted_types[w]))
                                have[w] = true;
        }

        json_object *types = json_object_new_array();
        if (json_add(o, "types", types) < 0)
                return -ENOMEM;
        for (size_t w = 0; w < ELEMENTSOF(wanted_types); w++)
                if (have[w] && json_append(types, json_object_new_string(wanted_types[w])) < 0)
                        return -ENOMEM;
        return 0;
}

static bool has_type(json_object *o, const char *type)
{
        json_object *types = json_get(o, "types", json_type_array);
        size_t n = types ? json_object_array_length(types) : 0;
        for (size_t i = 0; i < n; i++) {
                const char *s = json_object_get_string(json_object_array_get_idx(types, i));
                if (s && streq(s, type))
                        return true;
        }
        return false;
}

static int query_properties(QmpClient *q, uint64_t deadline, json_object *o)
{
        json_object *props = json_object_new_object();
        if (json_add(o, "properties", props) < 0)
                return -ENOMEM;

        for (size_t t = 0; t < ELEMENTSOF(property_types); t++) {
                if (!has_type(o, property_types[t]))
                        continue;

                _cleanup_(json_object_putp) json_object *args = json_object_new_object(), *list = NULL;
                if (!args || json_add(args, "typename", json_object_new_string(property_types[t])) < 0)
                        return -ENOMEM;
                _cleanup_free_ char *class = NULL, *desc = NULL;
                int r = qmp_execute(q, "qom-list-properties", args, left_usec(deadline), &list, &class,
                                    &desc);
                if (r == -EREMOTEIO) {
                        /* The type exists but will not list its properties: record none, keep the rest. */
                        log_debug("qom-list-properties %s: %s: %s", property_types[t], strna(class),
                                  strna(desc));
                        continue;
                }
                if (r < 0)
                        return r;
                if (!json_object_is_type(list, json_type_array))
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "qom-list-properties %s did not return an array",
                                               property_types[t]);

                json_object *a = json_object_new_array();
                if (json_add(props, property_types[t], a) < 0)
                        return -ENOMEM;
                size_t n = json_object_array_length(list);
                for (size_t i = 0; i < n; i++) {
                        json_object *p = json_object_array_get_idx(list, i);
                        const char *name = json_get_string(p, "name"), *type = json_get_string(p, "type");
                        if (!name || !type)
                                continue;
                        json_object *e = json_object_new_object();
                        if (json_append(a, e) < 0 || json_add(e, "name", json_object_new_string(name)) < 0 ||
                            json_add(e, "type", json_object_new_string(type)) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

/* Adds how the child ended (after it was reaped) and what it printed. */
static int add_child_outcome(json_object *o, QemuChild *c)
{
        _cleanup_free_ char *err = read_stderr(c->stderr_r);
        if (err && json_add(o, "stderr", json_object_new_string(err)) < 0)
                return -ENOMEM;
        if (c->reaped && c->status >= 0) {
                if (WIFEXITED(c->status) &&
                    json_add(o, "exit_status", json_object_new_int(WEXITSTATUS(c->status))) < 0)
                        return -ENOMEM;
                if (WIFSIGNALED(c->status) &&
                    json_add(o, "signal", json_object_new_int(WTERMSIG(c->status))) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static json_object *error_object(int error, const char *path)
{
        json_object *o = json_error_new(error);
        if (o && path && json_add(o, "path", json_object_new_string(path)) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

/* Runs QEMU and asks it. 0 with facts or an {"error": ...} object; -ENOMEM. */
static int probe_binary(const char *path, json_object **ret)
{
        uint64_t deadline = now_usec() + PROBE_TIMEOUT_USEC;
        _cleanup_(qemu_child_done)
                QemuChild child = { .stdin_w = -EBADF, .stdout_r = -EBADF, .stderr_r = -EBADF };
        _cleanup_(json_object_putp) json_object *o = NULL;
        int r;

        r = spawn_qemu(path, &child);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug_errno(r, "Cannot start %s: %m", path);
                return (*ret = error_object(r, path)) ? 0 : -ENOMEM;
        }

        QmpClient *q = NULL;
        r = qmp_client_new(child.stdout_r, child.stdin_w, &q);
        child.stdout_r = child.stdin_w = -EBADF; /* the client owns them now, even on failure */
        if (r < 0)
                return r;

        o = json_object_new_object();
        if (!o || json_add(o, "path", json_object_new_string(path)) < 0) {
                qmp_client_free(q);
                return -ENOMEM;
        }

        r = qmp_client_handshake(q, left_usec(deadline));
        if (r >= 0)
                r = query_version(q, deadline, o);
        if (r >= 0)
                r = query_types(q, deadline, o);
        if (r >= 0)
                r = query_properties(q, deadline, o);
        if (r >= 0) {
                /* The SHUTDOWN event comes before quit's return; the client queues and forgets it. */
                int k = qmp_execute(q, "quit", NULL, left_usec(deadline), NULL, NULL, NULL);
                if (k < 0 && k != -ECONNRESET)
                        log_debug_errno(k, "QMP quit to %s failed, will kill it: %m", path);
        }
        qmp_client_free(q); /* closes its stdin: QEMU also exits on its own after quit */
        if (r == -ENOMEM)
                return r;

        /* QEMU that closed its QMP stream is exiting; one that is still talking is killed at once. */
        reap_child(&child, r >= 0 || r == -ECONNRESET ? deadline : now_usec());
        if (r < 0) {
                log_debug_errno(r, "Probing %s over QMP failed: %m", path);
                json_object_put(o);
                o = error_object(r, path);
                if (!o || add_child_outcome(o, &child) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

static int cache_directory(char **ret)
{
        const char *e = secure_getenv("CVM_CACHE_DIR");
        if (!isempty(e))
                return (*ret = strdup(e)) ? 0 : -ENOMEM;
        if (geteuid() == 0)
                return (*ret = strdup("/var/cache/cvm")) ? 0 : -ENOMEM;
        e = secure_getenv("XDG_CACHE_HOME");
        if (e && e[0] == '/')
                return asprintf(ret, "%s/cvm", e) < 0 ? -ENOMEM : 0;
        e = secure_getenv("HOME");
        if (e && e[0] == '/')
                return asprintf(ret, "%s/.cache/cvm", e) < 0 ? -ENOMEM : 0;
        return -ENOENT;
}

/* The cache key of a binary and the file that holds its entry. */
static int cache_key(const char *path, json_object **ret_key, char **ret_file)
{
        _cleanup_free_ char *real = realpath(path, NULL), *dir = NULL;
        struct stat st;
        int r;

        if (!real)
                return -errno;
        if (stat(real, &st) < 0)
                return -errno;
        r = cache_directory(&dir);
        if (r < 0)
                return r;

        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned mdlen = 0;
        if (!EVP_Digest(real, strlen(real), md, &mdlen, EVP_sha256(), NULL))
                return -EIO;

        char mtime[48], ctime_[48];
        snprintf(mtime, sizeof(mtime), "%" PRId64 ".%09ld", (int64_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        snprintf(ctime_, sizeof(ctime_), "%" PRId64 ".%09ld", (int64_t) st.st_ctim.tv_sec,
                 st.st_ctim.tv_nsec);

        _cleanup_(json_object_putp) json_object *key = json_object_new_object();
        if (!key || json_add(key, "path", json_object_new_string(real)) < 0 ||
            json_add(key, "size", json_object_new_int64((int64_t) st.st_size)) < 0 ||
            json_add(key, "mtime", json_object_new_string(mtime)) < 0 ||
            json_add(key, "ctime", json_object_new_string(ctime_)) < 0 ||
            json_add(key, "cvm_version", json_object_new_string(cvm_version())) < 0)
                return -ENOMEM;
        if (asprintf(ret_file, "%s/qemu-%02x%02x%02x%02x%02x%02x%02x%02x.json", dir, md[0], md[1], md[2],
                     md[3], md[4], md[5], md[6], md[7]) < 0)
                return -ENOMEM;
        *ret_key = TAKE_PTR(key);
        return 0;
}

static int cache_load(const char *file, json_object *key, json_object **ret)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_(json_object_putp) json_object *doc = NULL;
        size_t size;
        int r;

        r = read_full_file(file, CACHE_FILE_MAX, &data, &size);
        if (r < 0)
                return r;
        r = json_parse_strict(data, size, FACTS_JSON_DEPTH, &doc);
        if (r < 0)
                return r;
        if (!json_object_equal(json_get(doc, "key", json_type_object), key))
                return -ESTALE;
        json_object *q = json_get(doc, "qemu", json_type_object);
        if (!q || !json_get_string(q, "version") || !json_get(q, "types", json_type_array) ||
            !json_get(q, "properties", json_type_object) || json_error_get(q) < 0)
                return -EBADMSG;
        *ret = json_object_get(q);
        return 0;
}

static int cache_store(const char *file, json_object *key, json_object *facts)
{
        _cleanup_free_ char *tmp = NULL, *dir = strdup(file);
        _cleanup_(json_object_putp) json_object *doc = json_object_new_object();
        int r;

        if (!dir || !doc || json_add(doc, "key", json_object_get(key)) < 0 ||
            json_add(doc, "qemu", json_object_get(facts)) < 0)
                return -ENOMEM;
        *strrchr(dir, '/') = 0;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return r;
        if (asprintf(&tmp, "%s.XXXXXX", file) < 0)
                return -ENOMEM;

        const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
        if (!text)
                return -ENOMEM;
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = RET_NERRNO(fchmod(fd, 0644));
        for (size_t n = strlen(text); r >= 0 && n > 0;) {
                ssize_t k = write(fd, text, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        r = -errno;
                else {
                        text += k;
                        n -= (size_t) k;
                }
        }
        if (r >= 0)
                r = RET_NERRNO(close(TAKE_FD(fd)));
        if (r >= 0)
                r = RET_NERRNO(rename(tmp, file));
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int probe_qemu(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        _cleanup_free_ char *path = NULL, *cache_file = NULL;
        _cleanup_(json_object_putp) json_object *key = NULL, *o = NULL;
        json_object *searched = NULL;
        int r;

        (void) root; /* a host-only probe: the collector runs it for "/" only */
        if (flags & CVM_FACTS_NO_QEMU) {
                *ret = NULL;
                return 0;
        }

        r = find_qemu(qemu, &path, &searched);
        if (r == -ENOENT) {
                o = json_error_new(r);
                if (!o) {
                        json_object_put(searched);
                        return -ENOMEM;
                }
                if (json_add(o, "searched", searched) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(o);
                return 0;
        }
        if (r < 0)
                return r;

        r = cache_key(path, &key, &cache_file);
        if (r == -ENOMEM)
                return r;
        if (r >= 0) {
                r = cache_load(cache_file, key, &o);
                if (r >= 0) {
                        log_debug("QEMU capabilities of %s from %s", path, cache_file);
                        if (json_add(o, "path", json_object_new_string(path)) < 0)
                                return -ENOMEM;
                        *ret = TAKE_PTR(o);
                        return 0;
                }
                if (r != -ENOENT)
                        log_debug_errno(r, "Ignoring QEMU cache %s: %m", cache_file);
        } else
                log_debug_errno(r, "No QEMU cache for %s: %m", path);

        r = probe_binary(path, &o);
        if (r < 0)
                return r;

        if (cache_file && json_error_get(o) == 0) {
                r = cache_store(cache_file, key, o);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        log_debug_errno(r, "Cannot write QEMU cache %s, ignoring: %m", cache_file);
        }
        *ret = TAKE_PTR(o);
        return 0;
}
