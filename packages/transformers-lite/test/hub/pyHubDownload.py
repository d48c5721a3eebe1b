"""What huggingface_hub's hf_hub_download does around one blob, for hub.test.ts's Python tests.

    pyHubDownload.py LOCK BLOB URL

Takes LOCK as huggingface_hub does (`with WeakFileLock(lock_path)`, i.e. filelock's FileLock:
flock(2) on `<cache>/.locks/models--org--name/<etag>.lock`), then `_download_to_tmp_and_move`:
nothing if BLOB exists, else URL appended to `BLOB.incomplete` (resumed from its size) and renamed
to BLOB. Prints `impl ...`, `waiting` when the lock is busy, `locked`, then `skipped` or
`downloaded N`. huggingface_hub itself is not packaged for Debian 12; filelock is (python3-filelock):
without it, the lock is filelock's UnixFileLock written out with the standard library.
"""

import fcntl
import os
import sys
import time
import urllib.request

lock_path, blob_path, url = sys.argv[1:4]


def say(line):
    print(line, flush=True)


try:
    import filelock

    say(f"impl filelock {filelock.__version__}")

    def acquire():
        lock = filelock.FileLock(lock_path)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            say("waiting")
            lock.acquire()
        return lock.release
except ImportError:
    say("impl fcntl (filelock's UnixFileLock: O_RDWR|O_CREAT|O_TRUNC, flock LOCK_EX)")

    def acquire():
        announced = False
        while True:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                if not announced:
                    say("waiting")
                    announced = True
                time.sleep(0.05)
                continue

            def release():
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

            return release


os.makedirs(os.path.dirname(lock_path), exist_ok=True)
os.makedirs(os.path.dirname(blob_path), exist_ok=True)
release = acquire()
say("locked")
try:
    if os.path.exists(blob_path):
        say("skipped")
    else:
        incomplete = blob_path + ".incomplete"
        with open(incomplete, "ab") as f:
            start = f.tell()
            headers = {"Range": f"bytes={start}-"} if start else {}
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as res:
                while True:
                    chunk = res.read(16384)
                    if not chunk:
                        break
                    f.write(chunk)
        os.replace(incomplete, blob_path)
        say(f"downloaded {os.path.getsize(blob_path)}")
finally:
    release()
