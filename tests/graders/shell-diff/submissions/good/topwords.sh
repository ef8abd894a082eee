#!/bin/bash
# Prints the three most frequent words of stdin as "COUNT WORD", most frequent first,
# ties alphabetically, case-insensitive.
tr -s '[:space:]' '\n' | grep -v '^$' | tr '[:upper:]' '[:lower:]' | sort | uniq -c |
	sort -k1,1nr -k2,2 | head -n 3 | awk '{ print $1, $2 }'
