/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include "facts.h"
#include "fileio.h"
#include "hexbase64.h"
#include "log.h"

static const FactProbe fact_probes[] = {
        { "kvm", probe_kvm, true }, { "cpuid", probe_cpuid, true }, { "msr", probe_msr, true },
        { "sev", probe_sev, true }, { "kmsg", probe_kmsg, false },  { "qemu", probe_qemu, true },
        { "qgs", probe_qgs, true },
};

static const FactFile *const fact_file_lists[] = {
        common_fact_files,
        tdx_fact_files,
        snp_fact_files,
        platform_fact_files,
};

static const char *mode_to_type(mode_t m)
{
        switch (m & S_IFMT) {
        case S_IFREG:
                return "file";
        case S_IFDIR:
                return "dir";
        case S_IFCHR:
                return "char";
        case S_IFBLK:
                return "block";
        case S_IFSOCK:
                return "socket";
        case S_IFIFO:
                return "fifo";
        default:
                return "other";
        }
}

static bool is_text(const char *p, size_t n)
{
        /* JSON strings must be UTF-8; anything with control bytes other than whitespace goes base64. */
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) p[i];
                if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f || c >= 0x80)
                        return false;
        }
        return true;
}

static int collect_file(json_object *files, json_object *paths, const char *root, const char *path,
                        FactKind kind)
{
        char buf[16];

        if (kind == FACT_PRESENCE) {
                mode_t m;
                int r = stat_at_root(root, path, &m);
                return json_add(paths, path,
                                json_object_new_string(r < 0 ? errno_to_name(r, buf) : mode_to_type(m)));
        }

        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_full_file_at_root(root, path, FACTS_FILE_MAX, &data, &size);
        if (r < 0) {
                log_debug_errno(r, "Cannot read %s: %m", path);
                return json_add(files, path, json_error_new(r));
        }

        /* Every processor repeats the same stanza; the checks read the first (CPU 0). */
        if (streq(path, "/proc/cpuinfo")) {
                char *end = strstr(data, "\n\n");
                if (end) {
                        end[2] = 0;
                        size = (size_t) (end + 2 - data);
                }
        }

        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        if (kind == FACT_TEXT && is_text(data, size))
                r = json_add(o, "text", json_object_new_string_len(data, (int) size));
        else {
                _cleanup_free_ char *b64 = NULL;
                r = base64_encode(data, size, &b64);
                if (r < 0)
                        return r;
                r = json_add(o, "base64", json_object_new_string(b64));
        }
        if (r < 0)
                return r;
        return json_add(files, path, TAKE_PTR(o));
}

static int compare_strings(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Expands the one globbed component of pattern under root and collects every match, sorted. */
static int collect_glob(json_object *files, json_object *paths, const char *root, const char *pattern,
                        FactKind kind)
{
        const char *star = strchr(pattern, '*');
        const char *comp = star;
        while (comp > pattern && comp[-1] != '/')
                comp--;
        const char *rest = strchr(star, '/') ?: star + strlen(star);

        _cleanup_free_ char *dir = strndup(pattern, (size_t) (comp - pattern - 1));
        _cleanup_free_ char *glob = strndup(comp, (size_t) (rest - comp));
        if (!dir || !glob)
                return -ENOMEM;

        _cleanup_close_ int fd = open_at_root(root, isempty(dir) ? "/" : dir, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return 0; /* no directory, no matches: the checks see no entries */
        DIR *d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);

        char **names = NULL;
        size_t n = 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' || fnmatch(glob, de->d_name, 0) != 0)
                        continue;
                char **a = realloc(names, (n + 1) * sizeof(char *));
                if (!a) {
                        r = -ENOMEM;
                        break;
                }
                names = a;
                if (asprintf(&names[n], "%s/%s%s", dir, de->d_name, rest) < 0) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);

        if (r >= 0 && n > 0)
                qsort(names, n, sizeof(char *), compare_strings);
        for (size_t i = 0; i < n; i++) {
                if (r >= 0)
                        r = collect_file(files, paths, root, names[i], kind);
                free(names[i]);
        }
        free(names);
        return r;
}

