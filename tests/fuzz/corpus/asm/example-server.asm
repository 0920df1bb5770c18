  A = arch
  if (A == ARCH_X86_64) goto L0155
  if (A != ARCH_I386) goto L0015
  A = sys_number
  if (A >= sched_setaffinity) goto L0102
  if (A >= sigreturn) goto L0061
  if (A >= chroot) goto L0043
  if (A >= alarm) goto L0026
  if (A >= time) goto L0016
  if (A >= close) goto L0012
  if (A < read) goto L0164
  if (A >= open) goto L0019 else goto L0021
L0012:
  if (A >= execve) goto L0014
  if (A >= waitpid) goto L0019 else goto L0021
L0014:
  if (A >= chdir) goto L0019
L0015:
  goto L0279
L0016:
  if (A >= getpid) goto L0023
  if (A >= 0x11) goto L0020
  if (A < mknod) goto L0021
L0019:
  goto L0277
L0020:
  if (A < lseek) goto L0022
L0021:
  goto L0278
L0022:
  if (A >= oldstat) goto L0277 else goto L0263
L0023:
  if (A >= setuid) goto L0025
  if (A >= mount) goto L0279 else goto L0278
L0025:
  if (A >= ptrace) goto L0279 else goto L0277
L0026:
  if (A >= setgid) goto L0033
  if (A >= sync) goto L0031
  if (A < 0x1f) goto L0277
  if (A < access) goto L0263
  if (A >= 0x23) goto L0263 else goto L0277
L0031:
  if (A < 0x2c) goto L0277
  if (A >= brk) goto L0278 else goto L0263
L0033:
  if (A >= ioctl) goto L0038
  if (A >= geteuid) goto L0036
  if (A >= signal) goto L0278 else goto L0277
L0036:
  if (A < umount2) goto L0277
  if (A >= 0x35) goto L0263 else goto L0279
L0038:
  if (A >= 0x38) goto L0040
  if (A >= fcntl) goto L0264 else goto L0273
L0040:
  if (A >= oldolduname) goto L0277
  if (A >= 0x3a) goto L0263
  if (A >= setpgid) goto L0277 else goto L0263
L0043:
  if (A >= mmap) goto L0053
  if (A >= sethostname) goto L0049
  if (A >= sgetmask) goto L0048
  if (A >= sigaction) goto L0278
  if (A >= ustat) goto L0277 else goto L0279
L0048:
  if (A >= sigsuspend) goto L0278 else goto L0277
L0049:
  if (A >= settimeofday) goto L0051
  if (A >= gettimeofday) goto L0278 else goto L0277
L0051:
  if (A < 0x56) goto L0277
  if (A >= swapon) goto L0277 else goto L0263
L0053:
  if (A >= fstat) goto L0058
  if (A >= 0x62) goto L0057
  if (A >= truncate) goto L0277
  if (A >= munmap) goto L0278 else goto L0275
L0057:
  if (A >= statfs) goto L0277 else goto L0263
L0058:
  if (A >= vm86old) goto L0277
  if (A < olduname) goto L0278
  if (A >= 0x70) goto L0263 else goto L0277
L0061:
  if (A >= pread64) goto L0088
  if (A >= mlock) goto L0077
  if (A >= 0x86) goto L0071
  if (A >= sigprocmask) goto L0067
  if (A >= mprotect) goto L0275
  if (A >= clone) goto L0277 else goto L0278
L0067:
  if (A >= 0x82) goto L0070
  if (A >= init_module) goto L0279
  if (A >= 0x7f) goto L0263 else goto L0278
L0070:
  if (A >= quotactl) goto L0277 else goto L0263
L0071:
  if (A >= readv) goto L0075
  if (A >= setfsuid) goto L0277
  if (A >= 0x89) goto L0263
  if (A >= sysfs) goto L0277 else goto L0263
L0075:
  if (A < getsid) goto L0278
  if (A >= 0x95) goto L0263 else goto L0277
L0077:
  if (A >= setresuid) goto L0081
  if (A < sched_yield) goto L0277
  if (A >= mremap) goto L0278
  if (A >= sched_get_priority_max) goto L0277 else goto L0278
L0081:
  if (A >= rt_sigreturn) goto L0086
  if (A >= 0xa9) goto L0085
  if (A < 0xa7) goto L0277
  if (A >= poll) goto L0277 else goto L0263
L0085:
  if (A >= setresgid) goto L0277 else goto L0263
L0086:
  if (A < rt_sigqueueinfo) goto L0278
  if (A >= rt_sigsuspend) goto L0278 else goto L0277
L0088:
  if (A >= pivot_root) goto L0094
  if (A >= vfork) goto L0277
  if (A >= sigaltstack) goto L0092
  if (A >= chown) goto L0277 else goto L0278
L0092:
  if (A < sendfile) goto L0278
  if (A >= 0xbc) goto L0263 else goto L0278
