/* fuzz_config.c - config_load over an argv and an environment made from the input:
 * NUL-separated words, argv until an empty word, then the environment. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[64], *envp[64];
	struct usher_config cfg;
	struct usher_report rep = {0};
	char *buf = malloc(size + 1);
	int argc = 1, envc = 0;
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"usher";
	bool in_env = false;
	for (char *p = buf; p < buf + size && argc < 63 && envc < 63; p += strlen(p) + 1) {
		if (!*p)
			in_env = true;
		else if (in_env)
			envp[envc++] = p;
		else
			argv[argc++] = p;
	}
	argv[argc] = NULL;
	envp[envc] = NULL;
	log_setup(LOG_TEXT, -2); /* nothing on stderr: usage errors are expected */
	if (config_load(argc, argv, envp, &cfg, &rep) == 0 && cfg.command == CMD_SHIM) {
		if (!cfg.ready_file || !cfg.failed_file || cfg.writable.n == 0)
			abort();
		for (const char **e = cfg.grader_env; e && *e; e++)
			if (!strncmp(*e, "USHER_", 6))
				abort(); /* USHER_* never reach the grader */
	}
	config_free(&cfg);
	free(buf);
	return 0;
}
