/* Included by macros.c: a header next to the kernel, read by the front end. */
#ifndef LOCAL_H
#define LOCAL_H
#define LOCAL_SCALE 0.5
#define CUBE(x)     ((x) * (x) * (x))
#endif
