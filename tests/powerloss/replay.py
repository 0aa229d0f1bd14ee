"""replay - builds the states a power cut could leave, from a plshim.c recording.

A crash state at cut k is what the disk may hold if the power went out after the first k events:

- a file's data change (write, truncate, fallocate) is certainly there when an fsync/fdatasync of
  that file returned before the cut and started after the change was logged;
- a directory change (create, rename, unlink, mkdir, rmdir) is certainly there when an fsync of
  its directory (both directories for a rename) returned before the cut and started after it;
- any other change before the cut may or may not be there: data changes independently of each
  other, a write possibly torn into any subset of its 512-byte sectors (a disk may persist pages in
  any order); directory changes as a prefix in log order (a journal commits them in order), plus
  the certain ones.

`Recording(path)` parses the log; `recording.crash_state(k, rng, out_dir)` writes one state.
"""

import os
import struct

HEADER = struct.Struct("<IIQQQQQII")
(CREATE, WRITE, TRUNC, FALLOC, FSYNC, FSYNC_DIR, RENAME, UNLINK, MKDIR, RMDIR) = range(1, 11)
SECTOR = 512
NAMESPACE = (CREATE, RENAME, UNLINK, MKDIR, RMDIR)
DATA = (WRITE, TRUNC, FALLOC)


class Event:
    __slots__ = ("type", "time_ns", "file_id", "offset", "length", "cover", "path", "path2",
                 "data")

    def parents(self):
        """The directories a namespace change touches."""
        return {os.path.dirname(p) for p in (self.path, self.path2) if p is not None}


class Recording:

    def __init__(self, path):
        self.events = []
        with open(path, "rb") as f:
            raw = f.read()
        at = 0
        while at + HEADER.size <= len(raw):
            (kind, path_len, time_ns, file_id, offset, length, cover, path2_len,
             data_len) = HEADER.unpack_from(raw, at)
            at += HEADER.size
            e = Event()
            e.type, e.time_ns, e.file_id = kind, time_ns, file_id
            e.offset, e.length, e.cover = offset, length, cover
            e.path = raw[at:at + path_len].decode()
            at += path_len
            e.path2 = raw[at:at + path2_len].decode() if path2_len else None
            at += path2_len
            e.data = raw[at:at + data_len]
            at += data_len
            if e.type in (FSYNC, WRITE, TRUNC, FALLOC):
                e.path = None
            self.events.append(e)
        self.sync_points = [i + 1 for i, e in enumerate(self.events)
                            if e.type in (FSYNC, FSYNC_DIR)]

    def certain(self, k):
        """The indexes of the changes before cut k that a returned sync made certain."""
        file_cover, dir_cover = {}, {}
        for e in self.events[:k]:
            if e.type == FSYNC:
                file_cover[e.file_id] = max(file_cover.get(e.file_id, 0), e.cover)
            elif e.type == FSYNC_DIR:
                dir_cover[e.path] = max(dir_cover.get(e.path, 0), e.cover)
        sure = set()
        for i, e in enumerate(self.events[:k]):
            if e.type in DATA and i < file_cover.get(e.file_id, 0):
                sure.add(i)
            elif e.type in NAMESPACE and all(i < dir_cover.get(d, 0) for d in e.parents()):
                sure.add(i)
        return sure

    def crash_state(self, k, rng, out_dir):
        """Writes one possible state after cut k into out_dir (which must exist, empty)."""
        sure = self.certain(k)
        unsure_ns = [i for i, e in enumerate(self.events[:k])
                     if e.type in NAMESPACE and i not in sure]
        prefix = set(unsure_ns[:rng.randint(0, len(unsure_ns))])
        files, dirs, content = {}, {""}, {}
        for i, e in enumerate(self.events[:k]):
            if e.type in NAMESPACE and (i in sure or i in prefix):
                apply_namespace(e, files, dirs)
            elif e.type in DATA:
                if i in sure:
                    apply_data(e, content, None)
                else:
                    choice = rng.random()
                    if choice < 0.5:
                        apply_data(e, content, None)
                    elif choice < 0.75 and e.type == WRITE:
                        apply_data(e, content, torn_sectors(e, rng))
        for d in sorted(dirs):
            os.makedirs(os.path.join(out_dir, d), exist_ok=True)
        for path, file_id in files.items():
            if os.path.dirname(path) in dirs:
                with open(os.path.join(out_dir, path), "wb") as f:
                    f.write(content.get(file_id, b""))


def torn_sectors(e, rng):
    """A random subset of the sectors a write touches: the ones that reached the disk."""
    first, last = e.offset // SECTOR, (e.offset + e.length - 1) // SECTOR
    return {s for s in range(first, last + 1) if rng.random() < 0.5}


def apply_namespace(e, files, dirs):
    if e.type == CREATE:
        files[e.path] = e.file_id
    elif e.type == UNLINK:
        files.pop(e.path, None)
    elif e.type == MKDIR:
        dirs.add(e.path)
    elif e.type == RMDIR:
        dirs.discard(e.path)
    elif e.type == RENAME:
        if e.path in files:
            files[e.path2] = files.pop(e.path)
        elif e.path in dirs:
            moved = {d for d in dirs if d == e.path or d.startswith(e.path + "/")}
            dirs.difference_update(moved)
            dirs.update(e.path2 + d[len(e.path):] for d in moved)
            for p in [p for p in files if p.startswith(e.path + "/")]:
                files[e.path2 + p[len(e.path):]] = files.pop(p)


def apply_data(e, content, sectors):
    buf = content.setdefault(e.file_id, bytearray())
    if e.type == TRUNC:
        del buf[e.length:]
        buf.extend(bytes(max(0, e.length - len(buf))))
    elif e.type == FALLOC:
        if not e.cover & 1:  # FALLOC_FL_KEEP_SIZE keeps the size
            buf.extend(bytes(max(0, e.offset + e.length - len(buf))))
    elif sectors is None:
        end = e.offset + len(e.data)
        buf.extend(bytes(max(0, end - len(buf))))
        buf[e.offset:end] = e.data
    else:
        for s in sectors:
            lo, hi = max(e.offset, s * SECTOR), min(e.offset + len(e.data), (s + 1) * SECTOR)
            buf.extend(bytes(max(0, hi - len(buf))))
            buf[lo:hi] = e.data[lo - e.offset:hi - e.offset]
