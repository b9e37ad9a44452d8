/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The libvirt functions the libvirt backend calls, loaded from libvirt.so.0 by dlopen_libvirt() when
 * `cvm run --backend=libvirt` (or stop/status of such a VM) first needs them (dlopen-util.h says why). */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "dlopen-util.h"

extern DLSYM_PROTOTYPE(virConnectClose);
extern DLSYM_PROTOTYPE(virConnectDomainEventDeregisterAny);
extern DLSYM_PROTOTYPE(virConnectDomainEventRegisterAny);
extern DLSYM_PROTOTYPE(virConnectOpen);
extern DLSYM_PROTOTYPE(virConnectRegisterCloseCallback);
extern DLSYM_PROTOTYPE(virConnectUnregisterCloseCallback);
extern DLSYM_PROTOTYPE(virDomainCreateXML);
extern DLSYM_PROTOTYPE(virDomainDestroy);
extern DLSYM_PROTOTYPE(virDomainFree);
extern DLSYM_PROTOTYPE(virDomainGetName);
extern DLSYM_PROTOTYPE(virDomainGetState);
extern DLSYM_PROTOTYPE(virDomainGetUUIDString);
extern DLSYM_PROTOTYPE(virDomainLookupByName);
extern DLSYM_PROTOTYPE(virDomainShutdownFlags);
extern DLSYM_PROTOTYPE(virEventAddHandle);
extern DLSYM_PROTOTYPE(virEventAddTimeout);
extern DLSYM_PROTOTYPE(virEventRegisterDefaultImpl);
extern DLSYM_PROTOTYPE(virEventRemoveHandle);
extern DLSYM_PROTOTYPE(virEventRemoveTimeout);
extern DLSYM_PROTOTYPE(virEventRunDefaultImpl);
extern DLSYM_PROTOTYPE(virEventUpdateTimeout);
extern DLSYM_PROTOTYPE(virGetLastErrorMessage);
extern DLSYM_PROTOTYPE(virSetErrorFunc);

/* 0, or -EOPNOTSUPP with *reterr naming the library and why it could not be loaded. */
int dlopen_libvirt(char **reterr);
