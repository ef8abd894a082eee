/* report.h - the result JSON without the file, for unit tests and the fuzzers. */
#ifndef USHER_REPORT_H
#define USHER_REPORT_H

#include <stddef.h>

#include "usher.h"

/* Formats the result object into buf; returns its length or -ENOBUFS. */
int report_json(const struct usher_report *rep, char *buf, size_t len);

#endif
