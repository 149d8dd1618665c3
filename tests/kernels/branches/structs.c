// range: 0.5 1.5
/* States passed as structs, as most flux code does: a primitive state, a conserved state with
   an array member, nested structs, arrays of structs, pointers to structs, struct results,
   designated initializers, enums for indices, and a struct chosen by a branch on data. */
#include <math.h>

enum { RHO, MOM, ENERGY, NCOMP };
typedef enum { LEFT = 0, RIGHT = 1 } Side;

typedef struct {
  double rho, u, p;
} Prim;

struct Cons {
  double q[NCOMP];
};

typedef struct {
  Prim w[2]; /* left and right */
  struct Cons f;
  double smax;
} Face;

static const double gam = 1.4;

static struct Cons to_cons(Prim s) {
  struct Cons c;
  c.q[RHO] = s.rho;
  c.q[MOM] = s.rho * s.u;
  c.q[ENERGY] = s.p / (gam - 1) + 0.5 * s.rho * s.u * s.u;
  return c;
}

static double sound(const Prim *s) { return sqrt(gam * s->p / s->rho); }

static struct Cons phys_flux(const Prim *s) {
  struct Cons c = to_cons(*s), f;
  f.q[RHO] = c.q[MOM];
  f.q[MOM] = c.q[MOM] * s->u + s->p;
  f.q[ENERGY] = (c.q[ENERGY] + s->p) * s->u;
  return f;
}

/* Rusanov flux; the upwind state by a branch on data, as a struct */
static void rusanov(Face *fc) {
  const Prim *l = &fc->w[LEFT], *r = &fc->w[RIGHT];
  double sl = fabs(l->u) + sound(l), sr = fabs(r->u) + sound(r);
  fc->smax = sl > sr ? sl : sr;
  struct Cons fl = phys_flux(l), fr = phys_flux(r), ql = to_cons(*l), qr = to_cons(*r);
  for (int k = 0; k < NCOMP; k++)
    fc->f.q[k] = 0.5 * (fl.q[k] + fr.q[k]) - 0.5 * fc->smax * (qr.q[k] - ql.q[k]);
}

void structs(const double *in, double *out) {
  Face fc = {.w = {{in[0], in[1] - 1.0, in[2]}, {.rho = in[3], .u = 1.0 - in[4], .p = in[5]}}};
  rusanov(&fc);
  for (int k = 0; k < NCOMP; k++)
    out[k] = fc.f.q[k];
  Side s = RIGHT;
  Prim up = fc.w[LEFT].u + fc.w[RIGHT].u > 0 ? fc.w[LEFT] : fc.w[s];
  out[3] = up.rho * up.u;
  Prim copy = up;
  copy.p *= 2;
  out[4] = copy.p + fc.smax;
}
