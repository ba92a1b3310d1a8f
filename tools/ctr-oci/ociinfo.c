#include "ociinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"

/* what lib/runtime implements: ocispec's mount options and namespaces,
 * scmp's actions and operators, ctr-oci's hooks */
static const char features[] =
    "{\n"
    "    \"ociVersionMin\": \"1.0.0\",\n"
    "    \"ociVersionMax\": \"1.0.2\",\n"
    "    \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", \"poststart\", "
    "\"poststop\"],\n"
    "    \"mountOptions\": [\"async\", \"atime\", \"bind\", \"dev\", \"diratime\", \"dirsync\", \"exec\", \"mand\", "
    "\"noatime\", \"nodev\", \"nodiratime\", \"noexec\", \"nomand\", \"norelatime\", \"nostrictatime\", \"nosuid\", "
    "\"private\", \"rbind\", \"relatime\", \"remount\", \"ro\", \"rprivate\", \"rshared\", \"rslave\", "
    "\"runbindable\", \"rw\", \"shared\", \"slave\", \"strictatime\", \"suid\", \"sync\", \"unbindable\", "
    "\"idmap\", \"ridmap\"],\n"
    "    \"linux\": {\n"
    "        \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"time\", \"user\", "
    "\"uts\"],\n"
    "        \"capabilities\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_DAC_READ_SEARCH\", \"CAP_FOWNER\", "
    "\"CAP_FSETID\", \"CAP_KILL\", \"CAP_SETGID\", \"CAP_SETUID\", \"CAP_SETPCAP\", \"CAP_LINUX_IMMUTABLE\", "
    "\"CAP_NET_BIND_SERVICE\", \"CAP_NET_BROADCAST\", \"CAP_NET_ADMIN\", \"CAP_NET_RAW\", \"CAP_IPC_LOCK\", "
    "\"CAP_IPC_OWNER\", \"CAP_SYS_MODULE\", \"CAP_SYS_RAWIO\", \"CAP_SYS_CHROOT\", \"CAP_SYS_PTRACE\", "
    "\"CAP_SYS_PACCT\", \"CAP_SYS_ADMIN\", \"CAP_SYS_BOOT\", \"CAP_SYS_NICE\", \"CAP_SYS_RESOURCE\", "
    "\"CAP_SYS_TIME\", \"CAP_SYS_TTY_CONFIG\", \"CAP_MKNOD\", \"CAP_LEASE\", \"CAP_AUDIT_WRITE\", "
    "\"CAP_AUDIT_CONTROL\", \"CAP_SETFCAP\", \"CAP_MAC_OVERRIDE\", \"CAP_MAC_ADMIN\", \"CAP_SYSLOG\", "
    "\"CAP_WAKE_ALARM\", \"CAP_BLOCK_SUSPEND\", \"CAP_AUDIT_READ\", \"CAP_PERFMON\", \"CAP_BPF\", "
    "\"CAP_CHECKPOINT_RESTORE\"],\n"
    "        \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, \"systemdUser\": false},\n"
    "        \"seccomp\": {\n"
    "            \"enabled\": true,\n"
    "            \"actions\": [\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_PROCESS\", "
    "\"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", \"SCMP_ACT_NOTIFY\", \"SCMP_ACT_TRACE\", \"SCMP_ACT_TRAP\"],\n"
    "            \"operators\": [\"SCMP_CMP_EQ\", \"SCMP_CMP_GE\", \"SCMP_CMP_GT\", \"SCMP_CMP_LE\", \"SCMP_CMP_LT\", "
    "\"SCMP_CMP_MASKED_EQ\", \"SCMP_CMP_NE\"],\n"
    "            \"archs\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\"]\n"
    "        },\n"
    "        \"apparmor\": {\"enabled\": false},\n"
    "        \"selinux\": {\"enabled\": false},\n"
    "        \"mountExtensions\": {\"idmap\": {\"enabled\": true}}\n"
    "    }\n"
    "}\n";

