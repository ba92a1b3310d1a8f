/* cchange: docker commit -c, applied to a container's config and merged
 * back as the daemon's commit does */
#include <jansson.h>

#include "dockerfile/cchange.h"
#include "tap.h"

static const char *BASE = "{\"Env\":[\"PATH=/bin\",\"FOO=bar\"],\"Cmd\":[\"sh\"],\"Entrypoint\":null,"
                          "\"WorkingDir\":\"/srv\",\"Labels\":{\"k\":\"v\"},\"ExposedPorts\":{\"80/tcp\":{}},"
                          "\"Volumes\":null}";

/* CHANGES (NULL-terminated) applied to BASE; KEY of the result as
 * compact JSON, or "ERR message" */
static char *
apply (const char *key, const char *const *changes)
{
	json_t *base = json_loads (BASE, 0, NULL), *out;
	struct bx_err e = {0};
	size_t n = 0;
	char *s;

	while (changes[n])
		n++;
	out = cchange_apply (base, (char *const *)changes, n, &e);
	if (!out) {
		json_decref (base);
		return asprintf (&s, "ERR %s", e.msg) < 0 ? NULL : s;
	}
	s = json_dumps (json_object_get (out, key), JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref (out);
	json_decref (base);
	return s;
}

#define IS(key, want, name, ...)                                                                                       \
	do {                                                                                                           \
		const char *const ch_[] = {__VA_ARGS__, NULL};                                                         \
		char *got_ = apply (key, ch_);                                                                         \
		is_str (got_, want, name);                                                                             \
		free (got_);                                                                                           \
	} while (0)

int
main (void)
{
	IS ("WorkingDir", "\"/srv/a/c\"", "WORKDIR relative to the config's, cleaned", "WORKDIR a/b/../c/.");
	IS ("WorkingDir", "\"/x\"", "WORKDIR absolute, twice", "WORKDIR /y", "WORKDIR ../x");
	IS ("WorkingDir", "\"/\"", "WORKDIR above the root stays at it", "WORKDIR /../..");
	IS ("Env", "[\"PATH=/bin\",\"FOO=baz\",\"A=bar-d\"]", "ENV expands in Env, replaces a key",
	    "ENV A=${FOO}-${NONE:-d}", "ENV FOO baz");
	IS ("ExposedPorts", "{\"80/tcp\":{},\"53/udp\":{},\"8000/tcp\":{},\"8001/tcp\":{}}", "EXPOSE: protocol, range",
	    "EXPOSE 53/UDP 8000-8001");
	IS ("ExposedPorts", "ERR invalid containerPort: x", "EXPOSE: not a port", "EXPOSE x");
	IS ("ExposedPorts", "ERR invalid proto: icmp", "EXPOSE: not a protocol", "EXPOSE 1/icmp");
	IS ("Labels", "{\"k\":\"v\",\"a\":\"1\",\"b\":\"two words\"}", "LABEL pairs, merged with the container's",
	    "LABEL a=1 \"b\"=\"two words\"");
	IS ("Healthcheck", "{\"Interval\":90000000000,\"Retries\":3,\"Test\":[\"CMD\",\"t\"]}", "HEALTHCHECK flags",
	    "HEALTHCHECK --interval=1m30s --retries=3 CMD [\"t\"]");
	IS ("Healthcheck", "ERR time: invalid duration \"x\"", "HEALTHCHECK: a bad duration",
	    "HEALTHCHECK --timeout=x CMD t");
	IS ("OnBuild", "[\"RUN a\",\"COPY b c\"]", "ONBUILD: the trigger as written", "ONBUILD RUN a",
	    "onbuild   COPY b c");
	IS ("OnBuild", "ERR from isn't allowed as an ONBUILD trigger", "ONBUILD FROM refused", "ONBUILD FROM x");
	IS ("Cmd", "[\"sh\"]", "ENTRYPOINT [] : the container's CMD back (merge)", "ENTRYPOINT []");
	IS ("Cmd", "null", "ENTRYPOINT resets CMD", "ENTRYPOINT [\"e\"]");
	IS ("Cmd", "[\"/bin/sh\",\"-c\",\"x y\"]", "CMD's shell form", "ENTRYPOINT [\"e\"]", "CMD x y");
	IS ("Volumes", "{\"/v\":{},\"/w\":{}}", "VOLUME: words and JSON", "VOLUME /v", "VOLUME [\"/w\"]");
	IS ("Volumes", "ERR VOLUME specified can not be an empty string", "VOLUME empty", "VOLUME [\"\"]");
	IS ("User", "ERR USER requires exactly one argument", "USER without a name", "USER");
	IS ("User", "ERR add is not a valid change command", "refused before any is applied", "USER a", "ADD x y");
	IS ("Cmd", "ERR file with no instructions", "an empty change, in Docker's words", "");
	IS ("Env", "[\"PATH=/bin\",\"FOO=bar\",\"A=1\",\"B=2\"]", "changes are lines of one Dockerfile", "ENV A=1 \\",
	    "B=2");
	return tap_done ();
}
