"""The tracer's cost: per-op gradient cost on tiny arrays, and Hessian-vector products.

(a) A chain of 500 elementwise ops on a length-10 vector and the Taylor-series sine at pi:
    gradient time per traced op, against the plain numpy forward evaluation of the same
    function, HIPS autograd, PyTorch eager, JAX eager, and the compilers mlkit.jit, jax.jit
    and torch.compile (peers when installed). (c) sums up each compiler: its replay's cost
    above numpy's forward, its speed-up over its own eager mode, and its first (recording
    and compiling) call.
(b) For a 2-layer MLP loss with ~100k parameters: the time of a Hessian-vector product as a
    multiple of the time of a gradient, eager and compiled, with the compiled HVP's first call.
(d) Where the compiled gradient's and HVP's time goes (``Jitted.profile``): their numpy calls
    by kind, GEMMs apart, and the replay's Python overhead.

Run: python benchmarks/engine_overhead.py
"""

import time

import common  # noqa: F401  (pins BLAS threads before numpy loads)
import numpy
from common import best_time, best_times_interleaved, blas_report, optional, table

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


def first_and_best(fn, number=1):
    """``(seconds of the first call, best seconds per call after it)`` of ``fn``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start, best_time(fn, number=number)


def jax_not_traceable(jax, thunk):
    """Run ``thunk``; None if jax.jit refused the function (Python control flow on a traced
    value, which JAX cannot record), else what ``thunk`` returned."""
    try:
        return thunk()
    except jax.errors.ConcretizationTypeError as error:
        print(f"(jax.jit cannot trace it: {type(error).__name__}, a Python branch on a traced "
              "value)")
        return None


def per_op_rows():
    x = numpy.linspace(-1.0, 1.0, 10)
    autograd, torch, jax = optional("autograd"), optional("torch"), optional("jax")
    cases = [(f"chain of {N_OPS} ops, n=10", chain, x, N_OPS),
             ("taylor_sine(pi)", taylor_sine, numpy.pi, count_taylor_ops())]
    rows, summary = [], []
    for label, fn, x0, n_ops in cases:
        numpy_time = best_time(lambda: fn(numpy, x0), number=5)
        grad_fn = mlkit.grad(lambda v: fn(mnp, v))
        mlkit_time = best_time(lambda: grad_fn(x0), number=5)
        jitted = mlkit.jit(mlkit.grad(lambda v: fn(mnp, v)))
        first_call, jit_time = first_and_best(lambda: jitted(x0), number=5)
        row = {"numpy forward": numpy_time, "mlkit grad": mlkit_time,
               "mlkit jit grad": jit_time, "mlkit jit first call": first_call}

        def compiled(engine, eager_time, jit_time, first_call, n_ops=n_ops, label=label):
            summary.append([label, engine, f"{(jit_time - numpy_time) / n_ops * 1e6:.2f}",
                            f"{eager_time / jit_time:.1f}", f"{first_call * 1e3:.1f}"])

        compiled("mlkit.jit", mlkit_time, jit_time, first_call)
        if autograd is not None:
            import autograd.numpy as anp

            ag = autograd.grad(lambda v: fn(anp, v))
            row["autograd grad"] = best_time(lambda: ag(x0), number=5)
        if torch is not None:
            tx = torch.tensor(x0, dtype=torch.float64)

            def torch_grad(f):
                v = tx.clone().requires_grad_(True)
                f(v).backward()
                return v.grad

            row["torch grad"] = best_time(lambda: torch_grad(lambda v: fn(torch, v)), number=5)
            graph = torch.compile(lambda v: fn(torch, v))
            first, row["torch.compile grad"] = first_and_best(lambda: torch_grad(graph), 5)
            compiled("torch.compile", row["torch grad"], row["torch.compile grad"], first)
        if jax is not None:
            import jax.numpy as jnp

            jx = jnp.asarray(x0, dtype=jnp.float64)
            jax_grad = jax.grad(lambda v: fn(jnp, v))
            row["jax grad"] = best_time(lambda: jax_grad(jx).block_until_ready(), number=2)
            jax_jit = jax.jit(jax_grad)
            timed = jax_not_traceable(
                jax, lambda: first_and_best(lambda: jax_jit(jx).block_until_ready(), 5))
            if timed is not None:
                first, row["jax.jit grad"] = timed
                compiled("jax.jit", row["jax grad"], row["jax.jit grad"], first)
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


def hvp_problem():
    """``(params, x, y_onehot, v)`` of the HVP benchmark."""
    rng = numpy.random.default_rng(0)
    d, hidden, k, n = 784, 128, 10, 256
    params = (rng.standard_normal((d, hidden)) * 0.05, numpy.zeros(hidden),
              rng.standard_normal((hidden, k)) * 0.05, numpy.zeros(k))
    x = rng.standard_normal((n, d))
    y = numpy.eye(k)[rng.integers(0, k, n)]
    return params, x, y, tuple(rng.standard_normal(p.shape) for p in params)


def profiles():
    """The profiles of the jitted gradient and HVP of (b), the fastest of ten calls each."""
    params, x, y, v = hvp_problem()

    def loss(p):
        return mlp_loss(mnp, p, x, y)

    jit_grad = mlkit.jit(mlkit.grad(loss))
    jit_hvp = mlkit.jit(mlkit.hessian_vector_product(loss))
    return [min((fn.profile(*args) for _ in range(10)), key=lambda report: report.replay)
            for fn, args in ((jit_grad, (params,)), (jit_hvp, (params, v)))]


def hvp_rows():
    params, x, y, v = hvp_problem()
    rows = []

    def row(engine, grad_call, hvp_call, first_call=None):
        # 20 rounds: a single slow spell of the shared machine can otherwise move a ratio
        # by 50% between runs (2.1 to 3.5 for the same eager HVP).
        t_grad, t_hvp = best_times_interleaved([grad_call, hvp_call], repeat=20)
        rows.append([engine, f"{t_grad * 1e3:.2f}", f"{t_hvp * 1e3:.2f}",
                     f"{t_hvp / t_grad:.2f}",
                     "" if first_call is None else f"{first_call * 1e3:.0f}"])

    def loss(p):
        return mlp_loss(mnp, p, x, y)

    grad_fn = mlkit.grad(loss)
    hvp_maker = mlkit.make_hvp(loss)
    hvp_fn = mlkit.hessian_vector_product(loss)
    row("mlkit make_hvp", lambda: grad_fn(params), lambda: hvp_maker(params)[0](v))
    row("mlkit hessian_vector_product", lambda: grad_fn(params), lambda: hvp_fn(params, v))

    jit_grad = mlkit.jit(grad_fn)
    jit_hvp = mlkit.jit(hvp_fn)
    first_call, _ = first_and_best(lambda: jit_hvp(params, v))
    row("mlkit jit hessian_vector_product", lambda: jit_grad(params),
        lambda: jit_hvp(params, v), first_call)

    autograd = optional("autograd")
    if autograd is not None:
        import autograd.numpy as anp

        ag_grad = autograd.grad(lambda p: mlp_loss(anp, p, x, y))
        ag_hvp = autograd.make_hvp(lambda p: mlp_loss(anp, p, x, y))  # its HVP of a tuple
        row("autograd make_hvp", lambda: ag_grad(params), lambda: ag_hvp(params)[0](v))

    torch = optional("torch")
    if torch is not None:
        tp = tuple(torch.tensor(p) for p in params)
        tx, ty = torch.tensor(x), torch.tensor(y)
        tv = tuple(torch.tensor(a) for a in v)

        def t_loss(p):
            w1, b1, w2, b2 = p
            logits = torch.tanh(tx @ w1 + b1) @ w2 + b2
            return -(torch.log_softmax(logits, dim=1) * ty).sum() / tx.shape[0]

        def torch_grad(f):
            ps = [p.clone().requires_grad_(True) for p in tp]
            return torch.autograd.grad(f(ps), ps)

        def torch_hvp():  # double backward, PyTorch's usual way in eager mode
            ps = [p.clone().requires_grad_(True) for p in tp]
            grads = torch.autograd.grad(t_loss(ps), ps, create_graph=True)
            dot = sum((g * u).sum() for g, u in zip(grads, tv))
            return torch.autograd.grad(dot, ps)

        row("torch", lambda: torch_grad(t_loss), torch_hvp)
        compiled_loss = torch.compile(t_loss)
        compiled_hvp = torch.compile(  # forward-over-reverse through torch.func
            lambda p, u: torch.func.jvp(torch.func.grad(t_loss), (p,), (u,))[1])
        first_call, _ = first_and_best(lambda: compiled_hvp(tp, tv))
        row("torch.compile", lambda: torch_grad(compiled_loss),
            lambda: compiled_hvp(tp, tv), first_call)

    jax = optional("jax")
    if jax is not None:
        import jax.numpy as jnp

        jp, jv = jax.tree.map(jnp.asarray, params), jax.tree.map(jnp.asarray, v)
        jx, jy = jnp.asarray(x), jnp.asarray(y)
        j_grad = jax.jit(jax.grad(lambda p: mlp_loss(jnp, p, jx, jy)))
        j_hvp = jax.jit(  # forward-over-reverse, JAX's recommended HVP
            lambda p, u: jax.jvp(jax.grad(lambda q: mlp_loss(jnp, q, jx, jy)), (p,), (u,))[1])
        first_call, _ = first_and_best(lambda: jax.block_until_ready(j_hvp(jp, jv)))
        row("jax.jit", lambda: jax.block_until_ready(j_grad(jp)),
            lambda: jax.block_until_ready(j_hvp(jp, jv)), first_call)
    return rows


def main():
    blas_report()
    print("(a) gradient cost per traced op (one core)")
    rows, summary = per_op_rows()
    table(rows, ["function", "contender", "us/op", "time / mlkit"])
    print()
    print("(b) Hessian-vector product vs gradient, 2-layer MLP, ~100k parameters")
    table(hvp_rows(), ["engine", "grad ms", "hvp ms", "hvp / grad", "compiled hvp first call ms"])
    print()
    print("(c) compiled gradients: replay above numpy's forward, speed-up over the same "
          "engine's eager mode, first call")
    table(summary, ["function", "compiler", "compiled - numpy us/op", "eager / compiled",
                    "first call ms"])
    print()
    print("(d) where the compiled gradient's and HVP's time goes (the MLP of (b))")
    for report in profiles():
        print(report)


if __name__ == "__main__":
    main()
