/* timestamp - the time of the state directory's records: RFC 3339, UTC,
 * with nanoseconds, as Docker writes its Created, StartedAt, FinishedAt
 * and the CRI log writes each line ("2026-11-29T03:34:45.123456789Z") */
#ifndef BOX_TIMESTAMP_H
#define BOX_TIMESTAMP_H

#define TIMESTAMP_LEN 40 /* "2026-11-29T03:34:45.123456789Z" and its NUL, with room */

/* Now, as RFC 3339 UTC with nanoseconds. */
void timestamp_now (char out[TIMESTAMP_LEN]);

#endif
