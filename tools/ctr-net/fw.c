#include "fw.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/lock.h"
#include "base/root.h"

/* serialises reading and rewriting the host's chains among box processes:
 * the check and the change are two programs */
#define FW_LOCK "/run/lock/box-fw.lock"

void
fw_chain_name (const char *prefix, char out[FW_CHAIN_MAX])
{
	size_t i = 0;

	for (; prefix[i] && i < FW_CHAIN_MAX - 9; i++)
		out[i] = (char)toupper ((unsigned char)prefix[i]);
	snprintf (out + i, FW_CHAIN_MAX - i, "-FORWARD");
}

/* Run ARGV with IN on its stdin; its stdout in *OUT (when OUT), its first
 * stderr line the error. */
static int
run (char *const argv[], const char *in, char **out, struct bx_err *e)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, status;
	char msg[512] = "", *nl;
	FILE *mem = NULL;
	size_t memlen = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2 (pin, O_CLOEXEC) < 0 || pipe2 (pout, O_CLOEXEC) < 0 || pipe2 (perr, O_CLOEXEC) < 0) {
		int err = errno;
		for (int i = 0; i < 2; i++)
			close (pin[i]), close (pout[i]), close (perr[i]);
		return err_set (e, BX_SYSTEM, err, "%s: pipe", argv[0]);
	}
	if ((pid = fork ()) == 0) {
		dup2 (pin[0], 0), dup2 (pout[1], 1), dup2 (perr[1], 2);
		execvp (argv[0], argv);
		_exit (127);
	}
	close (pin[0]), close (pout[1]), close (perr[1]);
	signal (SIGPIPE, SIG_IGN);
	if (pid > 0 && in)
		afile_write_all (pin[1], in, strlen (in));
	close (pin[1]);
	if (out && !(mem = open_memstream (out, &memlen)))
		*out = NULL;
	/* the output is small (a filter table); stderr is read after it */
	for (char buf[4096]; pid > 0 && (n = read (pout[0], buf, sizeof buf)) != 0;)
		if (n > 0 && mem)
			fwrite (buf, 1, (size_t)n, mem);
		else if (n < 0 && errno != EINTR)
			break;
	if (mem)
		fclose (mem);
	n = pid > 0 ? read (perr[0], msg, sizeof msg - 1) : 0;
	msg[n > 0 ? n : 0] = 0;
	close (pout[0]), close (perr[0]);
	if (pid < 0)
		return err_set (e, BX_SYSTEM, errno, "run %s", argv[0]);
	while (waitpid (pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "wait for %s", argv[0]);
	if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
		return 0;
	if (out) {
		free (*out);
		*out = NULL;
	}
	if ((nl = strchr (msg, '\n')))
		*nl = 0;
	return err_set (e, BX_SYSTEM, 0, "%s: %s", argv[0], *msg ? msg : "failed");
}

/* --- iptables ----------------------------------------------------------------- */

/* The line of SAVE that starts with START (whole line when EXACT). */
static bool
has_line (const char *save, const char *start, bool exact)
{
	size_t l = strlen (start);

	for (const char *p = save; p && *p; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp (p, start, l) && (!exact || p[l] == '\n' || !p[l]))
			return true;
	return false;
}

/* iptables-legacy only where something loaded its filter table: loading
 * it for nothing adds a hook and makes iptables-nft warn of legacy tables */
static bool
legacy_in_use (void)
{
	_cleanup_free_ char *names = NULL;
	struct bx_err ignored = {0};

	if (afile_slurp_at (AT_FDCWD, "/proc/net/ip_tables_names", &names, NULL, &ignored) < 0)
		return false;
	return has_line (names, "filter", true);
}

/* The backend's filter table as iptables-save prints it, NULL when the
 * backend cannot be run. */
static char *
ipt_save (const char *backend)
{
	char prog[32], *out = NULL;
	struct bx_err ignored = {0};

	snprintf (prog, sizeof prog, "%s-save", backend);
	if (run ((char *[]){prog, (char *)"-t", (char *)"filter", NULL}, NULL, &out, &ignored) < 0)
		return NULL;
	return out;
}

