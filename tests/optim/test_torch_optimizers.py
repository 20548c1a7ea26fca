"""NAdam, RAdam, Adamax and Adadelta against PyTorch 2.13 over 60 steps, in float64 and float32,
with weight decay (L2 and decoupled) and their other options; then in fit, jit and eager, over
Groups and under a schedule cycling beta1, resumed bit for bit."""

import numpy as np
import pytest

from mlkit import nn, optim
from mlkit.train import ModelCheckpoint, fit, load_arrays

VARIANTS = {
    "nadam": ("NAdam", {"lr": 0.05}),
    "nadam-decay": ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    "nadam-decoupled": ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True,
                                  "betas": (0.8, 0.99)}),
    "nadam-maximize": ("NAdam", {"lr": 0.05, "maximize": True, "eps": 1e-3}),
    "radam": ("RAdam", {"lr": 0.05}),
    "radam-decay": ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "betas": (0.8, 0.9)}),
    "radam-decoupled": ("RAdam", {"lr": 0.05, "weight_decay": 0.1,
                                  "decoupled_weight_decay": True, "betas": (0.8, 0.9)}),
    "radam-maximize": ("RAdam", {"lr": 0.05, "maximize": True, "eps": 1e-3}),
    "adamax": ("Adamax", {"lr": 0.05}),
    "adamax-decay": ("Adamax", {"lr": 0.05, "weight_decay": 0.1, "betas": (0.8, 0.99)}),
    "adamax-maximize": ("Adamax", {"lr": 0.05, "maximize": True, "eps": 1e-3}),
    "adadelta": ("Adadelta", {}),
    "adadelta-decay": ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}),
    "adadelta-maximize": ("Adadelta", {"maximize": True, "eps": 1e-4}),
}
STEPS = 60
# PyTorch's parameters (w then b) after 60 steps, printed by a script outside the repository
# (float64 under a float64 default dtype, so NAdam's mu_product is float64 there too).
TORCH_AFTER_60 = {
    ("nadam", "float64"): """
        0.32293948128797206 -0.16349097958538225 0.75279439467760301 0.18486642395998021
        0.17335715090598336 0.050651363269958387 0.40879724085394509 -0.42636588869825998
        0.27817027534983901
    """,
    ("nadam", "float32"): """
        0.322939456 -0.163491175 0.752794206 0.184866473 0.173357159 0.0506513603 0.408797324
        -0.42636621 0.278170288
    """,
    ("nadam-decay", "float64"): """
        0.30805404294513899 -0.15171216637045215 0.72755468646004595 0.17784318425539414
        0.16404340719775509 0.053539994942039898 0.39013017416802709 -0.41120056343101385
        0.26683443481840124
    """,
    ("nadam-decay", "float32"): """
        0.30805406 -0.151712194 0.727554739 0.177843228 0.164043486 0.0535399131 0.390130103
        -0.411200792 0.266834468
    """,
    ("nadam-decoupled", "float64"): """
        0.27710523887453242 -0.062963612737007305 0.57689028411262833 0.15009806464234351
        0.12836693775733515 0.049702497464820847 0.33831415599675785 -0.24810599913108636
        0.24122936670354292
    """,
    ("nadam-decoupled", "float32"): """
        0.277105391 -0.0629636347 0.576890469 0.1500981 0.128367007 0.0497025587 0.338314265
        -0.248106003 0.241229311
    """,
    ("nadam-maximize", "float64"): """
        1.735077252034849 -4.1660981721930952 4.6061975629150673 -1.2411310962585484
        1.0911568360883337 -2.9713841572601041 3.101879435259363 -4.7681413129714523
        -0.028923554611722899
    """,
    ("nadam-maximize", "float32"): """
        1.73507798 -4.16609907 4.6061964 -1.24113107 1.09115756 -2.97138357 3.10188055
        -4.76814127 -0.0289235227
    """,
    ("radam", "float64"): """
        0.40999410310505063 -0.55795608723264623 1.0966957370353443 0.093001154267057129
        0.23176861935467127 -0.20713949207907836 0.64830103753434165 -0.81107391775566495
        0.24850577871503993
    """,
    ("radam", "float32"): """
        0.409994125 -0.5579561 1.09669626 0.0930011496 0.231768563 -0.207139418 0.648301363
        -0.811073899 0.248505801
    """,
    ("radam-decay", "float64"): """
        0.29748087824836605 -0.08881829713050117 0.61462332606350811 0.18611876173016956
        0.22164370920648901 0.050508516703374556 0.3915752173599647 -0.22156336144286842
        0.25302061801289188
    """,
    ("radam-decay", "float32"): """
        0.297480762 -0.0888183415 0.614623189 0.186118782 0.221643686 0.0505085178 0.391575128
        -0.221563414 0.253020674
    """,
    ("radam-decoupled", "float64"): """
        0.24740366291629576 -0.048701608127199938 0.49336109552897273 0.16133750264763275
        0.18549668492488133 0.050592580831840178 0.319873457416606 -0.14981829898246452
        0.2169275183665263
    """,
    ("radam-decoupled", "float32"): """
        0.247403711 -0.0487016588 0.493361354 0.161337495 0.185496703 0.0505925715 0.319873512
        -0.14981854 0.216927588
    """,
    ("radam-maximize", "float64"): """
        0.64243451789674588 -2.7690643959993642 3.1973104139648698 -0.14892536299936046
        0.40943905655957713 -1.3801469943429532 1.5116494760010639 -3.5675218320747484
        0.23525477706831943
    """,
    ("radam-maximize", "float32"): """
        0.642434537 -2.76906514 3.19730997 -0.148925334 0.409439147 -1.38014686 1.51164925
        -3.56752205 0.235254869
    """,
    ("adamax", "float64"): """
        0.30710818417907043 -0.52553483030966697 1.035092879984874 0.19456063798309911
        0.21169555966419015 -0.070270045072518786 0.47836887422657154 -0.86344455192702307
        0.28003940797258869
    """,
    ("adamax", "float32"): """
        0.307108104 -0.525534928 1.03509295 0.194560617 0.211695522 -0.0702700466 0.478368759
        -0.863444984 0.280039549
    """,
    ("adamax-decay", "float64"): """
        0.30200915876670148 -0.52911382558077269 1.0402790603620768 0.18136193568736225
        0.20191492753173354 -0.094419208007030964 0.48232354994074972 -0.8609540519343668
        0.27620876709402559
    """,
    ("adamax-decay", "float32"): """
        0.302009195 -0.529113948 1.04027879 0.181361914 0.201914936 -0.0944191962 0.482323647
        -0.860954225 0.276208758
    """,
    ("adamax-maximize", "float64"): """
        1.0136085763480618 -2.8377182746220719 3.3249498275906118 -0.51997682782022703
        0.63131806822840597 -1.7254451610558328 1.9231112721813661 -3.4668557698161719
        0.062052383001730646
    """,
    ("adamax-maximize", "float32"): """
        1.01360857 -2.83771873 3.32494974 -0.519976914 0.631318033 -1.72544491 1.9231118
        -3.466856 0.0620523319
    """,
    ("adadelta", "float64"): """
        0.47215770053432521 -1.3530895181372407 1.8579286287824011 0.030892429302568972
        0.24974259012473424 -0.58952112719056515 0.91664386478712401 -1.8410546549596951
        0.260748613182051
    """,
    ("adadelta", "float32"): """
        0.472157806 -1.35309017 1.85792875 0.0308924299 0.249742448 -0.58952111 0.916643918
        -1.84105504 0.260748595
    """,
    ("adadelta-decay", "float64"): """
        0.48876811430596473 -1.450756462188197 1.9520573868771276 0.011064254777638918
        0.28676479319106762 -0.66429989668291656 0.97126213711309606 -1.9453638073045227
        0.2513914493335131
    """,
    ("adadelta-decay", "float32"): """
        0.488768041 -1.45075595 1.95205772 0.0110642612 0.28676489 -0.664300144 0.971262157
        -1.94536376 0.251391351
    """,
    ("adadelta-maximize", "float64"): """
        1.7531943414596771 -3.6318353144438031 4.2024092775939801 -1.3014823114674732
        1.8151924930315264 -2.8617724482532769 2.7789511881307574 -4.1951661177179389
        -0.043715270932737832
    """,
    ("adadelta-maximize", "float32"): """
        1.75319397 -3.63183427 4.20240831 -1.3014816 1.81519139 -2.86177301 2.77895021
        -4.19516611 -0.0437151641
    """,
}
# The largest differences measured: 1.6e-14 relative in float64 (adadelta-maximize, which
# grows; 3.4e-15 elsewhere), 7.5e-6 in float32 (adadelta-maximize; 2.6e-6 elsewhere): PyTorch's
# lerp and addcmul round in another order (a fused multiply-add), and float32 rounds each step.
RTOL = {"float64": 5e-14, "float32": 2e-5}


