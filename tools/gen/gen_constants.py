#!/usr/bin/env python3
"""Generates src/arch/generated/constants.inc: named constants that policies use.

The values come from the build host's system headers (glibc and Linux UAPI, as installed by
Debian's libc6-dev and linux-libc-dev): the generator lists the macros of each family with
`cc -E -dM`, then compiles a C++ file that evaluates every one as an integral constant
expression and prints its value. Macros that are not integral constants (SIG_DFL, function-like
macros) are dropped. The values are those of the host architecture (x86_64); see
docs/policy-language.md for the architectures where some families differ.

Usage: gen_constants.py OUTPUT [--cxx c++]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HEADERS = """
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <unistd.h>
#include <termios.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <sys/quota.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/futex.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/memfd.h>
#include <linux/close_range.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <asm/prctl.h>
"""

# Families: a regex over macro names, and a one-line description for the docs.
FAMILIES = [
    (r"E[A-Z0-9]+", "errno values"),
    (r"SIG[A-Z0-9]+", "signal numbers"),
    (r"O_[A-Z0-9_]+", "open flags"),
    (r"AT_[A-Z0-9_]+", "*at() flags and AT_FDCWD"),
    (r"(AF|PF)_[A-Z0-9_]+", "address families"),
    (r"SOCK_[A-Z0-9_]+", "socket types and flags"),
    (r"(IPPROTO|SOL|SO|MSG|TCP)_[A-Z0-9_]+", "socket protocols, levels, options, flags"),
    (r"NETLINK_[A-Z0-9_]+", "netlink protocols"),
    (r"CLONE_[A-Z0-9_]+", "clone flags"),
    (r"(PROT|MAP|MADV|MREMAP|MS|MCL|MLOCK|MFD)_[A-Z0-9_]+", "memory: mmap, madvise, msync, memfd"),
    (r"PR_[A-Z0-9_]+", "prctl options"),
    (r"ARCH_[A-Z0-9_]+", "arch_prctl codes"),
    (r"F_[A-Z0-9_]+", "fcntl commands"),
    (r"(FD|LOCK|SEEK|R|W|X|F)_OK|(FD|LOCK|SEEK|POSIX_FADV)_[A-Z0-9_]+", "fd, lock and seek values"),
    (r"TIOC[A-Z0-9_]+|TC[A-Z0-9_]+|FIO[A-Z0-9_]+|FIONREAD|FICLONE[A-Z0-9_]*", "terminal and file ioctls"),
    (r"(PER|ADDR|READ_IMPLIES|MMAP_PAGE|WHOLE_SECONDS|STICKY_TIMEOUTS|SHORT_INODE|FDPIC)_[A-Z0-9_]+|UNAME26|ADDR_NO_RANDOMIZE|ADDR_LIMIT_32BIT|ADDR_LIMIT_3GB|ADDR_COMPAT_LAYOUT|READ_IMPLIES_EXEC|MMAP_PAGE_ZERO|STICKY_TIMEOUTS|SHORT_INODE|WHOLE_SECONDS", "personality values"),
    (r"(MNT|MOVE_MOUNT|OPEN_TREE|FSOPEN|FSMOUNT|FSCONFIG|MOUNT_ATTR|UMOUNT)_[A-Z0-9_]+", "mount API"),
    (r"FUTEX_[A-Z0-9_]+", "futex operations"),
    (r"(EPOLL|EFD|TFD|SFD|IN|GRND|RENAME|CLOSE_RANGE|P)_[A-Z0-9_]+|EPOLL[A-Z]+", "event fds and misc flags"),
    (r"(SECCOMP|PTRACE|KEYCTL|RLIMIT|CLOCK|TIMER|WNOHANG|WUNTRACED|WCONTINUED|WEXITED|WSTOPPED|WNOWAIT|IORING|SCHED|Q)_[A-Z0-9_]+|WNOHANG|WUNTRACED|WCONTINUED|WEXITED|WSTOPPED|WNOWAIT|__WALL|__WCLONE|__WNOTHREAD", "seccomp, ptrace, keyctl, rlimit, clock, wait, io_uring, sched, quota"),
    (r"S_I[A-Z0-9]+", "file modes"),
]

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


def macro_names(cxx, tmp, text, regex):
    path = os.path.join(tmp, "one.h")
    with open(path, "w") as f:
        f.write(text)
    out = subprocess.run([cxx, "-E", "-dM", "-x", "c++", path], check=True,
                         capture_output=True, text=True).stdout
    return {m.group(1) for m in re.finditer(r"^#define (" + regex + r") ", out, re.M)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output")
    ap.add_argument("--cxx", default=os.environ.get("CXX", "c++"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        hdr = os.path.join(tmp, "all.h")
        with open(hdr, "w") as f:
            f.write(HEADERS)
        macros = subprocess.run([args.cxx, "-E", "-dM", "-x", "c++", hdr], check=True,
                                capture_output=True, text=True).stdout
        names = set()
        pattern = re.compile("^(?:" + "|".join(f"(?:{r})" for r, _ in FAMILIES) + ")$")
        for line in macros.splitlines():
            m = re.match(r"#define (\w+) (.+)", line)
            if m and pattern.match(m.group(1)) and not m.group(1).endswith("_H"):
                names.add(m.group(1))
        names = sorted(names | set(ENUMERATORS))
        errno_names = macro_names(args.cxx, tmp, "#include <errno.h>\n", r"E[A-Z0-9]+")
        signal_names = macro_names(args.cxx, tmp, "#include <signal.h>\n", r"SIG[A-Z0-9]+")
        # Evaluate; drop names that are not integral constant expressions, then retry.
        for _ in range(20):
            src = os.path.join(tmp, "probe.cc")
            with open(src, "w") as f:
                f.write(HEADERS + "\n#include <cstdio>\n#include <type_traits>\n")
                f.write("template <class T> constexpr long long V(T v) {"
                        " static_assert(std::is_integral_v<T> || std::is_enum_v<T>); return (long long)v; }\n")
                f.write("int main() {\n")
                for n in names:
                    f.write(f'  {{ constexpr long long v = V({n}); std::printf("%s %lld\\n", "{n}", v); }}\n')
                f.write("}\n")
            exe = os.path.join(tmp, "probe")
            r = subprocess.run([args.cxx, "-std=c++20", "-w", "-fmax-errors=0", src, "-o", exe],
                               capture_output=True, text=True)
            if r.returncode == 0:
                break
            bad_lines = {int(m.group(1)) for m in re.finditer(r"probe\.cc:(\d+):\d+: (?:error|  required from here)", r.stderr)}
            with open(src) as f:
                lines = f.read().split("\n")
            bad = set()
            for ln in bad_lines:
                m = re.search(r'"(\w+)", v\)', lines[ln - 1])
                if m:
                    bad.add(m.group(1))
            if not bad:
                sys.exit("constant probe failed to compile:\n" + r.stderr[:4000])
            names = [n for n in names if n not in bad]
        else:
            sys.exit("constant probe did not converge")
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    values = []
    for line in out.splitlines():
        n, v = line.split()
        values.append((n, int(v)))
    values.sort()
    errnos = sorted((v, n) for n, v in values
                    if n in errno_names and 0 < v < 4096 and n not in ALIAS_NAMES)
    signals = sorted((v, n) for n, v in values
                     if n in signal_names and 0 < v < 65 and n not in ALIAS_NAMES)
    libc = subprocess.run(["ldd", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    w = []
    w.append("// GENERATED by tools/gen/gen_constants.py from the host's glibc and Linux UAPI headers")
    w.append(f"// ({libc.strip()}; x86_64 values); do not edit. Regenerate with `make generate`.")
    w.append("// Included once, by src/arch/constants.cc. Sorted by name.")
    w.append("")
    w.append(f"inline constexpr std::array<ConstantEntry, {len(values)}> kConstantTable = {{{{")
    for n, v in values:
        lit = f"{v}LL" if v >= -(1 << 62) else f"({v + 1}LL - 1)"
        w.append(f'    {{"{n}", {lit}}},')
    w.append("}};")
    w.append("")
    w.append("// errno values by number (first name of each value), for errno(N) actions and reports.")
    w.append(f"inline constexpr std::array<ValueName, {len(errnos)}> kErrnoNames = {{{{")
    for v, n in errnos:
        w.append(f'    {{{v}, "{n}"}},')
    w.append("}};")
    w.append("")
    w.append("// Signal numbers by number.")
    w.append(f"inline constexpr std::array<ValueName, {len(signals)}> kSignalNames = {{{{")
    for v, n in signals:
        w.append(f'    {{{v}, "{n}"}},')
    w.append("}};")
    with open(args.output, "w") as f:
        f.write("\n".join(w) + "\n")
    print(f"{len(values)} constants")


if __name__ == "__main__":
    main()
