/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vm/libvirt-dl.h"

static void *libvirt_dl;

DLSYM_PROTOTYPE(virConnectClose);
DLSYM_PROTOTYPE(virConnectDomainEventDeregisterAny);
DLSYM_PROTOTYPE(virConnectDomainEventRegisterAny);
DLSYM_PROTOTYPE(virConnectOpen);
DLSYM_PROTOTYPE(virConnectRegisterCloseCallback);
DLSYM_PROTOTYPE(virConnectUnregisterCloseCallback);
DLSYM_PROTOTYPE(virDomainCreateXML);
DLSYM_PROTOTYPE(virDomainDestroy);
DLSYM_PROTOTYPE(virDomainFree);
DLSYM_PROTOTYPE(virDomainGetName);
DLSYM_PROTOTYPE(virDomainGetState);
DLSYM_PROTOTYPE(virDomainGetUUIDString);
DLSYM_PROTOTYPE(virDomainLookupByName);
DLSYM_PROTOTYPE(virDomainShutdownFlags);
DLSYM_PROTOTYPE(virEventAddHandle);
DLSYM_PROTOTYPE(virEventAddTimeout);
DLSYM_PROTOTYPE(virEventRegisterDefaultImpl);
DLSYM_PROTOTYPE(virEventRemoveHandle);
DLSYM_PROTOTYPE(virEventRemoveTimeout);
DLSYM_PROTOTYPE(virEventRunDefaultImpl);
DLSYM_PROTOTYPE(virEventUpdateTimeout);
DLSYM_PROTOTYPE(virGetLastErrorMessage);
DLSYM_PROTOTYPE(virSetErrorFunc);

int dlopen_libvirt(char **reterr)
{
        return dlopen_many_sym(&libvirt_dl, "libvirt.so.0", reterr, DLSYM_ARG(virConnectClose),
                               DLSYM_ARG(virConnectDomainEventDeregisterAny),
                               DLSYM_ARG(virConnectDomainEventRegisterAny), DLSYM_ARG(virConnectOpen),
                               DLSYM_ARG(virConnectRegisterCloseCallback),
                               DLSYM_ARG(virConnectUnregisterCloseCallback), DLSYM_ARG(virDomainCreateXML),
                               DLSYM_ARG(virDomainDestroy), DLSYM_ARG(virDomainFree),
                               DLSYM_ARG(virDomainGetName), DLSYM_ARG(virDomainGetState),
                               DLSYM_ARG(virDomainGetUUIDString), DLSYM_ARG(virDomainLookupByName),
                               DLSYM_ARG(virDomainShutdownFlags), DLSYM_ARG(virEventAddHandle),
                               DLSYM_ARG(virEventAddTimeout), DLSYM_ARG(virEventRegisterDefaultImpl),
                               DLSYM_ARG(virEventRemoveHandle), DLSYM_ARG(virEventRemoveTimeout),
                               DLSYM_ARG(virEventRunDefaultImpl), DLSYM_ARG(virEventUpdateTimeout),
                               DLSYM_ARG(virGetLastErrorMessage), DLSYM_ARG(virSetErrorFunc), NULL);
}
