/*
 * ctr-net - container networks: bridges, addresses, published ports, names
 *
 * usage:  ctr-net [--root DIR] attach ID | detach ID | release ID
 *         ctr-net [--root DIR] create [-d bridge] [--subnet CIDR] [--gateway IP]
 *                 [--ip-range CIDR] [--aux-address NAME=IP]... [--internal] [--ipv6]
 *                 [--label K=V]... [-o KEY=VALUE]... NAME
 *         ctr-net [--root DIR] ls [-q] [--no-trunc] [--format FMT] [-f KEY=VALUE]...
 *         ctr-net [--root DIR] rm [-f] NAME... | inspect [-f FMT] NAME...
 *         ctr-net [--root DIR] prune [-f] [--filter until=T|label=K[=V]|label!=K[=V]]...
 *         ctr-net [--root DIR] connect [--alias A]... [--ip IP] NET CTR
 *         ctr-net [--root DIR] disconnect [-f] NET CTR
 *         ctr-net [--root DIR] port CTR [PRIVATE_PORT[/PROTO]]
 * stdin:  prune without -f reads the answer to its question
 * stdout: create: the network id; rm: each name removed; ls, inspect,
 *         port: as docker network ls / network inspect / port print them
 * reads:  containers/<id>/create.json (NetworkMode, PortBindings,
 *         PublishAllPorts, ExposedPorts, ExtraHosts, Dns, EndpointsConfig),
 *         networks/, /etc/resolv.conf; BOX_NET_PREFIX (device names)
 * writes: networks/NAME/ (config.json, leases/, endpoints/, hosts,
 *         dnsmasq.pid), networks/.ports/, containers/<id>/netns (a bind
 *         mount of a network namespace), hosts, resolv.conf, network.json;
 *         bridges, veths, nftables tables, dnsmasq processes
 * locks:  networks/.lock while a network is made, networks/NAME/lock while
 *         its endpoints change, /run/lock/box-net.lock while a subnet is chosen
 * exit:   0 ok, 1 failed, 2 usage, 3 no such network or container,
 *         4 conflict (name taken, port taken, endpoints attached), 5 system;
 *         under box (BOX_DOCKER) Docker's: 1, an unknown flag 125
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/confirm.h"
#include "base/err.h"
#include "base/human.h"
#include "base/listfmt.h"
#include "base/pfilter.h"
#include "base/root.h"
#include "ctr-net/bridge.h"
#include "ctr-net/endpoint.h"
#include "ctr-net/netctr.h"
#include "ctr-net/netls.h"
#include "ctr-net/rlnet.h"
#include "net/net.h"
#include "runtime/ctr.h"

struct ctx {
	const char *root;
	int rootfd;
};

static void __attribute__ ((noreturn)) usage (void)
{
	fprintf (stderr,
	         "usage: %1$s [--root DIR] attach ID | detach ID | release ID\n"
	         "       %1$s [--root DIR] create [-d bridge] [--subnet CIDR] [--gateway IP] [--ip-range CIDR]\n"
	         "               [--aux-address NAME=IP] [--internal] [--ipv6] [--label K=V] [-o KEY=VALUE] NAME\n"
	         "       %1$s [--root DIR] ls [-q] [--no-trunc] [--format FMT] [-f KEY=VALUE]\n"
	         "       %1$s [--root DIR] rm [-f] NAME... | inspect [-f FMT] NAME...\n"
	         "       %1$s [--root DIR] prune [-f] [--filter until=T|label=K[=V]|label!=K[=V]]\n"
	         "       %1$s [--root DIR] connect [--alias A] [--ip IP] NET CTR | disconnect [-f] NET CTR\n"
	         "       %1$s [--root DIR] port CTR [PRIVATE_PORT[/PROTO]] | rename CTR\n",
	         bx_prog);
	exit (err_code (BX_USAGE));
}

/* a flag getopt refused: under box Docker's words and 125 (err_flag) */
static void __attribute__ ((noreturn)) refuse (char **argv)
{
	err_flag (argv);
	usage ();
}

/* getopt over ARGV (the subcommand's own arguments, ARGV[0] its name) */
static void
sub_begin (void)
{
	optind = 0;
}

/* A container by id, id prefix or name; for detach, a full id whose
 * directory is gone still names what to clean. */
