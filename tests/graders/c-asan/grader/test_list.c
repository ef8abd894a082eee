/* The staff's tests for list.c. Check runs each test in a child process (CK_FORK), so a
 * crash, an AddressSanitizer report or a leak found at the child's exit fails only
 * that test. Lists are built and freed by the helpers below, not by the learner's
 * functions, so each test judges one function. */
#include <check.h>
#include <stdlib.h>

#include "list.h"

static struct node *make(const int *a, size_t n)
{
	struct node *head = NULL;
	while (n--) {
		struct node *x = malloc(sizeof(*x));
		x->value = a[n];
		x->next = head;
		head = x;
	}
	return head;
}

static void drop(struct node *head)
{
	while (head) {
		struct node *next = head->next;
		free(head);
		head = next;
	}
}

static const int five[] = {1, 2, 3, 4, 5};

START_TEST(test_from_array)
{
	int *a = malloc(sizeof(five)); /* on the heap: ASan sees a read past its end */
	for (size_t i = 0; i < 5; i++)
		a[i] = five[i];
	struct node *l = list_from_array(a, 5);
	free(a);
	int i = 1;
	for (struct node *x = l; x; x = x->next)
		ck_assert_int_eq(x->value, i++);
	ck_assert_int_eq(i, 6);
	drop(l);
}
END_TEST

START_TEST(test_sum)
{
	struct node *l = make(five, 5);
	ck_assert_int_eq(list_sum(l), 15);
	ck_assert_int_eq(list_sum(NULL), 0);
	drop(l);
}
END_TEST

START_TEST(test_reverse)
{
	struct node *l = list_reverse(make(five, 5));
	int i = 5;
	for (struct node *x = l; x; x = x->next)
		ck_assert_int_eq(x->value, i--);
	ck_assert_int_eq(i, 0);
	drop(l);
}
END_TEST

START_TEST(test_free)
{
	/* Passes only if LeakSanitizer finds nothing at this child's exit. */
	list_free(make(five, 5));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_from_array);
	tcase_add_test(tc, test_sum);
	tcase_add_test(tc, test_reverse);
	tcase_add_test(tc, test_free);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_VERBOSE);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
