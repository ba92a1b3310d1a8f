#include "net/netfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/cleanup.h"

#define DOCKER_HOSTS                                                                                                   \
	"127.0.0.1\tlocalhost\n"                                                                                       \
	"::1\tlocalhost ip6-localhost ip6-loopback\n"                                                                  \
	"fe00::0\tip6-localnet\n"                                                                                      \
	"ff00::0\tip6-mcastprefix\n"                                                                                   \
	"ff02::1\tip6-allnodes\n"                                                                                      \
	"ff02::2\tip6-allrouters\n"

static int
mem_err (FILE *f, struct bx_err *e)
{
	if (f)
		fclose (f);
	return err_set (e, BX_SYSTEM, ENOMEM, "hosts");
}

int
netfiles_hosts (int host_net, json_t *extra, char **out, struct bx_err *e)
{
	_cleanup_free_ char *host = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream (out, &len);
	json_t *v;

	if (!f)
		return mem_err (NULL, e);
	if (host_net && afile_slurp_at (AT_FDCWD, "/etc/hosts", &host, NULL, e) == 0) {
		fputs (host, f);
		if (*host && host[strlen (host) - 1] != '\n')
			fputc ('\n', f);
	} else
		fputs (DOCKER_HOSTS, f);
	*e = (struct bx_err){0};
	json_array_foreach (extra, i, v)
	{
		const char *s = json_string_value (v), *sep = strchr (s, '=');
		const char *ip;
		size_t n;
		if (!sep)
			sep = strchr (s, ':');
		ip = sep + 1;
		n = strlen (ip);
		if (ip[0] == '[' && n > 2) {
			ip++;
			n -= 2;
		}
		/* host-gateway is the bridge's address: ctr-net knows it */
		if (strcmp (ip, "host-gateway") != 0)
			fprintf (f, "%.*s\t%.*s\n", (int)n, ip, (int)(sep - s), s);
	}
	if (fclose (f) != 0)
		return mem_err (NULL, e);
	return 0;
}

/* the host's file: systemd-resolved's stub points at itself */
static char *
host_resolv (void)
{
	struct bx_err e = {0};
	char *buf = NULL, *p;
	int only_stub = 1, any = 0;

	if (afile_slurp_at (AT_FDCWD, "/etc/resolv.conf", &buf, NULL, &e) < 0)
		return strdup ("");
	for (p = buf; (p = strstr (p, "nameserver")); p += 10) {
		if (p != buf && p[-1] != '\n')
			continue;
		any = 1;
		if (strncmp (p + 10 + strspn (p + 10, " \t"), "127.0.0.53", 10) != 0)
			only_stub = 0;
	}
	if (any && only_stub) {
		char *up = NULL;
		if (afile_slurp_at (AT_FDCWD, "/run/systemd/resolve/resolv.conf", &up, NULL, &e) == 0) {
			free (buf);
			return up;
		}
	}
	return buf;
}

/* a nameserver line Docker drops for a container with its own network */
static int
dropped (const char *addr)
{
	return strncmp (addr, "127.", 4) == 0 || strchr (addr, ':') != NULL;
}

static int
is_key (const char *line, const char *key)
{
	size_t n = strlen (key);

	return strncmp (line, key, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

/* "search a b": the words of LIST, none for a lone "." */
static void
words_line (FILE *f, const char *key, json_t *list)
{
	size_t i;
	json_t *v;

	if (!json_array_size (list) ||
	    (json_array_size (list) == 1 && !strcmp (json_string_value (json_array_get (list, 0)), ".")))
		return;
	fputs (key, f);
	json_array_foreach (list, i, v) fprintf (f, " %s", json_string_value (v));
	fputc ('\n', f);
}

int
netfiles_resolv (int host_net, json_t *dns, json_t *search, json_t *options, char **out, struct bx_err *e)
{
	_cleanup_free_ char *host = host_resolv ();
	size_t len = 0, i;
	FILE *f = open_memstream (out, &len);
	char *save = NULL, *line;
	int kept = 0;
	json_t *v;

	if (!f || !host)
		return mem_err (f, e);
	for (line = strtok_r (host, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
		if (strncmp (line, "nameserver", 10) == 0 && (line[10] == ' ' || line[10] == '\t')) {
			char addr[64] = "";
			sscanf (line + 10, "%63s", addr);
			if (json_array_size (dns) || (!host_net && dropped (addr)))
				continue;
			kept++;
		}
		if ((json_array_size (search) && (is_key (line, "search") || is_key (line, "domain"))) ||
		    (json_array_size (options) && is_key (line, "options")))
			continue;
		fprintf (f, "%s\n", line);
	}
	json_array_foreach (dns, i, v) fprintf (f, "nameserver %s\n", json_string_value (v));
	words_line (f, "search", search);
	words_line (f, "options", options);
	if (!host_net && !kept && !json_array_size (dns))
		fputs ("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", f);
	if (fclose (f) != 0)
		return mem_err (NULL, e);
	return 0;
}
