"""The tracer's cost: per-op gradient cost on tiny arrays, and Hessian-vector products.

(a) A chain of 500 elementwise ops on a length-10 vector and the Taylor-series sine at pi:
    gradient time per traced op, against the plain numpy forward evaluation of the same
    function, HIPS autograd and PyTorch eager (when installed).
    mlkit.jit's rows replay the recorded gradient program; its first call (recording and
    compiling) is reported too, and (c) sums up the replay's cost above numpy's forward.
(b) For a 2-layer MLP loss with ~100k parameters: the time of a Hessian-vector product as a
    multiple of the time of a gradient, for mlkit (eager and jitted), autograd and PyTorch.

Run: python benchmarks/engine_overhead.py
"""

import time

import common  # noqa: F401  (pins BLAS threads before numpy loads)
import numpy
from common import best_time, optional, table

import mlkit
import mlkit.numpy as mnp

N_OPS = 500


def chain(np, x):
    """500 elementwise ops, cycling through five kinds."""
    for _ in range(N_OPS // 5):
        x = np.sin(x)
        x = x * 1.5
        x = np.tanh(x)
        x = x + 0.25
        x = np.exp(x)
    return np.sum(x)


def taylor_sine(np, x):
    total = term = x
    k = 0
    while np.abs(term) > 0.001:
        term = -term * x**2 / ((2 * k + 3) * (2 * k + 2))
        total = total + term
        k += 1
    return total


def count_taylor_ops():
    """Traced ops in taylor_sine(pi): counted by the loop length (4 arithmetic ops per term)."""
    total = term = numpy.pi
    k = 0
    while abs(term) > 0.001:
        term = -term * numpy.pi**2 / ((2 * k + 3) * (2 * k + 2))
        total += term
        k += 1
    return 6 * k + 1


def per_op_rows():
    x = numpy.linspace(-1.0, 1.0, 10)
    autograd = optional("autograd")
    torch = optional("torch")
    cases = [("chain of 500 ops, n=10", chain, x, N_OPS),
             ("taylor_sine(pi)", taylor_sine, numpy.pi, count_taylor_ops())]
    rows, summary = [], []
    for label, fn, x0, n_ops in cases:
        numpy_time = best_time(lambda: fn(numpy, x0), number=5)
        grad_fn = mlkit.grad(lambda v: fn(mnp, v))
        mlkit_time = best_time(lambda: grad_fn(x0), number=5)
        jitted = mlkit.jit(mlkit.grad(lambda v: fn(mnp, v)))
        start = time.perf_counter()
        jitted(x0)
        first_call = time.perf_counter() - start
        jit_time = best_time(lambda: jitted(x0), number=5)
        row = {"numpy forward": numpy_time, "mlkit grad": mlkit_time,
               "mlkit jit grad": jit_time, "mlkit jit first call": first_call}
        summary.append([label, f"{(jit_time - numpy_time) / n_ops * 1e6:.2f}",
                        f"{mlkit_time / jit_time:.1f}", f"{first_call * 1e3:.1f}"])
        if autograd is not None:
            import autograd.numpy as anp

            ag = autograd.grad(lambda v: fn(anp, v))
            row["autograd grad"] = best_time(lambda: ag(x0), number=5)
        if torch is not None:
            tx = torch.tensor(x0, dtype=torch.float64)

            def torch_grad():
                v = tx.clone().requires_grad_(True)
                fn(torch, v).backward()
                return v.grad

            row["torch grad"] = best_time(torch_grad, number=5)
        for name, seconds in row.items():
            rows.append([label, name, f"{seconds / n_ops * 1e6:.2f}",
                         f"{seconds / mlkit_time:.2f}"])
    return rows, summary


def mlp_loss(np, params, x, y_onehot):
    w1, b1, w2, b2 = params
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(log_probs * y_onehot) / x.shape[0]


def hvp_rows():
    rng = numpy.random.default_rng(0)
    d, hidden, k, n = 784, 128, 10, 256
    params = (rng.standard_normal((d, hidden)) * 0.05, numpy.zeros(hidden),
              rng.standard_normal((hidden, k)) * 0.05, numpy.zeros(k))
    x = rng.standard_normal((n, d))
    y = numpy.eye(k)[rng.integers(0, k, n)]
    v = tuple(rng.standard_normal(p.shape) for p in params)
    rows = []

    grad_fn = mlkit.grad(lambda p: mlp_loss(mnp, p, x, y))
    hvp_maker = mlkit.make_hvp(lambda p: mlp_loss(mnp, p, x, y))
    t_grad = best_time(lambda: grad_fn(params))
    t_hvp = best_time(lambda: hvp_maker(params)[0](v))
    rows.append(["mlkit", f"{t_grad * 1e3:.2f}", f"{t_hvp * 1e3:.2f}", f"{t_hvp / t_grad:.2f}"])

    jit_grad = mlkit.jit(grad_fn)
    jit_hvp = mlkit.jit(lambda p, u: hvp_maker(p)[0](u))
    t_grad = best_time(lambda: jit_grad(params))
    t_hvp = best_time(lambda: jit_hvp(params, v))
    rows.append(["mlkit jit", f"{t_grad * 1e3:.2f}", f"{t_hvp * 1e3:.2f}",
                 f"{t_hvp / t_grad:.2f}"])

    autograd = optional("autograd")
    if autograd is not None:
        import autograd.numpy as anp

        ag_grad = autograd.grad(lambda p: mlp_loss(anp, p, x, y))
        ag_hvp = autograd.make_hvp(lambda p: mlp_loss(anp, p, x, y))
        t_grad = best_time(lambda: ag_grad(params))
        t_hvp = best_time(lambda: ag_hvp(params)[0](v))
        rows.append(["autograd", f"{t_grad * 1e3:.2f}", f"{t_hvp * 1e3:.2f}",
                     f"{t_hvp / t_grad:.2f}"])

    torch = optional("torch")
    if torch is not None:
        tp = [torch.tensor(p) for p in params]
        tx, ty = torch.tensor(x), torch.tensor(y)
        tv = [torch.tensor(a) for a in v]

        def t_loss(w1, b1, w2, b2):
            logits = torch.tanh(tx @ w1 + b1) @ w2 + b2
            return -(torch.log_softmax(logits, dim=1) * ty).sum() / tx.shape[0]

        def torch_grad():
            ps = [p.clone().requires_grad_(True) for p in tp]
            return torch.autograd.grad(t_loss(*ps), ps)

        def torch_hvp():
            ps = [p.clone().requires_grad_(True) for p in tp]
            grads = torch.autograd.grad(t_loss(*ps), ps, create_graph=True)
            dot = sum((g * u).sum() for g, u in zip(grads, tv))
            return torch.autograd.grad(dot, ps)

        t_grad = best_time(torch_grad)
        t_hvp = best_time(torch_hvp)
        rows.append(["torch", f"{t_grad * 1e3:.2f}", f"{t_hvp * 1e3:.2f}",
                     f"{t_hvp / t_grad:.2f}"])
    return rows


def main():
    print("(a) gradient cost per traced op (one BLAS thread)")
    rows, summary = per_op_rows()
    table(rows, ["function", "contender", "us/op", "time / mlkit"])
    print()
    print("(b) Hessian-vector product vs gradient, 2-layer MLP, ~100k parameters")
    table(hvp_rows(), ["engine", "grad ms", "hvp ms", "hvp / grad"])
    print()
    print("(c) mlkit.jit: replayed gradient above numpy's forward, speed-up over eager, first call")
    table(summary, ["function", "jit - numpy us/op", "eager / jit", "first call ms"])


if __name__ == "__main__":
    main()
