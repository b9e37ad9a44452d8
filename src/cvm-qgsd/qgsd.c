/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm-qgsd: a Quote Generation Service for TDX guests. QEMU forwards a TD's TDREPORT to it (over a unix
 * socket or AF_VSOCK) and gets a quote back; see qgs/qgs-proto.h for the wire format and qgsd-server.h
 * for the event loop.
 */
#include <getopt.h>
#include <sys/resource.h>

#include "log.h"
#include "qgs/soft-ca.h"
#include "qgsd-backend.h"
#include "qgsd-config.h"
#include "qgsd-listen.h"
#include "qgsd-server.h"
#include "sd-notify.h"

static const char *arg_config = NULL;
static bool arg_config_given = false;
static QgsdConfig arg_cmdline = {};

static void help(void)
{
        printf("Usage: cvm-qgsd [OPTIONS...]\n"
               "       cvm-qgsd --init-soft-ca=DIR\n\n"
               "Quote Generation Service for Intel TDX guests: answers the GetQuote requests QEMU forwards\n"
               "(Intel QGS protocol, framed or raw) with quotes from a backend.\n\n"
               "  --listen=unix:PATH|vsock:PORT  Where to listen (repeatable; default unix:%s,\n"
               "                                 'vsock' alone is port %u). Ignored under socket "
               "activation.\n"
               "  --backend=soft|dcap            Quote backend (default soft)\n"
               "  --soft-ca=DIR                  The soft backend's CA directory\n"
               "  --init-soft-ca=DIR             Create an INSECURE software CA in DIR and exit\n"
               "  --config=FILE                  Settings file (default %s if present;\n"
               "                                 Intel's /etc/qgs.conf keys port, number_threads work too)\n"
               "  --threads=N                    Worker threads: requests served at once (default %u)\n"
               "  --max-connections=N            Open connections at most (default %u)\n"
               "  --timeout=DURATION             Per-connection deadline: 30, 30s, 500ms (default 30s)\n"
               "  --debug                        Log every request\n"
               "  -h --help                      Show this help\n"
               "     --version                   Show the version\n\n"
               "SIGHUP reloads the configuration and the backend; SIGTERM finishes the requests in flight "
               "and\n"
               "exits. See cvm-qgsd(8).\n",
               QGSD_DEFAULT_SOCKET, QGSD_DEFAULT_VSOCK_PORT, QGSD_DEFAULT_CONFIG, QGSD_DEFAULT_THREADS,
               QGSD_DEFAULT_MAX_CONN);
}

/* Defaults, then the file, then the command line: at start and again on SIGHUP. */
static int load_config(QgsdConfig *ret, void *userdata)
{
        QgsdConfig c = {};
        int r = qgsd_config_load_file(&c, arg_config ?: QGSD_DEFAULT_CONFIG, !arg_config_given);
        if (r >= 0)
                r = qgsd_config_overlay(&c, &arg_cmdline) < 0 ? log_oom() : 0;
        if (r >= 0)
                r = qgsd_config_fill_defaults(&c) < 0 ? log_oom() : 0;
        if (r < 0) {
                qgsd_config_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

static void raise_fd_limit(void)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
}

static int parse_argv(int argc, char *argv[], const char **ret_init_dir)
{
        enum {
                ARG_LISTEN = 0x100,
                ARG_BACKEND,
                ARG_SOFT_CA,
                ARG_INIT_SOFT_CA,
                ARG_CONFIG,
                ARG_THREADS,
                ARG_MAX_CONN,
                ARG_TIMEOUT,
                ARG_DEBUG,
                ARG_VERSION,
        };
        static const struct option options[] = {
                { "listen", required_argument, NULL, ARG_LISTEN },
                { "backend", required_argument, NULL, ARG_BACKEND },
                { "soft-ca", required_argument, NULL, ARG_SOFT_CA },
                { "init-soft-ca", required_argument, NULL, ARG_INIT_SOFT_CA },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "threads", required_argument, NULL, ARG_THREADS },
                { "max-connections", required_argument, NULL, ARG_MAX_CONN },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "debug", no_argument, NULL, ARG_DEBUG },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                const char *name = NULL;
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("cvm-qgsd %s\n", PROJECT_VERSION);
                        return 0;
                case ARG_DEBUG:
                        log_set_max_level(LOG_DEBUG);
                        continue;
                case ARG_CONFIG:
                        arg_config = optarg;
                        arg_config_given = true;
                        continue;
                case ARG_INIT_SOFT_CA:
                        *ret_init_dir = optarg;
                        continue;
                case ARG_LISTEN:
                        name = "listen";
                        break;
                case ARG_BACKEND:
                        name = "backend";
                        break;
                case ARG_SOFT_CA:
                        name = "soft-ca";
                        break;
                case ARG_THREADS:
                        name = "threads";
                        break;
                case ARG_MAX_CONN:
                        name = "max-connections";
                        break;
                case ARG_TIMEOUT:
                        name = "timeout";
                        break;
                default:
                        return -EINVAL;
                }
                _cleanup_free_ char *where = NULL;
                if (asprintf(&where, "--%s", name) < 0)
                        return log_oom();
                r = qgsd_config_set(&arg_cmdline, name, optarg, where);
                if (r < 0)
                        return r;
        }
        if (optind < argc)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Unexpected argument '%s'", argv[optind]);
        return 1;
}

