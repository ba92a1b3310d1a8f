#include "imgprune.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/sibling.h"

/* The image ids containers use, one a line in USED ("\n" first and last). */
static char *
used_ids (int rootfd)
{
	int fd = openat (rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream (&out, &olen);
	struct dirent *de;

	if (!d && fd >= 0)
		close (fd);
	if (!f)
		return NULL;
	fputc ('\n', f);
	/* a container being made (*.tmp-PID) counts: its image is taken */
	while (d && (de = readdir (d))) {
		_cleanup_free_ char *buf = NULL;
		struct bx_err ign;
		char path[512];
		size_t len;
		if (de->d_name[0] == '.')
			continue;
		snprintf (path, sizeof path, "%s/%s", de->d_name, L_CIMAGE);
		if (afile_slurp_at (fd, path, &buf, &len, &ign) < 0)
			continue;
		fprintf (f, "%.*s\n", (int)strcspn (buf, " \n"), buf);
	}
	fclose (f);
	return out;
}

static int
is_used (const char *used, const char *id)
{
	char want[DIGEST_STR_LEN + 3];

	snprintf (want, sizeof want, "\n%s\n", id);
	return strstr (used, want) != NULL;
}

static int
is_dangling (const struct imgset *set, const char *id)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].has_ref && !strcmp (set->v[i].id, id))
			return 0;
	return 1;
}

static int
seen (char **ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp (ids[i], id))
			return 1;
	return 0;
}

int
imgprune_opts_read (struct imgprune_opts *o, const struct pfilter *f, int all, struct bx_err *e)
{
	static const char *const keys[] = {"dangling", "label", "label!", "until", NULL};
	const char *v[PFILTER_MAX];
	int nv = pfilter_get (f, "dangling", v, PFILTER_MAX);

	memset (o, 0, sizeof *o);
	o->f = f;
	o->all = all;
	for (int i = 0; i < nv && i < PFILTER_MAX; i++)
		o->all |= !strcmp (v[i], "false") || !strcmp (v[i], "0");
	if (pfilter_check (f, keys, e) < 0)
		return -1;
	return pfilter_until (f, &o->until, &o->has_until, e);
}

/* made in until='s second or after (times are read in whole seconds: one
 * Docker keeps stays), or its labels refused */
static int
filtered_out (const struct imgset_entry *en, const struct imgprune_opts *o)
{
	json_t *cfg = json_object_get (en->config, "config");

	if (o->has_until && en->created >= o->until)
		return 1;
	return o->f && json_is_object (cfg) && !pfilter_labels_match (o->f, json_object_get (cfg, "Labels"));
}

int
imgprune_candidates (const struct imgset *set, int rootfd, const struct imgprune_opts *o, char ***ids, size_t *n,
                     struct bx_err *e)
{
	_cleanup_free_ char *used = used_ids (rootfd);

	*n = 0;
	if (!used || !(*ids = calloc (set->n + 1, sizeof **ids)))
		return err_set (e, BX_SYSTEM, ENOMEM, "image prune");
	for (size_t i = 0; i < set->n; i++) {
		const char *id = set->v[i].id;
		if (!id[0] || is_used (used, id) || seen (*ids, *n, id) || (!o->all && !is_dangling (set, id)) ||
		    filtered_out (&set->v[i], o))
			continue;
		if (!((*ids)[(*n)++] = strdup (id)))
			return err_set (e, BX_SYSTEM, ENOMEM, "image prune");
	}
	return 0;
}

void
imgprune_ids_free (char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free (ids[i]);
	free (ids);
}

static void
fetch_gc_exec (const char *root)
{
	char prog[PATH_MAX + 16];
	const char *argv[] = {"img-fetch", "--root", root, "--gc", NULL};

	sibling_path ("img-fetch", prog, sizeof prog);
	execvp (prog, (char *const *)argv);
	_exit (127);
}

int
imgprune_partials (const char *root, uint64_t *bytes, struct bx_err *e)
{
	char buf[64] = "";
	int p[2], st;
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	*bytes = 0;
	if (pipe2 (p, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	if ((pid = fork ()) < 0)
		return close (p[0]), close (p[1]), err_set (e, BX_SYSTEM, errno, "fork");
	if (pid == 0) {
		if (dup2 (p[1], STDOUT_FILENO) < 0)
			_exit (BX_SYSTEM);
		fetch_gc_exec (root);
	}
	close (p[1]);
	while (len < sizeof buf - 1 &&
	       ((r = read (p[0], buf + len, sizeof buf - 1 - len)) > 0 || (r < 0 && errno == EINTR)))
		len += r > 0 ? (size_t)r : 0;
	close (p[0]);
	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "waitpid");
	if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
		return err_set (e, BX_FAIL, 0, "partial downloads: img-fetch --gc failed");
	*bytes = strtoull (buf, NULL, 10);
	return 0;
}
