/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "argv-util.h"
#include "fileio.h"
#include "instance.h"
#include "json-util.h"
#include "log.h"
#include "string-table.h"

static const char *const instance_liveness_table[_INSTANCE_LIVENESS_MAX] = {
        [INSTANCE_RUNNING] = "running",
        [INSTANCE_STALE] = "stale",
        [INSTANCE_ORPHANED] = "orphaned",
};
DEFINE_STRING_TABLE_LOOKUP(instance_liveness, InstanceLiveness);

void instance_state_done(InstanceState *s)
{
        if (!s)
                return;
        free(s->name);
        free(s->coco);
        free(s->started);
        free(s->qemu);
        strv_free(s->argv);
        free(s->qmp_socket);
        free(s->control_socket);
        free(s->backend);
        free(s->connect);
        *s = (InstanceState){};
}

int rfc3339_format(time_t t, char **ret)
{
        struct tm tm;
        char buf[64];

        if (!gmtime_r(&t, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return -EINVAL;
        char *s = strdup(buf);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static json_object *string_or_null(const char *s)
{
        /* json-c's "null" is a NULL object; json_add() would take that for an allocation failure. */
        return s ? json_object_new_string(s) : NULL;
}

static int add_optional(json_object *o, const char *key, const char *value)
{
        if (!value)
                return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
        return json_add(o, key, string_or_null(value));
}

int instance_state_format(const InstanceState *s, char **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *argv = json_object_new_array();

        if (!o || json_add(o, "name", json_object_new_string(strempty(s->name))) < 0 ||
            json_add(o, "pid", json_object_new_int64(s->pid)) < 0 ||
            json_add(o, "pid_start", json_object_new_int64((int64_t) s->pid_start)) < 0 ||
            json_add(o, "supervisor_pid", json_object_new_int64(s->supervisor_pid)) < 0 ||
            add_optional(o, "coco", s->coco) < 0 || add_optional(o, "started", s->started) < 0 ||
            add_optional(o, "qemu", s->qemu) < 0 || json_add(o, "argv", argv) < 0 ||
            add_optional(o, "qmp_socket", s->qmp_socket) < 0 ||
            add_optional(o, "control_socket", s->control_socket) < 0 ||
            (s->backend && add_optional(o, "backend", s->backend) < 0) ||
            (s->connect && add_optional(o, "connect", s->connect) < 0) ||
            json_add(o, "restarts", json_object_new_int64(s->restarts)) < 0)
                return -ENOMEM;
        STRV_FOREACH (a, s->argv)
                if (json_append(argv, json_object_new_string(*a)) < 0)
                        return -ENOMEM;
        return json_format(o, ret);
}

static int dup_member(json_object *o, const char *key, char **ret)
{
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0; /* absent or null */
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : -ENOMEM;
}

static int int_member(json_object *o, const char *key, int64_t min, int64_t max, bool required, int64_t *ret)
{
        json_object *v = json_get(o, key, json_type_int);
        if (!v) {
                if (required || json_object_object_get_ex(o, key, NULL))
                        return -EBADMSG;
                *ret = 0;
                return 0;
        }
        int64_t x = json_object_get_int64(v);
        if (x < min || x > max)
                return -EBADMSG;
        *ret = x;
        return 0;
}

int instance_state_parse(const char *text, size_t size, InstanceState *ret)
{
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_(instance_state_done) InstanceState s = {};
        int64_t pid, start, spid, restarts;
        int r;

        if (size > INSTANCE_STATE_MAX)
                return -E2BIG;
        r = json_parse_strict(text, size, 8, &o);
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object) || !json_get_string(o, "name"))
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "state.json: not an object with a name");
        if (int_member(o, "pid", 0, INT32_MAX, true, &pid) < 0 ||
            int_member(o, "supervisor_pid", 1, INT32_MAX, true, &spid) < 0 ||
            int_member(o, "pid_start", 0, INT64_MAX, false, &start) < 0 ||
            int_member(o, "restarts", 0, UINT32_MAX, false, &restarts) < 0)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "state.json: bad pid or restart count");
        s.pid = (pid_t) pid;
        s.supervisor_pid = (pid_t) spid;
        s.pid_start = (uint64_t) start;
        s.restarts = (unsigned) restarts;

        if ((r = dup_member(o, "name", &s.name)) < 0 || (r = dup_member(o, "coco", &s.coco)) < 0 ||
            (r = dup_member(o, "started", &s.started)) < 0 || (r = dup_member(o, "qemu", &s.qemu)) < 0 ||
            (r = dup_member(o, "qmp_socket", &s.qmp_socket)) < 0 ||
            (r = dup_member(o, "control_socket", &s.control_socket)) < 0 ||
            (r = dup_member(o, "backend", &s.backend)) < 0 || (r = dup_member(o, "connect", &s.connect)) < 0)
                return r;

        json_object *a = json_get(o, "argv", json_type_array);
        if (a) {
                size_t n = json_object_array_length(a);
                s.argv = new0(char *, n + 1);
                if (!s.argv)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(a, i);
                        if (!json_object_is_type(e, json_type_string))
                                return -EBADMSG;
                        if (!(s.argv[i] = strdup(json_object_get_string(e))))
                                return -ENOMEM;
                }
        }
        *ret = s;
        s = (InstanceState){};
        return 0;
}

