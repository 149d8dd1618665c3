/* Where shipped data (order libraries, network models) is found. The directories, in order:
   $AG_DATA_DIR alone when it is set; otherwise <prefix>/share/alphagrad next to the running
   binary (the directory above the program's or the library's own directory), then the
   build-time list AG_DATA_DIRS (the source tree's hdf5-data/, the configured install prefix). */
#ifndef AG_DATADIR_H
#define AG_DATADIR_H

#include <stddef.h>

/* The list, ':'-separated, into dirs. anchor: an address inside the shared library whose
   install prefix counts (the plugin passes one of its functions); NULL: the running program
   (/proc/self/exe). */
void ag_data_dirs(const void *anchor, char *dirs, size_t n);
/* The first readable DIR/rel of the list into path: 1 found, 0 not (path empty). */
int ag_data_find(const void *anchor, const char *rel, char *path, size_t n);

#endif