static int
ipt_restore (const char *backend, const char *script, struct bx_err *e)
{
	char prog[32];

	snprintf (prog, sizeof prog, "%s-restore", backend);
	return run ((char *[]){prog, (char *)"-w", (char *)"--noflush", NULL}, script, NULL, e);
}

static int
ipt_add (const char *backend, const char *chain, const char *br, struct bx_err *e)
{
	_cleanup_free_ char *save = ipt_save (backend);
	char s[1024], l[128];
	size_t off;

	if (!save)
		return 0; /* no such backend here */
	off = snprintf (s, sizeof s, "*filter\n");
	snprintf (l, sizeof l, ":%s ", chain);
	if (!has_line (save, l, false))
		off += snprintf (s + off, sizeof s - off, ":%s - [0:0]\n", chain);
	snprintf (l, sizeof l, "-A FORWARD -j %s", chain);
	if (!has_line (save, l, true))
		off += snprintf (s + off, sizeof s - off, "-I FORWARD -j %s\n", chain);
	snprintf (l, sizeof l, "-A %s -i %s -j ACCEPT", chain, br);
	if (!has_line (save, l, true))
		off += snprintf (s + off, sizeof s - off, "%s\n", l);
	snprintf (l, sizeof l, "-A %s -o %s -m conntrack --ctstate ", chain, br);
	if (!has_line (save, l, false))
		off += snprintf (s + off, sizeof s - off, "%sRELATED,ESTABLISHED,DNAT -j ACCEPT\n", l);
	if (off == strlen ("*filter\n"))
		return 0;
	snprintf (s + off, sizeof s - off, "COMMIT\n");
	if (ipt_restore (backend, s, e) < 0)
		return err_wrap (e, "chain %s", chain);
	return 0;
}

static void
ipt_del (const char *backend, const char *chain, const char *br)
{
	_cleanup_free_ char *save = ipt_save (backend), *s = NULL;
	char mine_i[64], mine_o[64], any[40], jump[64];
	struct bx_err ignored = {0};
	size_t len = 0;
	int left = 0, removed = 0;
	bool jumped;
	FILE *f;

	if (!save || !(f = open_memstream (&s, &len)))
		return;
	snprintf (mine_i, sizeof mine_i, "-A %s -i %s ", chain, br);
	snprintf (mine_o, sizeof mine_o, "-A %s -o %s ", chain, br);
	snprintf (any, sizeof any, "-A %s ", chain);
	snprintf (jump, sizeof jump, "-A FORWARD -j %s", chain);
	jumped = has_line (save, jump, true);
	fputs ("*filter\n", f);
	for (char *p = save, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		if ((nl = strchr (p, '\n')))
			*nl = 0;
		if (!strncmp (p, mine_i, strlen (mine_i)) || !strncmp (p, mine_o, strlen (mine_o)))
			fprintf (f, "-D %s\n", p + 3), removed++;
		else if (!strncmp (p, any, strlen (any)))
			left++;
	}
	if (!left && jumped) {
		fprintf (f, "-D FORWARD -j %s\n-X %s\n", chain, chain);
		removed++;
	}
	fputs ("COMMIT\n", f);
	if (fclose (f) == 0 && removed)
		ipt_restore (backend, s, &ignored);
}

/* --- nftables' own tables -------------------------------------------------------- */

/* `nft -j -a list ruleset inet`: only what iptables-nft never makes */
static json_t *
nft_inet (void)
{
	_cleanup_free_ char *out = NULL;
	struct bx_err ignored = {0};
	json_t *j;

	if (run ((char *[]){(char *)"nft", (char *)"-j", (char *)"-a", (char *)"list", (char *)"ruleset",
	                    (char *)"inet", NULL},
	         NULL, &out, &ignored) < 0)
		return NULL;
	j = json_loads (out, 0, NULL);
	return j;
}

static const char *
str (json_t *o, const char *k)
{
	const char *s = json_string_value (json_object_get (o, k));

	return s ? s : "";
}

