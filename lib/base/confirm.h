/* confirm - Docker's "Are you sure you want to continue? [y/N] " question
 *
 * The prune verbs ask before they remove anything, as docker's CLI does
 * (command.PromptForConfirmation): the warning, the question, then one
 * line of answer, "y" or "Y" once trimmed; anything else, or end of
 * input, is no. The caller gives the streams (the tools: stderr, stdin).
 */
#ifndef BOX_CONFIRM_H
#define BOX_CONFIRM_H

#include <stdio.h>

/* Write WARNING (its lines, without the question) and the question to
 * OUT, read the answer from IN: 1 for yes, 0 for no. */
int confirm_ask (FILE *out, FILE *in, const char *warning);

#endif
