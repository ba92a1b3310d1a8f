/* add - what ADD does beyond COPY: a local tar archive (plain, gzip,
 * bzip2, xz or zstd) extracted into the destination inside the image's
 * root, a URL fetched with libcurl as Docker fetches it */
#ifndef DF_BUILD_ADD_H
#define DF_BUILD_ADD_H

#include "base/err.h"

/* 1 when the file FD is a tar archive, plain or compressed (FD rewound). */
int add_is_archive (int fd);
/* Extract the archive FD into DIR, a directory of the tree ROOT, every
 * path resolved inside ROOT (a child process chroot'ed there); its
 * entries keep their owners and modes, as Docker's classic builder keeps
 * them whatever ADD's --chown says. */
int add_untar (int fd, int root, int dir, struct bx_err *e);
/* The file name a download of URL gets: its path's last part ("" when it
 * has none), malloc'd. */
char *add_url_name (const char *url);
/* Fetch URL into DIR as *NAME: mode 0600, mtime its Last-Modified (else 0).
 * An empty *NAME (malloc'd) becomes the Content-Disposition's filename. */
int add_fetch (const char *url, int dir, char **name, struct bx_err *e);

#endif
