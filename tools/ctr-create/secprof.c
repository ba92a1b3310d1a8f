#include "secprof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* One rule of the default profile. NAMES, CAPS and ARCHES are blank
 * separated; an arg filter is "index op value". */
struct rule {
	const char *names;
	const char *action; /* NULL: SCMP_ACT_ALLOW */
	int errno_ret;      /* 0: none */
	const char *arg;    /* NULL: none */
	const char *inc_caps, *inc_arches, *inc_kernel;
	const char *exc_caps, *exc_arches;
};

#define ALLOW NULL

/* moby profiles/seccomp/default.json as of Docker 26, rule for rule: io_uring
 * blocked (moby#46762), the syscalls of kernels 5.17 to 6.7 added (moby#47341) */
static const struct rule default_rules[] = {
    {.names =
         "accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown chown32 "
         "clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 "
         "clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 "
         "dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait "
         "epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 "
         "fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl "
         "fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 "
         "fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait "
         "futex_waitv futex_wake "
         "futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid "
         "getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid "
         "getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list "
         "getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32 "
         "getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl "
         "io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup "
         "io_submit ipc kill landlock_add_rule "
         "landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat listen "
         "listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise map_shadow_stack membarrier "
         "memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 "
         "mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend "
         "mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall "
         "munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open "
         "pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl "
         "pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev "
         "pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 "
         "recvmsg remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq "
         "rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend "
         "rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr "
         "sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler "
         "sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr "
         "sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop "
         "semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 "
         "setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority "
         "setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit "
         "set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 setxattr "
         "shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn "
         "socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync "
         "sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun "
         "timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime "
         "timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit "
         "umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 "
         "waitid waitpid write writev",
     .action = ALLOW},
    {.names = "process_vm_readv process_vm_writev ptrace", .action = ALLOW, .inc_kernel = "4.8"},
    {.names = "socket", .action = ALLOW, .arg = "0 SCMP_CMP_NE 40"},
    {.names = "personality", .action = ALLOW, .arg = "0 SCMP_CMP_EQ 0"},
    {.names = "personality", .action = ALLOW, .arg = "0 SCMP_CMP_EQ 8"},
    {.names = "personality", .action = ALLOW, .arg = "0 SCMP_CMP_EQ 131072"},
    {.names = "personality", .action = ALLOW, .arg = "0 SCMP_CMP_EQ 131080"},
    {.names = "personality", .action = ALLOW, .arg = "0 SCMP_CMP_EQ 4294967295"},
    {.names = "sync_file_range2 swapcontext", .action = ALLOW, .inc_arches = "ppc64le"},
    {.names = "arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls",
     .action = ALLOW,
     .inc_arches = "arm arm64"},
    {.names = "arch_prctl", .action = ALLOW, .inc_arches = "amd64 x32"},
    {.names = "modify_ldt", .action = ALLOW, .inc_arches = "amd64 x32 x86"},
    {.names = "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr", .action = ALLOW, .inc_arches = "s390 s390x"},
    {.names = "riscv_flush_icache", .action = ALLOW, .inc_arches = "riscv64"},
    {.names = "open_by_handle_at", .action = ALLOW, .inc_caps = "CAP_DAC_READ_SEARCH"},
    {.names = "bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount "
              "mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname "
              "sethostname setns syslog umount umount2 unshare",
     .action = ALLOW,
     .inc_caps = "CAP_SYS_ADMIN"},
    /* clone without namespace flags: CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */
    {.names = "clone",
     .action = ALLOW,
     .arg = "0 SCMP_CMP_MASKED_EQ 2114060288",
     .exc_caps = "CAP_SYS_ADMIN",
     .exc_arches = "s390 s390x"},
    {.names = "clone",
     .action = ALLOW,
     .arg = "1 SCMP_CMP_MASKED_EQ 2114060288",
     .inc_arches = "s390 s390x",
     .exc_caps = "CAP_SYS_ADMIN"},
    /* ENOSYS: glibc falls back to clone, which the filter above can see */
    {.names = "clone3", .action = "SCMP_ACT_ERRNO", .errno_ret = 38, .exc_caps = "CAP_SYS_ADMIN"},
    {.names = "reboot", .action = ALLOW, .inc_caps = "CAP_SYS_BOOT"},
    {.names = "chroot", .action = ALLOW, .inc_caps = "CAP_SYS_CHROOT"},
    {.names = "delete_module init_module finit_module", .action = ALLOW, .inc_caps = "CAP_SYS_MODULE"},
    {.names = "acct", .action = ALLOW, .inc_caps = "CAP_SYS_PACCT"},
    {.names = "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace",
     .action = ALLOW,
     .inc_caps = "CAP_SYS_PTRACE"},
    {.names = "iopl ioperm", .action = ALLOW, .inc_caps = "CAP_SYS_RAWIO"},
    {.names = "settimeofday stime clock_settime clock_settime64", .action = ALLOW, .inc_caps = "CAP_SYS_TIME"},
    {.names = "vhangup", .action = ALLOW, .inc_caps = "CAP_SYS_TTY_CONFIG"},
    {.names = "get_mempolicy mbind set_mempolicy set_mempolicy_home_node", .action = ALLOW, .inc_caps = "CAP_SYS_NICE"},
    {.names = "syslog", .action = ALLOW, .inc_caps = "CAP_SYSLOG"},
    {.names = "bpf", .action = ALLOW, .inc_caps = "CAP_BPF"},
    {.names = "perf_event_open", .action = ALLOW, .inc_caps = "CAP_PERFMON"},
};

