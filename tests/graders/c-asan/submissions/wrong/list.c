#include <stdlib.h>

#include "list.h"

struct node *list_from_array(const int *a, size_t n)
{
	struct node *head = NULL;
	/* builds from the back, but starts one past the end */
	for (size_t i = n; i > 0; i--) {
		struct node *x = malloc(sizeof(*x));
		x->value = a[i];
		x->next = head;
		head = x;
	}
	return head;
}

long list_sum(const struct node *head)
{
	long s = 0;
	for (; head; head = head->next)
		s += head->value;
	return s;
}

struct node *list_reverse(struct node *head)
{
	struct node *prev = NULL;
	while (head) {
		struct node *next = head->next;
		head->next = prev;
		prev = head;
		head = next;
	}
	return prev;
}

void list_free(struct node *head)
{
	free(head); /* only the first node */
}
