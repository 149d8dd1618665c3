// expect unsupported: 3: conversion to int is not differentiable
void k(const double *in, double *out) {
  int n = in[0] * 2.0;
  out[0] = n;
}
