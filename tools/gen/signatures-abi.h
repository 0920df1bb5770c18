/*
 * Syscall prototypes that differ between ABIs, read by tools/gen/gen_signatures.py. Each block
 * starts with a line `@abi NAME...` and holds prototypes in the kernel's style that replace, on
 * those ABIs, the x86_64 one of signatures-extra.h or include/linux/syscalls.h. Facts of Linux
 * 6.1 (Debian 12's linux-source-6.1), the file that says so named with each block. What every
 * 32-bit ABI does alike (long and pointers are 32 bits; a 64-bit value takes two registers) is
 * the generator's, from its ABI table. Not compiled.
 */

@abi aarch64 arm riscv64 riscv32 ppc64le ppc64 ppc mips64el mips64 mips64n32el mips64n32 mipsel mips parisc64 parisc i386 sparc64 sparc
/* CONFIG_CLONE_BACKWARDS: tls before child_tidptr (arch/<arch>/Kconfig, kernel/fork.c; i386
 * from 64-bit kernels: compat_sys_ia32_clone in arch/x86/kernel/sys_ia32.c; sparc: sparc_clone
 * in arch/sparc/kernel/process.c reads the registers in this order). */
asmlinkage long sys_clone(unsigned long clone_flags, unsigned long newsp,
			  int __user *parent_tidptr, unsigned long tls, int __user *child_tidptr);

@abi s390x s390
/* CONFIG_CLONE_BACKWARDS2: the stack first (arch/s390/Kconfig, kernel/fork.c). */
asmlinkage long sys_clone(unsigned long newsp, unsigned long clone_flags,
			  int __user *parent_tidptr, int __user *child_tidptr, unsigned long tls);

@abi i386 s390x s390 m68k
/* mmap is sys_old_mmap: the six arguments in memory (arch/x86/entry/syscalls/syscall_32.tbl,
 * arch/s390/kernel/syscalls/syscall.tbl, arch/m68k/kernel/syscalls/syscall.tbl). */
asmlinkage long sys_mmap(struct mmap_arg_struct __user *arg);

@abi ppc
/* sys_ppc_fadvise64_64: advice second, so that the 64-bit values sit in aligned register
 * pairs (arch/powerpc/kernel/sys_ppc32.c). */
asmlinkage long sys_fadvise64_64(int fd, int advice, loff_t offset, loff_t len);

@abi s390
/* compat_sys_s390_fadvise64_64 reads its arguments from memory
 * (arch/s390/kernel/compat_linux.c). */
asmlinkage long sys_fadvise64_64(struct fadvise64_64_args __user *args);

@abi mipsel mips
/* o32's fadvise64 is sys_fadvise64_64, its length a 64-bit value
 * (arch/mips/kernel/syscalls/syscall_o32.tbl, sys32_fadvise64_64 in arch/mips/kernel/linux32.c). */
asmlinkage long sys_fadvise64(int fd, loff_t offset, loff_t len, int advice);
