/* Small helpers the command-line files share. */
#ifndef AG_CLI_UTIL_H
#define AG_CLI_UTIL_H
#include <stdio.h>
/* s as a JSON string literal (NULL prints ""). */
void ag_cli_json_str(FILE *f, const char *s);
/* 1 if the file at path starts with the HDF5 signature (an order library, a model). */
int ag_cli_is_hdf5(const char *path);
#endif