/* Whether a rule commented TAG is in TABLE CHAIN already. */
static bool
nft_has_rule (json_t *all, const char *table, const char *chain, const char *tag)
{
	size_t i;
	json_t *v, *r;

	json_array_foreach (all, i, v) if ((r = json_object_get (v, "rule")) && !strcmp (str (r, "table"), table) &&
	                                   !strcmp (str (r, "chain"), chain) &&
	                                   !strcmp (str (r, "comment"), tag)) return true;
	return false;
}

static int
nft_add (const char *br, struct bx_err *e)
{
	json_t *j = nft_inet (), *all = json_object_get (j, "nftables"), *v, *c;
	_cleanup_free_ char *s = NULL;
	char tag[32];
	size_t i, len = 0;
	int n = 0, rc = 0;
	FILE *f;

	if (!j || !(f = open_memstream (&s, &len))) {
		json_decref (j);
		return 0; /* no nft: nothing of it can drop */
	}
	snprintf (tag, sizeof tag, "box:%s", br);
	json_array_foreach (all, i, v)
	{
		const char *t, *ch;
		if (!(c = json_object_get (v, "chain")) || strcmp (str (c, "hook"), "forward") ||
		    strcmp (str (c, "policy"), "drop"))
			continue;
		t = str (c, "table"), ch = str (c, "name");
		if (nft_has_rule (all, t, ch, tag))
			continue;
		/* inserted in turn: the first line ends up last */
		fprintf (f,
		         "insert rule inet %1$s %2$s oifname \"%3$s\" ct status dnat accept comment \"%4$s\"\n"
		         "insert rule inet %1$s %2$s oifname \"%3$s\" ct state established,related accept comment "
		         "\"%4$s\"\n"
		         "insert rule inet %1$s %2$s iifname \"%3$s\" accept comment \"%4$s\"\n",
		         t, ch, br, tag);
		n++;
	}
	json_decref (j);
	if (fclose (f) == 0 && n)
		rc = run ((char *[]){(char *)"nft", (char *)"-f", (char *)"-", NULL}, s, NULL, e);
	return rc;
}

static void
nft_del (const char *br)
{
	json_t *j = nft_inet (), *all = json_object_get (j, "nftables"), *v, *r;
	struct bx_err ignored = {0};
	_cleanup_free_ char *s = NULL;
	char tag[32];
	size_t i, len = 0;
	int n = 0;
	FILE *f;

	if (!j || !(f = open_memstream (&s, &len))) {
		json_decref (j);
		return;
	}
	snprintf (tag, sizeof tag, "box:%s", br);
	json_array_foreach (all, i, v) if ((r = json_object_get (v, "rule")) && !strcmp (str (r, "comment"), tag))
	{
		fprintf (f, "delete rule inet %s %s handle %lld\n", str (r, "table"), str (r, "chain"),
		         json_integer_value (json_object_get (r, "handle")));
		n++;
	}
	json_decref (j);
	if (fclose (f) == 0 && n)
		run ((char *[]){(char *)"nft", (char *)"-f", (char *)"-", NULL}, s, NULL, &ignored);
}

/* --- both ------------------------------------------------------------------------- */

int
fw_network_add (const char *chain, const char *br, struct bx_err *e)
{
	_cleanup_close_ int lock = -1;

	/* rootless: the namespace of the bridges is the user's own, with no
	 * firewall but box's */
	if (root_is_rootless ())
		return 0;
	mkdir ("/run/lock", 01777);
	if ((lock = lock_take_at (AT_FDCWD, FW_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	if (ipt_add ("iptables-nft", chain, br, e) < 0 ||
	    (legacy_in_use () && ipt_add ("iptables-legacy", chain, br, e) < 0) || nft_add (br, e) < 0)
		return err_wrap (e, "accept bridge %s in the host's firewall", br);
	return 0;
}

void
fw_network_del (const char *chain, const char *br)
{
	struct bx_err ignored = {0};
	_cleanup_close_ int lock = -1;

	if (root_is_rootless ())
		return;
	mkdir ("/run/lock", 01777);
	lock = lock_take_at (AT_FDCWD, FW_LOCK, LOCK_WAIT, &ignored);
	ipt_del ("iptables-nft", chain, br);
	if (legacy_in_use ())
		ipt_del ("iptables-legacy", chain, br);
	nft_del (br);
}
