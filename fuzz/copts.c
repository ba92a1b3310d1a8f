/* fuzz/copts - libFuzzer target for the docker create value parsers
 * (sizes, CPUs, -p, --expose, --restart, --add-host, tmpfs options) and
 * for seccomp=FILE profiles: any input is refused or accepted, never a
 * crash; what -p accepts has only well-formed keys. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/human.h"
#include "ctr-create/copts.h"
#include "ctr-create/secprof.h"
#include "ctr-create/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_ports (json_t *exposed)
{
	const char *k;
	json_t *v;

	json_object_foreach (exposed, k, v)
	{
		char *slash = strchr (k, '/');
		long p = strtol (k, NULL, 10);
		if (!slash || p < 0 || p > 65535)
			abort ();
	}
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	char s[1024], host[256], ip[64];
	struct bx_err e = {0};
	json_t *exposed, *bindings, *j;
	int64_t n;

	if (size >= sizeof s)
		return 0;
	memcpy (s, data, size);
	s[size] = '\0';
	exposed = json_object ();
	bindings = json_object ();
	human_ram_parse (s, &n, &e);
	copts_cpus (s, &n, &e);
	if (copts_publish (s, exposed, bindings, &e) == 0)
		check_ports (exposed);
	copts_expose (s, exposed, &e);
	json_decref (copts_restart (s, &e));
	copts_add_host (s, host, sizeof host, ip, sizeof ip, &e);
	json_decref (spec_tmpfs_options (s, &e));
	if ((j = json_loads (s, 0, NULL))) {
		json_decref (secprof_to_oci (j, ~(capset_t)0, &e));
		json_decref (j);
	}
	json_decref (exposed);
	json_decref (bindings);
	return 0;
}
