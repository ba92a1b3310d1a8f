#include "runtime/devcg.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* runc 1.1's AllowedDevices (libcontainer/specconv), appended to every
 * container's rules: a Docker container's devices.list on this host is
 * moby's rules and these (runc lists them sorted; here they stay in the
 * order applied, which runtime-tools' linux_cgroups_devices checks) */
static const struct cgroup_devrule runc_allowed[] = {
    {1, 'c', -1, -1, "m"},    {1, 'b', -1, -1, "m"}, {1, 'c', 1, 3, "rwm"},    {1, 'c', 1, 8, "rwm"},
    {1, 'c', 1, 7, "rwm"},    {1, 'c', 5, 0, "rwm"}, {1, 'c', 1, 5, "rwm"},    {1, 'c', 1, 9, "rwm"},
    {1, 'c', 136, -1, "rwm"}, {1, 'c', 5, 2, "rwm"}, {1, 'c', 10, 200, "rwm"},
};
#define NRUNC (sizeof runc_allowed / sizeof runc_allowed[0])

static unsigned
access_bits (const char *a)
{
	unsigned b = 0;

	for (; *a; a++)
		b |= *a == 'r'   ? BPF_DEVCG_ACC_READ
		     : *a == 'w' ? BPF_DEVCG_ACC_WRITE
		     : *a == 'm' ? BPF_DEVCG_ACC_MKNOD
		                 : 0;
	return b;
}

static struct devcg_ex *
find (struct devcg_set *s, char type, long major, long minor)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ex[i].type == type && s->ex[i].major == major && s->ex[i].minor == minor)
			return &s->ex[i];
	return NULL;
}

/* one rule of type c or b, as the v1 kernel takes it (dev_exception_add
 * and dev_exception_rm: only the very same device is merged or cut) */
static void
apply_one (struct devcg_set *s, int allow, char type, long major, long minor, unsigned acc)
{
	struct devcg_ex *x = find (s, type, major, minor);

	if (allow != s->allow) {
		if (x)
			x->access |= acc;
		else if (acc)
			s->ex[s->n++] = (struct devcg_ex){type, major, minor, acc};
		return;
	}
	if (!x || (x->access &= ~acc))
		return;
	memmove (x, x + 1, (size_t)(s->ex + s->n - (x + 1)) * sizeof *x);
	s->n--;
}

/* "a" with any device resets, as the kernel reads any rule starting with
 * 'a'; "a" for one major or minor stands for both types */
static void
apply (struct devcg_set *s, const struct cgroup_devrule *r)
{
	unsigned acc = access_bits (r->access);

	if (r->type == 'a' && r->major < 0 && r->minor < 0) {
		s->allow = r->allow;
		s->reset = 1;
		s->n = 0;
		return;
	}
	if (r->type != 'b')
		apply_one (s, r->allow, 'c', r->major, r->minor, acc);
	if (r->type != 'c')
		apply_one (s, r->allow, 'b', r->major, r->minor, acc);
}

int
devcg_reduce (const struct cgroup_devrule *rules, size_t n, struct devcg_set *s, struct bx_err *e)
{
	*s = (struct devcg_set){.allow = 1};
	/* an "a" rule for one number may add two exceptions */
	if (!(s->ex = calloc (2 * (n + NRUNC), sizeof *s->ex)))
		return err_set (e, BX_SYSTEM, errno, "device rules");
	for (size_t i = 0; i < n; i++)
		apply (s, &rules[i]);
	for (size_t i = 0; i < NRUNC; i++)
		apply (s, &runc_allowed[i]);
	return 0;
}

void
devcg_set_free (struct devcg_set *s)
{
	free (s->ex);
	s->ex = NULL;
	s->n = 0;
}

/* --- v1: the devices controller's files --- */