static int run(int argc, char *argv[])
{
        _cleanup_(qgsd_server_freep) QgsdServer *server = NULL;
        _cleanup_free_ int *fds = NULL;
        const char *init_dir = NULL;
        QgsdBackend *backend = NULL;
        QgsdConfig c = {};
        size_t n_fds = 0;
        int r;

        log_set_prefix("cvm-qgsd");
        r = parse_argv(argc, argv, &init_dir);
        if (r <= 0)
                return r;

        if (init_dir) {
                r = soft_ca_init(init_dir);
                if (r < 0)
                        return log_error_errno(r, "Failed to create a soft CA in '%s': %m", init_dir);
                printf("Created an INSECURE software quoting CA in %s (root certificate %s/root.pem, "
                       "collateral "
                       "%s/collateral).\n",
                       init_dir, init_dir, init_dir);
                return 0;
        }

        r = load_config(&c, NULL);
        if (r < 0)
                return r;
        r = qgsd_backend_load(&c, &backend);
        if (r < 0) {
                qgsd_config_done(&c);
                return r;
        }

        r = qgsd_listen_fds(&fds);
        if (r < 0)
                goto fail;
        if (r > 0) {
                n_fds = (size_t) r;
                log_info("Serving %zu socket(s) from the service manager", n_fds);
        } else {
                size_t n = 0;
                STRV_FOREACH (l, c.listen)
                        n++;
                fds = new0(int, n);
                if (!fds) {
                        r = log_oom();
                        goto fail;
                }
                STRV_FOREACH (l, c.listen) {
                        r = qgsd_listen_bind(*l, &fds[n_fds]);
                        if (r < 0)
                                goto fail;
                        n_fds++;
                        log_info("Listening on %s", *l);
                }
        }
        raise_fd_limit();

        r = qgsd_server_new(&c, fds, n_fds, TAKE_PTR(backend), load_config, NULL, &server);
        n_fds = 0;
        if (r < 0)
                goto fail;
        log_info("Ready: backend '%s', %u worker threads, at most %u connections, timeout %u ms", c.backend,
                 c.threads, c.max_connections, c.timeout_ms);
        (void) service_notifyf("READY=1\nSTATUS=Serving quotes (backend %s)", c.backend);
        qgsd_config_done(&c);
        return qgsd_server_run(server);

fail:
        for (size_t i = 0; i < n_fds; i++)
                (void) close(fds[i]);
        qgsd_backend_unref(backend);
        qgsd_config_done(&c);
        return r;
}

int main(int argc, char *argv[])
{
        int r = run(argc, argv);
        qgsd_config_done(&arg_cmdline);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
