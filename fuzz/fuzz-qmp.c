/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QMP line classifier (src/libcvm/vm/qmp.c qmp_message_parse()) on arbitrary bytes. */
#include "fuzz.h"
#include "vm/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        QmpMessage m;

        if (fuzz_too_big(size))
                return 0;
        if (qmp_message_parse((const char *) data, size, &m) < 0)
                return 0;
        /* Every accessor a client uses must be safe on whatever parsed. */
        assert(m.type >= 0 && m.type < _QMP_MESSAGE_TYPE_MAX);
        assert(qmp_message_type_to_string(m.type));
        if (m.type == QMP_MESSAGE_ERROR)
                assert(m.error_class && m.error_desc);
        if (m.type == QMP_MESSAGE_EVENT)
                assert(!isempty(m.event));
        if (m.id)
                (void) json_object_to_json_string(m.id);
        qmp_message_done(&m);
        return 0;
}
