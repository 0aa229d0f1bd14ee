/* profile.h - reading the AWS shared files (~/.aws/credentials and ~/.aws/config).
 *
 * Both are INI files: "[section]" lines, then "key = value" lines; '#' and ';' start comments.
 * The credentials file names sections after the profile ("[dev]"), the config file prefixes them
 * ("[profile dev]"), except for "[default]". */
#ifndef KINES_CLIENT_PROFILE_H
#define KINES_CLIENT_PROFILE_H

#include <stdbool.h>

/* The value of `key` in section `section` of the INI file at path (malloc'd), or NULL. */
char *ini_lookup(const char *path, const char *section, const char *key);

/* Paths of the shared files: the AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE overrides, else
 * under $HOME/.aws. Returned strings are malloc'd (NULL without HOME). */
char *profile_credentials_path(void);
char *profile_config_path(void);

/* `key` for profile `name`: from the credentials file when from_credentials, else the config file
 * (where the section is "profile NAME" except for "default"). malloc'd or NULL. */
char *profile_value(const char *name, const char *key, bool from_credentials);

#endif