/* the archMap: a main architecture and the ones it also runs */
static const char *const arch_map[][2] = {
    {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86 SCMP_ARCH_X32"},
    {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"},
    {"SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS SCMP_ARCH_MIPS64N32"},
    {"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPS SCMP_ARCH_MIPS64"},
    {"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL SCMP_ARCH_MIPSEL64N32"},
    {"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_MIPSEL SCMP_ARCH_MIPSEL64"},
    {"SCMP_ARCH_S390X", "SCMP_ARCH_S390"},
    {"SCMP_ARCH_RISCV64", NULL},
};

/* "a b c" -> ["a", "b", "c"] */
static json_t *
words (const char *s)
{
	json_t *a = json_array ();
	const char *p = s;

	while (a && p && *p) {
		size_t n = strcspn (p, " ");
		json_array_append_new (a, json_stringn (p, n));
		p += n;
		p += strspn (p, " ");
	}
	return a;
}

static json_t *
rule_json (const struct rule *r)
{
	json_t *o =
	    json_pack ("{s:o, s:s}", "names", words (r->names), "action", r->action ? r->action : "SCMP_ACT_ALLOW");
	char op[32];
	unsigned idx;
	unsigned long long val;

	if (!o)
		return NULL;
	if (r->errno_ret)
		json_object_set_new (o, "errnoRet", json_integer (r->errno_ret));
	if (r->arg && sscanf (r->arg, "%u %31s %llu", &idx, op, &val) == 3)
		json_object_set_new (o, "args",
		                     json_pack ("[{s:i, s:I, s:i, s:s}]", "index", (int)idx, "value", (json_int_t)val,
		                                "valueTwo", 0, "op", op));
	if (r->inc_caps || r->inc_arches || r->inc_kernel) {
		json_t *inc = json_object ();
		if (r->inc_caps)
			json_object_set_new (inc, "caps", words (r->inc_caps));
		if (r->inc_arches)
			json_object_set_new (inc, "arches", words (r->inc_arches));
		if (r->inc_kernel)
			json_object_set_new (inc, "minKernel", json_string (r->inc_kernel));
		json_object_set_new (o, "includes", inc);
	}
	if (r->exc_caps || r->exc_arches) {
		json_t *exc = json_object ();
		if (r->exc_caps)
			json_object_set_new (exc, "caps", words (r->exc_caps));
		if (r->exc_arches)
			json_object_set_new (exc, "arches", words (r->exc_arches));
		json_object_set_new (o, "excludes", exc);
	}
	return o;
}

json_t *
secprof_docker_default (void)
{
	json_t *p = json_pack ("{s:s, s:i}", "defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet", 1);
	json_t *map = json_array (), *calls = json_array ();

	if (!p || !map || !calls) {
		json_decref (p);
		json_decref (map);
		json_decref (calls);
		return NULL;
	}
	for (size_t i = 0; i < sizeof arch_map / sizeof arch_map[0]; i++)
		json_array_append_new (map, json_pack ("{s:s, s:o}", "architecture", arch_map[i][0], "subArchitectures",
		                                       arch_map[i][1] ? words (arch_map[i][1]) : json_null ()));
	for (size_t i = 0; i < sizeof default_rules / sizeof default_rules[0]; i++)
		json_array_append_new (calls, rule_json (&default_rules[i]));
	json_object_set_new (p, "archMap", map);
	json_object_set_new (p, "syscalls", calls);
	return p;
}

/* --- Docker format -> OCI --- */

struct machine {
	const char *goarch; /* Docker's "arches" values */
	const char *scmp;   /* the archMap key */
	int major, minor;   /* kernel */
};

static void
machine_get (struct machine *m)
{
	static const char *const tab[][3] = {
	    {"x86_64", "amd64", "SCMP_ARCH_X86_64"},
	    {"aarch64", "arm64", "SCMP_ARCH_AARCH64"},
	    {"i686", "386", "SCMP_ARCH_X86"},
	    {"armv7l", "arm", "SCMP_ARCH_ARM"},
	    {"s390x", "s390x", "SCMP_ARCH_S390X"},
	    {"ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE"},
	    {"riscv64", "riscv64", "SCMP_ARCH_RISCV64"},
	};
	struct utsname u;

	*m = (struct machine){"amd64", "SCMP_ARCH_X86_64", 0, 0};
	if (uname (&u) < 0)
		return;
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp (u.machine, tab[i][0]) == 0) {
			m->goarch = tab[i][1];
			m->scmp = tab[i][2];
		}
	sscanf (u.release, "%d.%d", &m->major, &m->minor);
}

static int
has_str (json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach (arr, i, v) if (json_is_string (v) && strcmp (json_string_value (v), s) == 0) return 1;
	return 0;
}

/* How many of ARR's capability names are in BOUNDING. */
static size_t
caps_in (json_t *arr, capset_t bounding, struct bx_err *e, int *bad)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach (arr, i, v)
	{
		int c = json_is_string (v) ? caps_parse (json_string_value (v), e) : -1;
		if (c < 0 || c == CAPS_ALL) {
			*bad = 1;
			continue;
		}
		n += (bounding >> c) & 1;
	}
	return n;
}

