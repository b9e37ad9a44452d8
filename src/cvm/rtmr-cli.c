/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `cvm measure tdx` RTMR options and output (rtmr-cli.h).
 */
#include <inttypes.h>

#include "fileio.h"
#include "hexbase64.h"
#include "log.h"
#include "measure/eventlog.h"
#include "parse-util.h"
#include "rtmr-cli.h"
#include "verbs.h"

/* A guest kernel, initrd or UKI read for hashing; a multi-GiB initrd is a mistake, not a guest. */
#define RTMR_FILE_MAX (1024U * 1024 * 1024)
/* QEMU's ACPI blobs: the table-loader is 4 KiB, the tables some 100 KiB. */
#define ACPI_BLOB_MAX (16U * 1024 * 1024)

int rtmr_cli_option(RtmrCli *cli, int c, const char *arg)
{
        switch (c) {
        case ARG_RTMR_KERNEL:
                cli->kernel = arg;
                return 1;
        case ARG_RTMR_INITRD:
                cli->initrd = arg;
                return 1;
        case ARG_RTMR_CMDLINE:
                cli->cmdline = arg;
                return 1;
        case ARG_RTMR_UKI:
                cli->uki = arg;
                return 1;
        case ARG_RTMR_ACPI_TABLES:
                cli->acpi_dir = arg;
                return 1;
        case ARG_RTMR_MEMORY:
                if (parse_size(arg, &cli->memory) < 0 || cli->memory == 0)
                        return usage_error("measure", "Invalid memory size '%s' (e.g. 2G, 4096M).", arg);
                return 1;
        case ARG_RTMR_EVENT_LAYOUT:
                cli->layout = rtmr_layout_from_string(arg);
                if (cli->layout < 0)
                        return usage_error(
                                "measure",
                                "Unknown event layout '%s' (edk2-202411, edk2-202505, edk2-202508).", arg);
                return 1;
        default:
                return 0;
        }
}

typedef struct Loaded {
        char *data;
        size_t size;
} Loaded;

static void loaded_done(Loaded *l)
{
        free(l->data);
}

static int load(const char *dir, const char *name, const char *what, size_t max, Loaded *ret)
{
        _cleanup_free_ char *path = NULL;
        int r;

        if (dir && asprintf(&path, "%s/%s", dir, name) < 0)
                return log_oom();
        r = read_full_file(path ?: name, max, &ret->data, &ret->size);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s '%s': %m", what, path ?: name);
        return 0;
}

static json_object *hex_new(const uint8_t *p, size_t n)
{
        _cleanup_free_ char *h = NULL;
        return hex_encode(p, n, &h) < 0 ? NULL : json_object_new_string(h);
}

