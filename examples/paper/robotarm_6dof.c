/*
 * RobotArm_6DOF: forward kinematics of a six-axis industrial robot arm,
 * one of the scalar benchmark tasks of the AlphaGrad paper
 * (NI = 6, NV = 114, NO = 6).
 *
 *   in  = (t1, ..., t6)              joint angles
 *   out = (px, py, pz, z, y_, z__)   tool-centre-point position and the
 *                                    Tait-Bryan (z-y-z) angles of the tool
 *
 * Denavit-Hartenberg lengths (mm): a1 = 175, a2 = 890, a3 = 50,
 * d1 = 575, d4 = 1035, d6 = 185.
 *
 * ci = cos(ti), si = sin(ti); joints 2 and 3 are parallel, so t3 enters only
 * through c23 = cos(t2 + t3) and s23 = sin(t2 + t3), expanded with the
 * addition theorems.  As in the benchmark, every sub-expression is
 * recomputed where it is written again (no common-subexpression elimination):
 * c23 and s23 use their own cos/sin evaluations, the approach vector is
 * recomputed inside px and py, and so on.  The traced graph then equals the
 * reference DAG vertex by vertex.  py uses "+ c1*s4" where ay has "- c1*s4",
 * as in the benchmark's definition.
 */
/* alphagrad-test-point: 0.3, 0.5, -0.4, 0.7, 0.9, -0.6 */

#include <math.h>

/* Denavit-Hartenberg parameters */
static const double a1 = 175.0;
static const double a2 = 890.0;
static const double a3 = 50.0;
static const double d1 = 575.0;
static const double d4 = 1035.0;
static const double d6 = 185.0;

void RobotArm_6DOF(const double *in, double *out)
{
    const double t1 = in[0], t2 = in[1], t3 = in[2];
    const double t4 = in[3], t5 = in[4], t6 = in[5];

    double c1 = cos(t1), c2 = cos(t2), c4 = cos(t4), c5 = cos(t5), c6 = cos(t6);
    double c23 = cos(t2) * cos(t3) - sin(t2) * sin(t3); /* cos(t2 + t3) */
    double s1 = sin(t1), s2 = sin(t2), s4 = sin(t4), s5 = sin(t5), s6 = sin(t6);
    double s23 = cos(t2) * sin(t3) + sin(t2) * cos(t3); /* sin(t2 + t3) */

    /* approach vector a = third column of the tool orientation */
    double ax = s5 * (c1 * c23 * c4 + s1 * s4) + c1 * s23 * c5;
    double ay = s5 * (s1 * c23 * c4 - c1 * s4) + s1 * s23 * c5;
    double az = s23 * c4 * s5 - c23 * c5;
    /* z components of the normal and orientation vectors */
    double nz = c6 * (c23 * s5 + s23 * c4 * c5) - s23 * s4 * s6;
    double oz = -s6 * (c23 * s5 + s23 * c4 * c5) - s23 * s4 * c6;

    /* Tait-Bryan angles */
    double z = atan2(ay, ax);
    double y_ = atan2(sqrt(1.0 - az * az), az);
    double z__ = atan2(oz, -nz);

    /* tool-centre-point position: wrist centre plus d6 along the approach vector */
    double px = d6 * (s5 * (c1 * c23 * c4 + s1 * s4) + c1 * s23 * c5)
              + c1 * (a1 + a2 * c2 + a3 * c23 + d4 * s23);
    double py = d6 * (s5 * (s1 * c23 * c4 + c1 * s4) + s1 * s23 * c5)
              + s1 * (a1 + a2 * c2 + a3 * c23 + d4 * s23);
    double pz = a2 * s2 + d1 + a3 * s23 - d4 * c23 + d6 * (s23 * c4 * s5 - c23 * c5);

    out[0] = px;
    out[1] = py;
    out[2] = pz;
    out[3] = z;
    out[4] = y_;
    out[5] = z__;
}