static int collect_probe_from_root(const char *root, const char *name, json_object **ret)
{
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t size;

        if (asprintf(&path, "/cvm-facts/%s.json", name) < 0)
                return -ENOMEM;
        int r = read_full_file_at_root(root, path, FACTS_FILE_MAX, &data, &size);
        if (r == -ENOENT) {
                *ret = NULL; /* not collected */
                return 0;
        }
        if (r >= 0)
                r = json_parse_strict(data, size, FACTS_JSON_DEPTH, ret);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug_errno(r, "Cannot use %s below %s: %m", path, root);
                *ret = json_error_new(r);
                return *ret ? 0 : -ENOMEM;
        }
        return 0;
}

_public_ int cvm_host_facts_collect(const char *root, const char *qemu, unsigned flags, cvm_host_facts **ret)
{
        _cleanup_(json_object_putp) json_object *doc = json_object_new_object();
        json_object *files = json_object_new_object(), *paths = json_object_new_object();
        int r;

        if (root_is_host(root))
                root = "/";
        if (!doc || json_add(doc, "cvm-facts", json_object_new_int(FACTS_FORMAT_VERSION)) < 0 ||
            json_add(doc, "cvm_version", json_object_new_string(cvm_version())) < 0 ||
            json_add(doc, "root", json_object_new_string(root)) < 0 || json_add(doc, "files", files) < 0 ||
            json_add(doc, "paths", paths) < 0)
                return -ENOMEM;

        /* CVM_FACTS_COMMON_ONLY: what every VM needs (the common checks' files and KVM), nothing else. */
        bool common_only = flags & CVM_FACTS_COMMON_ONLY;
        for (size_t l = 0; l < (common_only ? 1 : ELEMENTSOF(fact_file_lists)); l++)
                for (const FactFile *ff = fact_file_lists[l]; ff->path; ff++) {
                        if (json_get(files, ff->path, json_type_object) ||
                            json_get(paths, ff->path, json_type_string))
                                continue; /* listed by two modules */
                        r = strchr(ff->path, '*') ? collect_glob(files, paths, root, ff->path, ff->kind)
                                                  : collect_file(files, paths, root, ff->path, ff->kind);
                        if (r < 0)
                                return r;
                }

        for (size_t i = 0; i < ELEMENTSOF(fact_probes); i++) {
                const FactProbe *p = fact_probes + i;
                json_object *o = NULL;

                if (common_only && p->probe != probe_kvm)
                        continue;
                if (p->host_only && !root_is_host(root))
                        r = collect_probe_from_root(root, p->name, &o);
                else
                        r = p->probe(root, qemu, flags, &o);
                if (r < 0) {
                        json_object_put(o);
                        if (r == -ENOMEM)
                                return r;
                        o = json_error_new(r);
                        if (!o)
                                return -ENOMEM;
                }
                if (o && json_add(doc, p->name, o) < 0)
                        return -ENOMEM;
        }

        if (!common_only) {
                HostFacts partial = { .doc = doc };
                json_object *fw = NULL;
                r = probe_firmware(&partial, root, &fw);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        fw = json_error_new(r);
                if (json_add(doc, "firmware", fw) < 0)
                        return -ENOMEM;
        }

        HostFacts *f = new0(HostFacts, 1);
        if (!f)
                return -ENOMEM;
        f->doc = TAKE_PTR(doc);
        *ret = f;
        return 0;
}

