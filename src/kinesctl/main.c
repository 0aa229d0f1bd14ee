/* main.c - the kinesctl binary: everything lives in src/cli (kcli_main). */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return kcli_main(argc, argv);
}
