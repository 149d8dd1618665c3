/*
 * g: the random scalar program of the AlphaGrad paper's benchmark
 * (NI = 15, NV = 105, NO = 20).  Unlike the other kernels it models nothing:
 * it is a randomly generated program, and its DAG (section "g" of
 * tests/data/paper_graphs.txt) is its definition.  This file transcribes that
 * DAG one statement per vertex, in the same order, so the traced graph equals
 * the reference vertex by vertex: vK here is vertex vK there, xJ is input xJ.
 * Every literal of the DAG is 1.0; arctan2 -> atan2, power -> pow (both
 * arguments traced), arctan -> atan, arctanh -> atanh, arcsin -> asin,
 * arcsinh -> asinh, square(x) -> x * x, negative(x) -> -x.
 *
 * The output order is that of the reference (output_vertices):
 * out[0] = v105, out[1] = v55, out[2] = v69, ..., out[19] = v104.
 *
 * The test point below was found by a random search so that every atanh and
 * asin argument lies in (-1, 1), every log argument and every pow base is
 * positive, and all outputs and Jacobian entries are finite.
 */
/* alphagrad-test-point: -0.36, -1.76, -2.99, 0.17, 0.69, 1.88, -0.63, 0.66, 1.09, 0.37, 4.33, 0.53, 2.98, 1.22, -3.99 */

#include <math.h>

void g(const double *in, double *out)
{
    const double x1 = in[0];
    const double x2 = in[1];
    const double x3 = in[2];
    const double x4 = in[3];
    const double x5 = in[4];
    const double x6 = in[5];
    const double x7 = in[6];
    const double x8 = in[7];
    const double x9 = in[8];
    const double x10 = in[9];
    const double x11 = in[10];
    const double x12 = in[11];
    const double x13 = in[12];
    const double x14 = in[13];
    const double x15 = in[14];

    const double v1 = atan2(1.0, x4);
    const double v2 = pow(1.0, x15);
    const double v3 = atan2(x14, v1);
    const double v4 = pow(v1, x6);
    const double v5 = x10 - x9;
    const double v6 = atan(x11);
    const double v7 = v5 * x1;
    const double v8 = v6 - v2;
    const double v9 = pow(v8, x12);
    const double v10 = v5 + x13;
    const double v11 = exp(x3);
    const double v12 = v5 + v10;
    const double v13 = pow(1.0, v1);
    const double v14 = sin(x4);
    const double v15 = x3 / v7;
    const double v16 = atan2(v8, v10);
    const double v17 = v13 - v9;
    const double v18 = atan(v17);
    const double v19 = x8 * v11;
    const double v20 = tan(x14);
    const double v21 = v11 + v3;
    const double v22 = x8 / x7;
    const double v23 = v9 - v18;
    const double v24 = v13 - x7;
    const double v25 = pow(v19, x5);
    const double v26 = cos(x1);
    const double v27 = v24 - v3;
    const double v28 = v25 / x8;
    const double v29 = v24 - x9;
    const double v30 = atan2(1.0, v27);
    const double v31 = x9 / v14;
    const double v32 = pow(v21, v20);
    const double v33 = pow(v31, v28);
    const double v34 = atan2(v29, v24);
    const double v35 = atan2(v28, x14);
    const double v36 = x5 / v18;
    const double v37 = atan2(v25, x2);
    const double v38 = atan2(v9, v37);
    const double v39 = x13 + v35;
    const double v40 = pow(x4, v32);
    const double v41 = v8 - v16;
    const double v42 = atanh(v32);
    const double v43 = atanh(v38);
    const double v44 = atan2(x3, v10);
    const double v45 = v36 - v2;
    const double v46 = cos(v22);
    const double v47 = x9 / v16;
    const double v48 = atan2(v26, v30);
    const double v49 = sinh(v20);
    const double v50 = v45 - v34;
    const double v51 = pow(x14, v23);
    const double v52 = pow(v21, v10);
    const double v53 = v52 - v27;
    const double v54 = log(v49);
    const double v55 = pow(v7, v42);
    const double v56 = atan2(v34, v53);
    const double v57 = v4 / v56;
    const double v58 = v25 * v40;
    const double v59 = v23 * v17;
    const double v60 = v45 * 1.0;
    const double v61 = pow(v50, v48);
    const double v62 = atan2(v37, v9);
    const double v63 = v43 - v44;
    const double v64 = atan2(v57, v25);
    const double v65 = v58 * v30;
    const double v66 = x6 * x6;
    const double v67 = atan2(v12, v46);
    const double v68 = atan2(v23, x10);
    const double v69 = x5 * x13;
    const double v70 = v41 / v40;
    const double v71 = atan2(v45, v47);
    const double v72 = asinh(x15);
    const double v73 = pow(v70, v67);
    const double v74 = asin(v50);
    const double v75 = v54 - v63;
    const double v76 = atan2(v21, v49);
    const double v77 = v51 * v61;
    const double v78 = pow(v71, v39);
    const double v79 = v33 * v33;
    const double v80 = v76 / v78;
    const double v81 = 1.0 + v79;
    const double v82 = v75 / v60;
    const double v83 = atanh(v30);
    const double v84 = v59 * v29;
    const double v85 = v84 / v12;
    const double v86 = v74 + v13;
    const double v87 = atan2(v64, v68);
    const double v88 = v4 - v75;
    const double v89 = v66 + v74;
    const double v90 = v86 / v87;
    const double v91 = pow(v59, v26);
    const double v92 = v52 * v46;
    const double v93 = v86 / x2;
    const double v94 = pow(v82, v85);
    const double v95 = -v84;
    const double v96 = v15 / v73;
    const double v97 = v89 / v92;
    const double v98 = v6 - v54;
    const double v99 = v90 * v28;
    const double v100 = v91 - v65;
    const double v101 = pow(v42, v99);
    const double v102 = v62 - v92;
    const double v103 = tan(v71);
    const double v104 = pow(v71, v32);
    const double v105 = v89 + v22;

    out[0] = v105;
    out[1] = v55;
    out[2] = v69;
    out[3] = v72;
    out[4] = v77;
    out[5] = v80;
    out[6] = v81;
    out[7] = v83;
    out[8] = v88;
    out[9] = v93;
    out[10] = v94;
    out[11] = v95;
    out[12] = v96;
    out[13] = v97;
    out[14] = v98;
    out[15] = v100;
    out[16] = v101;
    out[17] = v102;
    out[18] = v103;
    out[19] = v104;
}