_public_ int cvm_host_facts_parse(const char *json, size_t size, cvm_host_facts **ret)
{
        _cleanup_(json_object_putp) json_object *doc = NULL;
        int r;

        if (size > FACTS_DOC_MAX)
                return -E2BIG;
        r = json_parse_strict(json, size, FACTS_JSON_DEPTH, &doc);
        if (r < 0)
                return r;
        json_object *v = json_get(doc, "cvm-facts", json_type_int);
        if (!v)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "Not a cvm facts document: no \"cvm-facts\" member");
        if (json_object_get_int(v) != FACTS_FORMAT_VERSION)
                return log_debug_errno(SYNTHETIC_ERRNO(EOPNOTSUPP), "Unsupported facts format version %d",
                                       json_object_get_int(v));
        if (!json_get(doc, "files", json_type_object) || !json_get(doc, "paths", json_type_object))
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "Facts document lacks \"files\" or \"paths\"");

        HostFacts *f = new0(HostFacts, 1);
        if (!f)
                return -ENOMEM;
        f->doc = TAKE_PTR(doc);
        *ret = f;
        return 0;
}

_public_ int cvm_host_facts_format(const cvm_host_facts *facts, char **ret)
{
        return json_format(facts->doc, ret);
}

_public_ cvm_host_facts *cvm_host_facts_free(cvm_host_facts *facts)
{
        if (facts) {
                json_object_put(facts->doc);
                free(facts);
        }
        return NULL;
}

static json_object *facts_file_entry(const HostFacts *f, const char *path)
{
        return json_get(json_get(f->doc, "files", json_type_object), path, json_type_object);
}

int facts_file_text(const HostFacts *f, const char *path, const char **ret)
{
        json_object *e = facts_file_entry(f, path);
        if (!e)
                return -ENOENT;
        int r = json_error_get(e);
        if (r < 0)
                return r;
        const char *t = json_get_string(e, "text");
        if (!t)
                return json_get_string(e, "base64") ? -EBADMSG : -ENOENT;
        *ret = t;
        return 0;
}

int facts_file_bytes(const HostFacts *f, const char *path, uint8_t **ret, size_t *ret_size)
{
        json_object *e = facts_file_entry(f, path);
        if (!e)
                return -ENOENT;
        int r = json_error_get(e);
        if (r < 0)
                return r;
        const char *s = json_get_string(e, "base64");
        if (s) {
                r = base64_decode(s, SIZE_MAX, ret, ret_size);
                return r == -EINVAL ? -EBADMSG : r;
        }
        s = json_get_string(e, "text");
        if (!s)
                return -ENOENT;
        uint8_t *p = (uint8_t *) strdup(s);
        if (!p)
                return -ENOMEM;
        *ret = p;
        *ret_size = strlen(s);
        return 0;
}

int facts_files_with_prefix(const HostFacts *f, const char *prefix, const char ***ret)
{
        json_object *files = json_get(f->doc, "files", json_type_object);
        size_t n = 0;
        const char **l = calloc((size_t) (files ? json_object_object_length(files) : 0) + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        if (files) {
                json_object_object_foreach (files, key, val) {
                        (void) val;
                        if (startswith(key, prefix))
                                l[n++] = key;
                }
        }
        qsort(l, n, sizeof(char *), compare_strings);
        *ret = l;
        return (int) n;
}

int facts_path_type(const HostFacts *f, const char *path, const char **ret)
{
        const char *t = json_get_string(json_get(f->doc, "paths", json_type_object), path);
        if (!t)
                return -ENODATA;
        if (t[0] == 'E') {
                int e = errno_from_name(t);
                return e > 0 ? -e : -EIO;
        }
        *ret = t;
        return 0;
}

json_object *facts_member(const HostFacts *f, const char *name)
{
        json_object *v;
        if (!json_object_object_get_ex(f->doc, name, &v))
                return NULL;
        return v;
}

int facts_probe_result(const HostFacts *f, const char *name, json_object **ret)
{
        json_object *m = facts_member(f, name);
        if (!m)
                return -ENODATA;
        if (!json_object_is_type(m, json_type_object))
                return -EBADMSG;
        int r = json_error_get(m);
        if (r < 0)
                return r;
        *ret = m;
        return 0;
}

const char *facts_root(const HostFacts *f)
{
        return json_get_string(f->doc, "root") ?: "/";
}
