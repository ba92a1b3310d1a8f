/* fuzz/specs - libFuzzer target for the port, volume and mount specs of
 * `docker create` as ctr-create parses them: -v (ctr-create/copts'
 * split), and through ctr-create/ctrflags' table --mount, -p, --expose,
 * --tmpfs, --ulimit, --sysctl, --add-host, --volumes-from, --restart,
 * --device. Each line of the input is one value, the flag picked by its
 * first byte. Any input is refused or parsed, never a crash; a -v that
 * splits has 1 to 3 fields and an absolute destination. (Flags that read
 * a file the value names, such as --env-file, are left out.) */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctr-create/copts.h"
#include "ctr-create/ctrflags.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *const flags[] = {"-v",       "--mount",    "-p",        "--expose",       "--tmpfs",  "--ulimit",
                                    "--sysctl", "--add-host", "--restart", "--volumes-from", "--device", "--publish"};
#define NFLAGS (sizeof flags / sizeof *flags)
#define MAXARGS 32

static void
volume (const char *v)
{
	char *s = strdup (v), *part[3];
	struct bx_err e;
	int n, ro;

	if (!s)
		abort ();
	if (copts_volume_split (s, v, part, &n, &ro, &e) == 0 &&
	    (n < 1 || n > 3 || (n == 1 ? part[0] : part[1])[0] != '/'))
		abort ();
	free (s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	char *buf, *line, *save = NULL, *argv[2 * MAXARGS + 3];
	struct ctrflags f;
	struct bx_err e;
	int argc = 0;

	if (size > 8192 || !(buf = strndup ((const char *)data, size)))
		return 0;
	argv[argc++] = "ctr-create";
	for (line = strtok_r (buf, "\n", &save); line && argc < 2 * MAXARGS; line = strtok_r (NULL, "\n", &save)) {
		const char *flag = flags[(unsigned char)line[0] % NFLAGS];
		argv[argc++] = (char *)flag;
		argv[argc++] = line + 1;
		if (!strcmp (flag, "-v"))
			volume (line + 1);
	}
	argv[argc++] = "image";
	argv[argc] = NULL;
	ctrflags_init (&f);
	optind = 0; /* getopt starts afresh for each input */
	ctrflags_parse (&f, argc, argv, &e);
	ctrflags_free (&f);
	free (buf);
	return 0;
}
