/* ocicli - ctr-oci's global options, which every command reads */
#ifndef BOX_OCICLI_H
#define BOX_OCICLI_H

struct ocicli {
	const char *root; /* --root: the state directory */
	int systemd_cgroup;
	int rootless; /* --rootless: -1 auto, 0 false, 1 true */
	int debug;
	int cachefd; /* $CTR_OCI_CACHE or /var/cache/ctr-oci: compiled seccomp filters; -1: none */
};

#endif
