"""The Python peers of `npm run bench -- --python`, run by bench/run.mjs in bench/.venv.

    python peers.py --dir D --sizes 1920x1080[,512x512] [--batch PREFIX --batch-shape 8,256,256,3]
                    [--kit-grad FILE] [--stubs DIR] [--budget-ms B --min-runs M --max-runs X]
    python peers.py --self-check [--stubs DIR]

Reads the raw RGBA pairs bench/inputs.mjs wrote (D/WxH.ref.rgba, D/WxH.dist.rgba)
and the float32 loss batch bench/python/batch.mjs wrote (PREFIX.pred.f32,
PREFIX.target.f32, NHWC), times each peer like bench/util.mjs `measure`, and
prints one JSON line: {"versions": ..., "threads": ..., "rows": [...]}.
The parent sets OMP/MKL/OPENBLAS_NUM_THREADS=1; torch and OpenCV are pinned
to one thread here as well.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def measure(f, budget_ms=1500, min_runs=3, max_runs=15, slow_ms=2000):
    """bench/util.mjs `measure`: a warm-up call, then runs filling the budget; median ms."""
    s = time.perf_counter()
    value = f()
    warm = (time.perf_counter() - s) * 1000
    n = min(max(round(budget_ms / max(warm, 1e-3)), min_runs, 1), max(max_runs, min_runs, 1))
    times = [warm] if warm > slow_ms else []
    while len(times) < n:
        s = time.perf_counter()
        value = f()
        times.append((time.perf_counter() - s) * 1000)
    return {"ms": sorted(times)[len(times) >> 1], "n": len(times), "times": times, "value": value}


def import_peers(stubs):
    if stubs:
        import cuda_stubs

        cuda_stubs.load(stubs)
    import cv2
    import pytorch_msssim
    import skimage
    import torch
    from importlib.metadata import version

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    cv2.setNumThreads(1)
    versions = {p: version(p) for p in ("numpy", "scipy", "scikit-image", "opencv-python-headless", "torch", "pytorch-msssim")}
    versions["python"] = sys.version.split()[0]
    threads = {"torch": torch.get_num_threads(), "torch_interop": torch.get_num_interop_threads(), "cv2": cv2.getNumThreads(),
               "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}}
    return cv2, pytorch_msssim, skimage, torch, versions, threads


def read_pair(d, w, h):
    def read(kind):
        b = np.fromfile(Path(d) / f"{w}x{h}.{kind}.rgba", dtype=np.uint8)
        if b.size != w * h * 4:
            raise SystemExit(f"peers.py: {kind} of {w}x{h} has {b.size} bytes, expected {w * h * 4}")
        # RGB without alpha, contiguous: made once, outside the timings.
        return np.ascontiguousarray(b.reshape(h, w, 4)[:, :, :3])

    return read("ref"), read("dist")


def opencv_ssim(cv2, a, b, dtype):
    """The recipe of OpenCV's docs (videoio tutorial, getMSSISM): GaussianBlur 11x11, sigma 1.5, on the five
    moments, per channel. GaussianBlur pads with BORDER_REFLECT_101; the map is cropped by 5 pixels on every
    side before the mean, so only windows inside the image count: what ssimkit (and scikit-image) compute."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    i1, i2 = a.astype(dtype), b.astype(dtype)
    blur = lambda m: cv2.GaussianBlur(m, (11, 11), 1.5)
    mu1, mu2 = blur(i1), blur(i2)
    mu1_2, mu2_2, mu1_mu2 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    s1 = blur(i1 * i1) - mu1_2
    s2 = blur(i2 * i2) - mu2_2
    s12 = blur(i1 * i2) - mu1_mu2
    ssim_map = ((2 * mu1_mu2 + c1) * (2 * s12 + c2)) / ((mu1_2 + mu2_2 + c1) * (s1 + s2 + c2))
    # cv::mean accumulates in double: so does this.
    return float(ssim_map[5:-5, 5:-5].mean(axis=(0, 1), dtype=np.float64).mean())


def size_rows(mods, d, w, h, policy):
    cv2, pm, skimage, torch = mods
    from skimage.metrics import structural_similarity

    a, b = read_pair(d, w, h)
    ta = torch.from_numpy(a).permute(2, 0, 1)[None].float().contiguous()
    tb = torch.from_numpy(b).permute(2, 0, 1)[None].float().contiguous()
    size = f"{w}x{h}"
    peers = [
        ("scikit-image", "ssim",
         "structural_similarity(channel_axis=2, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, "
         "data_range=255): float64, valid windows (reflect-padded, then cropped by 5), mean over R, G, B",
         lambda: float(structural_similarity(a, b, channel_axis=2, gaussian_weights=True, sigma=1.5,
                                             use_sample_covariance=False, data_range=255))),
        ("OpenCV float32", "ssim",
         "OpenCV docs' recipe: GaussianBlur 11x11/1.5 on the five moments, float32, map cropped by 5 (valid windows), "
         "mean over R, G, B",
         lambda: opencv_ssim(cv2, a, b, np.float32)),
        ("OpenCV float64", "ssim", "the same recipe in float64", lambda: opencv_ssim(cv2, a, b, np.float64)),
        ("pytorch-msssim ssim", "ssim",
         "ssim(data_range=255, size_average=True, win 11/1.5) on [1,3,H,W] float32, CPU: valid windows, mean over R, G, B",
         lambda: float(pm.ssim(ta, tb, data_range=255, size_average=True, win_size=11, win_sigma=1.5))),
        ("pytorch-msssim ms_ssim", "msssim",
         "ms_ssim(data_range=255, size_average=True, win 11/1.5) on [1,3,H,W] float32, CPU: 5 scales, avg_pool2d 2x2 "
         "(zero-padded on odd sizes), relu on cs",
         lambda: float(pm.ms_ssim(ta, tb, data_range=255, size_average=True, win_size=11, win_sigma=1.5))),
    ]
    rows = []
    for impl, case, computes, f in peers:
        r = measure(f, **policy)
        rows.append({"size": size, "impl": impl, "case": case, "computes": computes, "ms": r["ms"], "n": r["n"], "value": r["value"]})
        print(f"  python {impl} {size}: {r['ms']:.1f} ms (n={r['n']})", file=sys.stderr)
    return rows


