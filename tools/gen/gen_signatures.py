#!/usr/bin/env python3
"""Generates src/arch/generated/signatures.inc: argument names, types and registers of syscalls,
for x86_64 and for every other ABI where they differ.

Sources, in order of precedence:
  0. tools/gen/signatures-abi.h: prototypes that differ on some ABIs (clone's argument order,
     mmap's in memory, ...), from the kernel source each block names.
  1. tools/gen/signatures-extra.h: prototypes in the kernel's own style for syscalls whose
     prototype is arch-specific (mmap, arch_prctl, clone on x86_64, ...), newer than the
     installed headers, or not implemented (no arguments). Written from the kernel's
     include/linux/syscalls.h and arch/*/include/asm/syscalls.h (Linux 7.x).
  2. include/linux/syscalls.h from Debian's linux-headers-*-common package
     (/usr/src/linux-headers-<version>-common/include/linux/syscalls.h).

Only facts are taken: each prototype's argument names and C types, mapped to sysgate's
argument kinds. Every syscall in the x86_64 table must get a signature; the generator fails
otherwise. Syscalls of other arches get one when a prototype exists.

On each ABI, from ABIS below: `long`, `size_t` and pointers are as wide as its C long (32 bits
on x32 and mips n32 too); a 64-bit value (loff_t, u64) takes one register where registers have
64 bits, and two elsewhere, in the order and alignment of that ABI's calling convention (the
kernel's compat wrappers spell them out: arch/x86/kernel/sys_ia32.c, arch/arm64/kernel/sys32.c,
arch/powerpc/kernel/sys_ppc32.c, arch/s390/kernel/compat_linux.c, arch/mips/kernel/linux32.c,
arch/sparc/kernel/sys_sparc32.c, arch/parisc/kernel/sys_parisc.c, include/asm-generic/compat.h).

Usage: gen_signatures.py SYSCALLS_H EXTRA_H ABI_H DATA_DIR OUTPUT
"""
import argparse
import os
import re
import sys

from gen_syscall_tables import read_table

# Table name -> kernel function name, where they differ.
ALIASES = {
    "_llseek": "llseek", "_newselect": "select", "umount2": "umount", "umount": "oldumount",
    "stat": "newstat", "lstat": "newlstat", "fstat": "newfstat", "uname": "newuname",
    "sendfile": "sendfile64", "fadvise64_64": "fadvise64_64", "mmap2": "mmap_pgoff",
    "oldstat": "stat", "oldlstat": "lstat", "oldfstat": "fstat", "olduname": "olduname",
    "select": "select", "sigsuspend": "sigsuspend", "pread64": "pread64",
    "pwrite64": "pwrite64",
}

PROTO = re.compile(r"asmlinkage\s+long\s+sys_(\w+)\s*\(([^;]*?)\)\s*;", re.S)

# C type (without qualifiers) -> (kind, width, signed). Kinds match sysgate::ArgKind.
INT_TYPES = {
    "int": ("kInt", 32, True), "unsigned int": ("kUInt", 32, False),
    "unsigned": ("kUInt", 32, False), "long": ("kLong", 64, True),
    "unsigned long": ("kULong", 64, False), "size_t": ("kSize", 64, False),
    "ssize_t": ("kLong", 64, True), "loff_t": ("kLong", 64, True), "off_t": ("kLong", 64, True),
    "pid_t": ("kPid", 32, True), "uid_t": ("kUInt", 32, False), "gid_t": ("kUInt", 32, False),
    "old_uid_t": ("kUInt", 32, False), "old_gid_t": ("kUInt", 32, False),
    "qid_t": ("kUInt", 32, False), "umode_t": ("kMode", 32, False),
    "mode_t": ("kMode", 32, False), "key_t": ("kInt", 32, True),
    "key_serial_t": ("kInt", 32, True), "mqd_t": ("kFd", 32, True),
    "clockid_t": ("kInt", 32, True), "timer_t": ("kInt", 32, True),
    "aio_context_t": ("kULong", 64, False), "u32": ("kUInt", 32, False),
    "__u32": ("kUInt", 32, False), "u64": ("kULong", 64, False), "__u64": ("kULong", 64, False),
    "__s32": ("kInt", 32, True), "s32": ("kInt", 32, True), "rwf_t": ("kFlags", 32, False),
    "cap_user_header_t": ("kStruct", 64, False), "cap_user_data_t": ("kStruct", 64, False),
    "compat_ulong_t": ("kUInt", 32, False), "__kernel_old_time_t": ("kLong", 64, True),
    "unsigned long long": ("kULong", 64, False), "long long": ("kLong", 64, True),
    "__kernel_rwf_t": ("kFlags", 32, False), "u16": ("kUInt", 32, False),
    "unsigned short": ("kUInt", 32, False), "short": ("kInt", 32, True),
    "off64_t": ("kLong", 64, True), "uint32_t": ("kUInt", 32, False),
    "__sighandler_t": ("kPointer", 64, False), "old_sigset_t": ("kULong", 64, False), "sigset_t": ("kULong", 64, False),
    "__kernel_size_t": ("kSize", 64, False), "compat_size_t": ("kUInt", 32, False),
}

