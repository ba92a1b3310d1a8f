/* event - the state directory's event log, $BOX_ROOT/events (and
 * events.1, the one before): what every verb did, for `box events`
 *
 * One record a line, appended by whoever acts (ctr-create, ctr-spawn and
 * its supervisor, ctr-kill, ctr-rm, ctr-exec, ctr-net, ctr-vol, the image
 * tools):
 *
 *   TIMENANO TAB TYPE TAB ACTION TAB ID [TAB KEY=VALUE]... NEWLINE
 *
 * Docker's events.Message: TYPE container, image, network, volume;
 * ACTION Docker's word (create, start, die, "exec_start: sh -c x" ...);
 * ID the actor's; the attributes its Actor.Attributes, in any order.
 * Tabs, newlines and backslashes in a field are escaped (\t \n \\).
 *
 * Each record is one write(2) on an O_APPEND descriptor: concurrent
 * writers never interleave. A writer that finds the log past
 * EVENT_LOG_MAX renames it to events.1 under a flock on the file itself
 * (the one holding the lock that still sees its file named events
 * rotates; the others find it rotated), so the log is bounded to twice
 * that. An event that cannot be written is lost without failing the
 * verb: Docker's events are not durable either. */
#ifndef BOX_EVENT_H
#define BOX_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_LOG_MAX (1024 * 1024)
#define EVENT_LINE_MAX 8192
#define EVENT_ATTRS_MAX 64

/* the attributes being made, already escaped ("\tk=v\tk=v") */
struct event_attrs {
	char buf[EVENT_LINE_MAX - 512];
	size_t len;
};

/* K=V appended; an attribute that does not fit is left out. */
void event_attrs_add (struct event_attrs *a, const char *k, const char *v);
/* A container's attributes as Docker gives them, from its create.json
 * (NULL: none): its labels, image (as typed), name. */
void event_attrs_ctr (struct event_attrs *a, json_t *create);

/* Append one event to ROOTFD's log; -1 when it could not be written. */
int event_log (int rootfd, const char *type, const char *action, const char *id, const struct event_attrs *a);
/* A container event: its attributes read from containers/ID/create.json,
 * then K=V when K is not NULL. */
int event_ctr (int rootfd, const char *id, const char *action, const char *k, const char *v);
/* An image event as Docker's LogImageEvent (ID, ID, ACTION) makes it for
 * load, save and import: the image's LABELS (its config's; NULL: none),
 * and its id as its name. */
int event_image (int rootfd, const char *id, const char *action, json_t *labels);

/* one record, as read */
struct event {
	int64_t time_ns;
	const char *type, *action, *id;
	const char *keys[EVENT_ATTRS_MAX], *vals[EVENT_ATTRS_MAX];
	size_t n;
};

/* Split LINE (no newline; unescaped in place) into EV; -1 when it is not
 * a record. EV points into LINE. */
int event_parse (char *line, struct event *ev);
/* The value of attribute K, NULL when it has none. */
const char *event_attr (const struct event *ev, const char *k);

#endif
