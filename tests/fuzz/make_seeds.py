#!/usr/bin/env python3
"""Write the hand-made seed inputs of fuzz_its, fuzz_registers and fuzz_gicv5
(tests/fuzz/corpus/<harness>/seed-*.bin). The encoders mirror the input
layouts documented in fuzz_its.c, fuzz_registers.c and fuzz_gicv5.c; rerun this script
after changing those layouts. Not needed to build or run the fuzzers."""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name + ".bin"), "wb") as f:
        f.write(bytes(data))


# ---- fuzz_its ------------------------------------------------------------------
# byte 0: cache size index [1:0] (0, 1, 4, 32 entries), two-level Device table [2],
# LPIs pending before EnableLPIs [4:3] = 3, version [6:5] (0, 1: v4.1, 2: v4.0, 3: v3).
# op byte: op & 15 selects, op >> 4 are its flags.

(MAPD, MAPC, MAPTI, MAPI, MOVI, MOVALL, INT, CLEAR, DISCARD, INV, INVALL, SYNC, VMAPP,
 VMAPP41, VMAPTI, VMAPI, VMOVI, VMOVP, VSYNC, VINVALL, VSGI, INVDB) = range(22)


def built(*cmds):
    """A batch of built commands; each is (kind, a, b, c) as fuzz_its.c decodes:
    dev = a & 15, vpe = a >> 4 & 7, ev = b & 31, intid = 8192 + (b >> 2 & 63),
    icid = c & 7, pe = c % 5, doorbell = none if c & 0x80 else 8256 + (c & 15)."""
    assert 1 <= len(cmds) <= 16
    out = [2 | (len(cmds) - 1) << 4]
    for k in cmds:
        out += list(k)
    return out


def run_ns(ns):
    return [11] + list(struct.pack("<H", ns))


def drain():
    return [12]


def msi(dev, ev, n=1):
    return [5 | (n - 1) << 4, dev, ev]


def ack(virtual):
    return [13 | (0x10 if virtual else 0)]


def gicr_write(pe, idx, form):
    # idx into gicr_regs of fuzz_its.c: 7 VPROPBASER, 8 VPENDBASER
    return [9, (pe << 4) | idx, form]


def raw(*cmds):
    out = [0 | (len(cmds) - 1) << 4]
    for dw in cmds:
        out += list(struct.pack("<4Q", *dw))
    return out


def gits_write(regidx, form, extra=b"", size_sel=0):
    # op 7; flags: size [5:4], bit 6 = 0 -> natural size
    return [7 | size_sel << 4, regidx, form] + list(extra)


