  A = arch
  if (A == ARCH_AARCH64) goto L0099
  if (A != ARCH_ARM) goto L0125
  A = sys_number
  if (A >= set_tid_address) goto L0084
  if (A >= setfsuid) goto L0069
  if (A >= 0x44) goto L0037
  if (A >= sync) goto L0027
  if (A >= mknod) goto L0016
  if (A >= close) goto L0013
  if (A >= read) goto L0012
  if (A >= fork) goto L0124 else goto L0122
L0012:
  if (A >= open) goto L0124 else goto L0122
L0013:
  if (A >= creat) goto L0015
  if (A >= 7) goto L0123 else goto L0122
L0015:
  if (A >= 0xd) goto L0123 else goto L0124
L0016:
  if (A >= setuid) goto L0020
  if (A >= lseek) goto L0019
  if (A >= 0x11) goto L0123 else goto L0124
L0019:
  if (A >= 0x16) goto L0123 else goto L0124
L0020:
  if (A >= pause) goto L0024
  if (A < 0x19) goto L0124
  if (A < ptrace) goto L0123
  if (A >= 0x1b) goto L0123 else goto L0124
L0024:
  if (A >= access) goto L0026
  if (A >= 0x1e) goto L0123 else goto L0124
L0026:
  if (A >= 0x23) goto L0123 else goto L0124
L0027:
  if (A >= 0x35) goto L0032
  if (A < 0x2c) goto L0124
  if (A >= geteuid) goto L0124
  if (A < brk) goto L0123
  if (A >= 0x30) goto L0123 else goto L0124
L0032:
  if (A >= umask) goto L0124
  if (A >= 0x38) goto L0035
  if (A >= ioctl) goto L0124 else goto L0123
L0035:
  if (A < setpgid) goto L0123
  if (A >= 0x3a) goto L0123 else goto L0124
L0037:
  if (A >= syslog) goto L0052
  if (A >= readlink) goto L0045
  if (A >= getrusage) goto L0042
  if (A < setreuid) goto L0123
  if (A >= 0x4c) goto L0123 else goto L0124
L0042:
  if (A < 0x52) goto L0124
  if (A < symlink) goto L0123
  if (A >= 0x54) goto L0123 else goto L0124
L0045:
  if (A >= munmap) goto L0049
  if (A >= swapon) goto L0048
  if (A >= 0x56) goto L0123 else goto L0124
L0048:
  if (A >= 0x59) goto L0123 else goto L0124
L0049:
  if (A < 0x62) goto L0124
  if (A < statfs) goto L0123
  if (A >= 0x65) goto L0123 else goto L0124
L0052:
  if (A >= clone) goto L0060
  if (A >= vhangup) goto L0055
  if (A >= 0x6d) goto L0123 else goto L0124
L0055:
  if (A >= 0x75) goto L0058
  if (A >= wait4) goto L0124
  if (A >= 0x70) goto L0123 else goto L0124
L0058:
  if (A >= sigreturn) goto L0122
  if (A >= fsync) goto L0124 else goto L0123
L0060:
  if (A >= init_module) goto L0064
  if (A >= adjtimex) goto L0063
  if (A >= 0x7b) goto L0123 else goto L0124
L0063:
  if (A >= 0x7f) goto L0123 else goto L0124
L0064:
  if (A >= 0x86) goto L0067
  if (A >= quotactl) goto L0124
  if (A >= 0x82) goto L0123 else goto L0124
L0067:
  if (A < sysfs) goto L0123
  if (A >= 0x89) goto L0123 else goto L0124
L0069:
  if (A >= vfork) goto L0079
  if (A >= 0xa6) goto L0073
  if (A >= mlock) goto L0124
  if (A >= 0x95) goto L0123 else goto L0124
L0073:
  if (A >= rt_sigaction) goto L0078
  if (A >= setresgid) goto L0077
  if (A >= 0xa9) goto L0123
  if (A >= poll) goto L0124 else goto L0123
L0077:
  if (A >= rt_sigreturn) goto L0122 else goto L0124
L0078:
  if (A >= 0xbc) goto L0123 else goto L0124
L0079:
  if (A < 0xde) goto L0124
  if (A >= exit_group) goto L0082
  if (A >= gettid) goto L0124 else goto L0123
L0082:
  if (A < lookup_dcookie) goto L0122
  if (A >= 0xfe) goto L0123 else goto L0124
L0084:
  if (A >= 0x192) goto L0091
  if (A >= mkdirat) goto L0124
  if (A >= bind) goto L0088
  if (A >= socket) goto L0119 else goto L0124
L0088:
  if (A < 0x139) goto L0124
  if (A >= openat) goto L0122
  if (A >= ioprio_set) goto L0124 else goto L0123
L0091:
  if (A >= 0x1bf) goto L0095
  if (A >= io_pgetevents_time64) goto L0124
  if (A >= 0x19f) goto L0123
  if (A >= clock_gettime64) goto L0124 else goto L0123
L0095:
  if (A >= 0x1d8) goto L0097
  if (A >= process_mrelease) goto L0124 else goto L0123
L0097:
  if (A >= 0xf0007) goto L0123
  if (A >= breakpoint) goto L0124 else goto L0123
L0099:
  A = sys_number
  if (A >= setpriority) goto L0112
  if (A >= readv) goto L0107
  if (A < 0x2a) goto L0124
  if (A >= openat) goto L0105
  if (A >= statfs) goto L0124 else goto L0123
L0105:
  if (A < vhangup) goto L0122
  if (A >= read) goto L0122 else goto L0124
L0107:
  if (A >= waitid) goto L0109
  if (A >= exit) goto L0122 else goto L0124
L0109:
  if (A < restart_syscall) goto L0124
  if (A >= rt_sigreturn) goto L0122
  if (A >= kill) goto L0124 else goto L0122
L0112:
  if (A >= 0xf4) goto L0115
  if (A < socket) goto L0124
  if (A >= socketpair) goto L0124 else goto L0119
L0115:
  if (A >= pidfd_send_signal) goto L0118
  if (A >= 0x127) goto L0123
  if (A >= wait4) goto L0124 else goto L0123
L0118:
  if (A >= 0x1d8) goto L0123 else goto L0124
L0119:
  A = args[0]
  if (A == 1) goto L0122
  if (A != 2) goto L0124
L0122:
  return ALLOW
L0123:
  return ERRNO(38)
L0124:
  return ERRNO(1)
L0125:
  return KILL_PROCESS
