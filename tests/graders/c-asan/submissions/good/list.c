#include <stdlib.h>

#include "list.h"

struct node *list_from_array(const int *a, size_t n)
{
	struct node *head = NULL, **tail = &head;
	for (size_t i = 0; i < n; i++) {
		struct node *x = malloc(sizeof(*x));
		if (!x)
			abort();
		x->value = a[i];
		x->next = NULL;
		*tail = x;
		tail = &x->next;
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
	while (head) {
		struct node *next = head->next;
		free(head);
		head = next;
	}
}