/* Field 3 (state) and field 22 (start time) of /proc/PID/stat (proc(5)). */
static int proc_stat(pid_t pid, char *ret_state, uint64_t *ret_start)
{
        char path[64], buf[1024];

        if (pid <= 0)
                return -ESRCH;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return errno == ESRCH ? -ESRCH : -errno;
        buf[n] = 0;

        /* "PID (COMM) S PPID ...": COMM may hold spaces and parentheses, so count from the last ')'. */
        const char *p = strrchr(buf, ')');
        if (!p)
                return -EBADMSG;
        p++;
        for (int field = 3; field <= 22; field++) {
                p += strspn(p, " ");
                if (!*p)
                        return -EBADMSG;
                if (field == 3)
                        *ret_state = *p;
                if (field == 22) {
                        char *end;
                        errno = 0;
                        unsigned long long v = strtoull(p, &end, 10);
                        if (errno || end == p)
                                return -EBADMSG;
                        *ret_start = v;
                        return 0;
                }
                p += strcspn(p, " ");
        }
        return -EBADMSG;
}

int proc_start_time(pid_t pid, uint64_t *ret)
{
        char state;
        return proc_stat(pid, &state, ret);
}

bool pid_is_alive(pid_t pid, uint64_t start_time)
{
        uint64_t t;
        char state;
        if (proc_stat(pid, &state, &t) < 0)
                return false;
        /* A zombie runs nothing any more; its reaper may just be slow (a killed supervisor's QEMU). */
        if (state == 'Z' || state == 'X')
                return false;
        return start_time == 0 || t == start_time;
}

static bool valid_name(const char *name)
{
        return !isempty(name) && !strchr(name, '/') && name[0] != '.' && strlen(name) <= 255;
}

/*
 * The lock is an open file description lock (fcntl F_OFD_SETLK): like flock(2) it belongs to the open file
 * and vanishes with its holder, and unlike flock it can be tested without being taken (F_OFD_GETLK), so a
 * `cvm list` never makes a `cvm run` starting at that moment fail.
 */
static int lock_take(int fd)
{
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
                return errno == EAGAIN || errno == EACCES ? -EBUSY : -errno;
        return 0;
}

/* 1: another open file description holds the lock, 0: free, -errno. */
static int lock_test(const char *dir)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/" INSTANCE_LOCK, dir) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
                return -errno;
        return fl.l_type != F_UNLCK;
}

