#include "nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/root.h"
#include "base/afile.h"
#include "base/cleanup.h"

/* Run `nft -f -` with SCRIPT on its stdin; its first stderr line becomes
 * the error. */
static int
nft_run (const char *script, struct bx_err *e)
{
	int in[2], errp[2], status;
	char msg[512] = "", *nl;
	ssize_t n;
	pid_t pid;
	char *argv[] = {(char *)"nft", (char *)"-f", (char *)"-", NULL};

	if (pipe2 (in, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "nft: pipe");
	if (pipe2 (errp, O_CLOEXEC) < 0) {
		close (in[0]), close (in[1]);
		return err_set (e, BX_SYSTEM, errno, "nft: pipe");
	}
	pid = fork ();
	if (pid == 0) {
		dup2 (in[0], 0), dup2 (errp[1], 1), dup2 (errp[1], 2);
		execvp (argv[0], argv);
		_exit (127);
	}
	close (in[0]);
	close (errp[1]);
	if (pid < 0) {
		close (in[1]), close (errp[0]);
		return err_set (e, BX_SYSTEM, errno, "run nft");
	}
	/* a dead nft must not kill us with SIGPIPE */
	signal (SIGPIPE, SIG_IGN);
	afile_write_all (in[1], script, strlen (script));
	close (in[1]);
	n = read (errp[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = 0;
	while (read (errp[0], (char[256]){0}, 256) > 0)
		;
	close (errp[0]);
	while (waitpid (pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "wait for nft");
	if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
		return 0;
	if (WIFEXITED (status) && WEXITSTATUS (status) == 127 && !*msg)
		return err_set (e, BX_SYSTEM, 0, "nft: not found (install nftables)");
	if ((nl = strchr (msg, '\n')))
		*nl = 0;
	return err_set (e, BX_SYSTEM, 0, "nft: %s", *msg ? msg : "failed");
}

int
nft_network_add (const char *t, const char *b, struct cidr subnet, unsigned flags, struct bx_err *e)
{
	char s[4096], net[CIDR_STRLEN + 1], masq[256] = "", internal[256] = "";

	cidr_format (subnet, net);
	if (!(flags & (NFT_NO_MASQ | NFT_INTERNAL)))
		snprintf (masq, sizeof masq, "  ip saddr %s oifname != \"%s\" masquerade\n", net, b);
	if (flags & NFT_INTERNAL)
		snprintf (internal, sizeof internal,
		          "  iifname \"%1$s\" oifname != \"%1$s\" drop\n"
		          "  oifname \"%1$s\" iifname != \"%1$s\" drop\n",
		          b);
	/* "add table; delete table" first: replacing a table left by a crash
	 * needs no check whether it exists */
	snprintf (s, sizeof s,
	          "add table ip %1$s\n"
	          "delete table ip %1$s\n"
	          "table ip %1$s {\n"
	          " map ports { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	          " map hports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	          " chain pre { type nat hook prerouting priority dstnat; policy accept;\n"
	          "  fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @hports\n"
	          "  fib daddr type local dnat ip to meta l4proto . th dport map @ports\n"
	          " }\n"
	          " chain out { type nat hook output priority -100; policy accept;\n"
	          "  fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @hports\n"
	          "  fib daddr type local dnat ip to meta l4proto . th dport map @ports\n"
	          " }\n"
	          " chain post { type nat hook postrouting priority srcnat; policy accept;\n"
	          "%4$s"
	          "  oifname \"%2$s\" ip saddr 127.0.0.0/8 masquerade\n"
	          "  oifname \"%2$s\" ct status dnat ip saddr %3$s masquerade\n"
	          " }\n"
	          " chain forward { type filter hook forward priority filter; policy accept;\n"
	          "%5$s"
	          "  oifname \"%2$s\" ct state established,related accept\n"
	          "  oifname \"%2$s\" iifname \"%2$s\" accept\n"
	          "  oifname \"%2$s\" ct status dnat accept\n"
	          "  oifname \"%2$s\" drop\n"
	          " }\n"
	          "}\n",
	          t, b, net, masq, internal);
	if (nft_run (s, e) < 0)
		return err_wrap (e, "table %s", t);
	return 0;
}

int
nft_network6_add (const char *t, const char *b, struct cidr6 subnet6, unsigned flags, struct bx_err *e)
{
	char s[2048], net[CIDR6_STRLEN + 1], masq[256] = "", internal[256] = "";

	cidr_v6_format (subnet6, net);
	if (!(flags & (NFT_NO_MASQ | NFT_INTERNAL)))
		snprintf (masq, sizeof masq, "  ip6 saddr %s oifname != \"%s\" masquerade\n", net, b);
	if (flags & NFT_INTERNAL)
		snprintf (internal, sizeof internal,
		          "  iifname \"%1$s\" oifname != \"%1$s\" drop\n"
		          "  oifname \"%1$s\" iifname != \"%1$s\" drop\n",
		          b);
	snprintf (s, sizeof s,
	          "add table ip6 %1$s\n"
	          "delete table ip6 %1$s\n"
	          "table ip6 %1$s {\n"
	          " map ports6 { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
	          " chain pre { type nat hook prerouting priority dstnat; policy accept;\n"
	          "  fib daddr type local dnat ip6 to meta l4proto . th dport map @ports6\n"
	          " }\n"
	          " chain out { type nat hook output priority -100; policy accept;\n"
	          "  fib daddr type local dnat ip6 to meta l4proto . th dport map @ports6\n"
	          " }\n"
	          " chain post { type nat hook postrouting priority srcnat; policy accept;\n"
	          "%3$s"
	          " }\n"
	          " chain forward { type filter hook forward priority filter; policy accept;\n"
	          "%4$s"
	          "  oifname \"%2$s\" ct state established,related accept\n"
	          "  oifname \"%2$s\" iifname \"%2$s\" accept\n"
	          "  oifname \"%2$s\" ct status dnat accept\n"
	          "  oifname \"%2$s\" drop\n"
	          " }\n"
	          "}\n",
	          t, b, masq, internal);
	if (nft_run (s, e) < 0)
		return err_wrap (e, "table ip6 %s", t);
	return 0;
}

int
nft_network_del (const char *t, struct bx_err *e)
{
	char s[256];

	snprintf (s, sizeof s, "add table ip %1$s\ndelete table ip %1$s\nadd table ip6 %1$s\ndelete table ip6 %1$s\n",
	          t);
	if (nft_run (s, e) < 0)
		return err_wrap (e, "table %s", t);
	return 0;
}

/* the longest pair of elements port_elem writes, with room */
#define PORT_ELEM_MAX 400

/* One element of the map it belongs in (and of ports6 when P->v6); the
 * key alone when !DATA. VERB: "add " or "delete ". */
static int
port_elem (char *out, size_t n, const char *verb, const char *t, const struct nft_port *p, int data)
{
	char hip[INET_ADDRSTRLEN], cip[INET_ADDRSTRLEN], cip6[INET6_ADDRSTRLEN], val[64] = "", val6[80] = "";
	int len;

	if (p->only6)
		return 0;
	inet_ntop (AF_INET, &p->host_ip, hip, sizeof hip);
	inet_ntop (AF_INET, &p->ctr_ip, cip, sizeof cip);
	inet_ntop (AF_INET6, &p->ctr_ip6, cip6, sizeof cip6);
	if (data) {
		snprintf (val, sizeof val, " : %s . %u", cip, p->ctr_port);
		snprintf (val6, sizeof val6, " : %s . %u", cip6, p->ctr_port);
	}
	/* rootless, what comes from the host arrives at tap0's address,
	 * whatever host address slirp4netns or the relay took it on */
	if (p->host_ip.s_addr == 0 || root_is_rootless ())
		len = snprintf (out, n, "%selement ip %s ports { %s . %u%s }\n", verb, t, p->proto, p->host_port, val);
	else
		len = snprintf (out, n, "%selement ip %s hports { %s . %s . %u%s }\n", verb, t, hip, p->proto,
		                p->host_port, val);
	if (p->v6)
		len += snprintf (out + len, n - (size_t)len, "%selement ip6 %s ports6 { %s . %u%s }\n", verb, t,
		                 p->proto, p->host_port, val6);
	return len;
}

int
nft_ports_add (const char *t, const struct nft_port *p, int n, struct bx_err *e)
{
	_cleanup_free_ char *s = malloc ((size_t)n * PORT_ELEM_MAX + 1);
	size_t off = 0;

	if (!s)
		return err_set (e, BX_SYSTEM, ENOMEM, "nft");
	*s = 0;
	for (int i = 0; i < n; i++)
		off += port_elem (s + off, PORT_ELEM_MAX, "add ", t, &p[i], 1);
	if (n == 0)
		return 0;
	if (nft_run (s, e) < 0)
		return err_wrap (e, "publish ports");
	return 0;
}

void
nft_ports_del (const char *t, const struct nft_port *p, int n)
{
	struct bx_err ignored = {0};
	_cleanup_free_ char *s = malloc ((size_t)n * PORT_ELEM_MAX + 1);
	size_t off = 0;

	if (!s || n == 0)
		return;
	*s = 0;
	for (int i = 0; i < n; i++)
		off += port_elem (s + off, PORT_ELEM_MAX, "delete ", t, &p[i], 0);
	if (nft_run (s, &ignored) == 0 || n == 1)
		return;
	/* a transaction fails whole when one element is already gone (nft
	 * 1.0.6 has no "destroy"): then one at a time */
	for (int i = 0; i < n; i++) {
		port_elem (s, PORT_ELEM_MAX, "delete ", t, &p[i], 0);
		nft_run (s, &ignored);
	}
}