L0094:
  if (A >= readahead) goto L0101
  if (A >= getdents64) goto L0098
  if (A >= madvise) goto L0278
  if (A >= mincore) goto L0277 else goto L0279
L0098:
  if (A >= 0xde) goto L0100
  if (A >= fcntl64) goto L0277 else goto L0278
L0100:
  if (A >= gettid) goto L0278 else goto L0263
L0101:
  if (A >= futex) goto L0278 else goto L0277
L0102:
  if (A >= getrandom) goto L0126
  if (A >= mkdirat) goto L0116
  if (A >= clock_nanosleep) goto L0111
  if (A >= epoll_ctl) goto L0109
  if (A < 0xfb) goto L0277
  if (A >= lookup_dcookie) goto L0277
  if (A >= exit_group) goto L0278 else goto L0263
L0109:
  if (A >= clock_gettime) goto L0278
  if (A >= remap_file_pages) goto L0277 else goto L0278
L0111:
  if (A >= 0x11d) goto L0114
  if (A >= mbind) goto L0277
  if (A >= 0x111) goto L0263 else goto L0277
L0114:
  if (A >= openat) goto L0259
  if (A >= add_key) goto L0277 else goto L0263
L0116:
  if (A >= signalfd4) goto L0123
  if (A >= set_robust_list) goto L0119
  if (A >= unshare) goto L0279 else goto L0277
L0119:
  if (A < epoll_pwait) goto L0239
  if (A >= timerfd_create) goto L0277
  if (A >= signalfd) goto L0278
  if (A >= utimensat) goto L0277 else goto L0278
L0123:
  if (A >= setns) goto L0125
  if (A >= eventfd2) goto L0277 else goto L0278
L0125:
  if (A >= sched_setattr) goto L0277 else goto L0279
L0126:
  if (A >= io_pgetevents_time64) goto L0148
  if (A >= statx) goto L0140
  if (A >= sendto) goto L0135
  if (A >= accept4) goto L0133
  if (A >= socket) goto L0277
  if (A >= execveat) goto L0279
  if (A >= memfd_create) goto L0277 else goto L0278
L0133:
  if (A >= getsockname) goto L0277
  if (A >= setsockopt) goto L0269 else goto L0278
L0135:
  if (A >= userfaultfd) goto L0277
  if (A >= recvmsg) goto L0139
  if (A >= recvfrom) goto L0278
  if (A >= sendmsg) goto L0277 else goto L0278
L0139:
  if (A >= shutdown) goto L0278 else goto L0277
L0140:
  if (A >= clock_gettime64) goto L0144
  if (A >= semget) goto L0277
  if (A < arch_prctl) goto L0278
  if (A >= 0x183) goto L0263 else goto L0277
L0144:
  if (A >= clock_nanosleep_time64) goto L0147
  if (A >= clock_getres_time64) goto L0278
  if (A >= clock_settime64) goto L0277 else goto L0278
L0147:
  if (A >= 0x19f) goto L0263 else goto L0277
L0148:
  if (A >= quotactl_fd) goto L0154
  if (A >= move_mount) goto L0249
  if (A >= futex_time64) goto L0152
  if (A >= rt_sigtimedwait_time64) goto L0278 else goto L0277
L0152:
  if (A < io_uring_setup) goto L0277
  if (A >= open_tree) goto L0277 else goto L0263
L0154:
  if (A >= open_tree_attr) goto L0256 else goto L0277
L0155:
  A = sys_number
  if (A >= open_tree_attr) goto L0255
  if (A >= readahead) goto L0210
  if (A >= gettimeofday) goto L0188
  if (A >= shutdown) goto L0179
  if (A >= access) goto L0171
  if (A >= munmap) goto L0169
  if (A >= lstat) goto L0167
  if (A >= close) goto L0165
L0164:
  if (A >= 2) goto L0277 else goto L0278
L0165:
  if (A >= fstat) goto L0278
  if (A >= stat) goto L0277 else goto L0278
L0167:
  if (A >= mmap) goto L0275
  if (A >= lseek) goto L0278 else goto L0277
L0169:
  if (A < ioctl) goto L0278
  if (A >= pread64) goto L0278 else goto L0273
L0171:
  if (A >= getpid) goto L0176
  if (A >= shmget) goto L0277
  if (A >= msync) goto L0175
  if (A >= sched_yield) goto L0278 else goto L0277
L0175:
  if (A >= madvise) goto L0278 else goto L0277
L0176:
  if (A >= sendto) goto L0178
  if (A >= socket) goto L0277 else goto L0278
L0178:
  if (A >= sendmsg) goto L0277 else goto L0278
L0179:
  if (A >= fcntl) goto L0187
  if (A >= execve) goto L0185
  if (A >= setsockopt) goto L0183
  if (A >= bind) goto L0277 else goto L0278
L0183:
  if (A >= clone) goto L0277
  if (A >= getsockopt) goto L0278 else goto L0269
