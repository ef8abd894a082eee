/* handoff.h - internals of the handoff: the ready marker's manifest (handoff_wait.c, cmd_deliver.c)
 * and the walk shared by the check and deliver. */
#ifndef USHER_HANDOFF_H
#define USHER_HANDOFF_H

#include <stddef.h>

#include "usher.h"

/* The ready marker's text: optional `files=N` and `bytes=N` lines; blank lines and
 * `#` comments are ignored, and so are unknown keys (later versions of the protocol
 * may add some). A malformed value, or a key given twice, is -EINVAL with why[]. */
int manifest_parse(const char *text, size_t len, struct usher_report *rep, char *why, size_t whylen);

/* handoff_resolve.c: 0 when `rel` resolves without leaving the directory `root` (openat2
 * RESOLVE_BENEATH, or the same walk in user space where openat2 is missing); else
 * -EXDEV (leaves it), -ELOOP, -ENOENT, -ENOTDIR or another -errno. */
int resolve_beneath(int root, const char *rel);
/* The user-space walk resolve_beneath() falls back to, with openat2's answers; exposed so
 * tests/fuzz/fuzz_resolve.c can hold it against the kernel's on generated trees. */
int resolve_walk(int root, const char *rel);

#endif
