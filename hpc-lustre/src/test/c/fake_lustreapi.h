/*
 * The part of liblustreapi that podheitor-hpc binds, declared exactly as in Lustre's public headers
 * (include/lustre/lustreapi.h and include/uapi/linux/lustre/lustre_user.h, lustre-release 2.17): the same
 * names, argument types, return conventions and struct layouts, so that the Java FFM binding cannot tell this
 * fake from the real library. What the fake does behind these signatures is described in fake_lustreapi.c and
 * docs/lustre.md.
 */
#ifndef FAKE_LUSTREAPI_H
#define FAKE_LUSTREAPI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h> /* __u8, __u32, __u64, as lustre_user.h uses them */

/* lustre_user.h */
struct lu_fid {
	__u64 f_seq;
	__u32 f_oid;
	__u32 f_ver;
};

#define UUID_MAX 40
struct obd_uuid {
	char uuid[UUID_MAX];
};

struct obd_statfs {
	__u64 os_type;
	__u64 os_blocks;
	__u64 os_bfree;
	__u64 os_bavail;
	__u64 os_files;
	__u64 os_ffree;
	__u8 os_fsid[40];
	__u32 os_bsize;
	__u32 os_namelen;
	__u64 os_maxbytes;
	__u32 os_state;
	__u32 os_fprecreated;
	__u32 os_granted;
	__u32 os_spare3;
	__u32 os_spare4;
	__u32 os_spare5;
	__u32 os_spare6;
	__u32 os_spare7;
	__u32 os_spare8;
	__u32 os_spare9;
};

#define LL_STATFS_LMV 1
#define LL_STATFS_LOV 2
#define LL_STATFS_NODELAY 4

enum obd_statfs_state {
	OS_STATFS_DEGRADED = 0x00000001,
	OS_STATFS_READONLY = 0x00000002,
	OS_STATFS_NOCREATE = 0x00000004,
	OS_STATFS_ENOSPC = 0x00000020,
	OS_STATFS_ENOINO = 0x00000040,
};

#define LUSTRE_EOF 0xffffffffffffffffULL
#define LOV_MAXPOOLNAME 15

/* lustreapi.h: MDT placement, FIDs, targets, mounts */
int llapi_file_fget_mdtidx(int fd, int *mdtidx);
int llapi_fd2fid(int fd, struct lu_fid *fid);
int llapi_path2fid(const char *path, struct lu_fid *fid);
int llapi_get_mdt_index_by_fid(int fd, const struct lu_fid *fid, int *mdt_index);
int llapi_get_obd_count(char *mnt, int *count, int is_mdt);
int llapi_search_mounts(const char *pathname, int index, char *mntdir, char *fsname);
int llapi_obd_fstatfs(int fd, __u32 type, __u32 index, struct obd_statfs *stat_buf, struct obd_uuid *uuid_buf);

/* lustreapi.h: layouts */
enum llapi_layout_get_flags {
	LLAPI_LAYOUT_GET_EXPECTED = 0x0001,
	LLAPI_LAYOUT_GET_COPY = 0x0002,
	LLAPI_LAYOUT_GET_CHECK = 0x0004,
};

#define LLAPI_LAYOUT_INVALID 0x1000000000000001ULL
#define LLAPI_LAYOUT_DEFAULT (LLAPI_LAYOUT_INVALID + 1)
#define LLAPI_LAYOUT_WIDE (LLAPI_LAYOUT_DEFAULT + 1)
#define LLAPI_LAYOUT_RAID0 0x00000000ULL
#define LLAPI_LAYOUT_MDT 0x00000002ULL
#define LLAPI_LAYOUT_OVERSTRIPING 0x00000004ULL

enum llapi_layout_comp_use {
	LLAPI_LAYOUT_COMP_USE_FIRST = 1,
	LLAPI_LAYOUT_COMP_USE_LAST = 2,
	LLAPI_LAYOUT_COMP_USE_NEXT = 3,
	LLAPI_LAYOUT_COMP_USE_PREV = 4,
};

struct llapi_layout;
struct llapi_layout *llapi_layout_get_by_fd(int fd, enum llapi_layout_get_flags flags);
struct llapi_layout *llapi_layout_get_by_path(const char *path, enum llapi_layout_get_flags flags);
struct llapi_layout *llapi_layout_alloc(void);
void llapi_layout_free(struct llapi_layout *layout);
int llapi_layout_stripe_count_get(const struct llapi_layout *layout, uint64_t *count);
int llapi_layout_stripe_size_get(const struct llapi_layout *layout, uint64_t *size);
int llapi_layout_pattern_get(const struct llapi_layout *layout, uint64_t *pattern);
int llapi_layout_ost_index_get(const struct llapi_layout *layout, uint64_t stripe_number, uint64_t *index);
int llapi_layout_pool_name_get(const struct llapi_layout *layout, char *dest, size_t n);
int llapi_layout_comp_use(struct llapi_layout *layout, enum llapi_layout_comp_use pos);
int llapi_layout_comp_extent_get(const struct llapi_layout *layout, uint64_t *start, uint64_t *end);

/* lustreapi.h: building a layout and creating a file with it */
int llapi_layout_stripe_count_set(struct llapi_layout *layout, uint64_t count);
int llapi_layout_stripe_size_set(struct llapi_layout *layout, uint64_t size);
int llapi_layout_pattern_set(struct llapi_layout *layout, uint64_t pattern);
int llapi_layout_pool_name_set(struct llapi_layout *layout, const char *pool_name);
int llapi_layout_comp_extent_set(struct llapi_layout *layout, uint64_t start, uint64_t end);
int llapi_layout_comp_add(struct llapi_layout *layout);
int llapi_layout_file_open(const char *path, int open_flags, mode_t mode, const struct llapi_layout *layout);
int llapi_layout_file_create(const char *path, int open_flags, int mode, const struct llapi_layout *layout);

/* Not part of liblustreapi: the fake's own helper for fake_lfs (whether a component is instantiated). */
int fake_lustre_comp_init(const struct llapi_layout *layout);

#endif
