/*
 * null-milter.c - the cheapest useful milter: accept every message at DATA
 *
 * The baseline for ordinary mail (issue 4): it asks the MTA to leave out
 * every stage but DATA, and every reply it can, so what it costs per
 * message is libmilter's connection, negotiation and one round trip.
 */
#include "config.h"

#include "bench/bench_milter.h"

/* nm_negotiate - nothing but DATA, and no change to the message */
static sfsistat
nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1,
    unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f0;
	(void)f2;
	(void)f3;
	*pf0 = 0;
	*pf1 = f1 &
	       (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL | SMFIP_NORCPT |
		   SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOBODY | SMFIP_NOUNKNOWN);
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

/* nm_data - every message is accepted here */
static sfsistat
nm_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

static struct smfiDesc desc = {
	.xxfi_name = (char *)"null-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_data = nm_data,
	.xxfi_negotiate = nm_negotiate,
};

int
main(int argc, char **argv)
{
	return bench_milter_main(argc, argv, &desc);
}