# Types that hold 64 bits on every ABI (the others of 64 bits above are as wide as a long).
FIXED64 = {"loff_t", "u64", "__u64", "unsigned long long", "long long", "off64_t"}

# sysgate ABI -> (its syscall table file, bits of long, bits of a register, how a 64-bit value
# is passed where registers have 32 bits: "consecutive" or "aligned" (to an even register),
# high half first). Arch order of include/sysgate/arch.h.
ABIS = [
    ("x86_64", "x86_64", 64, 64, None, False),
    ("x32", "x32", 32, 64, None, False),
    ("i386", "i386", 32, 32, "consecutive", False),
    ("aarch64", "arm64", 64, 64, None, False),
    ("arm", "arm", 32, 32, "aligned", False),
    ("riscv64", "riscv64", 64, 64, None, False),
    ("riscv32", "riscv32", 32, 32, "consecutive", False),
    ("ppc64le", "powerpc64", 64, 64, None, False),
    ("ppc64", "powerpc64", 64, 64, None, False),
    ("ppc", "powerpc", 32, 32, "aligned", True),
    ("s390x", "s390x", 64, 64, None, False),
    ("s390", "s390", 32, 32, "consecutive", True),
    ("mips64el", "mips64", 64, 64, None, False),
    ("mips64", "mips64", 64, 64, None, False),
    ("mips64n32el", "mips64n32", 32, 64, None, False),
    ("mips64n32", "mips64n32", 32, 64, None, False),
    ("mipsel", "mipso32", 32, 32, "aligned", False),
    ("mips", "mipso32", 32, 32, "aligned", True),
    ("loongarch64", "loongarch64", 64, 64, None, False),
    ("parisc64", "parisc64", 64, 64, None, False),
    ("parisc", "parisc", 32, 32, "consecutive", True),
    ("sparc64", "sparc64", 64, 64, None, False),
    ("sparc", "sparc", 32, 32, "consecutive", True),
    ("m68k", "m68k", 32, 32, "consecutive", True),
]

# Argument names that carry flag bits (decoded by name, compared unsigned).
FLAG_NAMES = {"flags", "flag", "prot", "mask", "how", "attr_flags", "clone_flags", "lookup_flags",
              "mount_flags", "ms_flags", "event_flags", "fsmount_flags", "attr_set", "attr_clr",
              "mmap_flags", "op_flags", "flags1", "flags2"}
FD_NAMES = {"fd", "dfd", "fd_in", "fd_out", "in_fd", "out_fd", "olddfd", "newdfd", "epfd", "oldfd",
            "newfd", "pidfd", "from_dfd", "to_dfd", "ufd", "fdin", "fdout", "mqdes", "fs_fd",
            "dirfd", "ring_fd", "fd1", "fd2", "mnt_fd", "ns_fd", "userfaultfd", "watchfd"}


