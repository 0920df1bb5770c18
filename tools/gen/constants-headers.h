/*
 * The headers whose constants sysgate's policy language knows by name (O_*, AF_*, CLONE_*,
 * TIOC*, errno and signal names, ...): included by tools/gen/gen_constants.py, which evaluates
 * every constant with each ABI's compiler (tools/gen/abis.txt), and by tests/abi/headers_test.cc,
 * which checks the committed tables against them. C, for every cross compiler.
 */
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
#include <linux/in6.h>  /* IPV6_FLOWINFO, which glibc's headers leave out */
#include <linux/netfilter_ipv4/ip_tables.h>   /* IPT_SO_SET_REPLACE, ... */
#include <linux/netfilter_ipv6/ip6_tables.h>  /* IP6T_SO_SET_REPLACE, ... */
#include <linux/futex.h>
#include <linux/keyctl.h>
#include <linux/net.h>  /* the calls of socketcall(2): SYS_SOCKET, ... */
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/memfd.h>
#include <linux/close_range.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#if __has_include(<asm/prctl.h>)
#include <asm/prctl.h>
#endif
#include <linux/ipc.h>  /* the calls of the ipc(2) multiplexer: SEMOP, SHMGET, ... */