static void
rule_text (const struct devcg_ex *x, char *buf, size_t len)
{
	char maj[24] = "*", min[24] = "*", acc[4], *p = acc;

	if (x->major >= 0)
		snprintf (maj, sizeof maj, "%ld", x->major);
	if (x->minor >= 0)
		snprintf (min, sizeof min, "%ld", x->minor);
	if (x->access & BPF_DEVCG_ACC_READ)
		*p++ = 'r';
	if (x->access & BPF_DEVCG_ACC_WRITE)
		*p++ = 'w';
	if (x->access & BPF_DEVCG_ACC_MKNOD)
		*p++ = 'm';
	*p = '\0';
	snprintf (buf, len, "%c %s:%s %s", x->type, maj, min, acc);
}

static int
put_rule (int fd, const char *dir, const char *file, const char *rule, struct bx_err *e)
{
	size_t len = strlen (rule);

	if (write (fd, rule, len) != (ssize_t)len)
		return err_set (e, BX_SYSTEM, errno, "cgroup %s/%s: %s", dir, file, rule);
	return 0;
}

static int
open_file (const char *dir, const char *file, struct bx_err *e)
{
	char path[4200];
	int fd;

	snprintf (path, sizeof path, "%s/%s", dir, file);
	if ((fd = open (path, O_WRONLY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "cgroup %s", path);
	return fd;
}

static int
write_v1 (const char *dir, const struct devcg_set *s, struct bx_err *e)
{
	_cleanup_close_ int allow = -1, deny = -1;
	char rule[64];

	if ((allow = open_file (dir, "devices.allow", e)) < 0 || (deny = open_file (dir, "devices.deny", e)) < 0)
		return -1;
	if (s->reset &&
	    put_rule (s->allow ? allow : deny, dir, s->allow ? "devices.allow" : "devices.deny", "a", e) < 0)
		return -1;
	/* one write per rule: the kernel reads the first of joined ones
	 * and drops the rest without an error */
	for (size_t i = 0; i < s->n; i++) {
		rule_text (&s->ex[i], rule, sizeof rule);
		if (put_rule (s->allow ? deny : allow, dir, s->allow ? "devices.deny" : "devices.allow", rule, e) < 0)
			return -1;
	}
	return 0;
}

int
devcg_apply_v1 (const char *dir, const struct cgroup_devrule *rules, size_t n, struct bx_err *e)
{
	struct devcg_set s;
	int r;

	if (devcg_reduce (rules, n, &s, e) < 0)
		return -1;
	r = write_v1 (dir, &s, e);
	devcg_set_free (&s);
	return r;
}

/* --- v2: the eBPF program --- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
/* the most one exception takes: type, access (3), major, minor, result, exit */
#define EX_INSNS 8

static long
bpf (int cmd, union bpf_attr *a)
{
	return syscall (SYS_bpf, cmd, a, sizeof *a);
}

/* the tests of exception X, each jumping past the block when X does not
 * match; the block returns the exception's verdict */
static size_t
ex_block (const struct devcg_ex *x, int dflt, struct bpf_insn *out)
{
	size_t n = 0, jumps[EX_INSNS], nj = 0;

	out[n++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
	                 x->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
	jumps[nj++] = n - 1;
	/* deny by default: allowed when the access asked for is within the
	 * exception's; allow by default: denied when they share a bit */
	if (x->access != ACC_ALL) {
		out[n++] = INSN (BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		out[n++] = INSN (BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0,
		                 (int32_t)(dflt ? x->access : ~x->access & ACC_ALL));
		out[n++] = INSN (BPF_JMP | (dflt ? BPF_JEQ : BPF_JNE) | BPF_K, BPF_REG_1, 0, 0, 0);
		jumps[nj++] = n - 1;
	}
	if (x->major >= 0) {
		out[n++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)x->major);
		jumps[nj++] = n - 1;
	}
	if (x->minor >= 0) {
		out[n++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)x->minor);
		jumps[nj++] = n - 1;
	}
	out[n++] = INSN (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, !dflt);
	out[n++] = INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < nj; i++)
		out[jumps[i]].off = (int16_t)(n - jumps[i] - 1);
	return n;
}

/* the program: bpf_cgroup_dev_ctx's fields into r2 (type), r3 (access),
 * r4 (major), r5 (minor); each exception's block; the default */
static size_t
program (const struct devcg_set *s, struct bpf_insn *out)
{
	size_t n = 0;

	out[n++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
	out[n++] = INSN (BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	out[n++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0);
	out[n++] = INSN (BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	out[n++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
	out[n++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
	for (size_t i = 0; i < s->n; i++)
		n += ex_block (&s->ex[i], s->allow, out + n);
	out[n++] = INSN (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, s->allow);
	out[n++] = INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

static int
load (const struct devcg_set *s, struct bx_err *e)
{
	_cleanup_free_ struct bpf_insn *insns = calloc (8 + s->n * EX_INSNS, sizeof *insns);
	union bpf_attr a;
	int fd;

	if (!insns)
		return err_set (e, BX_SYSTEM, errno, "device rules");
	memset (&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insn_cnt = (uint32_t)program (s, insns);
	a.insns = (uint64_t)(uintptr_t)insns;
	a.license = (uint64_t)(uintptr_t) "GPL";
	if ((fd = (int)bpf (BPF_PROG_LOAD, &a)) < 0)
		return err_set (e, BX_SYSTEM, errno, "device rules: load the eBPF program");
	return fd;
}

/* the device programs attached to CG itself (a cgroup reused after a
 * crash), detached */
static int
detach_old (int cg, const char *dir, struct bx_err *e)
{
	uint32_t ids[64];
	union bpf_attr a;

	memset (&a, 0, sizeof a);
	a.query.target_fd = (uint32_t)cg;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = sizeof ids / sizeof ids[0];
	if (bpf (BPF_PROG_QUERY, &a) < 0)
		return err_set (e, BX_SYSTEM, errno, "cgroup %s: query device programs", dir);
	for (uint32_t i = 0; i < a.query.prog_cnt; i++) {
		union bpf_attr g = {.prog_id = ids[i]}, d;
		_cleanup_close_ int fd = (int)bpf (BPF_PROG_GET_FD_BY_ID, &g);
		memset (&d, 0, sizeof d);
		d.target_fd = (uint32_t)cg;
		d.attach_bpf_fd = (uint32_t)fd;
		d.attach_type = BPF_CGROUP_DEVICE;
		if (fd < 0 || bpf (BPF_PROG_DETACH, &d) < 0)
			return err_set (e, BX_SYSTEM, errno, "cgroup %s: detach device program %u", dir, ids[i]);
	}
	return 0;
}

static int
attach (int cg, const char *dir, const struct devcg_set *s, struct bx_err *e)
{
	_cleanup_close_ int prog = -1;
	union bpf_attr a;

	if (detach_old (cg, dir, e) < 0)
		return -1;
	/* nothing denied (--privileged): no program to run on each open */
	if (s->allow && !s->n)
		return 0;
	if ((prog = load (s, e)) < 0)
		return err_wrap (e, "cgroup %s", dir);
	memset (&a, 0, sizeof a);
	a.target_fd = (uint32_t)cg;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	/* as crun and runc: beside what a parent (systemd) attached */
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf (BPF_PROG_ATTACH, &a) < 0)
		return err_set (e, BX_SYSTEM, errno, "cgroup %s: attach the device program", dir);
	return 0;
}

int
devcg_apply_v2 (const char *dir, const struct cgroup_devrule *rules, size_t n, struct bx_err *e)
{
	_cleanup_close_ int cg = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct devcg_set s;
	struct statfs sf;
	int r;

	if (cg < 0 || fstatfs (cg, &sf) < 0)
		return err_set (e, BX_SYSTEM, errno, "cgroup %s", dir);
	if (sf.f_type != CGROUP2_SUPER_MAGIC)
		return 0;
	if (devcg_reduce (rules, n, &s, e) < 0)
		return -1;
	r = attach (cg, dir, &s, e);
	devcg_set_free (&s);
	return r;
}
