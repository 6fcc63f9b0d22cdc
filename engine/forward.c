/*
 * Forward passes: a prepared dynamic network walks its plan node by node (the code the GPU
 * kernel runs too, engine/step.h); a static perceptron runs its layers with OpenBLAS over a
 * batch of inputs (one row per episode).
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "engine/engine.h"
#include "engine/step.h"

/* act[] has n_nodes entries; inputs are in[0..n_in), the bias is 1 (engine/step.h, shared
   with the GPU kernel) */
void net_forward_dynamic(const struct net *n, const float *in, float *act, float *out)
{
	struct plan_view v;

	step_plan_view(&v, n);
	step_forward_plan(&v, in, act, out);
}

/* y[rows x n_out] = act(x[rows x n_in] * W^T + b), W stored n_out x n_in row-major */
static void dense(const float *x, int rows, int n_in, const float *w, const float *b,
		  int n_out, float *y, int hidden_layer)
{
	int r, j;

	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n_out, n_in,
		    1.0f, x, n_in, w, n_in, 0.0f, y, n_out);
	for (r = 0; r < rows; r++)
		for (j = 0; j < n_out; j++) {
			float v = y[r * n_out + j] + b[j];

			y[r * n_out + j] = hidden_layer ? tanhf(v) : step_sigmoid(v);
		}
}

/* out[rows x n_out] for a batch of rows inputs; tmp holds 2 * rows * hidden floats */
void net_forward_static(const struct net *n, const float *in, int rows, float *tmp, float *out)
{
	struct mlp_shape s;
	const float *w = n->weights;
	float *h1 = tmp, *h2 = tmp + (size_t)rows * n->hidden;

	mlp_shape_of(&s, n->n_in, n->hidden, n->n_out);
	dense(in, rows, (int)s.n_in, w + s.w1, w + s.b1, (int)s.hidden, h1, 1);
	dense(h1, rows, (int)s.hidden, w + s.w2, w + s.b2, (int)s.hidden, h2, 1);
	dense(h2, rows, (int)s.hidden, w + s.w3, w + s.b3, (int)s.n_out, out, 0);
}