static int
resolve_ctr (struct ctx *c, const char *what, char id[CTR_ID_LEN + 1], int gone_ok, struct bx_err *e)
{
	if (ctr_resolve (c->rootfd, what, id, e) == 0)
		return 0;
	if (gone_ok && strlen (what) == CTR_ID_LEN && strspn (what, "0123456789abcdef") == CTR_ID_LEN) {
		memset (e, 0, sizeof *e);
		snprintf (id, CTR_ID_LEN + 1, "%s", what);
		return 0;
	}
	return -1;
}

/* --- attach, detach ---------------------------------------------------------------- */

/* attach, or detach (rm), or release (the container's exit: ctr-spawn) */
static int
cmd_attach (struct ctx *c, int argc, char **argv)
{
	int (*fn) (int, const char *, struct bx_err *) = !strcmp (argv[0], "detach")    ? netctr_detach
	                                                 : !strcmp (argv[0], "release") ? netctr_release
	                                                                                : netctr_attach;
	struct bx_err e = {0};
	char id[CTR_ID_LEN + 1];

	if (argc != 2)
		usage ();
	if (resolve_ctr (c, argv[1], id, fn != netctr_attach, &e) < 0)
		return err_report (&e);
	/* Docker's words name the container themselves where they need to */
	if (fn (c->rootfd, id, &e) < 0) {
		if (!err_docker ())
			err_wrap (&e, "container %.12s", id);
		return err_report (&e);
	}
	return 0;
}

/* --- create -------------------------------------------------------------------------- */

/* KEY=VALUE into OBJ; a bare KEY has the empty value (--label) or is an
 * error (-o, --aux-address, as Docker's map flags) */
static void
kv_add (json_t *obj, const char *kv, const char *flag, int bare_ok)
{
	const char *eq = strchr (kv, '=');
	_cleanup_free_ char *k = strndup (kv, eq ? (size_t)(eq - kv) : strlen (kv));

	if (!eq && !bare_ok)
		err_die (BX_USAGE, "invalid argument \"%s\" for \"%s\" flag: %s must be in the form KEY=VALUE", kv,
		         flag, kv);
	json_object_set_new (obj, k, json_string (eq ? eq + 1 : ""));
}

static int
cmd_create (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"driver", required_argument, NULL, 'd'},   {"subnet", required_argument, NULL, 's'},
	    {"gateway", required_argument, NULL, 'g'},  {"label", required_argument, NULL, 'l'},
	    {"opt", required_argument, NULL, 'o'},      {"internal", no_argument, NULL, 'I'},
	    {"ip-range", required_argument, NULL, 'r'}, {"aux-address", required_argument, NULL, 'a'},
	    {"ipv6", no_argument, NULL, '6'},           {0, 0, 0, 0}};
	struct bridge_opts o = {0};
	struct bx_err e = {0};
	json_t *labels = json_object (), *opts = json_object (), *aux = json_object ();
	const char *dev;
	struct net n;
	int ch, rc;

	sub_begin ();
	while ((ch = getopt_long (argc, argv, "+d:o:", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': o.driver = optarg; break;
		case 's': *(strchr (optarg, ':') ? &o.subnet6 : &o.subnet) = optarg; break;
		case 'g': *(strchr (optarg, ':') ? &o.gateway6 : &o.gateway) = optarg; break;
		case 'l': kv_add (labels, optarg, "--label", 1); break;
		case 'o': kv_add (opts, optarg, "--opt", 0); break;
		case 'I': o.internal = true; break;
		case 'r': o.ip_range = optarg; break;
		case 'a': kv_add (aux, optarg, "--aux-address", 0); break;
		case '6': o.ipv6 = true; break;
		default: refuse (argv);
		}
	}
	if (argc - optind != 1)
		usage ();
	o.name = argv[optind];
	o.labels = labels, o.options = opts, o.aux = aux;
	if ((dev = json_string_value (json_object_get (opts, "com.docker.network.bridge.name"))))
		o.device = dev;
	if (net_is_predefined (o.name))
		err_die (BX_CONFLICT, "operation is not permitted on predefined %s network", o.name);
	rc = bridge_create (c->rootfd, &o, &n, &e);
	json_decref (labels), json_decref (opts), json_decref (aux);
	if (rc < 0)
		return err_report (&e);
	puts (n.id);
	net_close (&n);
	return 0;
}

/* --- ls ------------------------------------------------------------------------------- */

