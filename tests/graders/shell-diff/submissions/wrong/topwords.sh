#!/bin/bash
# skips leading empty lines (and spins forever when there is no line at all)
first=""
while [ -z "$first" ]; do read -r first; done
{ echo "$first"; cat; } | tr -s ' ' '\n' | sort | uniq -c | sort -rn | head -n 3 | awk '{ print $1, $2 }'