def its_seeds():
    # Physical LPIs: device 3 event 5 -> LPI 8193 on collection 1; INT, MOVI, DISCARD.
    dev, ev = 3, 5
    b = ev  # ev = b & 31 = 5, intid = 8192 + (b >> 2) = 8193
    s = [2]
    s += built((MAPD, dev, 3, 0), (MAPTI, dev, b, 1), (SYNC, 0, 0, 1))
    s += drain() + msi(dev, ev) + run_ns(2000) + ack(False)
    s += built((INT, dev, b, 0), (MOVI, dev, b, 2), (SYNC, 0, 0, 2))
    s += drain() + msi(dev, ev, 3) + drain() + ack(False)
    s += built((INV, dev, b, 0), (INVALL, 0, 0, 2), (DISCARD, dev, b, 0), (SYNC, 0, 0, 2))
    s += drain() + msi(dev, ev) + drain()
    write("fuzz_its", "physical", s)

    # GICv4.1 vLPIs: vPE 1 on PE 2, device 4 event 2 -> vINTID 8194; resident, then not.
    vpe, dev, ev = 1, 4, 2
    b = ev  # vINTID 8192
    s = [3 | 4]  # 32 entries, two-level Device table
    s += built((VMAPP41, vpe << 4, 8, 2), (MAPD, dev, 3, 0),
               (VMAPTI, (vpe << 4) | dev, b, 0), (VSYNC, vpe << 4, 0, 0))
    s += drain()
    s += gicr_write(2, 7, 15) + gicr_write(2, 8, 1 | 8)  # VPROPBASER, VPENDBASER VPT 1 Valid
    s += drain() + msi(dev, ev) + drain() + ack(True)
    s += gicr_write(2, 8, 1)  # not resident: doorbell
    s += msi(dev, ev) + drain() + ack(False)
    s += built((VMOVP, vpe << 4, 0, 3), (VSYNC, vpe << 4, 0, 0), (INVDB, vpe << 4, 0, 0),
               (VINVALL, vpe << 4, 0, 0), (VMOVI, (vpe << 4) | dev, b, 0x80))
    s += drain() + msi(dev, ev) + drain()
    write("fuzz_its", "vlpi41", s)

    # vSGIs: configure vSGI 3 of vPE 2 (on PE 1), make it resident, GITS_SGIR.
    vpe = 2
    s = [1]
    s += built((VMAPP41, vpe << 4, 8, 1), (VSGI, (vpe << 4) | 7, 3, 0xA0), (VSYNC, vpe << 4, 0, 0))
    s += drain() + gicr_write(1, 7, 15) + gicr_write(1, 8, 2 | 8) + drain()
    s += [14, (vpe << 4) | 3] + drain() + ack(True)
    s += gicr_write(1, 8, 2) + [14, (vpe << 4) | 3] + drain() + ack(False)
    write("fuzz_its", "vsgi", s)

    # GICv4.0 vLPIs with a per-ITE doorbell (LPI 8257): vPE 3 on PE 1.
    vpe, dev, ev = 3, 5, 4
    s = [2 | 2 << 5]
    s += built((VMAPP, vpe << 4, 8, 1), (MAPD, dev, 3, 0),
               (VMAPTI, (vpe << 4) | dev, ev, 1), (VSYNC, vpe << 4, 0, 0))
    s += drain() + gicr_write(1, 7, 15) + gicr_write(1, 8, 3 | 8) + drain()
    s += msi(dev, ev) + drain() + ack(True)
    s += gicr_write(1, 8, 3) + msi(dev, ev) + drain() + ack(False)
    s += built((VMOVI, (vpe << 4) | dev, ev, 2), (VINVALL, vpe << 4, 0, 0), (VMOVP, vpe << 4, 0, 2))
    s += drain() + msi(dev, ev) + drain()
    write("fuzz_its", "vlpi40", s)

    # GICv3, LPIs pending in PE 0's table before EnableLPIs (no PTZ): the scan.
    s = [0x18 | 3 << 5]
    s += ack(False) + drain() + ack(False)
    s += built((MAPD, 2, 3, 0), (MAPTI, 2, 7, 0), (VMAPP, 0, 8, 0), (SYNC, 0, 0, 0))
    s += drain() + msi(2, 7) + drain() + ack(False)
    write("fuzz_its", "v3-pending-scan", s)

    # Raw commands (a MAPD, a MAPTI, an unknown opcode) and register games:
    # disable, move the queue, change a table, re-enable.
    s = [0]
    s += raw([0x08 | (6 << 32), 3, (1 << 63) | 0x00806000, 0],
             [0x0A | (6 << 32), 1 | (8200 << 32), 0, 0],
             [0xFF, 0, 0, 0])
    s += drain() + msi(6, 1) + drain()
    s += gits_write(0, 0)                 # GITS_CTLR = 0
    s += run_ns(500)
    s += gits_write(1, 1 | (1 << 1))      # CBASER Valid, 2 pages
    s += gits_write(6, 1 | (1 << 4))      # BASER0 Valid, 2 pages
    s += gits_write(0, 1)                 # enable
    s += built((MAPD, 6, 3, 0), (MAPTI, 6, 1 | (8 << 2), 0), (SYNC, 0, 0, 0))
    s += drain() + msi(6, 1) + drain() + ack(False)
    write("fuzz_its", "registers", s)


