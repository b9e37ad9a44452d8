#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the SMBIOS Memory Device (Type 17) records of the fake TDX host trees and the fuzz-smbios seeds.

Each record is what Linux shows in /sys/firmware/dmi/entries/17-N/raw (drivers/firmware/dmi-sysfs.c):
the formatted area, then the string set, ended by a double NUL. Layout: DMTF DSP0134 7.18 "Memory Device
(Type 17)" at SMBIOS 3.3 length (0x5C); strings: DSP0134 6.1.3.

The records are synthesized: a dual-socket Xeon 8592+ (Emerald Rapids, 8 DDR5 channels per socket, 2 slots
per channel) with 64 GiB DDR5-5600 RDIMMs, one per channel (1DPC). The symmetric layout uses AMI-style
locators ("CPU0_DIMM_A1", bank "P0_Node0_Channel0_Dimm0"); the asymmetric one Supermicro-style
("P1-DIMMA1", same bank spelling) with 8 DIMMs on the first socket and 6 on the second.

Usage: gen-smbios.py [--check]   (run from anywhere; --check fails when a committed file differs)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.join(HERE, '..', '..', 'fuzz', 'fuzz-smbios')

DDR5 = 0x22           # 7.18.2 Memory Device - Type
UNKNOWN_TYPE = 0x02
FORM_DIMM = 0x09      # 7.18.1 Memory Device - Form Factor
DETAIL_SYNC_REG = 0x2080  # 7.18.3 Type Detail: bit 7 Synchronous, bit 13 Registered (Buffered)
TECH_DRAM = 0x03      # 7.18.6 Memory Technology
OPMODE_VOLATILE = 0x0008  # 7.18.7 Memory Operating Mode Capability: bit 3 Volatile memory
ARRAY_HANDLE = 0x0041     # the Type 16 Physical Memory Array the slots belong to (per socket below)


def strings_blob(strings):
    """The string set: each string NUL-terminated, one more NUL; two NULs when there are none."""
    if not strings:
        return b'\0\0'
    return b''.join(s.encode('ascii') + b'\0' for s in strings) + b'\0'


def type17(handle, array_handle, size_mib, locator, bank, manufacturer='', serial='', asset='', part='',
           speed=0, mem_type=DDR5, rank=0):
    """One SMBIOS 3.3 Type 17 record (Length 0x5C). size_mib 0 = empty slot."""
    strings = []

    def s(v):
        if not v:
            return 0
        strings.append(v)
        return len(strings)

    if size_mib == 0:
        size_word, ext = 0, 0
    elif size_mib >= 0x7FFF:       # DSP0134: 0x7FFF in Size means "see Extended Size" (MB, bits 30:0)
        size_word, ext = 0x7FFF, size_mib
    else:
        size_word, ext = size_mib, 0
    populated = size_mib > 0
    f = struct.pack('<BBH', 17, 0x5C, handle)
    f += struct.pack('<HHHHH', array_handle, 0xFFFE, 80 if populated else 0xFFFF,
                     64 if populated else 0xFFFF, size_word)
    f += struct.pack('<BB', FORM_DIMM, 0)
    f += struct.pack('<BBB', s(locator), s(bank), mem_type)
    f += struct.pack('<HH', DETAIL_SYNC_REG if populated else 0x0004, speed)  # bit 2 = Unknown
    f += struct.pack('<BBBB', s(manufacturer), s(serial), s(asset), s(part))
    f += struct.pack('<BI', rank, ext)
    f += struct.pack('<H', speed)                                       # 0x20 configured speed
    mv = 1100 if populated else 0
    f += struct.pack('<HHH', mv, mv, mv)                                # 0x22..0x27 voltages (mV)
    f += struct.pack('<BHB', TECH_DRAM if populated else 0x02, OPMODE_VOLATILE if populated else 0x0004, 0)
    f += struct.pack('<HHHH', 0, 0, 0, 0)                               # 0x2C..0x33 module/controller IDs
    f += struct.pack('<QQQQ', 0, size_mib << 20, 0, 0)                  # 0x34..0x53 NV/volatile/cache/logic.
    f += struct.pack('<II', 0, 0)                                       # 0x54, 0x58 extended speeds
    assert len(f) == 0x5C, hex(len(f))
    return f + strings_blob(strings)


def dimm(handle, array_handle, locator, bank, populated, serial_no):
    if populated:
        return type17(handle, array_handle, 65536, locator, bank, 'Samsung', '%08X' % serial_no,
                      locator + '_AssetTag', 'M321R8GA0PB0-CWM', speed=5600, rank=2)
    return type17(handle, array_handle, 0, locator, bank, 'NO DIMM', 'NO DIMM', 'NO DIMM', 'NO DIMM',
                  mem_type=UNKNOWN_TYPE)