TYPE_WORDS = {"int", "long", "char", "short", "unsigned", "signed", "void"}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def parse_arg(raw, idx, where):
    raw = " ".join(raw.replace("__user", " ").replace("__force", " ").split())
    if raw in ("void", ""):
        return None
    # Split off the name: the last identifier, unless it is part of the type (unnamed args).
    ctype, name = raw, f"arg{idx}"
    m = re.match(r"^(.*?)(\w+)$", raw)
    if m and m.group(1).strip() and raw not in INT_TYPES and m.group(2) not in TYPE_WORDS \
            and not re.search(r"(struct|union)\s*$", m.group(1)):
        ctype, name = m.group(1).strip(), m.group(2)
    is_ptr = "*" in ctype
    base = " ".join(ctype.replace("*", " ").replace("const", " ").replace("volatile", " ").split())
    if is_ptr:
        if base == "char" and ctype.count("*") == 1 and "const" in ctype:
            kind = "kString"
        elif base.startswith("struct ") or base.startswith("union "):
            kind = "kStruct"
        else:
            kind = "kPointer"
        return ("" if re.fullmatch(r"arg\d", name) else name, kind, 64, False, "word")
    if base.startswith("struct ") or base.startswith("union "):
        sys.exit(f"{where}: struct passed by value: {raw}")
    if base.startswith("enum "):
        base = "int"
    if base not in INT_TYPES:
        sys.exit(f"{where}: unknown argument type '{base}' in '{raw}'")
    kind, width, signed = INT_TYPES[base]
    size = "int" if width == 32 else "64" if base in FIXED64 else "word"
    if re.fullmatch(r"arg\d", name):
        name = ""  # the kernel's "arg2" is not sysgate's arg2 (an index): leave it unnamed
    if name in FD_NAMES and width == 32 and kind in ("kInt", "kUInt"):
        kind = "kFd"
    elif name in FD_NAMES and kind == "kULong":
        kind = "kFd"
    elif name in FLAG_NAMES and kind in ("kInt", "kUInt", "kULong", "kLong"):
        kind, signed = "kFlags", False
    return (name, kind, width, signed, size)


def parse_protos(path, text=None):
    if text is None:
        with open(path) as f:
            text = strip_comments(f.read())
    protos = {}
    for m in PROTO.finditer(text):
        name, args = m.group(1), m.group(2)
        if name in protos:
            continue  # the first prototype of a config-dependent one; extra file overrides
        parsed = []
        parts = [a for a in args.split(",")] if args.strip() else []
        for i, a in enumerate(parts):
            p = parse_arg(a, i, f"{path}: sys_{name}")
            if p:
                parsed.append(p)
        protos[name] = parsed
    return protos


def parse_abi_protos(path):
    """ABI -> {name: args} from the `@abi NAME...` blocks of signatures-abi.h."""
    with open(path) as f:
        text = strip_comments(f.read())
    out = {}
    for block in re.split(r"^@abi\b", text, flags=re.M)[1:]:
        first, _, body = block.partition("\n")
        protos = parse_protos(path, body)
        for abi in first.split():
            if abi not in [a[0] for a in ABIS]:
                sys.exit(f"{path}: unknown ABI {abi}")
            out.setdefault(abi, {}).update(protos)
    return out


def layout(args, long_bits, reg_bits, split, hi_first):
    """The arguments with their registers on one ABI: (name, kind, bits, signed, slot, hi_slot).
    A slot past 5 is a register seccomp does not see."""
    out, slot = [], 0
    for name, kind, _, signed, size in args:
        if size == "64" and reg_bits == 32:
            if split == "aligned" and slot % 2:
                slot += 1
            lo, hi = (slot + 1, slot) if hi_first else (slot, slot + 1)
            out.append((name, kind, 64, signed, lo, hi))
            slot += 2
            continue
        bits = 32 if size == "int" else 64 if size == "64" else long_bits
        out.append((name, kind, bits, signed, slot, -1))
        slot += 1
    return out


