/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vm/libxml-dl.h"

static void *libxml2_dl;

DLSYM_PROTOTYPE(xmlBufferContent);
DLSYM_PROTOTYPE(xmlBufferCreate);
DLSYM_PROTOTYPE(xmlBufferFree);
DLSYM_PROTOTYPE(xmlFreeTextWriter);
DLSYM_PROTOTYPE(xmlNewTextWriterMemory);
DLSYM_PROTOTYPE(xmlTextWriterEndDocument);
DLSYM_PROTOTYPE(xmlTextWriterEndElement);
DLSYM_PROTOTYPE(xmlTextWriterSetIndent);
DLSYM_PROTOTYPE(xmlTextWriterSetIndentString);
DLSYM_PROTOTYPE(xmlTextWriterStartElement);
DLSYM_PROTOTYPE(xmlTextWriterWriteAttribute);
DLSYM_PROTOTYPE(xmlTextWriterWriteElement);
DLSYM_PROTOTYPE(xmlTextWriterWriteFormatString);
DLSYM_PROTOTYPE(xmlTextWriterWriteString);

int dlopen_libxml2(char **reterr)
{
        return dlopen_many_sym(
                &libxml2_dl, "libxml2.so.2", reterr, DLSYM_ARG(xmlBufferContent), DLSYM_ARG(xmlBufferCreate),
                DLSYM_ARG(xmlBufferFree), DLSYM_ARG(xmlFreeTextWriter), DLSYM_ARG(xmlNewTextWriterMemory),
                DLSYM_ARG(xmlTextWriterEndDocument), DLSYM_ARG(xmlTextWriterEndElement),
                DLSYM_ARG(xmlTextWriterSetIndent), DLSYM_ARG(xmlTextWriterSetIndentString),
                DLSYM_ARG(xmlTextWriterStartElement), DLSYM_ARG(xmlTextWriterWriteAttribute),
                DLSYM_ARG(xmlTextWriterWriteElement), DLSYM_ARG(xmlTextWriterWriteFormatString),
                DLSYM_ARG(xmlTextWriterWriteString), NULL);
}