int rtmr_cli_add(const RtmrCli *cli, const OvmfImage *img, const uint8_t *fw, size_t fw_size, json_object *o)
{
        _cleanup_(loaded_done) Loaded kernel = {}, initrd = {}, uki = {}, loader = {}, rsdp = {},
                                      tables = {};
        _cleanup_(rtmr_prediction_done) RtmrPrediction p = {};
        _cleanup_free_ char *err = NULL;
        RtmrInputs in = {
                .layout = cli->layout,
                .sections = img->tdvf_sections,
                .n_sections = img->n_tdvf_sections,
                .memory_size = cli->memory,
                .cmdline = cli->cmdline,
        };
        int r;

        /* The CFV: the raw bytes of the CFV section, as TdxHelperMeasureCfvImage hashes them. */
        for (size_t i = 0; i < img->n_tdvf_sections; i++) {
                const TdvfSection *s = img->tdvf_sections + i;
                if (s->type == TDVF_SECTION_CFV && s->data_offset <= fw_size &&
                    s->raw_size <= fw_size - s->data_offset) {
                        in.cfv = (RtmrBlob){ fw + s->data_offset, s->raw_size };
                        break;
                }
        }
        if (cli->kernel) {
                if ((r = load(NULL, cli->kernel, "kernel", RTMR_FILE_MAX, &kernel)) < 0)
                        return r;
                in.kernel = (RtmrBlob){ (const uint8_t *) kernel.data, kernel.size };
        }
        if (cli->initrd) {
                if ((r = load(NULL, cli->initrd, "initrd", RTMR_FILE_MAX, &initrd)) < 0)
                        return r;
                in.initrd = (RtmrBlob){ (const uint8_t *) initrd.data, initrd.size };
        }
        if (cli->uki) {
                if ((r = load(NULL, cli->uki, "UKI", RTMR_FILE_MAX, &uki)) < 0)
                        return r;
                in.uki = (RtmrBlob){ (const uint8_t *) uki.data, uki.size };
        }
        if (cli->acpi_dir) {
                if ((r = load(cli->acpi_dir, "table-loader", "ACPI table-loader", ACPI_BLOB_MAX, &loader)) <
                            0 ||
                    (r = load(cli->acpi_dir, "rsdp", "ACPI RSDP", ACPI_BLOB_MAX, &rsdp)) < 0 ||
                    (r = load(cli->acpi_dir, "tables", "ACPI tables", ACPI_BLOB_MAX, &tables)) < 0)
                        return r;
                in.acpi_loader = (RtmrBlob){ (const uint8_t *) loader.data, loader.size };
                in.acpi_rsdp = (RtmrBlob){ (const uint8_t *) rsdp.data, rsdp.size };
                in.acpi_tables = (RtmrBlob){ (const uint8_t *) tables.data, tables.size };
        }

        r = rtmr_predict(&in, &p, &err);
        if (r == -EINVAL && err) {
                (void) usage_error("measure", "%s.", err);
                return -EINVAL;
        }
        if (r < 0 && err)
                return log_error_errno(r, "Cannot predict the RTMRs: %s", err);
        if (r < 0)
                return log_error_errno(r, "Cannot predict the RTMRs: %m");

        _cleanup_(json_object_putp) json_object *rtmr = json_object_new_array(),
                                                *events = json_object_new_array();
        if (!rtmr || !events)
                return log_oom();
        for (size_t i = 0; i < CC_RTMR_COUNT; i++) {
                json_object *e = json_object_new_object();
                if (json_append(rtmr, e) < 0 ||
                    (p.predictable[i] ? json_add(e, "value", hex_new(p.rtmr[i], CC_MR_DIGEST_SIZE))
                                      : json_add_string_or_null(e, "value", NULL)) < 0 ||
                    json_add(e, "predictable", json_object_new_boolean(p.predictable[i])) < 0 ||
                    json_add_string_or_null(e, "note", p.note[i]) < 0)
                        return log_oom();
        }
        for (size_t i = 0; i < p.n_events; i++) {
                const RtmrEvent *ev = p.events + i;
                json_object *e = json_object_new_object();
                char reg[8];
                snprintf(reg, sizeof(reg), "RTMR%u", ev->rtmr & 3);
                if (json_append(events, e) < 0 || json_add(e, "register", json_object_new_string(reg)) < 0 ||
                    json_add_string_or_null(e, "type", cc_event_type_to_string(ev->type)) < 0 ||
                    json_add(e, "digest", hex_new(ev->digest, CC_MR_DIGEST_SIZE)) < 0 ||
                    json_add(e, "what", json_object_new_string(ev->what)) < 0)
                        return log_oom();
        }
        if ((cli->memory ? json_add(o, "memory", json_object_new_int64((int64_t) cli->memory))
                         : json_add_string_or_null(o, "memory", NULL)) < 0 ||
            json_add(o, "event_layout", json_object_new_string(rtmr_layout_to_string(cli->layout))) < 0 ||
            json_add_string_or_null(o, "kernel_version", p.kernel_version) < 0 ||
            json_add(o, "rtmr", TAKE_PTR(rtmr)) < 0 || json_add(o, "events", TAKE_PTR(events)) < 0)
                return log_oom();
        return 0;
}

void rtmr_cli_print(json_object *o)
{
        json_object *rtmr = json_get(o, "rtmr", json_type_array),
                    *events = json_get(o, "events", json_type_array);
        const char *kv = json_get_string(o, "kernel_version");

        printf("\nRTMRs (event layout %s%s%s):\n", json_get_string(o, "event_layout"), kv ? ", kernel " : "",
               strempty(kv));
        for (size_t i = 0; i < json_object_array_length(rtmr); i++) {
                json_object *e = json_object_array_get_idx(rtmr, i);
                const char *v = json_get_string(e, "value"), *note = json_get_string(e, "note");
                printf("RTMR%zu  %s\n", i, v ?: "not predictable");
                if (note)
                        printf("       %s\n", note);
        }
        if (json_object_array_length(events) == 0)
                return;
        printf("\nEvents, in extend order:\n");
        for (size_t i = 0; i < json_object_array_length(events); i++) {
                json_object *e = json_object_array_get_idx(events, i);
                printf("  %s  %-32s %s\n         %s\n", json_get_string(e, "register"),
                       strna(json_get_string(e, "type")), json_get_string(e, "what"),
                       json_get_string(e, "digest"));
        }
}
