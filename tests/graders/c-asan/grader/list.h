#ifndef LIST_H
#define LIST_H
#include <stddef.h>

struct node {
	int value;
	struct node *next;
};

/* A new list holding a[0..n-1] in order (NULL when n is 0). */
struct node *list_from_array(const int *a, size_t n);
/* The sum of the values. */
long list_sum(const struct node *head);
/* Reverses the list in place; returns the new head. */
struct node *list_reverse(struct node *head);
/* Frees every node. */
void list_free(struct node *head);
#endif