#define LS_TABLE "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

/* One row as docker network ls --format sees it */
static json_t *
ls_record (struct net *n, int notrunc)
{
	char id[NET_ID_LEN + 1], labels[4096] = "";
	json_t *l = json_object_get (n->config, "Labels"), *v;
	const char *k, *created = json_string_value (json_object_get (n->config, "Created"));
	size_t off = 0;

	snprintf (id, sizeof id, notrunc ? "%s" : "%.12s", n->id);
	json_object_foreach (l, k, v) off +=
	    snprintf (labels + off, sizeof labels - off, "%s%s=%s", off ? "," : "", k, json_string_value (v));
	return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "Name", n->name, "Driver",
	                  strcmp (n->driver, "bridge") ? n->driver : "bridge", "Scope", "local", "IPv6",
	                  json_is_true (json_object_get (n->config, "EnableIPv6")) ? "true" : "false", "Internal",
	                  n->internal ? "true" : "false", "Labels", labels, "CreatedAt", created ? created : "");
}

/* The default bridge is listed before it is made, as dockerd makes it at
 * start: with its id, without touching the host. */
static int
ls_open (struct ctx *c, const char *name, struct net *n, struct bx_err *e)
{
	if (net_open (c->rootfd, name, n, e) == 0)
		return 0;
	if (strcmp (name, NET_DEFAULT) || e->code != BX_NOTFOUND)
		return -1;
	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	snprintf (n->name, sizeof n->name, "%s", name);
	snprintf (n->driver, sizeof n->driver, "bridge");
	net_predefined_id (name, n->id);
	return 0;
}

static int
cmd_ls (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"quiet", no_argument, NULL, 'q'},
	                                   {"no-trunc", no_argument, NULL, 'T'},
	                                   {"format", required_argument, NULL, 'F'},
	                                   {"filter", required_argument, NULL, 'f'},
	                                   {0, 0, 0, 0}};
	int ch, quiet = 0, notrunc = 0, rc = 0;
	const char *format = NULL;
	struct netls filt = {0};
	struct bx_err e = {0};
	struct listfmt f;
	char **names = NULL;
	size_t nn = 0;
	json_t *h;

	sub_begin ();
	while ((ch = getopt_long (argc, argv, "+qf:", lo, NULL)) != -1) {
		switch (ch) {
		case 'q': quiet = 1; break;
		case 'T': notrunc = 1; break;
		case 'F': format = optarg; break;
		case 'f':
			if (netls_add (&filt, optarg, &e) < 0)
				return err_report (&e);
			break;
		default: refuse (argv);
		}
	}
	if (optind != argc)
		usage ();
	if (quiet)
		format = "{{.ID}}";
	if (net_names (c->rootfd, &names, &nn, &e) < 0)
		return err_report (&e);
	if (listfmt_init (&f, format, LS_TABLE, &e) < 0)
		return err_report_tmpl (&e, "template parsing error", BX_FAIL);
	f.type = "*network.networkContext"; /* an unknown field's error names it, as docker's */
	h = json_pack ("{s:s, s:s, s:s, s:s}", "ID", "NETWORK ID", "Name", "NAME", "Driver", "DRIVER", "Scope",
	               "SCOPE");
	rc = listfmt_header (&f, h, &e);
	json_decref (h);
	for (size_t i = 0; rc == 0 && i < nn; i++) {
		struct net n;
		struct bx_err ignored = {0};
		if (ls_open (c, names[i], &n, &ignored) < 0)
			continue;
		if (!netls_match (&filt, &n)) {
			net_close (&n);
			continue;
		}
		json_t *rec = ls_record (&n, notrunc);
		rc = listfmt_row (&f, rec, &e);
		json_decref (rec);
		net_close (&n);
	}
	net_names_free (names, nn);
	if (rc == 0)
		rc = listfmt_print (&f, stdout, &e);
	listfmt_free (&f);
	return rc < 0 ? err_report_tmpl (&e, "template parsing error", BX_FAIL) : 0;
}

/* --- inspect --------------------------------------------------------------------------- */

