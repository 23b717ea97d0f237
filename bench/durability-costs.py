#!/usr/bin/env python3
# Durability costs on this disk, the choices behind a replica's per-epoch flush (README "durability"):
# the state file replaced (new file, fsync or fdatasync, rename, directory fsync) vs overwritten in place
# (pwrite, fdatasync); and, for N random 4 KiB pages written through a shared mapping of a 256 MiB file, one msync
# over the span first..last written byte vs one msync per page vs the whole mapping vs sync_file_range(WRITE) per
# page followed by one fdatasync. Prints medians.
#
# Usage: bench/durability-costs.py [DIR [REPEATS]]   (DIR default bench-data/durability, removed afterwards)
import mmap, os, random, sys, time, statistics, ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.sync_file_range.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
d = sys.argv[1] if len(sys.argv) > 1 else "bench-data/durability"; reps = int(sys.argv[2]) if len(sys.argv) > 2 else 30
os.makedirs(d, exist_ok=True)
text = (b"# deltasync replica state\nphase=VERIFIED\n" + b"x" * 400)
state = os.path.join(d, "r.bin.deltasync-state")
def rename_way(datasync):
    tmp = state + ".%x.tmp" % random.getrandbits(64)
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    os.write(fd, text); (os.fdatasync if datasync else os.fsync)(fd); os.close(fd)
    os.rename(tmp, state)
    dfd = os.open(d, os.O_RDONLY); os.fsync(dfd); os.close(dfd)
inplace_fd = None
def inplace():
    global inplace_fd
    if inplace_fd is None:
        inplace_fd = os.open(state, os.O_WRONLY)
    os.pwrite(inplace_fd, text, 0); os.fdatasync(inplace_fd)
def timeit(name, f):
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    print("%-40s median %.2f ms  p90 %.2f ms" % (name, statistics.median(ts) * 1e3, sorted(ts)[int(len(ts) * .9)] * 1e3))
timeit("state: tmp+fsync+rename+dirfsync", lambda: rename_way(False))
timeit("state: tmp+fdatasync+rename+dirfsync", lambda: rename_way(True))
timeit("state: in place pwrite+fdatasync", inplace)
# msync: 256 MiB allocated file, 100 random 4 KiB pages written, span vs per-page
size = 256 << 20; path = os.path.join(d, "r.bin")
with open(path, "wb") as f:
    for _ in range(size >> 20): f.write(os.urandom(1 << 20))
    f.flush(); os.fsync(f.fileno())
fd = os.open(path, os.O_RDWR); m = mmap.mmap(fd, size)
rnd = random.Random(1)
def dirty(n):
    pages = sorted(rnd.randrange(size // 4096) for _ in range(n))
    for p in pages: m[p * 4096:p * 4096 + 8] = os.urandom(8)
    return pages
def span(n):
    pages = dirty(n); lo = pages[0] * 4096; hi = pages[-1] * 4096 + 4096
    t = time.perf_counter(); m.flush(lo, hi - lo); return time.perf_counter() - t
def perpage(n):
    pages = dirty(n)
    t = time.perf_counter()
    for p in pages: m.flush(p * 4096, 4096)
    return time.perf_counter() - t
def whole(n):
    dirty(n); t = time.perf_counter(); m.flush(); return time.perf_counter() - t
def sfr(n):
    pages = dirty(n); t = time.perf_counter()
    for p in pages: libc.sync_file_range(fd, p * 4096, 4096, 2)
    os.fdatasync(fd); return time.perf_counter() - t
for n in (1, 100, 1000):
    for name, f in (("msync span", span), ("msync per page", perpage), ("msync whole mapping", whole), ("sync_file_range(WRITE) per page + fdatasync", sfr)):
        ts = [f(n) for _ in range(max(3, reps // 3))]
        print("%5d pages %-45s median %.2f ms" % (n, name, statistics.median(ts) * 1e3))
m.close(); os.close(fd); os.unlink(path)
os.unlink(state)
try:
    os.rmdir(d)
except OSError:
    pass