def batch_rows(mods, prefix, shape, kit_grad, policy):
    """1 - ssim(pred, target) on the NHWC float32 batch in [0, 1], as NCHW for torch (data_range 1, as ssimLoss)."""
    torch, pm = mods[3], mods[1]
    n, h, w, c = shape

    def read(kind):
        v = np.fromfile(f"{prefix}.{kind}.f32", dtype="<f4")
        if v.size != n * h * w * c:
            raise SystemExit(f"peers.py: {prefix}.{kind}.f32 has {v.size} floats, expected {n * h * w * c}")
        return torch.from_numpy(v.reshape(n, h, w, c)).permute(0, 3, 1, 2).contiguous()

    pred, target = read("pred").requires_grad_(True), read("target")

    def forward_backward():
        pred.grad = None
        loss = 1 - pm.ssim(pred, target, data_range=1.0, size_average=True, win_size=11, win_sigma=1.5)
        loss.backward()
        return float(loss.detach())

    def forward():
        with torch.no_grad():
            return float(1 - pm.ssim(pred, target, data_range=1.0, size_average=True, win_size=11, win_sigma=1.5))

    size = "x".join(map(str, shape))
    rows = []
    for impl, case, f in (("torch autograd (pytorch-msssim)", "ssimLoss-batch+grad", forward_backward),
                          ("torch forward (pytorch-msssim)", "ssimLoss-batch", forward)):
        r = measure(f, **policy)
        row = {"size": size, "impl": impl, "case": case,
               "computes": "loss = 1 - ssim(pred, target, data_range=1) on [N,3,H,W] float32, CPU"
                           + (", loss.backward() (grad of pred)" if case.endswith("+grad") else ", under torch.no_grad()"),
               "ms": r["ms"], "n": r["n"], "value": r["value"]}
        if case.endswith("+grad"):
            forward_backward()
            g = pred.grad.permute(0, 2, 3, 1).contiguous().numpy().astype(np.float64)  # back to NHWC, ssimkit's layout
            row["gradMaxAbs"] = float(np.abs(g).max())
            if kit_grad and Path(kit_grad).exists():
                k = np.fromfile(kit_grad, dtype="<f4").astype(np.float64)
                if k.size == g.size:
                    row["gradMaxAbsDiff"] = float(np.abs(k - g.reshape(-1)).max())
        rows.append(row)
        print(f"  python {impl} {size}: {r['ms']:.1f} ms (n={r['n']})", file=sys.stderr)
    return rows


def self_check(mods):
    """What setup.mjs runs once after installing: every peer imports and computes on the CPU."""
    cv2, pm, skimage, torch = mods
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1), requires_grad=True)
    loss = 1 - pm.ssim(x, x.detach() * 0.5, data_range=1.0)
    loss.backward()
    assert x.grad is not None and torch.isfinite(x.grad).all(), "torch autograd gave no finite gradient"
    assert not torch.cuda.is_available(), "torch sees a GPU: the CUDA stubs were not what it loaded"
    assert float(torch.ones(2).sum()) == 2.0
    a = (np.arange(64 * 64 * 3) % 251).astype(np.uint8).reshape(64, 64, 3)
    assert abs(opencv_ssim(cv2, a, a, np.float32) - 1) < 1e-6
    from skimage.metrics import structural_similarity

    assert structural_similarity(a, a, channel_axis=2, data_range=255) == 1.0
    return {"loss": float(loss.detach())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir")
    ap.add_argument("--sizes", default="")
    ap.add_argument("--batch")
    ap.add_argument("--batch-shape", default="8,256,256,3")
    ap.add_argument("--kit-grad")
    ap.add_argument("--stubs")
    ap.add_argument("--budget-ms", type=float, default=1500)
    ap.add_argument("--min-runs", type=int, default=3)
    ap.add_argument("--max-runs", type=int, default=7)
    ap.add_argument("--self-check", action="store_true")
    o = ap.parse_args()
    cv2, pm, skimage, torch, versions, threads = import_peers(o.stubs)
    mods = (cv2, pm, skimage, torch)
    if o.self_check:
        print(json.dumps({"versions": versions, "threads": threads, "selfCheck": self_check(mods)}))
        return
    policy = {"budget_ms": o.budget_ms, "min_runs": o.min_runs, "max_runs": o.max_runs}
    rows = []
    for s in filter(None, o.sizes.split(",")):
        w, h = map(int, s.split("x"))
        rows += size_rows(mods, o.dir, w, h, policy)
    if o.batch:
        rows += batch_rows(mods, o.batch, [int(v) for v in o.batch_shape.split(",")], o.kit_grad, policy)
    print(json.dumps({"versions": versions, "threads": threads, "rows": rows}))


if __name__ == "__main__":
    main()
