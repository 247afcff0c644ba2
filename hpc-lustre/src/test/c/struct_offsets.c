/* Prints the size and field offsets of the structs crossing the FFM boundary, for StructLayoutTest. */
#include "fake_lustreapi.h"

#include <stddef.h>
#include <stdio.h>

#define F(s, f) printf("%s.%s %zu\n", #s, #f, offsetof(struct s, f))

int main(void)
{
	printf("lu_fid %zu\n", sizeof(struct lu_fid));
	F(lu_fid, f_seq);
	F(lu_fid, f_oid);
	F(lu_fid, f_ver);
	printf("obd_uuid %zu\n", sizeof(struct obd_uuid));
	printf("obd_statfs %zu\n", sizeof(struct obd_statfs));
	F(obd_statfs, os_type);
	F(obd_statfs, os_blocks);
	F(obd_statfs, os_bfree);
	F(obd_statfs, os_bavail);
	F(obd_statfs, os_files);
	F(obd_statfs, os_ffree);
	F(obd_statfs, os_fsid);
	F(obd_statfs, os_bsize);
	F(obd_statfs, os_namelen);
	F(obd_statfs, os_maxbytes);
	F(obd_statfs, os_state);
	F(obd_statfs, os_fprecreated);
	F(obd_statfs, os_granted);
	F(obd_statfs, os_spare9);
	return 0;
}