# ---- fuzz_registers -------------------------------------------------------------
# bytes 0..3: configuration (see fuzz_registers.c); then steps: op & 31 (mod 21) selects, op >> 5 flags
# (size index 4, 8, 1, 2 for register accesses).

GICD_REGS = ["CTLR", "TYPER", "IIDR", "TYPER2", "STATUSR", "SETSPI_NSR", "CLRSPI_NSR",
             "IGROUPR", "ISENABLER", "ICENABLER", "ISPENDR", "ICPENDR", "ISACTIVER",
             "ICACTIVER", "IPRIORITYR", "ITARGETSR", "ICFGR", "IGRPMODR", "NSACR", "SGIR",
             "IROUTER", "PIDR2"]
ICC = ["IAR0", "IAR1", "EOIR0", "EOIR1", "DIR", "HPPIR0", "HPPIR1", "PMR", "BPR0", "BPR1",
       "RPR", "CTLR", "IGRPEN0", "IGRPEN1", "SGI0R", "SGI1R", "ASGI1R"]
ICH_HCR, ICH_VMCR, ICH_LR0 = 0, 1, 14


def small(v):
    return [1, v]


def shifted(v, sh):
    return [3 | sh << 2, v]


def raw64(v):
    return [0] + list(struct.pack("<Q", v))


def gicd_write(reg, idx, value, size_sel=0):
    return [1 | size_sel << 5, GICD_REGS.index(reg), idx] + value


def gicd_read(reg, idx, size_sel=0):
    return [0 | size_sel << 5, GICD_REGS.index(reg), idx]


def line(pe, intid, level):
    return [14 | (0x20 if level else 0), pe] + list(struct.pack("<H", 0x4000 + intid - 16)
                                                    if 16 <= intid < 32 else
                                                    struct.pack("<H", intid - 32))


def pulse(pe, spi_index):
    return [14 | 0x40, pe] + list(struct.pack("<H", spi_index))


def advance(ns):
    return [16, ns]


def ack_eoi(pe, virtual=False, grp0=False, dir_=False):
    return [17 | (0x20 if virtual else 0) | (0x40 if grp0 else 0) | (0x80 if dir_ else 0), pe]


def icc_write(pe, reg, value):
    return [7, pe, ICC.index(reg)] + value


def icc_read(pe, reg):
    return [6, pe, ICC.index(reg)]


def ich_write_lr(pe, n, vintid_small, prio, hw=False, pintid_idx=0, state=1, group1=True):
    form = (1 if hw else 0) | (4 if group1 else 0) | state << 3
    out = [10, pe, ICH_LR0 + n, form, vintid_small]
    if hw:
        out.append(pintid_idx)
    return out + [prio]


def ich_write(pe, reg, form, extra=()):
    return [10, pe, reg, form] + list(extra)


