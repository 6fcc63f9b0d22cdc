#!/usr/bin/env python3
# Reference trajectories for tests/test_task_pole.c, written apart from engine/task_pole.c:
# Wieland's double-pole equations and the Numerical Recipes RK4 as in Stanley's NEAT code
# (CartPole::step and CartPole::rk4), one RK4 step of TAU = 0.01 s per call.
import math

GRAVITY = -9.8
MASSCART = 1.0
MASSPOLE_1 = 0.1
LENGTH_1 = 0.5     # half length
MASSPOLE_2 = 0.01
LENGTH_2 = 0.05    # half length
MUP = 0.000002
TAU = 0.01


def step(force, st):
    """Derivatives of st under a force in newtons (Stanley's step() takes the action;
    the force it derives from it is passed here directly)."""
    costheta_1 = math.cos(st[2])
    sintheta_1 = math.sin(st[2])
    gsintheta_1 = GRAVITY * sintheta_1
    costheta_2 = math.cos(st[4])
    sintheta_2 = math.sin(st[4])
    gsintheta_2 = GRAVITY * sintheta_2
    ml_1 = LENGTH_1 * MASSPOLE_1
    ml_2 = LENGTH_2 * MASSPOLE_2
    temp_1 = MUP * st[3] / ml_1
    temp_2 = MUP * st[5] / ml_2
    fi_1 = (ml_1 * st[3] * st[3] * sintheta_1) + \
        (0.75 * MASSPOLE_1 * costheta_1 * (temp_1 + gsintheta_1))
    fi_2 = (ml_2 * st[5] * st[5] * sintheta_2) + \
        (0.75 * MASSPOLE_2 * costheta_2 * (temp_2 + gsintheta_2))
    mi_1 = MASSPOLE_1 * (1 - (0.75 * costheta_1 * costheta_1))
    mi_2 = MASSPOLE_2 * (1 - (0.75 * costheta_2 * costheta_2))
    d = [0.0] * 6
    d[0] = st[1]
    d[1] = (force + fi_1 + fi_2) / (mi_1 + mi_2 + MASSCART)
    d[2] = st[3]
    d[3] = -0.75 * (d[1] * costheta_1 + gsintheta_1 + temp_1) / LENGTH_1
    d[4] = st[5]
    d[5] = -0.75 * (d[1] * costheta_2 + gsintheta_2 + temp_2) / LENGTH_2
    return d


def rk4(force, y, dydx):
    hh = TAU * 0.5
    h6 = TAU / 6.0
    yt = [y[i] + hh * dydx[i] for i in range(6)]
    dyt = step(force, yt)
    yt = [y[i] + hh * dyt[i] for i in range(6)]
    dym = step(force, yt)
    yt = [y[i] + TAU * dym[i] for i in range(6)]
    dym = [dym[i] + dyt[i] for i in range(6)]
    dyt = step(force, yt)
    return [y[i] + h6 * (dydx[i] + dyt[i] + 2.0 * dym[i]) for i in range(6)]


CASES = [
    # name, start state, force (N)
    ("classic_push", [0.0, 0.0, 0.07, 0.0, 0.0, 0.0], 10.0),
    ("classic_free", [0.0, 0.0, 0.07, 0.0, 0.0, 0.0], 0.0),
    ("moving_pull", [0.3, -0.4, -0.05, 0.2, 0.04, -0.3], -7.5),
]
CHECKPOINTS = [1, 10, 50, 100]

if __name__ == "__main__":
    for name, start, force in CASES:
        st = list(start)
        print("\t/* %s: start {%s}, force %r N */" % (name, ", ".join(repr(v) for v in start),
                                                   force))
        for k in range(1, CHECKPOINTS[-1] + 1):
            st = rk4(force, st, step(force, st))
            if k in CHECKPOINTS:
                v = ["%.17g" % x for x in st]
                print("\t{ %3d, { %s,\n\t\t%s } }," % (k, ", ".join(v[:3]), ", ".join(v[3:])))