static int
container_entry (const struct endpoint *ep, void *arg)
{
	json_t *all = ((void **)arg)[0];
	struct net *n = ((void **)arg)[1];
	char ip[INET_ADDRSTRLEN + 4], mac[18], ip6[INET6_ADDRSTRLEN + 5] = "";
	struct in6_addr a6 = endpoint_ip6 (n, ep);

	inet_ntop (AF_INET, &ep->ip, ip, INET_ADDRSTRLEN);
	snprintf (ip + strlen (ip), 4, "/%d", n->subnet.len);
	if (n->ipv6) {
		inet_ntop (AF_INET6, &a6, ip6, INET6_ADDRSTRLEN);
		snprintf (ip6 + strlen (ip6), 5, "/%d", n->subnet6.len);
	}
	snprintf (mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", ep->mac[0], ep->mac[1], ep->mac[2], ep->mac[3],
	          ep->mac[4], ep->mac[5]);
	return json_object_set_new (all, ep->cid,
	                            json_pack ("{s:s, s:s, s:s, s:s, s:s}", "Name", ep->name, "EndpointID", ep->epid,
	                                       "MacAddress", mac, "IPv4Address", ip, "IPv6Address", ip6));
}

/* The network as docker network inspect shows it: its config, Containers
 * in Docker's place (before Options), box's own keys left out. */
static json_t *
inspect_one (struct ctx *c, struct net *n, struct bx_err *e)
{
	json_t *j = json_object (), *ctrs = json_object (), *v;
	void *arg[2] = {ctrs, n};
	const char *k;

	if (!j || !ctrs || (n->dirfd >= 0 && endpoint_each (c->rootfd, n, container_entry, arg, e) < 0)) {
		json_decref (j), json_decref (ctrs);
		return NULL;
	}
	json_object_foreach (n->config, k, v)
	{
		if (!strcmp (k, "Options"))
			json_object_set (j, "Containers", ctrs);
		if (strcmp (k, "Box"))
			json_object_set_new (j, k, json_deep_copy (v));
	}
	if (!json_object_get (j, "Containers"))
		json_object_set (j, "Containers", ctrs);
	json_decref (ctrs);
	return j;
}

static int
cmd_inspect (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"format", required_argument, NULL, 'f'}, {0, 0, 0, 0}};
	const char *format = NULL;
	struct listfmt_insp in;
	struct bx_err fe = {0};
	int ch, rc = 0;

	sub_begin ();
	while ((ch = getopt_long (argc, argv, "+f:", lo, NULL)) != -1) {
		if (ch != 'f')
			refuse (argv);
		format = optarg;
	}
	if (optind == argc)
		usage ();
	if (listfmt_insp_init (&in, format, NULL, &fe) < 0)
		return err_report_inspect (&fe);
	for (int i = optind; i < argc; i++) {
		struct bx_err e = {0};
		struct net n;
		json_t *j = NULL;
		int ok = (!strcmp (argv[i], NET_DEFAULT) ? bridge_open_default (c->rootfd, &n, &e)
		                                         : net_open (c->rootfd, argv[i], &n, &e)) == 0;
		if (ok && !(j = inspect_one (c, &n, &e)))
			ok = 0;
		if (ok && listfmt_insp_add (&in, j, &fe) < 0)
			rc = err_report_inspect (&fe);
		else if (!ok) {
			if (e.code == BX_NOTFOUND)
				err_set (&e, BX_NOTFOUND, 0, "No such network: %s", argv[i]);
			rc = err_report (&e);
		}
		net_close (&n);
	}
	if (listfmt_insp_print (&in, stdout, &fe) < 0)
		rc = err_report (&fe);
	listfmt_insp_free (&in);
	return rc;
}

/* --- rm, prune ---------------------------------------------------------------------------- */

/* Remove N once its stale endpoints are swept. */
static int
remove_net (struct ctx *c, struct net *n, struct bx_err *e)
{
	if (n->dirfd < 0 || !strcmp (n->name, NET_DEFAULT))
		return err_set (e, BX_CONFLICT, 0, "%s is a pre-defined network and cannot be removed", n->name);
	if (endpoint_sweep (c->rootfd, n, e) < 0)
		return -1;
	return bridge_remove (c->rootfd, n, e);
}

