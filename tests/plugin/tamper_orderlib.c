/* Test helper: damages order libraries the way the plugin must refuse them.
     tamper_orderlib cost LIB.h5     every entry's cost attribute + 1 (an order for "another
                                     graph": the stored cost no longer fits the order)
     tamper_orderlib foreign FILE.h5 a valid HDF5 file that is not an order library */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

static herr_t bump_cost(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)info;
  (void)data;
  hid_t gr = H5Gopen2(g, name, H5P_DEFAULT);
  hid_t a = H5Aopen(gr, "cost", H5P_DEFAULT);
  long long c = 0;
  H5Aread(a, H5T_NATIVE_LLONG, &c);
  c += 1;
  H5Awrite(a, H5T_NATIVE_LLONG, &c);
  H5Aclose(a);
  H5Gclose(gr);
  printf("tampered %s: cost now %lld\n", name, c);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: tamper_orderlib cost|foreign FILE.h5\n");
    return 2;
  }
  if (!strcmp(argv[1], "foreign")) {
    hid_t f = H5Fcreate(argv[2], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = 4;
    double v[4] = {1, 2, 3, 4};
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t ds = H5Dcreate2(f, "pressure", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(ds);
    H5Sclose(sp);
    return H5Fclose(f) < 0;
  }
  hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0) return 1;
  hid_t gs = H5Gopen2(f, "graphs", H5P_DEFAULT);
  H5Literate(gs, H5_INDEX_NAME, H5_ITER_INC, NULL, bump_cost, NULL);
  H5Gclose(gs);
  return H5Fclose(f) < 0;
}
