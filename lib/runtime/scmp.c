#include "runtime/scmp.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"

static void
ctx_release (scmp_filter_ctx *c)
{
	if (*c)
		seccomp_release (*c);
}

static int
action (const char *name, json_t *errno_ret, uint32_t *out)
{
	uint32_t eno = json_is_integer (errno_ret) ? (uint32_t)json_integer_value (errno_ret) : EPERM;

	if (!name)
		return -1;
	if (!strcmp (name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp (name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO (eno);
	else if (!strcmp (name, "SCMP_ACT_KILL") || !strcmp (name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp (name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp (name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp (name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE (eno);
	else if (!strcmp (name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp (name, "SCMP_ACT_NOTIFY"))
		*out = SCMP_ACT_NOTIFY;
	else
		return -1;
	return 0;
}

static int
compare_op (const char *op, enum scmp_compare *out)
{
	static const struct {
		const char *n;
		enum scmp_compare c;
	} t[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
	         {"SCMP_CMP_LT", SCMP_CMP_LT},
	         {"SCMP_CMP_LE", SCMP_CMP_LE},
	         {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	         {"SCMP_CMP_GE", SCMP_CMP_GE},
	         {"SCMP_CMP_GT", SCMP_CMP_GT},
	         {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};

	for (size_t i = 0; op && i < sizeof t / sizeof t[0]; i++)
		if (!strcmp (op, t[i].n)) {
			*out = t[i].c;
			return 0;
		}
	return -1;
}

static int
arches_add (scmp_filter_ctx c, json_t *arches, struct bx_err *e)
{
	size_t i;
	json_t *it;

	json_array_foreach (arches, i, it)
	{
		const char *n = json_string_value (it);
		char low[32];
		uint32_t a;
		size_t k;
		if (!n || strncmp (n, "SCMP_ARCH_", 10))
			return err_set (e, BX_USAGE, 0, "seccomp: bad architecture");
		for (k = 0; n[10 + k] && k < sizeof low - 1; k++)
			low[k] = (char)tolower ((unsigned char)n[10 + k]);
		low[k] = '\0';
		if (!(a = seccomp_arch_resolve_name (low)))
			return err_set (e, BX_USAGE, 0, "seccomp: unknown architecture %s", n);
		if (seccomp_arch_add (c, a) < 0 && seccomp_arch_exist (c, a) < 0)
			return err_set (e, BX_SYSTEM, 0, "seccomp: architecture %s", n);
	}
	return 0;
}

static int
args_read (json_t *args, struct scmp_arg_cmp *out, unsigned *n, struct bx_err *e)
{
	size_t i;
	json_t *it;

	*n = 0;
	if (json_array_size (args) > 6)
		return err_set (e, BX_USAGE, 0, "seccomp: more than 6 argument conditions");
	json_array_foreach (args, i, it)
	{
		struct scmp_arg_cmp *a = &out[(*n)++];
		if (compare_op (json_string_value (json_object_get (it, "op")), &a->op) < 0)
			return err_set (e, BX_USAGE, 0, "seccomp: bad argument op");
		a->arg = (unsigned)json_integer_value (json_object_get (it, "index"));
		a->datum_a = (scmp_datum_t)json_integer_value (json_object_get (it, "value"));
		a->datum_b = (scmp_datum_t)json_integer_value (json_object_get (it, "valueTwo"));
	}
	return 0;
}

static int
rule_add (scmp_filter_ctx c, uint32_t dflt, json_t *r, struct bx_err *e)
{
	struct scmp_arg_cmp args[6];
	uint32_t act;
	unsigned nargs;
	size_t i;
	json_t *it;

	if (action (json_string_value (json_object_get (r, "action")), json_object_get (r, "errnoRet"), &act) < 0)
		return err_set (e, BX_USAGE, 0, "seccomp: bad action");
	if (args_read (json_object_get (r, "args"), args, &nargs, e) < 0)
		return -1;
	if (act == dflt)
		return 0;
	json_array_foreach (json_object_get (r, "names"), i, it)
	{
		const char *n = json_string_value (it);
		int nr = n ? seccomp_syscall_resolve_name (n) : __NR_SCMP_ERROR;
		int rc;
		if (nr == __NR_SCMP_ERROR)
			continue;
		if ((rc = seccomp_rule_add_array (c, act, nr, nargs, args)) < 0)
			return err_set (e, BX_USAGE, -rc, "seccomp: rule for %s", n);
	}
	return 0;
}

/* compile SC into a BPF program in *BUF (malloc'd) */
static int
compile (json_t *sc, void **buf, size_t *len, struct bx_err *e)
{
	__attribute__ ((cleanup (ctx_release))) scmp_filter_ctx c = NULL;
	json_t *rules, *r;
	uint32_t dflt;
	size_t i;
	int fd, rc;

	if (action (json_string_value (json_object_get (sc, "defaultAction")), json_object_get (sc, "defaultErrnoRet"),
	            &dflt) < 0)
		return err_set (e, BX_USAGE, 0, "seccomp: bad defaultAction");
	if (!(c = seccomp_init (dflt)))
		return err_set (e, BX_SYSTEM, 0, "seccomp: init");
	/* no_new_privs is the spec's business, set apart */
	seccomp_attr_set (c, SCMP_FLTATR_CTL_NNP, 0);
	if (arches_add (c, json_object_get (sc, "architectures"), e) < 0)
		return -1;
	rules = json_object_get (sc, "syscalls");
	json_array_foreach (rules, i, r) if (rule_add (c, dflt, r, e) < 0) return -1;
	if ((fd = memfd_create ("seccomp", MFD_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "seccomp: memfd");
	if ((rc = seccomp_export_bpf (c, fd)) < 0 || lseek (fd, 0, SEEK_SET) < 0) {
		close (fd);
		return err_set (e, BX_SYSTEM, rc < 0 ? -rc : errno, "seccomp: export");
	}
	rc = afile_slurp_fd (fd, (char **)buf, len, e);
	close (fd);
	return rc;
}

/* FNV-1a, 64 bits: a file name, not a proof (the text is compared) */
static unsigned long long
fnv64 (const char *s, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* the cached program for TEXT, or NULL */
static char *
cache_get (int rootfd, const char *name, const char *text, size_t tlen, size_t *plen)
{
	struct bx_err e = {0};
	char *buf = NULL;
	size_t len;

	if (afile_slurp_at (rootfd, name, &buf, &len, &e) < 0)
		return NULL;
	if (len <= tlen + 1 || memcmp (buf, text, tlen) || buf[tlen] != '\0' || (len - tlen - 1) % 8) {
		free (buf);
		return NULL;
	}
	*plen = len - tlen - 1;
	memmove (buf, buf + tlen + 1, *plen);
	return buf;
}

static void
cache_put (int rootfd, const char *name, const char *text, size_t tlen, const void *prog, size_t plen)
{
	struct bx_err e = {0};
	_cleanup_free_ char *buf = malloc (tlen + 1 + plen);
	_cleanup_close_ int dir = -1;

	if (!buf || afile_mkdir_p_at (rootfd, L_SECCOMP_CACHE, 0700, &e) < 0 ||
	    (dir = openat (rootfd, L_SECCOMP_CACHE, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	memcpy (buf, text, tlen + 1);
	memcpy (buf + tlen + 1, prog, plen);
	/* a cache: a failed write costs a compile next time, nothing more */
	afile_write_at (dir, strrchr (name, '/') + 1, buf, tlen + 1 + plen, 0644, &e);
}

/* linux.seccomp.flags, and a listener when a rule notifies: read from
 * the JSON each time (the cached program does not hold them) */
static int
flags_read (json_t *sc, struct scmp_prog *p, struct bx_err *e)
{
	static const struct {
		const char *n;
		unsigned f;
	} t[] = {{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	         {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	         {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	         {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1U << 5}};
	json_t *it;
	size_t i, k;

	json_array_foreach (json_object_get (sc, "flags"), i, it)
	{
		const char *n = json_string_value (it);
		for (k = 0; k < sizeof t / sizeof t[0] && (!n || strcmp (n, t[k].n)); k++)
			;
		if (k == sizeof t / sizeof t[0])
			return err_set (e, BX_USAGE, 0, "seccomp: flags: %s: unknown", n ? n : "(not a string)");
		p->flags |= t[k].f;
	}
	json_array_foreach (json_object_get (sc, "syscalls"), i, it)
	{
		const char *a = json_string_value (json_object_get (it, "action"));
		if (a && !strcmp (a, "SCMP_ACT_NOTIFY"))
			p->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	}
	if ((p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) && !json_string_value (json_object_get (sc, "listenerPath")))
		return err_set (e, BX_USAGE, 0, "seccomp: SCMP_ACT_NOTIFY needs a listenerPath");
	return 0;
}

int
scmp_prepare (void *seccomp, int rootfd, struct scmp_prog *p, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	char name[64];
	size_t tlen, plen = 0;

	memset (p, 0, sizeof *p);
	if (!seccomp)
		return 0;
	if (flags_read (seccomp, p, e) < 0)
		return -1;
	if (!(text = json_dumps (seccomp, JSON_COMPACT | JSON_SORT_KEYS)))
		return err_set (e, BX_SYSTEM, ENOMEM, "seccomp");
	tlen = strlen (text);
	snprintf (name, sizeof name, L_SECCOMP_CACHE "/%016llx", fnv64 (text, tlen));
	if (!(p->buf = cache_get (rootfd, name, text, tlen, &plen))) {
		if (compile (seccomp, &p->buf, &plen, e) < 0)
			return -1;
		cache_put (rootfd, name, text, tlen, p->buf, plen);
	}
	if (plen / sizeof (struct sock_filter) > 0xffff)
		return err_set (e, BX_FAIL, 0, "seccomp: filter too long");
	p->insns = p->buf;
	p->len = (unsigned short)(plen / sizeof (struct sock_filter));
	return 0;
}

int
scmp_install (const struct scmp_prog *p, struct bx_err *e)
{
	struct sock_fprog prog = {p->len, p->insns};
	long r;

	if (!p->insns)
		return 0;
	if ((r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog)) < 0)
		return err_set (e, BX_SYSTEM, errno, "seccomp: load");
	return (int)r;
}

void
scmp_free (struct scmp_prog *p)
{
	free (p->buf);
	memset (p, 0, sizeof *p);
}
