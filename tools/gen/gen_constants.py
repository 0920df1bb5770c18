#!/usr/bin/env python3
"""Generates src/arch/generated/constants.inc: the named constants policies use, per ABI.

The values come from each ABI's own C headers (glibc and Linux UAPI as Debian 12's cross
toolchains ship them: libc6-dev-<arch>-cross and linux-libc-dev-<arch>-cross), evaluated by that
ABI's compiler (tools/gen/abis.txt): O_DIRECTORY is 0200000 on x86_64 but 040000 on aarch64,
EAGAIN is 11 but 35 on sparc, and so on. For every ABI the generator lists the macros of each
family below in tools/gen/constants-headers.h (`cc -E -dM`), then compiles a C file that stores
every candidate in an array, in a section of its own, and reads the values back from the object
file. A name that is not an integral constant expression on an ABI (undefined there, or a
pointer such as SIG_DFL) has no value on that ABI.

Usage: gen_constants.py OUTPUT
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = os.path.join(HERE, "constants-headers.h")

# Arch order of include/sysgate/arch.h (bit i of a mask is Arch i).
ARCHES = ["x86_64", "x32", "i386", "aarch64", "arm", "riscv64", "riscv32", "ppc64le", "ppc64",
          "ppc", "s390x", "s390", "mips64el", "mips64", "mips64n32el", "mips64n32", "mipsel",
          "mips", "loongarch64", "parisc64", "parisc", "sparc64", "sparc", "m68k"]

# Families: a regex over macro names.
FAMILIES = [
    r"E[A-Z0-9]+",                                        # errno values
    r"SIG[A-Z0-9]+",                                      # signal numbers
    r"O_[A-Z0-9_]+",                                      # open flags
    r"AT_[A-Z0-9_]+",                                     # *at() flags and AT_FDCWD
    r"(AF|PF)_[A-Z0-9_]+",                                # address families
    r"SOCK_[A-Z0-9_]+",                                   # socket types and flags
    r"(IPPROTO|SOL|SO|MSG|TCP|IP|IPV6)_[A-Z0-9_]+",       # socket protocols, levels, options
    r"MCAST_[A-Z0-9_]+|(IPT|IP6T)_SO_[A-Z0-9_]+",         # IP's multicast and iptables options
    r"NETLINK_[A-Z0-9_]+",
    r"SYS_(SOCKET|BIND|CONNECT|LISTEN|ACCEPT|GETSOCKNAME|GETPEERNAME|SOCKETPAIR|SEND|RECV|"
    r"SENDTO|RECVFROM|SHUTDOWN|SETSOCKOPT|GETSOCKOPT|SENDMSG|RECVMSG|ACCEPT4|RECVMMSG|SENDMMSG)",
    r"(SEM|MSG|SHM)(OP|GET|CTL|TIMEDOP|SND|RCV|AT|DT)",   # the calls of ipc(2)
    r"CLONE_[A-Z0-9_]+",
    r"(PROT|MAP|MADV|MREMAP|MS|MCL|MLOCK|MFD)_[A-Z0-9_]+",
    r"PR_[A-Z0-9_]+",
    r"ARCH_[A-Z0-9_]+",
    r"F_[A-Z0-9_]+",
    r"(FD|LOCK|SEEK|R|W|X|F)_OK|(FD|LOCK|SEEK|POSIX_FADV)_[A-Z0-9_]+",
    r"TIOC[A-Z0-9_]+|TC[A-Z0-9_]+|FIO[A-Z0-9_]+|FIONREAD|FICLONE[A-Z0-9_]*",
    r"(PER|ADDR|READ_IMPLIES|MMAP_PAGE|WHOLE_SECONDS|STICKY_TIMEOUTS|SHORT_INODE|FDPIC)_[A-Z0-9_]+",
    r"(MNT|MOVE_MOUNT|OPEN_TREE|FSOPEN|FSMOUNT|FSCONFIG|MOUNT_ATTR|UMOUNT)_[A-Z0-9_]+",
    r"FUTEX_[A-Z0-9_]+",
    r"(EPOLL|EFD|TFD|SFD|IN|GRND|RENAME|CLOSE_RANGE|P)_[A-Z0-9_]+|EPOLL[A-Z]+",
    r"(SECCOMP|PTRACE|KEYCTL|RLIMIT|CLOCK|TIMER|IORING|SCHED|Q)_[A-Z0-9_]+",
    r"WNOHANG|WUNTRACED|WCONTINUED|WEXITED|WSTOPPED|WNOWAIT|__WALL|__WCLONE|__WNOTHREAD",
    r"S_I[A-Z0-9]+",
]

# Names the families match that are values of something else, brought in by the headers the
# socket options need: linux/in6.h's flow-label, priority, option-TLV and source-preference
# values beside IPV6_FLOWINFO, and the sync-serial clock sources that linux/if.h (through the
# iptables headers) names CLOCK_ beside the clock ids.
NOT_CONSTANTS = re.compile(r"^(?:IPV6_(?:FL_|PREFER_SRC_|PRIORITY_|TLV_)[A-Z0-9_]+"
                           r"|IPV6_FLOWINFO_(?:FLOWLABEL|PRIORITY)"
                           r"|CLOCK_(?:DEFAULT|EXT|INT|TXINT|TXFROMRX))$")

# Constants that the headers define as enumerators rather than macros, so `-dM` misses them.
ENUMERATORS = """
UNAME26 ADDR_NO_RANDOMIZE FDPIC_FUNCPTRS MMAP_PAGE_ZERO ADDR_COMPAT_LAYOUT READ_IMPLIES_EXEC
ADDR_LIMIT_32BIT SHORT_INODE WHOLE_SECONDS STICKY_TIMEOUTS ADDR_LIMIT_3GB PER_LINUX PER_LINUX_32BIT
PER_LINUX_FDPIC PER_SVR4 PER_SVR3 PER_SCOSVR3 PER_OSR5 PER_WYSEV386 PER_ISCR4 PER_BSD PER_SUNOS
PER_XENIX PER_LINUX32 PER_LINUX32_3GB PER_IRIX32 PER_IRIXN32 PER_IRIX64 PER_RISCOS PER_SOLARIS
PER_UW7 PER_OSF4 PER_HPUX PER_MASK
PTRACE_TRACEME PTRACE_PEEKTEXT PTRACE_PEEKDATA PTRACE_PEEKUSER PTRACE_POKETEXT PTRACE_POKEDATA
PTRACE_POKEUSER PTRACE_CONT PTRACE_KILL PTRACE_SINGLESTEP PTRACE_GETREGS PTRACE_SETREGS
PTRACE_ATTACH PTRACE_DETACH PTRACE_SYSCALL PTRACE_SETOPTIONS PTRACE_GETEVENTMSG
PTRACE_GETSIGINFO PTRACE_SETSIGINFO PTRACE_GETREGSET PTRACE_SETREGSET PTRACE_SEIZE
PTRACE_INTERRUPT PTRACE_LISTEN PTRACE_PEEKSIGINFO PTRACE_GETSIGMASK PTRACE_SETSIGMASK
PTRACE_SECCOMP_GET_FILTER PTRACE_SECCOMP_GET_METADATA PTRACE_GET_SYSCALL_INFO
""".split()

# Second names for one value; the first name is the one printed.
ALIAS_NAMES = {"EWOULDBLOCK", "EDEADLOCK", "ENOTSUP", "SIGIOT", "SIGPOLL", "SIGCLD", "SIGUNUSED"}


def read_abis():
    """ABI -> ("cc", argv, stubs) or ("same", other ABI, reason), from tools/gen/abis.txt."""
    abis = {}
    with open(os.path.join(HERE, "abis.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            words = line.split()
            if words[1] == "=":
                abis[words[0]] = ("same", words[2], " ".join(words[3:]))
            else:
                stubs = [w[5:] for w in words[1:] if w.startswith("stub:")]
                argv = [w for w in words[1:] if not w.startswith("stub:")]
                abis[words[0]] = ("cc", argv, stubs)
    if list(abis) != ARCHES:
        sys.exit("abis.txt must list every ABI in Arch order")
    return abis


class Compiler:
    def __init__(self, abi, argv, stubs, tmp):
        if not shutil.which(argv[0]):
            sys.exit(f"{abi}: no {argv[0]}; `make deps` installs the cross compilers")
        self.abi, self.argv = abi, list(argv)
        if stubs:
            d = os.path.join(tmp, abi + "-stubs")
            for s in stubs:
                os.makedirs(os.path.dirname(os.path.join(d, s)), exist_ok=True)
                open(os.path.join(d, s), "w").close()
            self.argv += ["-I", d]

    def run(self, args, **kw):
        return subprocess.run(self.argv + args, capture_output=True, text=True, **kw)

    def version(self):
        return self.run(["--version"]).stdout.split("\n")[0]

    def macros(self, tmp, include=f'"{HEADERS}"', families=FAMILIES):
        """The macros of `families` that `include` defines."""
        src = os.path.join(tmp, self.abi + "-macros.c")
        with open(src, "w") as f:
            f.write(f"#include {include}\n")
        r = self.run(["-E", "-dM", src])
        if r.returncode != 0:
            sys.exit(f"{self.abi}: the headers do not compile:\n{r.stderr[:3000]}")
        pattern = re.compile("^(?:" + "|".join(f"(?:{r})" for r in families) + ")$")
        names = set()
        for line in r.stdout.splitlines():
            m = re.match(r"#define (\w+) (.+)", line)
            if (m and pattern.match(m.group(1)) and not m.group(1).endswith("_H")
                    and not NOT_CONSTANTS.match(m.group(1))):
                names.add(m.group(1))
        return names

    def evaluate(self, names, tmp):
        """{name: value} for the names that are integral constants on this ABI."""
        names = sorted(names)
        src = os.path.join(tmp, self.abi + "-values.c")
        obj = os.path.join(tmp, self.abi + "-values.o")
        for _ in range(30):
            lines = [f'#include "{HEADERS}"',
                     "#define INTEGRAL(x) (__builtin_classify_type(x) >= 1 && __builtin_classify_type(x) <= 4)"]
            first = len(lines) + 1
            for n in names:
                lines.append(f'_Static_assert(INTEGRAL({n}), "{n}");')
            lines.append('__attribute__((section(".sysgate_values"), used))')
            lines.append("static const long long values[] = {")
            for n in names:
                lines.append(f"  (long long)({n}),")
            lines.append("};")
            with open(src, "w") as f:
                f.write("\n".join(lines) + "\n")
            r = self.run(["-c", "-w", "-fmax-errors=0", src, "-o", obj])
            if r.returncode == 0:
                break
            bad = set()
            for m in re.finditer(re.escape(os.path.basename(src)) + r":(\d+):\d+: error", r.stderr):
                ln = int(m.group(1))
                idx = ln - first if ln - first < len(names) else ln - first - len(names) - 2
                if 0 <= idx < len(names):
                    bad.add(names[idx])
            if not bad:
                sys.exit(f"{self.abi}: the constant probe does not compile:\n{r.stderr[:3000]}")
            names = [n for n in names if n not in bad]
        else:
            sys.exit(f"{self.abi}: the constant probe did not converge")
        data, big = elf_section(obj, ".sysgate_values")
        if len(data) != 8 * len(names):
            sys.exit(f"{self.abi}: {len(data)} bytes of values for {len(names)} names")
        fmt = (">" if big else "<") + f"{len(names)}q"
        return dict(zip(names, struct.unpack(fmt, data)))


def elf_section(path, wanted):
    """The bytes of section `wanted` of an ELF object, and whether it is big-endian."""
    with open(path, "rb") as f:
        elf = f.read()
    is64, big = elf[4] == 2, elf[5] == 2
    e = ">" if big else "<"
    if is64:
        shoff, = struct.unpack_from(e + "Q", elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", elf, 0x3A)
    else:
        shoff, = struct.unpack_from(e + "I", elf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", elf, 0x2E)

    def section(i):
        off = shoff + i * shentsize
        if is64:
            name, _, _, _, offset, size = struct.unpack_from(e + "IIQQQQ", elf, off)
        else:
            name, _, _, _, offset, size = struct.unpack_from(e + "IIIIII", elf, off)
        return name, offset, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, offset, size = section(i)
        end = elf.index(b"\0", stroff + name)
        if elf[stroff + name:end].decode() == wanted:
            return elf[offset:offset + size], big
    sys.exit(f"{path}: no section {wanted}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output")
    args = ap.parse_args()
    abis = read_abis()

    values, sources = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        compilers = {a: Compiler(a, spec[1], spec[2], tmp) for a, spec in abis.items() if spec[0] == "cc"}
        names, errno_names, signal_names = set(ENUMERATORS), set(), set()
        for a, c in compilers.items():
            names |= c.macros(tmp)
            errno_names |= c.macros(tmp, "<errno.h>", [r"E[A-Z0-9]+"])
            signal_names |= c.macros(tmp, "<signal.h>", [r"SIG[A-Z0-9]+"])
        for a, c in compilers.items():
            values[a] = c.evaluate(names, tmp)
            sources[a] = c.version()
            print(f"{a}: {len(values[a])} constants ({sources[a]})", file=sys.stderr)
    for a, spec in abis.items():
        if spec[0] == "same":
            values[a] = values[spec[1]]
            sources[a] = f"{spec[1]}'s values: {spec[2]}"

    # name -> [(value, mask)], the most common value first.
    table = {}
    for name in sorted(set().union(*[set(v) for v in values.values()])):
        groups = {}
        for i, a in enumerate(ARCHES):
            if name in values[a]:
                groups[values[a][name]] = groups.get(values[a][name], 0) | (1 << i)
        table[name] = sorted(groups.items(), key=lambda g: (-bin(g[1]).count("1"), g[1]))

    errnos = sorted(n for n in table if n in errno_names and n not in ALIAS_NAMES
                    and all(0 < v < 4096 for v, _ in table[n]))
    signals = sorted(n for n in table if n in signal_names and n not in ALIAS_NAMES
                     and all(0 < v < 65 for v, _ in table[n]))

    w = []
    w.append("// GENERATED by tools/gen/gen_constants.py from each ABI's glibc and Linux UAPI headers")
    w.append("// (tools/gen/constants-headers.h, evaluated as tools/gen/abis.txt says); do not edit.")
    w.append("// Regenerate with `make generate`. Included once, by src/arch/constants.cc. Sources:")
    for a in ARCHES:
        w.append(f"//   {a}: {sources[a]}")
    w.append("")
    w.append("// Each constant's values with the ABIs (bit i: Arch i) that have them, the most common first.")
    flat = []
    for name, groups in table.items():
        flat.extend(groups)
    w.append(f"inline constexpr std::array<ConstantValue, {len(flat)}> kConstantValues = {{{{")
    for v, mask in flat:
        lit = f"{v}LL" if v >= -(1 << 62) else f"({v + 1}LL - 1)"
        w.append(f"    {{{lit}, {mask:#x}}},")
    w.append("}};")
    w.append("")
    w.append("// Sorted by name: the first of its values in kConstantValues and how many there are.")
    w.append(f"inline constexpr std::array<ConstantEntry, {len(table)}> kConstantTable = {{{{")
    pos = 0
    for name, groups in table.items():
        w.append(f'    {{"{name}", {pos}, {len(groups)}}},')
        pos += len(groups)
    w.append("}};")
    w.append("")
    w.append("// The errno names (each value's first name), for errno(N) actions and reports.")
    w.append(f"inline constexpr std::array<FixedName<24>, {len(errnos)}> kErrnoNameList = {{{{")
    w.extend(f'    {{"{n}"}},' for n in errnos)
    w.append("}};")
    w.append("")
    w.append("// The signal names (each value's first name).")
    w.append(f"inline constexpr std::array<FixedName<24>, {len(signals)}> kSignalNameList = {{{{")
    w.extend(f'    {{"{n}"}},' for n in signals)
    w.append("}};")
    with open(args.output, "w") as f:
        f.write("\n".join(w) + "\n")
    print(f"{len(table)} constants, {len(flat)} values", file=sys.stderr)


if __name__ == "__main__":
    main()
