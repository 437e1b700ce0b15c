/*
 * bench_milter.c - socket and main loop of the baseline milters
 *
 * The baselines must cost what any milter costs and no more: they take
 * the same libmilter path as passalong-milter (smfi_setconn,
 * smfi_opensocket, smfi_main), with libmilter's own signal handling.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench/bench_milter.h"

/* bench_milter_main - run desc on the socket named by -p */
int
bench_milter_main(int argc, char **argv, struct smfiDesc *desc)
{
	if (argc != 3 || strcmp(argv[1], "-p") != 0) {
		fprintf(stderr, "usage: %s -p SOCKET\n", desc->xxfi_name);
		return 2;
	}
	if (smfi_register(*desc) != MI_SUCCESS ||
	    smfi_setconn(argv[2]) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "%s: cannot listen on %s\n", desc->xxfi_name,
		    argv[2]);
		return 1;
	}
	fprintf(stderr, "%s: listening on %s\n", desc->xxfi_name, argv[2]);
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
