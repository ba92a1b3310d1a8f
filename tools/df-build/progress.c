/* progress - BuildKit's plain progress (moby/buildkit util/progress/
 * progressui, its plain mode), for a build that runs step by step */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/ref.h"
#include "progress.h"

static struct {
	int on;
	int n;          /* the step's number, #N */
	int cached;     /* it came from the build cache: no DONE line */
	double started; /* when it started (CLOCK_MONOTONIC, seconds) */
} p;

static double
now (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
progress_start (struct build *b)
{
	int null;

	if (!b->o->plain || b->o->quiet)
		return;
	fflush (stdout);
	if ((null = open ("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
		dup2 (null, STDOUT_FILENO);
		close (null);
	}
	p.on = 1;
}

int
progress_on (void)
{
	return p.on;
}

static void
done (void)
{
	if (p.n && !p.cached)
		fprintf (stderr, "#%d DONE %.1fs\n", p.n, now () - p.started);
	p.cached = 0;
}

void
progress_cached (void)
{
	if (!p.on)
		return;
	fprintf (stderr, "#%d CACHED\n", p.n);
	p.cached = 1;
}

void
progress_step (struct build *b)
{
	const struct build_stage *s = b->cur;
	size_t k = (size_t)(b->in - b->df->instrs) - s->from + 1, n = s->end - s->from;
	char prefix[128] = "";

	if (!p.on)
		return;
	done ();
	if (b->nstages > 1 && s->name)
		snprintf (prefix, sizeof prefix, "%s ", s->name);
	else if (b->nstages > 1)
		snprintf (prefix, sizeof prefix, "stage-%zu ", (size_t)(s - b->stages));
	p.n++;
	p.started = now ();
	fprintf (stderr, "%s#%d [%s%zu/%zu] %s\n", p.n > 1 ? "\n" : "", p.n, prefix, k, n, b->in->original);
}

void
progress_line (const char *line, size_t len)
{
	fprintf (stderr, "#%d %.3f %.*s\n", p.n, now () - p.started, (int)len, line);
}

void
progress_end (struct build *b, int rc, const struct bx_err *e, const char *id)
{
	if (!p.on)
		return;
	if (rc < 0) {
		if (p.n)
			fprintf (stderr, "#%d ERROR: %s\n", p.n, e->msg);
		return;
	}
	done ();
	p.started = now ();
	p.n++;
	fprintf (stderr, "\n#%d exporting to image\n#%d writing image %s done\n", p.n, p.n, id);
	for (size_t i = 0; i < b->o->ntags; i++) {
		struct ref r;
		char full[600];
		struct bx_err ign = {0};
		if (ref_parse (b->o->tags[i], &r, &ign) == 0) {
			ref_full (&r, full, sizeof full);
			fprintf (stderr, "#%d naming to %s done\n", p.n, full);
		}
	}
	done ();
}
