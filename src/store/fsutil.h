/* fsutil.h - the few file-system chores of the store that are about directories, not segments. */
#ifndef KINESD_FSUTIL_H
#define KINESD_FSUTIL_H

/* fsyncs the directory holding path, so that a file created or renamed there survives a crash. */
int fs_sync_parent(const char *path);

/* fsyncs the directory dir itself (after files in it were created, renamed or deleted). */
int fs_sync_dir(const char *dir);

/* Creates path and any missing parents (mkdir -p), syncing each new entry into its parent. */
int fs_mkdirs(const char *path);

#endif