def registers_seeds():
    # GICv3, 2 PEs, 64 SPIs, os_init: an edge SPI and a level SPI through IAR1/EOIR1,
    # an SGI between PEs, priorities and the running priority.
    cfg = [0x00, 0x01 | 15 << 3, 0x02 | 4 << 4, 0x01]    # 2 PEs, 64 SPIs, 5 LRs
    s = list(cfg)
    s += gicd_write("ISENABLER", 1, shifted(1, 8))     # SPI 40
    s += gicd_write("ICFGR", 2, shifted(2, 16))        # SPI 40 edge
    s += gicd_write("IPRIORITYR", 10, small(0x80))     # SPIs 40..43
    s += pulse(0, 8) + advance(50) + ack_eoi(0)
    s += line(0, 41, True) + gicd_write("ISENABLER", 1, shifted(1, 9)) + advance(50)
    s += ack_eoi(0) + line(0, 41, False) + advance(50)
    s += icc_write(1, "SGI1R", raw64((1 << 40) | 1)) + advance(50) + ack_eoi(0)
    s += icc_write(0, "PMR", small(0x40)) + icc_read(0, "RPR") + icc_read(0, "HPPIR1")
    s += gicd_read("TYPER", 0) + gicd_read("IROUTER", 40, 1)
    write("fuzz_registers", "v3-spi-sgi", s)

    # GICv4.1, 4 PEs, Security enabled (DS=0), Group 0 via IAR0, EOImode=1 with DIR.
    cfg = [0x02 | 0x04, 0x03, 0x03 | 6 << 4, 0x04]       # 4 PEs, 96 SPIs, 7 LRs
    s = list(cfg)
    s += gicd_write("CTLR", 0, small(0x37))
    s += gicd_write("IGROUPR", 1, small(0))
    s += icc_write(0, "IGRPEN0", small(1))
    s += gicd_write("ISENABLER", 1, small(0xFF))
    s += gicd_write("ICFGR", 2, raw64(0xAAAAAAAA))    # SPIs 32..47 edge
    s += pulse(1, 0) + pulse(1, 1) + advance(100)
    s += ack_eoi(0, grp0=True, dir_=True) + ack_eoi(0, grp0=True, dir_=True)
    s += icc_write(0, "CTLR", small(2)) + pulse(1, 2) + advance(100) + ack_eoi(0, dir_=True)
    write("fuzz_registers", "v41-secure", s)

    # Virtual interface: list registers, a HW=1 LR tied to SPI 36, the guest's
    # ICV_IAR1/EOIR1, maintenance interrupt (underflow).
    cfg = [0x01, 0x00, 0x01 | 8 << 4, 0x01]              # 1 PE, 32 SPIs, 9 LRs
    s = list(cfg)
    s += ich_write(0, ICH_HCR, 0, [0x01, 0x00])        # En | UIE
    s += ich_write(0, ICH_VMCR, 0)
    s += ich_write_lr(0, 0, 20, 0xA0)
    s += ich_write_lr(0, 1, 4, 0x80, hw=True, pintid_idx=4)
    s += gicd_write("ICFGR", 2, raw64(0xAAAAAAAA))
    s += gicd_write("ISENABLER", 1, small(0x10)) + pulse(0, 4) + advance(100)
    s += ack_eoi(0) + advance(10)
    s += ack_eoi(0, virtual=True) + ack_eoi(0, virtual=True) + advance(100)
    s += [9, 0, 3] + [9, 0, 5]                         # ICH_MISR, ICH_ELRSR
    s += ack_eoi(0)
    write("fuzz_registers", "vcpuif", s)


# ---- fuzz_gicv5 -----------------------------------------------------------------
# byte 0: PEs [1:0] + 1, two-level IST [2], ITS cache size index [4:3], 4 priority bits [5].
# op byte: op & 15 selects, op >> 4 is the PE (mod the PEs) and flags.
# gicsim_gicv5_sysreg numbers (include/gicsim/gicv5.h).
V5_PPI_ENABLER0, V5_CDPEND, V5_CDPRI = 8, 40, 38
V5_IRS_IST_BASER, V5_IRS_SPI_SELR, V5_IRS_SPI_CFGR, V5_IRS_VMAP_VMR = 8, 3, 4, 17
V5_ITS_INV_DEVICER = 6
LPI, SPI, PPI = 0, 1, 2  # intid() selectors of fuzz_gicv5.c


def v5_intid(kind, n):
    return [kind, n]


def v5_cd(pe, reg, kind, n, form=0, prio=0, guest=False):
    """A GIC CD* instruction of the host (op 0) or the guest (op 2) on `pe`; form [1:0] go
    to bits [33:32] (CDPEND's Pending, CDAFF's IAFFID), form [2] IRM."""
    return [(2 if guest else 0) | pe << 4, reg, form] + v5_intid(kind, n) + [prio]


def v5_sys_raw(pe, reg, value):
    return [0 | pe << 4, reg, 0x80] + list(struct.pack("<Q", value))