/* Unlinks everything in dir but keep (NULL: everything); returns how many entries went. */
static int empty_dir(const char *dir, const char *keep)
{
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;
        int fd2 = dup(dfd);
        if (fd2 < 0)
                return -errno;
        DIR *d = fdopendir(fd2);
        if (!d) {
                (void) close(fd2);
                return -errno;
        }
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, "..") || (keep && streq(de->d_name, keep)))
                        continue;
                if (unlinkat(dfd, de->d_name, 0) >= 0 ||
                    (errno == EISDIR && unlinkat(dfd, de->d_name, AT_REMOVEDIR) >= 0))
                        n++;
                else
                        log_debug_errno(errno, "Cannot remove %s/%s: %m", dir, de->d_name);
        }
        (void) closedir(d);
        return n;
}

static int read_state_file(const char *dir, InstanceState *ret)
{
        _cleanup_free_ char *p = NULL, *text = NULL;
        size_t size;
        if (asprintf(&p, "%s/" INSTANCE_STATE, dir) < 0)
                return -ENOMEM;
        int r = read_full_file(p, INSTANCE_STATE_MAX, &text, &size);
        if (r < 0)
                return r;
        return instance_state_parse(text, size, ret);
}

int instance_acquire(const char *base, const char *name, Instance **ret, bool *ret_cleaned,
                     pid_t *ret_busy_pid)
{
        _cleanup_free_ char *dir = NULL, *lock = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (!valid_name(name) || isempty(base))
                return -EINVAL;
        if (asprintf(&dir, "%s/%s", base, name) < 0 || asprintf(&lock, "%s/" INSTANCE_LOCK, dir) < 0)
                return -ENOMEM;
        r = mkdir_p(base, 0700);
        if (r < 0)
                return log_debug_errno(r, "Cannot create %s: %m", base);

        /*
         * A supervisor that exits removes the directory, lock file included, and only then drops the lock:
         * whoever got the lock meanwhile holds it on a deleted file. So the lock only counts when the path
         * still names the locked file; otherwise start over (a few rounds; each needs a racing exit).
         */
        for (unsigned attempt = 0;; attempt++) {
                if (attempt >= 16)
                        return -EBUSY;
                if (fd >= 0)
                        (void) close(TAKE_FD(fd));
                if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                        return -errno;
                fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                r = lock_take(fd);
                if (r < 0)
                        return r;
                struct stat a, b;
                if (fstat(fd, &a) < 0)
                        return -errno;
                if (stat(lock, &b) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                        break;
        }

        /* Another user's directory of that name (or a symlink planted there) is not ours to use. */
        if (lstat(dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
                return -EPERM;

        /* The lock is ours, so any supervisor of a previous run is gone. Its QEMU should be, too. */
        _cleanup_(instance_state_done) InstanceState old = {};
        if (read_state_file(dir, &old) >= 0 && old.pid > 0 && pid_is_alive(old.pid, old.pid_start)) {
                if (ret_busy_pid)
                        *ret_busy_pid = old.pid;
                return log_debug_errno(SYNTHETIC_ERRNO(EBUSY),
                                       "QEMU pid %d of a previous run of %s still runs", (int) old.pid,
                                       name);
        }
        r = empty_dir(dir, INSTANCE_LOCK);
        if (r < 0)
                return r;
        if (r > 0)
                log_debug("Removed %d leftover entries of a previous run from %s", r, dir);

        Instance *i = new0(Instance, 1);
        if (!i || !(i->name = strdup(name))) {
                free(i);
                return -ENOMEM;
        }
        i->dir = TAKE_PTR(dir);
        i->lock_fd = TAKE_FD(fd);
        if (ret_cleaned)
                *ret_cleaned = r > 0;
        *ret = i;
        return 0;
}

char *instance_path(const Instance *i, const char *file)
{
        char *p;
        if (asprintf(&p, "%s/%s", i->dir, file) < 0)
                return NULL;
        return p;
}

/* Writes data to dir/file through a temporary name and rename(), so readers never see half a file. */
static int write_atomic(const char *dir, const char *file, const char *data)
{
        _cleanup_free_ char *tmp = NULL, *path = NULL;
        if (asprintf(&tmp, "%s/.%s.tmp", dir, file) < 0 || asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        size_t n = strlen(data);
        for (const char *p = data; n > 0;) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        (void) unlink(tmp);
                        return r;
                }
                p += k;
                n -= (size_t) k;
        }
        if (rename(tmp, path) < 0) {
                int r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

int instance_write_state(Instance *i, const InstanceState *s)
{
        _cleanup_free_ char *text = NULL;
        char pid[32];
        int r = instance_state_format(s, &text);
        if (r < 0)
                return r;
        snprintf(pid, sizeof(pid), "%d\n", (int) s->pid);
        r = write_atomic(i->dir, INSTANCE_PID, pid);
        if (r < 0)
                return r;
        return write_atomic(i->dir, INSTANCE_STATE, text);
}

Instance *instance_release(Instance *i)
{
        if (!i)
                return NULL;
        (void) empty_dir(i->dir, NULL);
        if (rmdir(i->dir) < 0)
                log_debug_errno(errno, "Cannot remove %s: %m", i->dir);
        if (i->lock_fd >= 0)
                (void) close(i->lock_fd);
        free(i->dir);
        free(i->name);
        free(i);
        return NULL;
}

int instance_inspect(const char *base, const char *name, InstanceLiveness *ret_liveness,
                     InstanceState *ret_state)
{
        _cleanup_free_ char *dir = NULL;
        _cleanup_(instance_state_done) InstanceState s = {};
        struct stat st;

        if (!valid_name(name))
                return -EINVAL;
        if (asprintf(&dir, "%s/%s", base, name) < 0)
                return -ENOMEM;
        if (lstat(dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;

        int held = lock_test(dir);
        if (held < 0)
                return held;
        int r = read_state_file(dir, &s);
        if (r < 0 && r != -ENOENT)
                log_debug_errno(r, "Cannot read %s/" INSTANCE_STATE ": %m", dir);

        if (ret_liveness)
                *ret_liveness = held                                            ? INSTANCE_RUNNING
                                : s.pid > 0 && pid_is_alive(s.pid, s.pid_start) ? INSTANCE_ORPHANED
                                                                                : INSTANCE_STALE;
        if (ret_state) {
                *ret_state = s;
                s = (InstanceState){};
        }
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int instance_list(const char *base, char ***ret)
{
        _cleanup_(strv_freep) char **l = NULL;
        size_t n = 0, alloc = 0;

        DIR *d = opendir(base);
        if (!d) {
                if (errno != ENOENT)
                        return -errno;
                l = new0(char *, 1);
                if (!l)
                        return -ENOMEM;
                *ret = TAKE_PTR(l);
                return 0;
        }
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d))) {
                if (!valid_name(de->d_name))
                        continue;
                if (de->d_type != DT_DIR) {
                        struct stat st;
                        if (de->d_type != DT_UNKNOWN ||
                            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            !S_ISDIR(st.st_mode))
                                continue;
                }
                if (n + 2 > alloc) {
                        size_t na = alloc ? alloc * 2 : 16;
                        char **nl = realloc(l, na * sizeof(char *));
                        if (!nl) {
                                r = -ENOMEM;
                                break;
                        }
                        l = nl;
                        alloc = na;
                }
                if (!(l[n] = strdup(de->d_name))) {
                        r = -ENOMEM;
                        break;
                }
                l[++n] = NULL;
        }
        (void) closedir(d);
        if (r < 0)
                return r;
        if (!l && !(l = new0(char *, 1)))
                return -ENOMEM;
        qsort(l, n, sizeof(char *), cmp_str);
        *ret = TAKE_PTR(l);
        return 0;
}
