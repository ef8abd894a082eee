#ifndef STRUTIL_H
#define STRUTIL_H
/* A newly allocated copy of s with its words in reverse order ("a b c" -> "c b a"). */
char *reverse_words(const char *s);
/* A newly allocated copy of s with runs of spaces squeezed to one, ends trimmed. */
char *squeeze_spaces(const char *s);
#endif
