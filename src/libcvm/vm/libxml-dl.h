/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The libxml2 functions of domxml.c, loaded from libxml2.so.2 by dlopen_libxml2() when a domain XML is
 * first written (dlopen-util.h says why: libxml2 brings ICU and libstdc++ into every cvm start). */
#include <libxml/xmlwriter.h>

#include "dlopen-util.h"

extern DLSYM_PROTOTYPE(xmlBufferContent);
extern DLSYM_PROTOTYPE(xmlBufferCreate);
extern DLSYM_PROTOTYPE(xmlBufferFree);
extern DLSYM_PROTOTYPE(xmlFreeTextWriter);
extern DLSYM_PROTOTYPE(xmlNewTextWriterMemory);
extern DLSYM_PROTOTYPE(xmlTextWriterEndDocument);
extern DLSYM_PROTOTYPE(xmlTextWriterEndElement);
extern DLSYM_PROTOTYPE(xmlTextWriterSetIndent);
extern DLSYM_PROTOTYPE(xmlTextWriterSetIndentString);
extern DLSYM_PROTOTYPE(xmlTextWriterStartElement);
extern DLSYM_PROTOTYPE(xmlTextWriterWriteAttribute);
extern DLSYM_PROTOTYPE(xmlTextWriterWriteElement);
extern DLSYM_PROTOTYPE(xmlTextWriterWriteFormatString);
extern DLSYM_PROTOTYPE(xmlTextWriterWriteString);

/* 0, or -EOPNOTSUPP with *reterr naming the library and why it could not be loaded. */
int dlopen_libxml2(char **reterr);