static int
cmd_rm (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"force", no_argument, NULL, 'f'}, {0, 0, 0, 0}};
	int ch, rc = 0, force = 0;

	sub_begin ();
	while ((ch = getopt_long (argc, argv, "+f", lo, NULL)) != -1) {
		if (ch != 'f')
			refuse (argv);
		force = 1;
	}
	if (optind == argc)
		usage ();
	for (int i = optind; i < argc; i++) {
		struct bx_err e = {0};
		struct net n;
		if (net_is_predefined (argv[i])) {
			err_set (&e, BX_CONFLICT, 0, "%s is a pre-defined network and cannot be removed", argv[i]);
			rc = err_report (&e);
			continue;
		}
		if (net_open (c->rootfd, argv[i], &n, &e) == 0 && remove_net (c, &n, &e) == 0)
			puts (argv[i]);
		else if (!force || e.code != BX_NOTFOUND) {
			/* docker network rm looks it up first: the CLI's words */
			if (e.code == BX_NOTFOUND && err_docker ())
				err_set (&e, BX_NOTFOUND, 0, "No such network: %s", argv[i]);
			rc = err_report (&e);
		}
		net_close (&n);
	}
	return rc;
}

/* network prune's filters, the daemon's checks: after the question */
static int
prune_filters_read (const struct pfilter *f, int64_t *until, int *has_until, struct bx_err *e)
{
	static const char *const keys[] = {"until", "label", "label!", NULL};

	if (pfilter_check (f, keys, e) < 0)
		return -1;
	return pfilter_until (f, until, has_until, e);
}

/* made before until= (whole seconds: one made in its second stays), its
 * labels passing label= and label!= */
static bool
prune_match (const struct pfilter *f, int64_t until, int has_until, const struct net *n)
{
	const char *created = json_string_value (json_object_get (n->config, "Created"));
	int64_t t;

	if (has_until && !(created && human_time_parse (created, &t) == 0 && t < until))
		return false;
	return pfilter_labels_match (f, json_object_get (n->config, "Labels"));
}

static int
cmd_prune (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"force", no_argument, NULL, 'f'}, {"filter", required_argument, NULL, 'F'}, {0, 0, 0, 0}};
	struct pfilter filt = {0};
	struct bx_err e = {0};
	char **names = NULL;
	size_t nn = 0;
	int ch, force = 0, header = 0, has_until = 0;
	int64_t until = 0;

	sub_begin ();
	while ((ch = getopt_long (argc, argv, "+f", lo, NULL)) != -1) {
		if (ch == 'f')
			force = 1;
		else if (ch != 'F')
			refuse (argv);
		else if (pfilter_add (&filt, optarg, &e) < 0)
			err_flag_value (optarg, "--filter", "%s", e.msg);
	}
	if (optind != argc)
		usage ();
	if (!force &&
	    !confirm_ask (stderr, stdin,
	                  "WARNING! This will remove all custom networks not used by at least one container."))
		return 0;
	if (prune_filters_read (&filt, &until, &has_until, &e) < 0 || net_names (c->rootfd, &names, &nn, &e) < 0)
		return err_report (&e);
	for (size_t i = 0; i < nn; i++) {
		struct bx_err busy = {0};
		struct net n;
		if (net_is_predefined (names[i]) || net_open (c->rootfd, names[i], &n, &busy) < 0)
			continue;
		if (prune_match (&filt, until, has_until, &n) && remove_net (c, &n, &busy) == 0)
			printf ("%s%s\n", header++ ? "" : "Deleted Networks:\n", names[i]);
		net_close (&n);
	}
	net_names_free (names, nn);
	/* Docker ends the list with an empty line */
	if (header)
		putchar ('\n');
	return 0;
}

/* --- connect, disconnect ------------------------------------------------------------------ */

static int
cmd_connect (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"alias", required_argument, NULL, 'a'}, {"ip", required_argument, NULL, 'i'}, {0, 0, 0, 0}};
	const char *aliases[ENDPOINT_ALIAS_MAX], *ip = NULL;
	char id[CTR_ID_LEN + 1];
	struct bx_err e = {0};
	int ch, na = 0, rc;
	struct net n;

	sub_begin ();
	while ((ch = getopt_long (argc, argv, "+", lo, NULL)) != -1) {
		if (ch == 'a' && na < ENDPOINT_ALIAS_MAX)
			aliases[na++] = optarg;
		else if (ch == 'i')
			ip = optarg;
		else
			refuse (argv);
	}
	if (argc - optind != 2)
		usage ();
	if (net_open (c->rootfd, argv[optind], &n, &e) < 0 || resolve_ctr (c, argv[optind + 1], id, 0, &e) < 0) {
		net_close (&n);
		return err_report (&e);
	}
	rc = netctr_connect (c->rootfd, &n, id, aliases, na, ip, &e);
	net_close (&n);
	return rc < 0 ? err_report (&e) : 0;
}

