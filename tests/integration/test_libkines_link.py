"""test_libkines_link.py - libkines as a library other programs link.

libkines.a defines no global symbol but its kines_ API, so a program with its own log_msg,
base64_decode, json_int, kbuf_append or uuid_v4 links it statically and both are used; libkines.so
exports the same API with the symbol version KINES_0; a program built with the options' _INIT
macros (struct_size set) and one that leaves struct_size 0 both work against a real kinesd.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from kinesd_harness import KinesdTestCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROGRAM = r"""
#include <stdio.h>
#include <string.h>
#include <kines/kines.h>

/* the program's own names, the ones libkines uses inside */
int log_msg(const char *s) { return (int)strlen(s); }
int base64_decode(int x) { return x + 1; }
double json_int(double x) { return x * 2; }
void kbuf_append(void) {}
const char *uuid_v4(void) { return "mine"; }

int main(int argc, char **argv)
{
    kines_options opts = KINES_OPTIONS_INIT;
    opts.endpoint_url = argv[1];
    opts.region = "us-east-1";
    opts.access_key_id = "AKIDEXAMPLE";
    opts.secret_access_key = "secret";
    kines_options legacy = {0}; /* struct_size 0: this version's layout */
    legacy.endpoint_url = argv[1];
    legacy.region = "us-east-1";
    legacy.access_key_id = "AKIDEXAMPLE";
    legacy.secret_access_key = "secret";
    for (int i = 0; i < 2; i++) {
        kines_error err;
        kines_client *c = kines_client_new(i ? &legacy : &opts, &err);
        kines_string_list names;
        if (!c || kines_list_streams(c, &names, &err) != 0) {
            printf("error %s %s\n", err.type, err.message);
            return 1;
        }
        printf("streams %zu\n", names.count);
        kines_string_list_free(&names);
        kines_client_free(c);
    }
    printf("own %d %d %.0f %s\n", log_msg("abc"), base64_decode(1), json_int(2), uuid_v4());
    return argc == 2 ? 0 : 1;
}
"""


def pkg_libs():
    """What a program linking libkines.a needs beside it (the sanitizers in the ASan build)."""
    done = subprocess.run(["pkg-config", "--libs", "libcurl", "json-c", "sqlite3", "libpcre2-8",
                           "libcrypto"], capture_output=True, text=True, check=True)
    sanitized = os.environ.get("KINESD_SANITIZED", "").lower() in ("1", "true", "on")
    return done.stdout.split() + ["-lpthread", "-lm"] + \
        (["-fsanitize=address,undefined"] if sanitized else [])


class LibkinesLinkTest(KinesdTestCase):
    @classmethod
    def setUpClass(cls):
        build = os.environ.get("KINESD_BUILD_DIR", os.path.join(ROOT, "build"))
        cls.archive = os.path.join(build, "libkines.a")
        cls.shared = os.path.join(build, "libkines.so")
        if not os.path.exists(cls.archive) or not shutil.which("cc"):
            raise unittest.SkipTest("no libkines.a or no C compiler")
        super().setUpClass()

    def test_archive_defines_only_the_api(self):
        done = subprocess.run(["nm", "-g", "--defined-only", self.archive], capture_output=True,
                              text=True, check=True)
        names = [line.split()[2] for line in done.stdout.splitlines() if len(line.split()) == 3]
        self.assertGreater(len(names), 50)
        self.assertEqual([n for n in names if not n.startswith("kines_")], [])

    def test_shared_library_versions_its_symbols(self):
        done = subprocess.run(["objdump", "-T", self.shared], capture_output=True, text=True,
                              check=True)
        exported = [line for line in done.stdout.splitlines() if " .text" in line and " g " in line]
        self.assertGreater(len(exported), 50)
        for line in exported:
            self.assertIn("KINES_0", line)
            self.assertTrue(line.split()[-1].startswith("kines_"), line)

    def test_static_link_beside_the_programs_own_names(self):
        tmp = tempfile.mkdtemp(prefix="kinesd-link-")
        self.addCleanup(shutil.rmtree, tmp, True)
        src, exe = os.path.join(tmp, "prog.c"), os.path.join(tmp, "prog")
        with open(src, "w") as f:
            f.write(PROGRAM)
        done = subprocess.run(["cc", "-std=c11", "-Wall", "-o", exe, src, "-I",
                               os.path.join(ROOT, "include"), self.archive] + pkg_libs(),
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        run = subprocess.run([exe, self.server.endpoint], capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertEqual(run.stdout.splitlines(), ["streams 0", "streams 0", "own 3 2 4 mine"])


if __name__ == "__main__":
    unittest.main()
