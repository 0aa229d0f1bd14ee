/* args.c - flag and positional parsing for kinesctl (see args.h). */
#include "args.h"

#include <string.h>

#define GLOBAL_VALUE_FLAGS "endpoint-url region profile output"
#define GLOBAL_SWITCH_FLAGS "help debug no-color"

/* Whether `name` (n bytes) is one of the space-separated words of list. */
static bool in_list(const char *list, const char *name, size_t n)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len;
        p += strspn(p, " ");
    }
    return false;
}

static int add_flag(cli_args *out, const char *name, const char *value, kbuf *error)
{
    if (out->flag_count == ARGS_MAX_FLAGS) {
        kbuf_puts(error, "too many options");
        return -1;
    }
    out->flag_names[out->flag_count] = name;
    out->flag_values[out->flag_count] = value;
    out->flag_count++;
    return 0;
}

static int parse_flag(int argc, char **argv, int *i, const char *value_flags,
                      const char *switch_flags, cli_args *out, kbuf *error)
{
    char *name = argv[*i] + 2;
    char *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    bool takes_value = in_list(value_flags, name, n) || in_list(GLOBAL_VALUE_FLAGS, name, n);
    bool is_switch = in_list(switch_flags, name, n) || in_list(GLOBAL_SWITCH_FLAGS, name, n);
    if (!takes_value && !is_switch) {
        kbuf_printf(error, "unknown option --%.*s", (int)n, name);
        return -1;
    }
    if (eq)
        *eq = '\0';
    if (is_switch) {
        if (eq) {
            kbuf_printf(error, "option --%s takes no value", name);
            return -1;
        }
        return add_flag(out, name, "", error);
    }
    if (eq)
        return add_flag(out, name, eq + 1, error);
    if (*i + 1 >= argc) {
        kbuf_printf(error, "option --%s needs a value", name);
        return -1;
    }
    return add_flag(out, name, argv[++*i], error);
}

int args_parse(int argc, char **argv, const char *value_flags, const char *switch_flags,
               cli_args *out, kbuf *error)
{
    memset(out, 0, sizeof *out);
    bool only_positional = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_positional && strcmp(a, "--") == 0) {
            only_positional = true;
        } else if (!only_positional && strcmp(a, "-h") == 0) {
            add_flag(out, "help", "", error);
        } else if (!only_positional && strncmp(a, "--", 2) == 0) {
            if (parse_flag(argc, argv, &i, value_flags, switch_flags, out, error) != 0)
                return -1;
        } else if (out->positional_count < ARGS_MAX_POSITIONAL) {
            out->positional[out->positional_count++] = a;
        } else {
            kbuf_printf(error, "too many arguments (at '%s')", a);
            return -1;
        }
    }
    return 0;
}

const char *args_value(const cli_args *a, const char *name)
{
    const char *found = NULL;
    for (int i = 0; i < a->flag_count; i++)
        if (strcmp(a->flag_names[i], name) == 0)
            found = a->flag_values[i]; /* the last one wins */
    return found;
}

bool args_has(const cli_args *a, const char *name)
{
    return args_value(a, name) != NULL;
}