static int
kernel_at_least (const struct machine *m, json_t *v)
{
	int maj = 0, min = 0;

	if (!json_is_string (v) || sscanf (json_string_value (v), "%d.%d", &maj, &min) < 1)
		return 0;
	return m->major > maj || (m->major == maj && m->minor >= min);
}

/* 1 when the rule applies to this container, 0 when it does not, -1 bad */
static int
rule_applies (json_t *call, const struct machine *m, capset_t bounding, struct bx_err *e)
{
	json_t *exc = json_object_get (call, "excludes"), *inc = json_object_get (call, "includes");
	json_t *a;
	int bad = 0;

	if (json_is_object (exc)) {
		if (json_array_size (a = json_object_get (exc, "arches")) && has_str (a, m->goarch))
			return 0;
		if (json_array_size (a = json_object_get (exc, "caps")) && caps_in (a, bounding, e, &bad) > 0)
			return bad ? -1 : 0;
		if ((a = json_object_get (exc, "minKernel")) && kernel_at_least (m, a))
			return 0;
	}
	if (json_is_object (inc)) {
		if (json_array_size (a = json_object_get (inc, "arches")) && !has_str (a, m->goarch))
			return 0;
		if (json_array_size (a = json_object_get (inc, "caps")) &&
		    caps_in (a, bounding, e, &bad) < json_array_size (a))
			return bad ? -1 : 0;
		if ((a = json_object_get (inc, "minKernel")) && !kernel_at_least (m, a))
			return 0;
	}
	return bad ? -1 : 1;
}