CHANNELS = 'ABCDEFGH'


def layout(style, populated_per_socket):
    """Records for 2 sockets x 8 channels x 2 slots.

    populated_per_socket[s] is the number of channels of socket s with a DIMM in their first slot.
    """
    records = []
    handle = 0x1100
    for sock in range(2):
        for ci, ch in enumerate(CHANNELS):
            for slot in range(2):
                if style == 'ami':
                    loc = 'CPU%d_DIMM_%s%d' % (sock, ch, slot + 1)
                else:
                    loc = 'P%d-DIMM%s%d' % (sock + 1, ch, slot + 1)
                bank = 'P%d_Node%d_Channel%d_Dimm%d' % (sock, sock, ci, slot)
                populated = slot == 0 and ci < populated_per_socket[sock]
                records.append(dimm(handle, ARRAY_HANDLE + sock, loc, bank, populated,
                                    0x80AD0000 + handle))
                handle += 1
    return records


TREES = {
    'tdx-emr-2s-ready': ('ami', (8, 8)),
    'tdx-bios-disabled': ('ami', (8, 8)),
    'tdx-kvm-param-off': ('ami', (8, 8)),
    'tdx-asymmetric-dimms': ('supermicro', (8, 6)),
}


def fuzz_seeds():
    good = dimm(0x1100, 0x41, 'CPU0_DIMM_A1', 'P0_Node0_Channel0_Dimm0', True, 1)
    empty = dimm(0x1101, 0x41, 'CPU0_DIMM_A2', 'P0_Node0_Channel0_Dimm1', False, 0)
    # SMBIOS 2.1 length: only up to Type Detail, no strings beyond the two locators.
    v21 = struct.pack('<BBHHHHHHBBBBBH', 17, 0x15, 0x20, 0x10, 0xFFFE, 72, 64, 4096, FORM_DIMM, 0, 1, 2,
                      0x12, 0x0080) + strings_blob(['DIMM0', 'BANK 0'])
    # Size 0x8400: bit 15 = KB granularity, 1024 KB.
    kb = bytearray(good)
    kb[0x0C:0x0E] = struct.pack('<H', 0x8400)
    unknown = bytearray(good)
    unknown[0x0C:0x0E] = struct.pack('<H', 0xFFFF)
    no_strings = type17(0x30, 0x41, 8192, '', '', speed=0xFFFF)
    seeds = {
        'real-ddr5-64g-3.3': good,
        'real-empty-slot': empty,
        'real-2.1-length': v21,
        'real-kb-granularity': bytes(kb),
        'real-unknown-size': bytes(unknown),
        'real-no-strings-extended-speed': no_strings,
        'evil-header-only': good[:4],
        'evil-length-below-header': bytes([17, 2, 0, 0, 0, 0]),
        'evil-length-past-data': good[:0x40],
        'evil-strings-unterminated': good[:0x5C] + b'CPU0_DIMM_A1\0P0_Node0',
        'evil-string-set-single-nul': good[:0x5C] + b'\0',
        'evil-string-index-past-set': good[:0x10] + b'\x09' + good[0x11:0x5C] + strings_blob(['A']),
        'evil-wrong-type': bytes([16]) + good[1:],
        'evil-255-strings': good[:0x5C] + strings_blob(['s%d' % i for i in range(255)]) ,
        'evil-256-strings': good[:0x5C] + strings_blob(['s%d' % i for i in range(256)]),
        'evil-nonprintable-locator': type17(0x31, 0x41, 1024, 'CPU0\x01_DIMM_A1\x7f',
                                            'P0_Node0_Channel0_Dimm0'),
    }
    return seeds


def write(path, data, check, stale):
    if check:
        try:
            with open(path, 'rb') as f:
                if f.read() == data:
                    return
        except FileNotFoundError:
            pass
        stale.append(path)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def main():
    check = '--check' in sys.argv[1:]
    stale = []
    for tree, (style, pop) in TREES.items():
        for n, rec in enumerate(layout(style, pop)):
            write(os.path.join(HERE, tree, 'sys/firmware/dmi/entries/17-%d/raw' % n), rec, check, stale)
    for name, data in fuzz_seeds().items():
        write(os.path.join(FUZZ, name), data, check, stale)
    if stale:
        sys.exit('stale or missing: ' + ' '.join(stale))


if __name__ == '__main__':
    main()
