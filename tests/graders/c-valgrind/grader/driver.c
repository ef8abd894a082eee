/* The staff's driver: `driver CASE` runs one case and prints the learner's result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	char *r;
	if (strcmp(argv[1], "reverse") == 0)
		r = reverse_words("one two three");
	else if (strcmp(argv[1], "squeeze") == 0)
		r = squeeze_spaces("  a   b c  ");
	else if (strcmp(argv[1], "squeeze-none") == 0)
		r = squeeze_spaces("abc");
	else if (strcmp(argv[1], "reverse-long") == 0)
		r = reverse_words("the quick brown fox jumps over the lazy dog");
	else
		return 2;
	printf("[%s]\n", r);
	free(r);
	return 0;
}