def v5_run(ns):
    return [11] + list(struct.pack("<H", ns))


def v5_drain():
    return [12]


def v5_ack(virtual=False):
    return [13 | (0x10 if virtual else 0)]


def v5_msi(dev, ev, n=1):
    return [7 | (n - 1) << 4, dev | ev << 2]


def v5_line(pe, kind, n, level):
    return [9 | pe << 4 | (0x80 if level else 0)] + v5_intid(kind, n)


def v5_wire(wire, level):
    return [8 | (0x40 if level else 0), wire]


def v5_resident(pe, vpe, valid=True, db=False, dbpm=0, vpmr=31):
    return [14 | pe << 4, (1 if valid else 0) | vpe << 1 | (4 if db else 0) | dbpm << 3, vpmr]


def v5_irs(reg, form, half=False):
    return [4 | (0x40 if half else 0), reg, form]


def gicv5_seeds():
    # 2 PEs: an IPI (LPI 3 targets PE 1) from PE 0, MSIs through the ITS, a guest's IPI
    # to vPE 1 that never ran (its doorbell), then vPE 1 resident on PE 1.
    s = [0x01]
    s += v5_cd(0, V5_CDPEND, LPI, 3, form=1) + v5_drain() + v5_ack()
    s += v5_msi(1, 5, 2) + v5_drain() + v5_ack()
    s += v5_cd(0, V5_CDPEND, LPI, 1, form=1, guest=True) + v5_drain() + v5_ack()
    s += v5_resident(1, 1) + v5_drain() + v5_ack(True)
    write("fuzz_gicv5", "ipi-msi-doorbell", s)

    # 1 PE, two-level IST: SPI and PPI lines, level and edge IWB wires.
    s = [0x04]
    s += v5_line(0, SPI, 2, True) + v5_run(500) + v5_ack() + v5_line(0, SPI, 2, False)
    s += v5_sys_raw(0, V5_PPI_ENABLER0, 1 << 27) + v5_line(0, PPI, 27, True) + v5_ack()
    s += v5_line(0, PPI, 27, False)
    s += v5_wire(1, True) + v5_drain() + v5_ack() + v5_wire(1, False) + v5_drain()
    s += v5_wire(2, True) + v5_wire(2, False) + v5_drain() + v5_ack()
    write("fuzz_gicv5", "lines-wires", s)

    # 2 PEs, 4 priority bits: vPE 0 leaves with a doorbell request (DBPM 0x10), a vLPI from
    # the ITS (device 3) rings it, vPE 0 comes back.
    s = [0x21]
    s += v5_resident(0, 0, valid=False, db=True, dbpm=0x10) + v5_drain()
    s += v5_msi(3, 2) + v5_drain() + v5_ack()
    s += v5_resident(0, 0) + v5_drain() + v5_ack(True)
    write("fuzz_gicv5", "doorbell-dbpm", s)

    # IRS and ITS reconfiguration: the IST made invalid and valid again, an SPI level,
    # VM 1 unmapped while resident, a device invalidated.
    s = [0x09]
    s += v5_cd(0, V5_CDPEND, LPI, 4, form=1) + v5_run(300)
    s += v5_irs(V5_IRS_IST_BASER, 0) + v5_drain() + v5_irs(V5_IRS_IST_BASER, 1) + v5_drain()
    s += v5_irs(V5_IRS_SPI_SELR, 5) + v5_run(2000) + v5_irs(V5_IRS_SPI_CFGR, 1) + v5_run(2000)
    s += v5_line(0, SPI, 5, True) + v5_drain() + v5_ack()
    s += v5_irs(V5_IRS_VMAP_VMR, 2) + v5_drain() + v5_ack(True)
    s += [6, V5_ITS_INV_DEVICER, 0] + v5_msi(1, 1) + v5_drain() + v5_ack()
    write("fuzz_gicv5", "reconfigure", s)


if __name__ == "__main__":
    its_seeds()
    registers_seeds()
    gicv5_seeds()
