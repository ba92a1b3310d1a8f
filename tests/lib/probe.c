/* probe - a static test payload: try one privileged operation inside a
 * container and print the errno name it got ("ok" when it succeeded)
 *
 *   probe keyctl | init_module | reboot | unshare | mount | kcore
 *
 * Each call is harmless if it were allowed: reboot gets a wrong magic
 * number (the capability check comes first: EPERM, else EINVAL),
 * init_module a NULL image (EPERM, else EFAULT). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *
name (int err)
{
	switch (err) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOSYS: return "ENOSYS";
	case ENOENT: return "ENOENT";
	case EROFS: return "EROFS";
	default: return strerror (err);
	}
}

static long
try (const char *what)
{
	if (!strcmp (what, "keyctl"))
		return syscall (SYS_add_key, "user", "box-probe", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */);
	if (!strcmp (what, "init_module"))
		return syscall (SYS_init_module, NULL, 0, "");
	if (!strcmp (what, "reboot"))
		return syscall (SYS_reboot, 0, 0, LINUX_REBOOT_CMD_CAD_OFF, NULL);
	if (!strcmp (what, "unshare"))
		return unshare (CLONE_NEWNS);
	if (!strcmp (what, "mount"))
		return mount ("none", "/tmp", "tmpfs", 0, NULL);
	errno = ENOSYS;
	return -1;
}

int
main (int argc, char **argv)
{
	if (argc != 2) {
		fputs ("usage: probe keyctl|init_module|reboot|unshare|mount\n", stderr);
		return 2;
	}
	errno = 0;
	puts (name (try (argv[1]) < 0 ? errno : 0));
	return 0;
}