static json_t *
call_to_oci (json_t *call, struct bx_err *e)
{
	json_t *name = json_object_get (call, "name"), *names = json_object_get (call, "names");
	json_t *action = json_object_get (call, "action"), *o, *v;

	if (name && names)
		return err_set (e, BX_USAGE, 0, "use either 'name' or 'names'"), NULL;
	if (!json_is_string (action))
		return err_set (e, BX_USAGE, 0, "a syscall rule without an action"), NULL;
	o = json_pack ("{s:o, s:O}", "names", name ? json_pack ("[O]", name) : json_deep_copy (names), "action",
	               action);
	if (!o || !json_is_array (json_object_get (o, "names")))
		return json_decref (o), err_set (e, BX_USAGE, 0, "a syscall rule without names"), NULL;
	if ((v = json_object_get (call, "errnoRet")))
		json_object_set (o, "errnoRet", v);
	if (json_array_size (v = json_object_get (call, "args"))) {
		json_t *args = json_array (), *arg;
		size_t i;
		json_array_foreach (v, i, arg)
		{
			json_t *one = json_pack ("{s:O?, s:O?, s:O?}", "index", json_object_get (arg, "index"), "value",
			                         json_object_get (arg, "value"), "op", json_object_get (arg, "op"));
			json_t *two = json_object_get (arg, "valueTwo");
			if (one && json_integer_value (two) != 0)
				json_object_set (one, "valueTwo", two);
			json_array_append_new (args, one);
		}
		json_object_set_new (o, "args", args);
	}
	return o;
}

static json_t *
arches_of (json_t *profile, const struct machine *m, struct bx_err *e)
{
	json_t *map = json_object_get (profile, "archMap"), *flat = json_object_get (profile, "architectures");
	json_t *out, *ent;
	size_t i;

	if (json_array_size (map) && json_array_size (flat))
		return err_set (e, BX_USAGE, 0,
		                "both 'architectures' and 'archMap' are specified in the seccomp profile, use "
		                "either 'architectures' or 'archMap'"),
		       NULL;
	if (json_is_array (flat))
		return json_deep_copy (flat);
	out = json_array ();
	json_array_foreach (map, i, ent)
	{
		json_t *sub = json_object_get (ent, "subArchitectures"), *s;
		size_t j;
		if (!json_is_string (json_object_get (ent, "architecture")) ||
		    strcmp (json_string_value (json_object_get (ent, "architecture")), m->scmp) != 0)
			continue;
		json_array_append (out, json_object_get (ent, "architecture"));
		json_array_foreach (sub, j, s) json_array_append (out, s);
	}
	return out;
}

json_t *
secprof_to_oci (json_t *profile, capset_t bounding, struct bx_err *e)
{
	json_t *def = json_object_get (profile, "defaultAction"), *calls = json_object_get (profile, "syscalls");
	json_t *out, *list, *call, *v;
	struct machine m;
	size_t i;

	if (!json_is_object (profile))
		return err_set (e, BX_USAGE, 0, "not a JSON object"), NULL;
	if (!json_is_string (def) && json_array_size (calls) == 0)
		return NULL;
	if (!json_is_string (def))
		return err_set (e, BX_USAGE, 0, "no defaultAction"), NULL;
	machine_get (&m);
	if (!(list = arches_of (profile, &m, e)))
		return NULL;
	out = json_pack ("{s:O, s:o}", "defaultAction", def, "architectures", list);
	if ((v = json_object_get (profile, "defaultErrnoRet")))
		json_object_set (out, "defaultErrnoRet", v);
	if ((v = json_object_get (profile, "flags")) && json_array_size (v))
		json_object_set (out, "flags", v);
	list = json_array ();
	json_object_set_new (out, "syscalls", list);
	json_array_foreach (calls, i, call)
	{
		int r = rule_applies (call, &m, bounding, e);
		json_t *c;
		if (r < 0 || (r > 0 && !(c = call_to_oci (call, e)))) {
			json_decref (out);
			return err_wrap (e, "syscalls[%zu]", i), NULL;
		}
		if (r > 0)
			json_array_append_new (list, c);
	}
	return out;
}
