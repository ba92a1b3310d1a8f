#include "base/hashbg.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HASHBG_BUFSIZE (32 * 1024)

/* One lock for all: the owner's updates are a few per 32 KiB read. The
 * conditions are signalled only to a waiter: a wakeup per piece would cost
 * more than the hashing it moves (IPIs in a VM). */
struct hashbg {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work; /* to the worker: something to hash, or stop */
	pthread_cond_t done; /* to the owner: a piece hashed */
	struct hashbg_file *files;
	struct hashbg_file *last; /* hashed last: the next file goes first */
	int stop;
	int idle;    /* the worker waits on work */
	int waiters; /* owners waiting on done */
	char buf[HASHBG_BUFSIZE];
};

/* a file with bytes to hash, the one after the last hashed first */
static struct hashbg_file *
next_work (struct hashbg *w)
{
	struct hashbg_file *f = w->last ? w->last->next : NULL;

	for (int pass = 0; pass < 2; pass++, f = w->files)
		for (; f; f = f->next)
			if (!f->err && f->hashed < f->written)
				return f;
	return NULL;
}

/* Read and hash one piece of F, unlocked: while F is busy only the worker
 * touches its context and its owner waits before resetting or digesting. */
static void
hash_piece (struct hashbg *w, struct hashbg_file *f)
{
	int64_t off = f->hashed, len = f->written - f->hashed;
	ssize_t n;

	f->busy = 1;
	pthread_mutex_unlock (&w->lock);
	while ((n = pread (f->fd, w->buf, len < HASHBG_BUFSIZE ? (size_t)len : HASHBG_BUFSIZE, off)) < 0 &&
	       errno == EINTR)
		;
	if (n > 0)
		hash_update (&f->ctx, w->buf, (size_t)n);
	pthread_mutex_lock (&w->lock);
	f->busy = 0;
	if (n > 0)
		f->hashed += n;
	else
		f->err = n < 0 ? errno : EIO; /* shorter than written: truncated under us */
	if (w->waiters)
		pthread_cond_broadcast (&w->done);
}

static void *
worker (void *arg)
{
	struct hashbg *w = arg;
	struct hashbg_file *f;

	pthread_mutex_lock (&w->lock);
	while (!w->stop) {
		if (!(f = next_work (w))) {
			w->idle = 1;
			pthread_cond_wait (&w->work, &w->lock);
			w->idle = 0;
		} else
			hash_piece (w, f), w->last = f;
	}
	pthread_mutex_unlock (&w->lock);
	return NULL;
}

int
hashbg_start (struct hashbg **wp, struct bx_err *e)
{
	struct hashbg *w = calloc (1, sizeof *w);
	int rc;

	if (!w)
		return err_set (e, BX_SYSTEM, ENOMEM, "hashing thread");
	pthread_mutex_init (&w->lock, NULL);
	pthread_cond_init (&w->work, NULL);
	pthread_cond_init (&w->done, NULL);
	if ((rc = pthread_create (&w->thread, NULL, worker, w)) != 0) {
		free (w);
		return err_set (e, BX_SYSTEM, rc, "hashing thread");
	}
	*wp = w;
	return 0;
}

void
hashbg_stop (struct hashbg *w)
{
	if (!w)
		return;
	pthread_mutex_lock (&w->lock);
	w->stop = 1;
	pthread_cond_signal (&w->work);
	pthread_mutex_unlock (&w->lock);
	pthread_join (w->thread, NULL);
	pthread_mutex_destroy (&w->lock);
	pthread_cond_destroy (&w->work);
	pthread_cond_destroy (&w->done);
	free (w);
}

/* the owner waits for the worker's next piece */
static void
wait_done (struct hashbg *w)
{
	w->waiters++;
	pthread_cond_wait (&w->done, &w->lock);
	w->waiters--;
}

/* the owner waits until the worker has let go of F */
static void
wait_idle (struct hashbg_file *f)
{
	while (f->busy)
		wait_done (f->w);
}

void
hashbg_add (struct hashbg *w, struct hashbg_file *f, int fd)
{
	struct bx_err ign;

	memset (f, 0, sizeof *f);
	f->fd = fd;
	hash_init (&f->ctx, &ign);
	pthread_mutex_lock (&w->lock);
	f->w = w;
	f->next = w->files;
	w->files = f;
	pthread_mutex_unlock (&w->lock);
}

void
hashbg_wrote (struct hashbg_file *f, int64_t written)
{
	pthread_mutex_lock (&f->w->lock);
	f->written = written;
	if (f->w->idle)
		pthread_cond_signal (&f->w->work);
	pthread_mutex_unlock (&f->w->lock);
}

void
hashbg_reset (struct hashbg_file *f)
{
	struct bx_err ign;

	pthread_mutex_lock (&f->w->lock);
	wait_idle (f);
	hash_init (&f->ctx, &ign);
	f->written = f->hashed = 0;
	f->err = 0;
	pthread_mutex_unlock (&f->w->lock);
}

int
hashbg_digest (struct hashbg_file *f, char out[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	struct hash_ctx c;
	int err;

	pthread_mutex_lock (&f->w->lock);
	while (f->busy || (!f->err && f->hashed < f->written))
		wait_done (f->w);
	err = f->err;
	c = f->ctx; /* finished on a copy: F can go on after a reset */
	pthread_mutex_unlock (&f->w->lock);
	if (err)
		return err_set (e, BX_SYSTEM, err, "read back to hash");
	hash_final (&c, out);
	return 0;
}

void
hashbg_drop (struct hashbg_file *f)
{
	struct hashbg *w = f->w;
	struct hashbg_file **p;

	if (!w)
		return;
	pthread_mutex_lock (&w->lock);
	wait_idle (f);
	for (p = &w->files; *p && *p != f; p = &(*p)->next)
		;
	if (*p)
		*p = f->next;
	if (w->last == f)
		w->last = NULL;
	f->w = NULL;
	pthread_mutex_unlock (&w->lock);
}
