/* report.h - the result: its JSON (report_json.c) and the mapping from what happened
 * to a status and an exit status (report_outcome.c). The file itself is written by
 * report_write() (stages.h). */
#ifndef USHER_REPORT_H
#define USHER_REPORT_H

#include <stddef.h>

#include "usher.h"

/* Formats the result object into buf; returns its length or -ENOBUFS. */
int report_json(const struct usher_report *rep, char *buf, size_t len);
const char *status_name(enum usher_status s);

/* The status after a stage failed with rc (a -errno or a -OUTCOME_*). */
enum usher_status outcome_after_wait(int rc, const struct usher_report *rep);
enum usher_status outcome_after_check(int rc);
enum usher_status outcome_after_start(const struct usher_report *rep);
enum usher_status outcome_after_grader(const struct usher_report *rep);
/* usher's exit status for rep->status (SPEC.md "Exit status"). */
int outcome_exit_code(const struct usher_report *rep);

#endif