static int
cmd_disconnect (struct ctx *c, int argc, char **argv)
{
	char id[CTR_ID_LEN + 1];
	struct bx_err e = {0};
	static const struct option lo[] = {{"force", no_argument, NULL, 'f'}, {0, 0, 0, 0}};
	int force = 0, rc, ch;
	struct net n;

	sub_begin ();
	while ((ch = getopt_long (argc, argv, "+f", lo, NULL)) != -1) {
		if (ch != 'f')
			refuse (argv);
		force = 1;
	}
	argc -= optind - 1, argv += optind - 1;
	if (argc != 3)
		usage ();
	if (net_open (c->rootfd, argv[1], &n, &e) < 0 || resolve_ctr (c, argv[2], id, force, &e) < 0) {
		net_close (&n);
		return err_report (&e);
	}
	rc = netctr_disconnect (c->rootfd, &n, id, &e);
	net_close (&n);
	return rc < 0 ? err_report (&e) : 0;
}

/* --- port ----------------------------------------------------------------------------------- */

static int
cmp_portkey (const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	long px = strtol (x, NULL, 10), py = strtol (y, NULL, 10);

	return px != py ? (px < py ? -1 : 1) : strcmp (x, y);
}

static void
print_bindings (json_t *list, const char *key)
{
	json_t *b;
	size_t i;

	json_array_foreach (list, i, b)
	{
		const char *ip = json_string_value (json_object_get (b, "HostIp"));
		const char *hp = json_string_value (json_object_get (b, "HostPort"));
		if (key)
			printf ("%s -> ", key);
		printf ("%s:%s\n", ip && *ip ? ip : "0.0.0.0", hp ? hp : "");
	}
}

/* Docker shows a container's ports while it runs only; box attaches (and
 * publishes) from the create on */
static bool
ctr_runs (int rootfd, const char *id)
{
	struct bx_err ignored = {0};
	_cleanup_close_ int dfd = ctr_open (rootfd, id, &ignored);
	struct ctr_state s;

	if (dfd < 0 || ctr_state_read (dfd, &s, &ignored) < 0)
		return false;
	return !strcmp (s.status, "running") || !strcmp (s.status, "restarting");
}

/* S (N bytes) as Go's strconv.ParseUint (S, 10, 16) */
static int
port_uint (const char *s, size_t n, unsigned long *out, struct bx_err *e)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit ((unsigned char)s[i]))
			return err_set (e, BX_USAGE, 0, "strconv.ParseUint: parsing \"%.*s\": invalid syntax", (int)n,
			                s);
		if (*out <= 65535)
			*out = *out * 10 + (unsigned long)(s[i] - '0');
	}
	if (!n)
		return err_set (e, BX_USAGE, 0, "strconv.ParseUint: parsing \"\": invalid syntax");
	if (*out > 65535)
		return err_set (e, BX_USAGE, 0, "strconv.ParseUint: parsing \"%.*s\": value out of range", (int)n, s);
	return 0;
}

/* PORT[/PROTO] as the docker CLI reads it (nat.NewPort): the key KEY it
 * looks up and the name NAT its miss says */
static int
port_key (const char *arg, char *key, size_t nkey, char *nat, size_t nnat, struct bx_err *e)
{
	const char *slash = strchr (arg, '/'), *proto = "tcp", *dash = NULL;
	size_t n = strlen (arg);
	unsigned long lo = 0, hi = 0;

	if (slash && slash[1])
		n = (size_t)(slash - arg), proto = slash + 1;
	snprintf (nat, nnat, "%.*s/%s", (int)n, arg, proto);
	if (n && !(dash = memchr (arg, '-', n)) && port_uint (arg, n, &lo, e) < 0)
		return -1;
	if (n && dash) {
		const char *end = memchr (dash + 1, '-', n - (size_t)(dash + 1 - arg));
		size_t n2 = (size_t)((end ? end : arg + n) - (dash + 1));
		if (port_uint (arg, (size_t)(dash - arg), &lo, e) < 0 || port_uint (dash + 1, n2, &hi, e) < 0)
			return -1;
		if (hi < lo)
			return err_set (e, BX_USAGE, 0, "Invalid range specified for the Port: %.*s", (int)n, arg);
	}
	if (hi > lo)
		snprintf (key, nkey, "%lu-%lu/%s", lo, hi, proto);
	else
		snprintf (key, nkey, "%lu/%s", lo, proto);
	return 0;
}