def c_signature(name, args):
    argtxt = ", ".join(f'{{"{an}", ArgKind::{k}, {wd}, {"true" if s else "false"}, {lo}, {hi}}}'
                       for an, k, wd, s, lo, hi in args)
    return f'{{"{name}", {len(args)}, {{{{{argtxt}}}}}}}'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("syscalls_h")
    ap.add_argument("extra_h")
    ap.add_argument("abi_h")
    ap.add_argument("data_dir")
    ap.add_argument("output")
    args = ap.parse_args()

    kernel = parse_protos(args.syscalls_h)
    extra = parse_protos(args.extra_h)
    per_abi = parse_abi_protos(args.abi_h)
    with open(os.path.join(args.data_dir, "syscall-names.text")) as f:
        names = sorted({l.strip() for l in f if l.strip()})
    x86_64 = set()
    with open(os.path.join(args.data_dir, "syscalls-x86_64")) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) == 2:
                x86_64.add(p[0])

    sigs, missing = {}, []
    for n in names:
        fn = ALIASES.get(n, n)
        if n in extra:
            sigs[n] = extra[n]
        elif fn in extra:
            sigs[n] = extra[fn]
        elif fn in kernel:
            sigs[n] = kernel[fn]
        elif n in x86_64:
            missing.append(n)
    if missing:
        sys.exit("no prototype for x86_64 syscalls (add them to signatures-extra.h): "
                 + " ".join(missing))

    version = re.search(r"linux-headers-([\w.+~-]+?)-common", os.path.realpath(args.syscalls_h))
    src = f"include/linux/syscalls.h of linux-headers-{version.group(1) if version else '?'}-common"
    generic = sorted(sigs)
    index = {n: i for i, n in enumerate(generic)}
    x86 = {n: layout(sigs[n], 64, 64, None, False) for n in generic}

    # Per ABI: the syscalls of its table whose layout differs from x86_64's.
    variants, refs = [], []
    for abi_id, (abi, table, long_bits, reg_bits, split, hi_first) in enumerate(ABIS):
        numbers = read_table(os.path.join(args.data_dir, "syscalls-" + table))
        for n in sorted(numbers):
            proto = per_abi.get(abi, {}).get(ALIASES.get(n, n), per_abi.get(abi, {}).get(n))
            if proto is None and n not in sigs:
                continue
            if proto is not None and n not in sigs:
                sys.exit(f"{abi}: {n} has an ABI prototype but no x86_64 one")
            lay = layout(proto if proto is not None else sigs[n], long_bits, reg_bits, split, hi_first)
            if lay == x86[n]:
                continue
            if (n, lay) not in variants:
                variants.append((n, lay))
            refs.append((abi_id, index[n], variants.index((n, lay))))

    out = []
    w = out.append
    w("// GENERATED by tools/gen/gen_signatures.py from " + src)
    w("// tools/gen/signatures-extra.h and tools/gen/signatures-abi.h; do not edit. Regenerate with")
    w("// `make generate`. Included once, by src/arch/signatures.cc.")
    w("")
    w("// x86_64's signatures, sorted by name.")
    w(f"inline constexpr std::array<SignatureEntry, {len(generic)}> kSignatureTable = {{{{")
    for n in generic:
        w(f"    {c_signature(n, x86[n])},")
    w("}};")
    w("")
    w("// The signatures other ABIs have where they differ from x86_64's (argument widths, order,")
    w("// 64-bit values over two registers).")
    w(f"inline constexpr std::array<SignatureEntry, {len(variants)}> kAbiSignatures = {{{{")
    for n, lay in variants:
        w(f"    {c_signature(n, lay)},")
    w("}};")
    w("")
    w("// (Arch, kSignatureTable index) -> kAbiSignatures index, sorted.")
    w(f"inline constexpr std::array<AbiSignatureRef, {len(refs)}> kAbiSignatureRefs = {{{{")
    for a, g, i in refs:
        w(f"    {{{a}, {g}, {i}}},")
    w("}};")
    with open(args.output, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"{len(sigs)} signatures ({len(x86_64)} x86_64 syscalls, all covered); "
          f"{len(variants)} variants on other ABIs")


if __name__ == "__main__":
    main()
