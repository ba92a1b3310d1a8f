/* ocispec - an OCI runtime-spec config.json read into what a runtime does
 *
 * The file becomes a struct spec: the process to run, the namespaces, the
 * cgroup resources, and the root filesystem work as a flat list of setup
 * steps (bubblewrap's SetupOp list) that lib/mounts runs in order inside the
 * child. Strings point into the parsed JSON, which the spec keeps alive
 * until ocispec_free. Parsing fails on what is malformed and on what this
 * runtime does not implement, never silently, naming the key. */
#ifndef BOX_OCISPEC_H
#define BOX_OCISPEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "runtime/cgroup.h"
#include "runtime/procattr.h"
#include "base/userns.h"

/* a setup step, run in list order inside the container's mount namespace */
enum op_kind {
	OP_MOUNT,    /* a file system (proc, tmpfs, devpts, mqueue, sysfs) at dest */
	OP_BIND,     /* bind (or rbind, with rec) source at dest; ro remounts it */
	OP_CGROUPFS, /* the cgroup file systems at dest (v1: a tmpfs and one per hierarchy) */
	OP_MKNOD,    /* a device node at dest */
	OP_SYMLINK,  /* dest -> source */
	OP_CONSOLE,  /* the terminal's slave bound at /dev/console */
	OP_PIVOT,    /* pivot_root into the root, old root detached */
	OP_SYSCTL,   /* write data to /proc/sys/<source> */
	OP_MASK,     /* /dev/null over a file, an empty ro tmpfs over a directory */
	OP_RDONLY,   /* bind dest onto itself read-only */
	OP_ROOT_RO,  /* the root remounted read-only */
	OP_PROPAGATE /* the root's propagation (flags) */
};

struct op {
	enum op_kind kind;
	const char *source, *dest, *fstype, *data;
	unsigned long flags; /* MS_* of the mount itself */
	unsigned long prop;  /* MS_PRIVATE, MS_SLAVE, ... applied after (0: none) */
	int rec, ro;
	/* OP_MKNOD */
	mode_t mode; /* with S_IFCHR, S_IFBLK or S_IFIFO */
	dev_t dev;
	uid_t uid;
	gid_t gid;
	/* OP_BIND with "idmap" (1) or "ridmap" (2, the submounts too): the
	 * mount's own uidMappings/gidMappings, or the container's */
	int idmap;
	struct userns_maps idmaps;
};

enum cap_set { CAPSET_BOUNDING, CAPSET_EFFECTIVE, CAPSET_INHERITABLE, CAPSET_PERMITTED, CAPSET_AMBIENT, CAPSET_N };

struct rlim {
	int resource;
	uint64_t soft, hard;
};

struct ns_join {
	int type; /* CLONE_NEW* */
	const char *path;
};

struct spec {
	void *json; /* json_t *, owned */
	/* process */
	const char **args, **env; /* NULL-terminated */
	const char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *gids;
	size_t ngids;
	int has_caps;            /* process.capabilities present */
	uint64_t caps[CAPSET_N]; /* bit n: capability n */
	int nnp, terminal;
	struct rlim *rlimits;
	size_t nrlimits;
	int oom_score_adj, has_oom_score_adj;
	struct procattr attr; /* personality, ioPriority, scheduler */
	/* root, hostname */
	char rootfs[4096]; /* absolute */
	const char *hostname;
	/* linux */
	int clone_flags; /* the namespaces made new */
	struct ns_join joins[8];
	size_t njoins;
	int mntns;                 /* a mount namespace: its own or joined (none: the mounts are the caller's) */
	int userns;                /* in a user namespace: its own (CLONE_NEWUSER) or joined */
	struct userns_maps idmaps; /* linux.uidMappings, gidMappings (allocated) */
	/* linux.timeOffsets (the time namespace's clocks, set before the
	 * payload enters it): monotonic, boottime */
	struct ocispec_timeoff {
		int set;
		int64_t secs;
		uint32_t nanosecs;
	} timeoff[2];
	const char *cgroups_path; /* NULL: none */
	struct cgroup_limits res;
	void *seccomp; /* json_t * of linux.seccomp, borrowed; NULL: none */
	struct op *ops;
	size_t nops;
};

/* Read BUNDLEFD/config.json; BUNDLE is its absolute path (root.path is
 * relative to it). */
int ocispec_read (int bundlefd, const char *bundle, struct spec *s, struct bx_err *e);
void ocispec_free (struct spec *s);
/* config.json's linux.resources R as cgroup limits (strings borrowed from
 * R); ocispec_resources_free releases what it allocated */
struct json_t;
int ocispec_resources (struct json_t *r, struct cgroup_limits *res, struct bx_err *e);
void ocispec_resources_free (struct cgroup_limits *res);

/* Replace S's process with PROCESS (a json_t * of a process object, which
 * S then owns): what `exec --process` runs. */
int ocispec_process_replace (struct spec *s, void *process, struct bx_err *e);
/* The number of capability NAME ("CAP_KILL" or "KILL"); -1 when unknown. */
int ocispec_cap_number (const char *name);

/* Parse a mount option list item into flags; 0 when it is data. */
int ocispec_mount_flag (const char *opt, unsigned long *set, unsigned long *clear, unsigned long *prop, int *rec);

/* The environment value of NAME in ENV (NULL-terminated "K=V"), or NULL. */
const char *ocispec_getenv (const char *const *env, const char *name);

#endif
