/* secprof - TAP unit tests of seccomp profiles: Docker's default, and
 * Docker-format documents refused or turned off */
#include <string.h>

#include "ctr-create/caps.h"
#include "ctr-create/secprof.h"
#include "tap.h"

static void
test_secprof (void)
{
	struct bx_err e = {0};
	json_t *p = secprof_docker_default (), *o;
	size_t i, n = 0;
	json_t *call;

	o = secprof_to_oci (p, caps_docker_default (), &e);
	ok (o && !strcmp (json_string_value (json_object_get (o, "defaultAction")), "SCMP_ACT_ERRNO"),
	    "default profile");
	json_array_foreach (json_object_get (o, "syscalls"), i, call) n +=
	    json_array_size (json_object_get (call, "names"));
	ok (n > 300, "over 300 syscall names (%zu)", n);
	json_decref (o);
	json_decref (p);
	p = json_pack ("{s:s, s:[s], s:[s]}", "defaultAction", "SCMP_ACT_ERRNO", "architectures", "SCMP_ARCH_X86_64",
	               "archMap", "x");
	ok (!secprof_to_oci (p, 0, &e) && strstr (e.msg, "use either 'architectures' or 'archMap'"), "both arch lists");
	json_decref (p);
	p = json_pack ("{}");
	e = (struct bx_err){0};
	ok (!secprof_to_oci (p, 0, &e) && e.code == BX_OK, "an empty profile: no seccomp");
	json_decref (p);
}

int
main (void)
{
	test_secprof ();
	return tap_done ();
}