def _start(dtype):
    return {"w": np.array([[0.5, -1.5, 2.0], [0.0, 0.3, -0.7]], dtype),
            "b": np.array([1.0, -2.0, 0.25], dtype)}


def _gradient(p, t):
    """Computed in float64 from the parameter, then cast to its dtype (as in the script)."""
    x = p.astype(np.float64)
    return (2.0 * x - 0.5 + 0.3 * t * np.cos(np.arange(x.size) + t).reshape(x.shape)
            ).astype(p.dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_sixty_steps_are_pytorchs(variant, dtype):
    cls, options = VARIANTS[variant]
    opt = getattr(optim, cls)(**options)
    params = _start(dtype)
    for t in range(1, STEPS + 1):
        params = opt.step(params, {key: _gradient(p, t) for key, p in params.items()})
    assert all(p.dtype == dtype for p in params.values())
    assert all(v.dtype == dtype for k, v in opt.state_dict().items() if k.count(".") > 1
               and not k.endswith(".step"))
    got = np.concatenate([params["w"].ravel(), params["b"]])
    torch = np.array(TORCH_AFTER_60[variant, dtype].split(), dtype=np.float64)
    np.testing.assert_allclose(got, torch, rtol=RTOL[dtype], atol=0)


def test_radam_steps_without_its_adaptive_term_until_the_variance_is_known():
    """rho_t > 5 from step 6 with beta2 = 0.999: five plain bias-corrected momentum steps."""
    opt = optim.RAdam(lr=0.1)
    param = np.array([1.0])
    for t in range(1, 7):
        before = param.copy()
        param = opt.step(param, np.array([2.0]))
        if t <= 5:
            assert param - before == pytest.approx(-0.1 * 2.0, rel=1e-12)
    assert abs(param - before) < 0.1 * 2.0 * 0.1  # rectified: far smaller


def _data(n=70):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, 4))
    return X, (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(np.int64)


def _model(dtype=np.float64):
    return nn.Sequential(nn.Linear(4, 6, rng=1, dtype=dtype), nn.Tanh(),
                         nn.Linear(6, 2, rng=3, dtype=dtype))


def _loss(model, X, y, w):
    return nn.cross_entropy(model(X), y, weight=w)


MAKE = {
    "nadam": lambda: optim.Groups([("layers.0", optim.NAdam(0.02, weight_decay=0.01))],
                                  rest=optim.NAdam(0.05, decoupled_weight_decay=True,
                                                   weight_decay=0.01)),
    "radam": lambda: optim.RAdam(0.05, weight_decay=0.01),
    "adamax": lambda: optim.Adamax(0.05),
    "adadelta": lambda: optim.Adadelta(1.0, weight_decay=0.01),
}


def _fit(name, epochs, jit, resume=None, callbacks=(), dtype=np.float64):
    X, y = _data()
    model = _model(dtype)
    opt = MAKE[name]()
    schedule = (optim.CyclicLR(opt, max_lr=0.1, step_size_up=3) if name != "adadelta"
                else optim.StepLR(opt, step_size=2, gamma=0.5))
    history = fit(model, _loss, opt, X.astype(dtype), y, epochs=epochs, batch_size=16, seed=5,
                  schedule=schedule, jit=jit, resume=resume, callbacks=list(callbacks))
    return [(row["train_loss"], row["grad_norm"]) for row in history.rows], model.state_dict()


@pytest.mark.parametrize("name", list(MAKE))
def test_fit_jit_and_eager_agree_and_a_resumed_fit_ends_as_the_straight_one(name, tmp_path):
    rows, state = _fit(name, 6, jit=True)
    eager_rows, eager_state = _fit(name, 6, jit=False)
    assert rows == eager_rows and rows[-1][0] < rows[0][0]
    _fit(name, 3, jit=False, callbacks=[ModelCheckpoint(tmp_path)])
    resumed_rows, resumed_state = _fit(name, 6, jit=True, resume=load_arrays(tmp_path / "last.npz"))
    assert resumed_rows == rows
    for key in state:
        np.testing.assert_array_equal(state[key], eager_state[key])
        np.testing.assert_array_equal(state[key], resumed_state[key])


@pytest.mark.parametrize("name", list(MAKE))
def test_fit_in_float32_keeps_float32(name):
    rows, state = _fit(name, 2, jit=True, dtype=np.float32)
    assert all(value.dtype == np.float32 for value in state.values())
    assert np.isfinite(rows[-1][0])


def test_a_cycled_beta1_moves_nadams_momentum_product_as_it_steps():
    """mu_product is state, each step's factor from the beta1 of that step."""
    opt = optim.NAdam(lr=0.1, momentum_decay=0.004)
    schedule = optim.CyclicLR(opt, max_lr=0.2, step_size_up=2, base_momentum=0.5,
                              max_momentum=0.9)
    params, product = {"w": np.zeros(3)}, 1.0
    for t in range(1, 6):
        beta1 = opt.betas[0]
        product *= beta1 * (1.0 - 0.5 * 0.96 ** (t * 0.004))
        params = opt.step(params, {"w": np.ones(3)})
        schedule.step()
        np.testing.assert_allclose(opt.state_dict()["state.w.mu_product"], product, rtol=1e-15)
    assert opt.betas[0] != 0.9


@pytest.mark.parametrize("cls, options, message", [
    (optim.NAdam, {"momentum_decay": -1.0}, "NAdam: momentum_decay must be"),
    (optim.NAdam, {"decoupled_weight_decay": "yes"}, "NAdam: decoupled_weight_decay must be"),
    (optim.RAdam, {"betas": (0.9, 1.0)}, r"RAdam: betas\[1\] must be"),
    (optim.Adamax, {"eps": -1.0}, "Adamax: eps must be"),
    (optim.Adadelta, {"rho": 1.5}, "Adadelta: rho must be"),
])
def test_bad_options_are_refused_by_name(cls, options, message):
    with pytest.raises((TypeError, ValueError), match=message):
        cls(**options)


def test_pytorchs_defaults():
    assert optim.NAdam().lr == 2e-3 and optim.NAdam().betas == (0.9, 0.999)
    assert (optim.NAdam().momentum_decay, optim.RAdam().lr, optim.Adamax().lr) == (4e-3, 1e-3, 2e-3)
    assert (optim.Adadelta().lr, optim.Adadelta().rho, optim.Adadelta().eps) == (1.0, 0.9, 1e-6)
    assert not optim.RAdam().decoupled_weight_decay and optim.RAdam().betas == (0.9, 0.999)
