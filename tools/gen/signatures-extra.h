/*
 * Syscall prototypes that tools/gen/gen_signatures.py cannot take from the installed
 * include/linux/syscalls.h: arch-specific ones (x86_64 variants), ones newer than Debian 12's
 * headers (Linux 6.1), and unimplemented table entries (no arguments). Facts only: the names
 * and types of each syscall's arguments as the kernel declares them in
 * include/linux/syscalls.h and arch/x86/include/asm/syscalls.h (Linux 7.x).
 * Not compiled; read by the generator.
 */

/* x86_64 variants (the common header has the config-dependent or generic ones). */
asmlinkage long sys_clone(unsigned long clone_flags, unsigned long newsp,
			  int __user *parent_tidptr, int __user *child_tidptr, unsigned long tls);
asmlinkage long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
			 unsigned long flags, unsigned long fd, unsigned long off);
asmlinkage long sys_arch_prctl(int option, unsigned long arg2);
asmlinkage long sys_iopl(unsigned int level);
asmlinkage long sys_modify_ldt(int func, void __user *ptr, unsigned long bytecount);
asmlinkage long sys_get_thread_area(struct user_desc __user *u_info);
asmlinkage long sys_set_thread_area(struct user_desc __user *u_info);
asmlinkage long sys_rt_sigreturn(void);
asmlinkage long sys_map_shadow_stack(unsigned long addr, unsigned long size, unsigned int flags);
asmlinkage long sys_uretprobe(void);
asmlinkage long sys_uprobe(void);

/* Other arches' own syscalls. */
asmlinkage long sys_arm_fadvise64_64(int fd, int advice, loff_t offset, loff_t len);

/* Not implemented on x86_64 (the table reserves the number). */
asmlinkage long sys_epoll_ctl_old(void);
asmlinkage long sys_epoll_wait_old(void);

/* Newer than Linux 6.1. */
asmlinkage long sys_cachestat(unsigned int fd, struct cachestat_range __user *cstat_range,
			      struct cachestat __user *cstat, unsigned int flags);
asmlinkage long sys_fchmodat2(int dfd, const char __user *filename, umode_t mode,
			      unsigned int flags);
asmlinkage long sys_futex_wake(void __user *uaddr, unsigned long mask, int nr, unsigned int flags);
asmlinkage long sys_futex_wait(void __user *uaddr, unsigned long val, unsigned long mask,
			       unsigned int flags, struct __kernel_timespec __user *timespec,
			       clockid_t clockid);
asmlinkage long sys_futex_requeue(struct futex_waitv __user *waiters, unsigned int flags,
				  int nr_wake, int nr_requeue);
asmlinkage long sys_statmount(const struct mnt_id_req __user *req, struct statmount __user *buf,
			      size_t bufsize, unsigned int flags);
asmlinkage long sys_listmount(const struct mnt_id_req __user *req, u64 __user *mnt_ids,
			      size_t nr_mnt_ids, unsigned int flags);
asmlinkage long sys_listns(const struct ns_id_req __user *req, u64 __user *ns_ids,
			   size_t nr_ns_ids, unsigned int flags);
asmlinkage long sys_lsm_get_self_attr(unsigned int attr, struct lsm_ctx __user *ctx,
				      u32 __user *size, u32 flags);
asmlinkage long sys_lsm_set_self_attr(unsigned int attr, struct lsm_ctx __user *ctx,
				      u32 size, u32 flags);
asmlinkage long sys_lsm_list_modules(u64 __user *ids, u32 __user *size, u32 flags);
asmlinkage long sys_mseal(unsigned long start, size_t len, unsigned long flags);
asmlinkage long sys_setxattrat(int dfd, const char __user *path, unsigned int at_flags,
			       const char __user *name, const struct xattr_args __user *args,
			       size_t size);
asmlinkage long sys_getxattrat(int dfd, const char __user *path, unsigned int at_flags,
			       const char __user *name, struct xattr_args __user *args,
			       size_t size);
asmlinkage long sys_listxattrat(int dfd, const char __user *path, unsigned int at_flags,
				char __user *list, size_t size);
asmlinkage long sys_removexattrat(int dfd, const char __user *path, unsigned int at_flags,
				  const char __user *name);
asmlinkage long sys_open_tree_attr(int dfd, const char __user *path, unsigned flags,
				   struct mount_attr __user *uattr, size_t usize);
asmlinkage long sys_file_getattr(int dfd, const char __user *filename,
				 struct file_attr __user *attr, size_t usize, unsigned int at_flags);
asmlinkage long sys_file_setattr(int dfd, const char __user *filename,
				 struct file_attr __user *attr, size_t usize, unsigned int at_flags);
asmlinkage long sys_rseq_slice_yield(void);

/* Prototypes the common header declares without argument names, named as in the kernel's
 * definitions (net/socket.c, kernel/signal.c, fs/aio.c, fs/select.c, kernel/sys.c). */
asmlinkage long sys_socket(int family, int type, int protocol);
asmlinkage long sys_socketpair(int family, int type, int protocol, int __user *usockvec);
asmlinkage long sys_bind(int fd, struct sockaddr __user *umyaddr, int addrlen);
asmlinkage long sys_connect(int fd, struct sockaddr __user *uservaddr, int addrlen);
asmlinkage long sys_accept(int fd, struct sockaddr __user *upeer_sockaddr,
			   int __user *upeer_addrlen);
asmlinkage long sys_accept4(int fd, struct sockaddr __user *upeer_sockaddr,
			    int __user *upeer_addrlen, int flags);
asmlinkage long sys_getsockname(int fd, struct sockaddr __user *usockaddr,
				int __user *usockaddr_len);
asmlinkage long sys_getpeername(int fd, struct sockaddr __user *usockaddr,
				int __user *usockaddr_len);
asmlinkage long sys_listen(int fd, int backlog);
asmlinkage long sys_shutdown(int fd, int how);
asmlinkage long sys_recvfrom(int fd, void __user *ubuf, size_t size, unsigned int flags,
			     struct sockaddr __user *addr, int __user *addr_len);
asmlinkage long sys_sendto(int fd, void __user *buff, size_t len, unsigned int flags,
			   struct sockaddr __user *addr, int addr_len);
asmlinkage long sys_recv(int fd, void __user *ubuf, size_t size, unsigned int flags);
asmlinkage long sys_send(int fd, void __user *buff, size_t len, unsigned int flags);
asmlinkage long sys_rt_sigaction(int sig, const struct sigaction __user *act,
				 struct sigaction __user *oact, size_t sigsetsize);
asmlinkage long sys_sigaction(int sig, const struct old_sigaction __user *act,
			      struct old_sigaction __user *oact);
asmlinkage long sys_io_submit(aio_context_t ctx_id, long nr, struct iocb __user * __user *iocbpp);
asmlinkage long sys_ppoll(struct pollfd __user *ufds, unsigned int nfds,
			  struct __kernel_timespec __user *tsp, const sigset_t __user *sigmask,
			  size_t sigsetsize);
asmlinkage long sys_pselect6(int n, fd_set __user *inp, fd_set __user *outp, fd_set __user *exp,
			     struct __kernel_timespec __user *tsp, void __user *sig);
asmlinkage long sys_olduname(struct oldold_utsname __user *name);

/* Strings the kernel reads through non-const pointers (declared const here so that reports
 * decode them as strings). */
asmlinkage long sys_mount(const char __user *dev_name, const char __user *dir_name,
			  const char __user *type, unsigned long flags, void __user *data);
asmlinkage long sys_umount(const char __user *name, int flags);
asmlinkage long sys_oldumount(const char __user *name);
