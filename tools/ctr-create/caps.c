#include "caps.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>

/* capability numbers as linux/capability.h defines them */
static const char *const names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
#define NNAMES ((int)(sizeof names / sizeof names[0]))

#define BIT(n) ((capset_t)1 << (n))

capset_t
caps_docker_default (void)
{
	/* CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP
	 * SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE */
	return BIT (0) | BIT (1) | BIT (4) | BIT (3) | BIT (27) | BIT (13) | BIT (6) | BIT (7) | BIT (31) | BIT (8) |
	       BIT (10) | BIT (18) | BIT (5) | BIT (29);
}

static int
last_cap (void)
{
	static int last = -1;
	char buf[16];
	ssize_t n;
	int fd;

	if (last >= 0)
		return last;
	last = NNAMES - 1;
	fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read (fd, buf, sizeof buf - 1);
		if (n > 0) {
			buf[n] = '\0';
			if (atoi (buf) > 0 && atoi (buf) < last)
				last = atoi (buf);
		}
		close (fd);
	}
	return last;
}

capset_t
caps_all (void)
{
	int last = last_cap ();
	capset_t all = 0;

	/* what this process may still hand on: a capability outside its
	 * bounding set makes the container's capset fail (runc's "unable to
	 * apply caps", Docker's exit 125 on such a host) */
	for (int i = 0; i <= last && i < 64; i++)
		if (prctl (PR_CAPBSET_READ, i, 0, 0, 0) == 1)
			all |= BIT (i);
	return all;
}

const char *
caps_name (int n)
{
	return n >= 0 && n < NNAMES ? names[n] : NULL;
}

int
caps_parse (const char *s, struct bx_err *e)
{
	const char *bare = strncasecmp (s, "CAP_", 4) == 0 ? s + 4 : s;

	if (strcasecmp (s, "ALL") == 0)
		return CAPS_ALL;
	for (int i = 0; i < NNAMES; i++)
		if (strcasecmp (names[i] + 4, bare) == 0)
			return i;
	{
		char up[64];
		size_t i;
		for (i = 0; bare[i] && i + 1 < sizeof up - 4; i++)
			up[i] = (char)toupper ((unsigned char)bare[i]);
		up[i] = '\0';
		return err_set (e, BX_USAGE, 0, "unknown capability: \"CAP_%s\"", up);
	}
}

void
caps_normal (int n, char *buf, size_t len)
{
	snprintf (buf, len, "%s", n == CAPS_ALL ? "ALL" : caps_name (n));
}

capset_t
caps_tweak (const struct capreq *r, int privileged)
{
	if (privileged || r->add_all)
		return privileged ? caps_all () : caps_all () & ~r->drop;
	if (r->drop_all)
		return r->add;
	return (caps_docker_default () & ~r->drop) | r->add;
}
