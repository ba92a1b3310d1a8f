/* copts - the values of `docker create` flags, parsed as Docker's CLI and
 * daemon parse them (sizes, CPUs, ports, restart policies, env and label
 * files), with Docker's error wording; errors are BX_USAGE */
#ifndef BOX_COPTS_H
#define BOX_COPTS_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"

/* "--cpus 1.5" -> 1500000000 nano CPUs; at most this machine's CPUs */
int copts_cpus (const char *s, int64_t *nano, struct bx_err *e);
/* "-p [ip:][hostPort:]containerPort[/proto]" (ranges too), or
 * "published=P,target=C[,protocol=X]": adds to EXPOSED {"80/tcp":{}} and
 * BINDINGS {"80/tcp":[{HostIp,HostPort}]} */
int copts_publish (const char *s, json_t *exposed, json_t *bindings, struct bx_err *e);
/* "--expose 80[-90][/proto]" -> EXPOSED */
int copts_expose (const char *s, json_t *exposed, struct bx_err *e);
/* "--restart NAME[:N]" -> {Name, MaximumRetryCount}, as Docker's client
 * parses it */
json_t *copts_restart (const char *s, struct bx_err *e);
/* POLICY as Docker's daemon judges it: a known name, a count only with
 * on-failure and not negative */
int copts_restart_check (const json_t *policy, struct bx_err *e);
/* "-e K=V", "-e K" (the host's value, or just "K": unset it) appended to ENV */
int copts_env (const char *s, json_t *env, struct bx_err *e);
/* --env-file / --label-file: K=V lines, "#" comments; a bare K in an env
 * file takes the host's value (dropped when unset); a bare label is "" */
int copts_env_file (const char *path, json_t *env, int labels, struct bx_err *e);
/* "-l k=v" or "-l k" into LABELS */
void copts_label (const char *s, json_t *labels);
/* "--add-host host:ip" (or host=ip); BX_USAGE for a bad address */
int copts_add_host (const char *s, char *host, size_t hlen, char *ip, size_t iplen, struct bx_err *e);
/* "-v SRC:DEST[:MODE]" or "-v DEST" (Docker's linux parser), split in
 * place in S (a copy of RAW, which messages name): PART[0..N) the fields,
 * *RO from MODE; the destination is absolute */
int copts_volume_split (char *s, const char *raw, char *part[3], int *n, int *ro, struct bx_err *e);
/* an IPv4 or IPv6 address, for --dns and --ip */
int copts_is_ip (const char *s);
/* --blkio-weight-device (KIND 0), --device-*-bps (1), --device-*-iops (2):
 * "/dev/X:VALUE" appended to LIST as HostConfig has it, {Path, Weight} or
 * {Path, Rate}; Docker's words when malformed */
int copts_blkio_device (const char *s, int kind, json_t *list, struct bx_err *e);
/* a CPU or memory node list ("0-3,7") as Docker accepts it */
int copts_is_cpuset (const char *s);

#endif
