/* Small helpers the command-line files share. */
#ifndef AG_CLI_UTIL_H
#define AG_CLI_UTIL_H
#include <stdio.h>
/* s as a JSON string literal (NULL prints ""). */
void ag_cli_json_str(FILE *f, const char *s);
/* s for a terminal line: control characters (newlines, escapes) as \xNN, so a string read
   from a file cannot forge lines or drive the terminal; into buf (n bytes), returned. */
const char *ag_cli_safe(const char *s, char *buf, size_t n);
/* Starts MPI when `wanted` (a portfolio) or when the process was started by mpiexec;
   *rank and *size are 0 and 1 otherwise. Returns 1 when MPI was started (the caller
   finalises it). */
int ag_cli_mpi_start(int wanted, int *argc, char ***argv, int *rank, int *size);
/* 1 if the file at path starts with the HDF5 signature (an order library, a model). */
int ag_cli_is_hdf5(const char *path);
#endif