static int
cmd_port (struct ctx *c, int argc, char **argv)
{
	char id[CTR_ID_LEN + 1], want[64], nat[256];
	struct bx_err e = {0};
	const char *keys[PORTMAP_MAX * 2], *k;
	json_t *s = NULL, *ports, *v;
	static const struct option lo[] = {{0, 0, 0, 0}};
	size_t nk = 0;

	sub_begin ();
	/* flags anywhere until "--", as cobra's: "port c -1" is a flag */
	if (getopt_long (argc, argv, "", lo, NULL) != -1) {
		err_flag_unknown (argv);
		usage ();
	}
	argc -= optind - 1, argv += optind - 1;
	if (argc != 2 && argc != 3)
		usage ();
	if (resolve_ctr (c, argv[1], id, 0, &e) < 0 || netctr_settings (c->rootfd, id, &s, &e) < 0)
		return err_report (&e);
	ports = ctr_runs (c->rootfd, id) ? json_object_get (s, "Ports") : NULL;
	if (argc == 3 && !*argv[2]) /* no port: all, as Docker's */
		argc = 2;
	if (argc == 3 && port_key (argv[2], want, sizeof want, nat, sizeof nat, &e) < 0) {
		json_decref (s);
		if (!err_docker ())
			return err_report (&e);
		fprintf (stderr, "%s\n", e.msg); /* the docker CLI's own words, 1 */
		return BX_FAIL;
	}
	if (argc == 3) {
		v = json_object_get (ports, want);
		if (!json_array_size (v)) {
			json_decref (s);
			/* the docker CLI's own error, as a template's */
			err_set (&e, BX_FAIL, 0, "No public port '%s' published for %s", nat, argv[1]);
			return err_report_tmpl (&e, "Error", BX_FAIL);
		}
		print_bindings (v, NULL);
		json_decref (s);
		return 0;
	}
	json_object_foreach (ports, k, v) if (json_array_size (v) && nk < sizeof keys / sizeof *keys) keys[nk++] = k;
	qsort (keys, nk, sizeof *keys, cmp_portkey);
	for (size_t i = 0; i < nk; i++)
		print_bindings (json_object_get (ports, keys[i]), keys[i]);
	json_decref (s);
	return 0;
}

/* --- rename --------------------------------------------------------------------------------- */

/* after ctr-rename: the container's DNS names on its networks follow */
static int
cmd_rename (struct ctx *c, int argc, char **argv)
{
	char id[CTR_ID_LEN + 1];
	struct bx_err e = {0};

	if (argc != 2)
		usage ();
	if (resolve_ctr (c, argv[1], id, 0, &e) < 0 || netctr_rename (c->rootfd, id, &e) < 0)
		return err_report (&e);
	return 0;
}

/* --- main ------------------------------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*fn) (struct ctx *, int, char **);
} cmds[] = {
    {"create", cmd_create}, {"ls", cmd_ls},           {"list", cmd_ls},
    {"rm", cmd_rm},         {"remove", cmd_rm},       {"inspect", cmd_inspect},
    {"prune", cmd_prune},   {"connect", cmd_connect}, {"disconnect", cmd_disconnect},
    {"port", cmd_port},     {"rename", cmd_rename},   {"attach", cmd_attach},
    {"detach", cmd_attach}, {"release", cmd_attach},
};

int
main (int argc, char **argv)
{
	struct ctx c = {0};
	struct bx_err e = {0};
	int i;

	err_prog_init (argv[0]);
	if ((i = root_opt (argc, argv, &c.root)) < 0 || i >= argc)
		usage ();
	/* attach and connect may publish ports */
	if ((c.rootfd = root_open (c.root, &e)) < 0 ||
	    rlnet_enter (c.rootfd, !strcmp (argv[i], "attach") || !strcmp (argv[i], "connect"), &e) < 0)
		return err_report (&e);
	/* what a killed create or rm left (a readdir when there is none) */
	bridge_reap (c.rootfd);
	for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++)
		if (!strcmp (argv[i], cmds[k].name))
			return cmds[k].fn (&c, argc - i, argv + i);
	usage ();
}
