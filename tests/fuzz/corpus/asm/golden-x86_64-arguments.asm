  A = arch
  if (A != ARCH_X86_64) goto L0061
  A = sys_number
  if (A >= 0x1d8) goto L0032
  if (A >= gettid) goto L0024
  if (A >= flock) goto L0013
  if (A >= pread64) goto L0012
  if (A >= mmap) goto L0010
  if (A >= stat) goto L0061
  if (A >= close) goto L0057 else goto L0061
L0010:
  if (A >= ioctl) goto L0052
  if (A >= mprotect) goto L0061 else goto L0055
L0012:
  if (A >= fcntl) goto L0050 else goto L0061
L0013:
  if (A >= 0x86) goto L0016
  if (A < getppid) goto L0061
  if (A >= getpgrp) goto L0061 else goto L0039
L0016:
  if (A >= 0x9c) goto L0018
  if (A >= personality) goto L0061 else goto L0038
L0018:
  if (A >= 0xae) goto L0020
  if (A >= prctl) goto L0061 else goto L0038
L0020:
  if (A >= 0xb1) goto L0022
  if (A >= init_module) goto L0061 else goto L0038
L0022:
  if (A >= 0xb4) goto L0038
  if (A >= quotactl) goto L0061 else goto L0038
L0024:
  if (A >= mkdirat) goto L0028
  if (A < 0xec) goto L0061
  if (A >= openat) goto L0034
  if (A >= mbind) goto L0061 else goto L0038
L0028:
  if (A < 0x151) goto L0061
  if (A >= open_tree) goto L0061
  if (A >= io_uring_setup) goto L0038
  if (A >= pidfd_send_signal) goto L0061 else goto L0038
L0032:
  if (A >= 0x80000000) goto L0038
  if (A >= x32.read) goto L0061 else goto L0038
L0034:
  A = args[0]
  if (A != 0xffffff9c) goto L0061
  A = args[2]
  if (A & 3) goto L0061 else goto L0060
L0038:
  return ERRNO(38)
L0039:
  A = args[0] >> 32
  if (A > 0x1234) goto L0044
  if (A != 0x1234) goto L0060
  A = args[0]
  if (A < 0x56789abc) goto L0060
L0044:
  A = args[1] >> 32
  A ^= 0x80000000
  if (A > 0x7fffffff) goto L0060
  if (A != 0x7fffffff) goto L0061
  A = args[1]
  if (A > 0xfffffffb) goto L0060 else goto L0061
L0050:
  A = args[1]
  if (A > 4) goto L0061 else goto L0060
L0052:
  A = args[1]
  if (A == 0x5401) goto L0060
  if (A == 0x541b) goto L0060 else goto L0061
L0055:
  A = args[2]
  if (A & 4) goto L0061 else goto L0060
L0057:
  A = args[0]
  A ^= 0x80000000
  if (A < 0x80000003) goto L0061
L0060:
  return ALLOW
L0061:
  return KILL_PROCESS
