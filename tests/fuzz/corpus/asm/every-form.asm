  A = arch
  if (A != ARCH_X86_64) goto kill
  A = sys_number
  if (A >= 0x40000000) goto kill
  if (A == execve) goto kill else goto next
next:
  if (A == i386.execve) goto kill
  A = args[1] >> 32
  A = instruction_pointer
  X = A
  A = X
  mem[3] = A
  mem[4] = X
  A = mem[3]
  X = mem[4]
  X = 5
  A = len
  X = len
  A += 1
  A -= X
  A *= 3
  A /= 2
  A &= 0xff
  A |= X
  A ^= 1
  A <<= 2
  A >>= 1
  A = -A
  if (A > X) goto e
  if (!(A & 4)) goto e
  if (A & 4) goto e
  if (A <= 5) goto e
  goto e
e:
  return ERRNO(EPERM)
kill:
  return KILL_PROCESS
