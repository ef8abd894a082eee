/* Deliberately wrong, the ways learners' programs go wrong; one per hidden test after
 * the first (which it passes): 1 of 4. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[4096];
	char *p = fgets(line, sizeof line, stdin); /* the first line only: a wrong answer on several lines */
	size_t len = strlen(p);                    /* no check for the end of input: crashes on an empty one */
	if (len > 0 && p[len - 1] == '\n')
		p[len - 1] = '\0';
	long long sum = 0, x;
	int used;
	for (char *s = p; sscanf(s, "%lld%n", &x, &used) == 1; s += used) {
		sum += x;
		for (long long k = 1000000; k < x; k++) /* a debugging trace left in: endless on big numbers */
			printf("debug: %lld\n", k);
	}
	printf("%lld\n", sum);
	return 0;
}