/* runc's default bundle config: a shell on a read-only rootfs/ */
static const char default_spec[] =
    "{\n"
    "\t\"ociVersion\": \"1.0.2\",\n"
    "\t\"process\": {\n"
    "\t\t\"terminal\": true,\n"
    "\t\t\"user\": {\"uid\": 0, \"gid\": 0},\n"
    "\t\t\"args\": [\"sh\"],\n"
    "\t\t\"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\"],\n"
    "\t\t\"cwd\": \"/\",\n"
    "\t\t\"capabilities\": {\n"
    "\t\t\t\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "\t\t\t\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "\t\t\t\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "\t\t\t\"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
    "\t\t},\n"
    "\t\t\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
    "\t\t\"noNewPrivileges\": true\n"
    "\t},\n"
    "\t\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
    "\t\"hostname\": \"ctr-oci\",\n"
    "\t\"mounts\": [\n"
    "\t\t{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "\t\t{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", "
    "\"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
    "\t\t{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"nosuid\", "
    "\"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},\n"
    "\t\t{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [\"nosuid\", "
    "\"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
    "\t\t{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": "
    "[\"nosuid\", \"noexec\", \"nodev\"]},\n"
    "\t\t{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\", "
    "\"noexec\", \"nodev\", \"ro\"]},\n"
    "\t\t{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": "
    "[\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
    "\t],\n"
    "\t\"linux\": {\n"
    "\t\t\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
    "\t\t\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, {\"type\": "
    "\"uts\"}, {\"type\": \"mount\"}],\n"
    "\t\t\"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", "
    "\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", "
    "\"/sys/firmware\", \"/proc/scsi\"],\n"
    "\t\t\"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"]\n"
    "\t}\n"
    "}\n";

int
ociinfo_features (int argc, char **argv, struct bx_err *e)
{
	if (argc > 1)
		return err_set (e, BX_USAGE, 0, "\"%s\" requires exactly 0 argument(s)", argv[0]);
	fputs (features, stdout);
	return 0;
}

/* runc's specconv.ToRootless: a user namespace mapping our uid and gid
 * to root, no network namespace (nothing to wire it to), /sys the
 * host's bound, no uid=/gid= mount options, no resources */
static char *
spec_rootless (struct bx_err *e)
{
	json_t *cfg = json_loads (default_spec, 0, NULL), *lx = json_object_get (cfg, "linux"), *ns, *m, *opts;
	size_t i, k;
	char *text;

	if (!cfg)
		return err_set (e, BX_SYSTEM, ENOMEM, "spec"), NULL;
	ns = json_object_get (lx, "namespaces");
	for (i = json_array_size (ns); i-- > 0;)
		if (!strcmp (json_string_value (json_object_get (json_array_get (ns, i), "type")) ?: "", "network"))
			json_array_remove (ns, i);
	json_array_append_new (ns, json_pack ("{s:s}", "type", "user"));
	json_object_set_new (
	    lx, "uidMappings",
	    json_pack ("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)geteuid (), "size", 1));
	json_object_set_new (
	    lx, "gidMappings",
	    json_pack ("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)getegid (), "size", 1));
	json_object_del (lx, "resources");
	json_array_foreach (json_object_get (cfg, "mounts"), i, m)
	{
		if (!strcmp (json_string_value (json_object_get (m, "destination")) ?: "", "/sys")) {
			json_object_set_new (m, "type", json_string ("none"));
			json_object_set_new (m, "source", json_string ("/sys"));
			json_object_set_new (m, "options",
			                     json_pack ("[s,s,s,s,s]", "rbind", "nosuid", "noexec", "nodev", "ro"));
			continue;
		}
		opts = json_object_get (m, "options");
		for (k = json_array_size (opts); k-- > 0;) {
			const char *o = json_string_value (json_array_get (opts, k)) ?: "";
			if (!strncmp (o, "uid=", 4) || !strncmp (o, "gid=", 4))
				json_array_remove (opts, k);
		}
	}
	text = json_dumps (cfg, JSON_INDENT (4));
	json_decref (cfg);
	if (!text)
		err_set (e, BX_SYSTEM, ENOMEM, "spec");
	return text;
}

int
ociinfo_spec (int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {
	    {"bundle", required_argument, NULL, 'b'}, {"rootless", no_argument, NULL, 'r'}, {0, 0, 0, 0}};
	const char *bundle = ".";
	char *text = NULL;
	int c, dir, rootless = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long (argc, argv, "+b:", lo, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = 1;
		else
			return err_set (e, BX_USAGE, 0, "flag provided but not defined: %s", argv[optind - 1]);
	}
	if ((dir = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_USAGE, errno, "%s", bundle);
	if (faccessat (dir, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		close (dir);
		return err_set (e, BX_FAIL, 0, "File config.json exists. Remove it first");
	}
	if (rootless && !(text = spec_rootless (e))) {
		close (dir);
		return -1;
	}
	c = text ? afile_write_at (dir, "config.json", text, strlen (text), 0666, e)
	         : afile_write_at (dir, "config.json", default_spec, sizeof default_spec - 1, 0666, e);
	free (text);
	close (dir);
	return c;
}
