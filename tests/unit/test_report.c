/* test_report.c - the names of error.step are a contract (the result file, usher(1),
 * docs/result.schema.json): every step of the USHER_STEPS table, as step_name() returns
 * it, is in the schema's enum and in the man page's list, and neither documents a step
 * the table does not have. A step added to include/usher.h without its docs fails here.
 * (Options, exit codes, statuses and result fields: tests/integration/04-docs.t.)
 *
 * Run from the top of the tree (make unit does): it reads docs/ from there. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"
#include "usher.h"

static char schema[65536], man[131072];

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("%s: cannot open (run from the top of the tree)", path);
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
}

/* Cut buf down to the text between the first `from` and the next `to`. */
static char *span(char *buf, const char *from, const char *to)
{
	char *a = strstr(buf, from);
	if (!a)
		fail_msg("'%s' not found", from);
	a += strlen(from);
	char *b = strstr(a, to);
	if (!b)
		fail_msg("'%s' not found after '%s'", to, from);
	*b = '\0';
	return a;
}

/* The names in the schema's error.step enum: "a", "b", ... */
static size_t schema_steps(char names[][32], size_t max)
{
	static char copy[sizeof schema];
	memcpy(copy, schema, sizeof copy);
	char *list = span(span(copy, "\"step\":", "}"), "\"enum\": [", "]"), *q;
	size_t n = 0;
	while (n < max && (q = strchr(list, '"'))) {
		char *end = strchr(q + 1, '"');
		assert_non_null(end);
		snprintf(names[n++], 32, "%.*s", (int)(end - q - 1), q + 1);
		list = end + 1;
	}
	return n;
}

/* The names in usher(1)'s error.step list: ".BR name ," (or ".B name" followed by what
 * it means) lines between ".B step" and ".B errno". */
static size_t man_steps(char names[][32], size_t max)
{
	static char copy[sizeof man];
	memcpy(copy, man, sizeof copy);
	char *list = span(span(copy, ".SH RESULT FILE", ".SH "), "\n.B step\n", "\n.B errno\n"), *save = NULL;
	size_t n = 0;
	for (char *line = strtok_r(list, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, ".BR %31[a-z0-9_]", names[n]) == 1 || sscanf(line, ".B %31[a-z0-9_]", names[n]) == 1)
			n++;
	return n;
}

static bool listed(char names[][32], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static void steps_are_documented(void **state)
{
	char in_schema[64][32], in_man[64][32];
	(void)state;
	slurp("docs/result.schema.json", schema, sizeof schema);
	slurp("docs/usher.1", man, sizeof man);
	size_t ns = schema_steps(in_schema, 64), nm = man_steps(in_man, 64);
	assert_null(step_name(STEP_NONE));
	for (int s = STEP_NONE + 1; s < STEP_COUNT; s++) {
		const char *name = step_name((enum usher_step)s);
		assert_non_null(name);
		assert_non_null(step_meaning((enum usher_step)s));
		for (int t = STEP_NONE + 1; t < s; t++)
			if (!strcmp(name, step_name((enum usher_step)t)))
				fail_msg("step '%s' twice in USHER_STEPS", name);
		if (!listed(in_schema, ns, name))
			fail_msg("step '%s' is not in docs/result.schema.json's error.step enum", name);
		if (!listed(in_man, nm, name))
			fail_msg("step '%s' is not in usher(1)'s error.step list (RESULT FILE)", name);
	}
	for (size_t i = 0; i < ns + nm; i++) {
		const char *doc = i < ns ? in_schema[i] : in_man[i - ns];
		bool known = false;
		for (int s = STEP_NONE + 1; s < STEP_COUNT; s++)
			known |= !strcmp(doc, step_name((enum usher_step)s));
		if (!known)
			fail_msg("%s documents a step '%s' that USHER_STEPS does not have",
				 i < ns ? "docs/result.schema.json" : "usher(1)", doc);
	}
	assert_int_equal(ns, STEP_COUNT - 1);
	assert_int_equal(nm, STEP_COUNT - 1);
}

/* The result's JSON names the step by the same table. */
static void result_names_the_step(void **state)
{
	char json[4096];
	(void)state;
	for (int s = STEP_NONE + 1; s < STEP_COUNT; s++) {
		struct usher_report rep = {.wait_ms = -1, .status = ST_SETUP_FAILED};
		char want[64];
		report_fail(&rep, (enum usher_step)s, EIO, "step %d", s);
		report_fail(&rep, STEP_EXEC, EPERM, "a consequence"); /* the first failure stays */
		assert_true(report_json(&rep, json, sizeof json) > 0);
		snprintf(want, sizeof want, "\"error\":{\"step\":\"%s\",\"errno\":5,", step_name((enum usher_step)s));
		if (!strstr(json, want))
			fail_msg("%s not in %s", want, json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(steps_are_documented),
		cmocka_unit_test(result_names_the_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
