"""test_libkines_api - libkines's typed calls (src/client/ops_*.c) against a real kinesd, the
libkines consumer carrying on across expired iterators, and what libkines.so exports.

Both run the C program tests/unit/test_client_api_live.c (built as test_client_api_live in
$KINESD_BUILD_DIR); the expiry test moves kinesd's clock with the harness's LD_PRELOAD shim
(clock_shift_shim).
"""

import os
import shutil
import subprocess
import unittest

from kinesd_harness import KinesdTestCase, LineReader, clock_shift_shim

SIX_MINUTES_MS = 6 * 60 * 1000


def live_program():
    build = os.environ.get("KINESD_BUILD_DIR")
    path = os.path.join(build, "test_client_api_live") if build else None
    if not path or not os.path.exists(path):
        raise unittest.SkipTest("no test_client_api_live: set KINESD_BUILD_DIR")
    return path


class Exports(unittest.TestCase):
    """libkines.so exports the public kines_* functions and nothing else."""

    def test_only_the_public_api_is_exported(self):
        library = os.path.join(os.path.dirname(live_program()), "libkines.so")
        if not os.path.exists(library) or not shutil.which("nm"):
            self.skipTest("no libkines.so or no nm")
        listing = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True,
                                 text=True, check=True).stdout
        names = {line.split()[-1].split("@")[0] for line in listing.splitlines() if line.strip()}
        names.discard("KINES_0")  # the symbol version the API carries (test_libkines_link.py)
        self.assertEqual({n for n in names if not n.startswith("kines_")}, set())
        self.assertIn("kines_list_stream_consumers", names)
        self.assertNotIn("kines_mem_new", names)  # internal, though named kines_


class LibkinesApi(KinesdTestCase):

    def run_live(self, *args, **kwargs):
        env = dict(os.environ, KINES_TEST_ENDPOINT=self.server.endpoint)
        return subprocess.Popen([live_program()] + list(args), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, **kwargs)

    def test_every_new_call(self):
        proc = self.run_live()
        out, _ = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, out)
        self.assertIn("PASSED  ] 8 test(s)", out)

    def test_consumer_recovers_from_expired_iterators(self):
        shim = clock_shift_shim(self)
        self.create_stream("expiring")
        self.put_records("expiring", range(3))
        proc = self.run_live("consumer-expiry", "expiring", stdin=subprocess.PIPE)
        self.addCleanup(proc.kill)
        output = LineReader(proc.stdout)
        self.assertEqual(output.next(), "READ 3\n")

        self.assertEqual(self.server.stop(), 0)
        self.server.env = dict(ITEST_CLOCK_SHIFT_MS=str(SIX_MINUTES_MS), LD_PRELOAD=shim,
                               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
                               + ":verify_asan_link_order=0")
        self.server.restart()
        self.kinesis = self.server.client()
        self.put_records("expiring", range(3, 6))
        proc.stdin.write("go\n")
        proc.stdin.close()
        self.assertEqual(output.next(timeout_s=60), "READ 6\n")
        self.assertEqual(output.next(), None)
        self.assertEqual(proc.wait(60), 0)

    def put_records(self, stream, numbers):
        for n in numbers:
            self.kinesis.put_record(StreamName=stream, Data=b"r%d" % n, PartitionKey="k")


if __name__ == "__main__":
    unittest.main()
