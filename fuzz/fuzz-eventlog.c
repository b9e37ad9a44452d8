/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CCEL table and CC event log parsers (src/libcvm/measure/eventlog.c) on arbitrary bytes: the input as
 * a table, as a log (replayed, every event decoded), and the log's events' digests and data must lie
 * inside the parser's own copy.
 */
#include "fuzz.h"
#include "json-util.h"
#include "measure/eventlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t rtmr[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE];
        CcEventLog log;
        CcelTable t;

        if (fuzz_too_big(size))
                return 0;
        (void) ccel_table_parse(data, size, &t, NULL);
        if (cc_event_log_parse(data, size, &log, NULL) < 0)
                return 0;
        assert(log.n_events >= 1 && log.used <= log.size);
        for (size_t i = 0; i < log.n_events; i++) {
                const CcEvent *ev = log.events + i;
                assert(ev->data >= log.raw && ev->data + ev->data_size <= log.raw + log.used);
                assert(i == 0 ||
                       (ev->sha384 >= log.raw && ev->sha384 + CC_MR_DIGEST_SIZE <= log.raw + log.used));
                (void) cc_event_type_to_string(ev->type);
                json_object *o = NULL;
                if (cc_event_decode(ev, &o) >= 0) {
                        assert(o);
                        (void) json_object_to_json_string(o);
                        json_object_put(o);
                }
        }
        (void) cc_event_log_replay(&log, rtmr, NULL);
        cc_event_log_done(&log);
        return 0;
}
