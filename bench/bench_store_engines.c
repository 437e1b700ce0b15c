/*
 * bench_store_engines.c - share transactions/s and outbox claims/s on
 *	SQLite and PostgreSQL, against bare sqlite3 / libpq baselines
 *	(issue 9, "Speed"); being written
 */
#include "config.h"

#include <stdio.h>

int
main(void)
{
	printf("### Tier 3: micro — store engines\n\nNot measured yet.\n");
	return 0;
}