L0185:
  if (A >= wait4) goto L0277
  if (A >= exit) goto L0278 else goto L0279
L0187:
  if (A >= flock) goto L0277 else goto L0264
L0188:
  if (A >= personality) goto L0197
  if (A >= rt_sigpending) goto L0193
  if (A >= getuid) goto L0277
  if (A >= ptrace) goto L0279
  if (A >= getrlimit) goto L0277 else goto L0278
L0193:
  if (A >= rt_sigsuspend) goto L0195
  if (A >= rt_sigqueueinfo) goto L0277 else goto L0278
L0195:
  if (A < utime) goto L0278
  if (A >= 0x86) goto L0263 else goto L0277
L0197:
  if (A >= prctl) goto L0200
  if (A < pivot_root) goto L0277
  if (A >= 0x9c) goto L0263 else goto L0279
L0200:
  if (A >= swapon) goto L0204
  if (A >= sync) goto L0203
  if (A >= chroot) goto L0279 else goto L0277
L0203:
  if (A >= mount) goto L0279 else goto L0277
L0204:
  if (A < 0xae) goto L0277
  if (A >= quotactl) goto L0208
  if (A >= 0xb1) goto L0263
  if (A >= init_module) goto L0279 else goto L0263
L0208:
  if (A >= gettid) goto L0278
  if (A >= 0xb4) goto L0263 else goto L0277
L0210:
  if (A >= timerfd_create) goto L0231
  if (A >= tgkill) goto L0222
  if (A >= getdents64) goto L0216
  if (A >= futex) goto L0215
  if (A >= time) goto L0278 else goto L0277
L0215:
  if (A >= sched_setaffinity) goto L0277 else goto L0278
L0216:
  if (A >= clock_gettime) goto L0220
  if (A >= semtimedop) goto L0277
  if (A >= restart_syscall) goto L0278
  if (A >= set_tid_address) goto L0277 else goto L0278
L0220:
  if (A >= exit_group) goto L0278
  if (A >= clock_nanosleep) goto L0277 else goto L0278
L0222:
  if (A >= mkdirat) goto L0226
  if (A >= mbind) goto L0225
  if (A >= 0xec) goto L0263 else goto L0277
L0225:
  if (A >= openat) goto L0259 else goto L0277
L0226:
  if (A >= unshare) goto L0229
  if (A >= unlinkat) goto L0277
  if (A >= newfstatat) goto L0278 else goto L0277
L0229:
  if (A >= epoll_pwait) goto L0278
  if (A >= set_robust_list) goto L0277 else goto L0279
L0231:
  if (A >= statx) goto L0242
  if (A >= setns) goto L0235
  if (A >= eventfd2) goto L0277
  if (A >= accept4) goto L0278 else goto L0277
L0235:
  if (A >= memfd_create) goto L0240
  if (A >= sched_setattr) goto L0239
  if (A >= process_vm_readv) goto L0279
  if (A >= getcpu) goto L0278 else goto L0279
L0239:
  if (A >= 0x13e) goto L0278 else goto L0277
L0240:
  if (A >= userfaultfd) goto L0277
  if (A >= execveat) goto L0279 else goto L0277
L0242:
  if (A >= quotactl_fd) goto L0277
  if (A >= move_mount) goto L0249
  if (A >= pidfd_send_signal) goto L0247
  if (A < io_pgetevents) goto L0278
  if (A >= 0x151) goto L0263 else goto L0277
L0247:
  if (A >= open_tree) goto L0277
  if (A >= io_uring_setup) goto L0263 else goto L0277
L0249:
  if (A >= 0x1b6) goto L0251
  if (A >= 0x1b2) goto L0277 else goto L0279
L0251:
  if (A >= 0x1b9) goto L0254
  if (A >= 0x1b8) goto L0279
  if (A >= 0x1b7) goto L0277 else goto L0279
L0254:
  if (A >= 0x1ba) goto L0279 else goto L0277
L0255:
  if (A >= x32.read) goto L0258
L0256:
  if (A < 0x1d4) goto L0279
  if (A >= 0x1d8) goto L0263 else goto L0277
L0258:
  if (A >= 0x80000000) goto L0263 else goto L0279
L0259:
  A = args[2]
  if (A & 3) goto L0277
  A = args[0]
  if (A == 0xffffff9c) goto L0277 else goto L0278
L0263:
  return ERRNO(38)
L0264:
  A = args[1]
  if (A == 1) goto L0278
  if (A == 2) goto L0278
  if (A == 3) goto L0278
  if (A == 4) goto L0278 else goto L0277
L0269:
  A = args[1]
  if (A == 1) goto L0278
  A = args[1]
  if (A == 6) goto L0278 else goto L0277
L0273:
  A = args[1]
  if (A == 0x541b) goto L0278 else goto L0277
L0275:
  A = args[2]
  if (!(A & 4)) goto L0278
L0277:
  return ERRNO(1)
L0278:
  return ALLOW
L0279:
  return KILL_PROCESS
