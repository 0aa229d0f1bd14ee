/* profile.c - INI lookup in the AWS shared configuration files (see profile.h). */
#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/oom.h"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* "[ name ]" -> "name" in place; NULL when the line is not a section header. */
static char *section_name(char *line)
{
    if (*line != '[')
        return NULL;
    char *end = strrchr(line, ']');
    if (!end)
        return NULL;
    *end = '\0';
    return trim(line + 1);
}

char *ini_lookup(const char *path, const char *section, const char *key)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return NULL;
    char line[4096];
    bool in_section = false;
    char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        char *s = trim(line);
        char *name = section_name(s);
        if (name) {
            in_section = strcmp(name, section) == 0;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in_section || !eq || *s == '#' || *s == ';')
            continue;
        *eq = '\0';
        if (strcmp(trim(s), key) == 0)
            found = oom_strdup(trim(eq + 1));
    }
    fclose(f);
    return found;
}

static char *shared_path(const char *env_name, const char *file)
{
    const char *override = getenv(env_name);
    if (override && *override)
        return oom_strdup(override);
    const char *home = getenv("HOME");
    if (!home)
        return NULL;
    kbuf b = KBUF_INIT;
    kbuf_printf(&b, "%s/.aws/%s", home, file);
    return kbuf_detach(&b);
}

char *profile_credentials_path(void)
{
    return shared_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
}

char *profile_config_path(void)
{
    return shared_path("AWS_CONFIG_FILE", "config");
}

char *profile_value(const char *name, const char *key, bool from_credentials)
{
    char *path = from_credentials ? profile_credentials_path() : profile_config_path();
    kbuf section = KBUF_INIT;
    if (from_credentials || strcmp(name, "default") == 0)
        kbuf_puts(&section, name);
    else
        kbuf_printf(&section, "profile %s", name);
    char *value = ini_lookup(path, section.data, key);
    kbuf_free(&section);
    free(path);
    return value;
}
