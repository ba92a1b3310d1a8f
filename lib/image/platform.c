#include "image/platform.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

/* Go's GOARCH names for what uname says, as Docker normalises them. */
static void
arch_normalise (struct platform *p)
{
	static const struct {
		const char *from, *to, *variant;
	} alias[] = {
	    {"x86_64", "amd64", ""}, {"x86-64", "amd64", ""}, {"aarch64", "arm64", ""},
	    {"armhf", "arm", "v7"},  {"armel", "arm", "v6"},  {"i386", "386", ""},
	    {"i686", "386", ""},     {"armv7l", "arm", "v7"}, {"armv6l", "arm", "v6"},
	};

	for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
		if (strcmp (p->arch, alias[i].from) == 0) {
			snprintf (p->arch, sizeof p->arch, "%s", alias[i].to);
			if (!p->variant[0])
				snprintf (p->variant, sizeof p->variant, "%s", alias[i].variant);
		}
	/* arm64's only variant: "linux/arm64" and "linux/arm64/v8" are one */
	if (strcmp (p->arch, "arm64") == 0 && strcmp (p->variant, "v8") == 0)
		p->variant[0] = '\0';
}

void
platform_default (struct platform *p)
{
	struct utsname u;

	memset (p, 0, sizeof *p);
	snprintf (p->os, sizeof p->os, "linux");
	snprintf (p->arch, sizeof p->arch, "%s", uname (&u) == 0 ? u.machine : "amd64");
	arch_normalise (p);
}

int
platform_parse (const char *s, struct platform *p, struct bx_err *e)
{
	char buf[128];
	char *arch, *variant;

	memset (p, 0, sizeof *p);
	if (strlen (s) >= sizeof buf)
		return err_set (e, BX_USAGE, 0, "invalid platform %s", s);
	strcpy (buf, s);
	for (char *c = buf; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c += 'a' - 'A';
	arch = strchr (buf, '/');
	if (!arch || arch == buf || !arch[1])
		return err_set (e, BX_USAGE, 0, "invalid platform %s: want os/arch[/variant]", s);
	*arch++ = '\0';
	variant = strchr (arch, '/');
	if (variant) {
		*variant++ = '\0';
		if (!*variant || strchr (variant, '/'))
			return err_set (e, BX_USAGE, 0, "invalid platform %s: want os/arch[/variant]", s);
	}
	if (strlen (buf) >= sizeof p->os || strlen (arch) >= sizeof p->arch ||
	    (variant && strlen (variant) >= sizeof p->variant))
		return err_set (e, BX_USAGE, 0, "invalid platform %s", s);
	strcpy (p->os, buf);
	strcpy (p->arch, arch);
	if (variant)
		strcpy (p->variant, variant);
	arch_normalise (p);
	return 0;
}

void
platform_format (const struct platform *p, char *buf, size_t len)
{
	snprintf (buf, len, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
}

void
platform_of_desc (json_t *desc, struct platform *p)
{
	json_t *pl = json_object_get (desc, "platform");

	memset (p, 0, sizeof *p);
	snprintf (p->os, sizeof p->os, "%s", json_string_value (json_object_get (pl, "os")) ?: "");
	snprintf (p->arch, sizeof p->arch, "%s", json_string_value (json_object_get (pl, "architecture")) ?: "");
	snprintf (p->variant, sizeof p->variant, "%s", json_string_value (json_object_get (pl, "variant")) ?: "");
	arch_normalise (p);
}

int
platform_matches (const struct platform *have, const struct platform *want)
{
	return strcmp (have->os, want->os) == 0 && strcmp (have->arch, want->arch) == 0 &&
	       (!want->variant[0] || strcmp (have->variant, want->variant) == 0);
}
