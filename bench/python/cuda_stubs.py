"""Stand-ins for the CUDA libraries that PyPI's Linux torch wheel links against.

PyPI has one torch wheel for Linux x86_64 and it is a CUDA build: its
libtorch_cuda.so, libtorch_python.so (and libtorch_cpu.so, for cupti/cudart)
name libcudart, libcublas, libcudnn, NCCL, ... as DT_NEEDED, which pip would
bring in as ~3 GB of nvidia-* wheels. The benchmark runs torch on the CPU
only, so no CUDA function is ever called for real: the loader just has to
find a library of each name defining each symbol (with its version node),
and the static constructors that register CUDA kernels have to return.

    python cuda_stubs.py OUT_DIR   # writes and compiles OUT_DIR/<soname> stubs

The stubs are generated from the installed torch (nm -D, readelf -d) and
compiled with the host's `cc`. Every stub function returns 100
(cudaErrorNoDevice / CUDA_ERROR_NO_DEVICE: "no GPU" for anything that asks),
the error-string getters return a message, and the `__cuda*` registration
hooks return NULL. peers.py loads them (load()) before `import torch`, so
torch.cuda.is_available() is False and every tensor stays on the CPU.
"""
import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path


def torch_libs():
    import importlib.util

    spec = importlib.util.find_spec("torch")
    if spec is None:
        raise SystemExit("cuda_stubs: torch is not installed in this interpreter")
    root = Path(spec.origin).parent
    return sorted(p for p in list((root / "lib").glob("*.so*")) + list(root.glob("_C*.so")) if p.is_file())


def needed(lib):
    out = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def symbols(lib, defined):
    """{(name, version or None)} of the dynamic symbols: strong undefined ones, or the defined ones."""
    flag = "--defined-only" if defined else "--undefined-only"
    out = subprocess.run(["nm", "-D", flag, str(lib)], capture_output=True, text=True, check=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        kind, name = parts[-2], parts[-1]
        if not defined and kind != "U":  # weak references may stay unresolved
            continue
        name, _, version = name.partition("@")
        syms.add((name, version.lstrip("@") or None))
    return syms


def loadable(soname):
    try:
        ctypes.CDLL(soname)
        return True
    except OSError:
        return False


def plan():
    """{soname: (version node or None, [symbol names])} for every missing library."""
    libs = torch_libs()
    own = {p.name for p in libs}
    missing = sorted({n for p in libs for n in needed(p) if n not in own and not loadable(n)})
    defined = {name for p in libs for name, _ in symbols(p, True)}
    present = [ctypes.CDLL(None)] + [ctypes.CDLL(n) for p in libs for n in needed(p) if n not in own and n not in missing]
    versioned, plain = {}, set()
    for p in libs:
        for name, version in symbols(p, False):
            if name in defined:
                continue
            if version is None:
                if not any(hasattr(h, name) for h in present):
                    plain.add(name)
            elif version in missing or not any(hasattr(h, name) for h in present):
                versioned.setdefault(version, set()).add(name)
    stubs = {s: (None, set()) for s in missing}
    for version, names in versioned.items():
        owner = [s for s in missing if s == version] or [s for s in missing if version.lower() in s.lower()]
        if len(owner) != 1:
            raise SystemExit(f"cuda_stubs: cannot tell which of {missing} defines version {version}")
        stubs[owner[0]] = (version, names)
    # Unversioned references: every stub without a version node carries them all.
    for s, (version, names) in stubs.items():
        if version is None:
            names |= plain
    return stubs


def write(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for soname, (version, names) in sorted(plan().items()):
        c = ['static const char message[] = "CUDA stub (ssimkit bench): no GPU here";']
        for n in sorted(names):
            if n.startswith("__cuda"):
                c.append(f"void *{n}(void) {{ return 0; }}")
            elif re.search(r"GetError(String|Name)$|GetErrorString", n):
                c.append(f"const char *{n}(void) {{ return message; }}")
            else:
                c.append(f"int {n}(void) {{ return 100; }}")
        src = out / f"{soname}.c"
        src.write_text("\n".join(c) + "\n")
        cmd = ["cc", "-shared", "-fPIC", "-O0", "-fno-builtin", f"-Wl,-soname,{soname}", "-o", str(out / soname), str(src)]
        if version:
            vs = out / f"{soname}.map"
            vs.write_text(f"{version} {{ global: {' '.join(n + ';' for n in sorted(names))} local: *; }};\n" if names else f"{version} {{ local: *; }};\n")
            cmd.insert(-1, f"-Wl,--version-script,{vs}")
        subprocess.run(cmd, check=True)
        made.append(f"{soname} ({len(names)} symbols{', version ' + version if version else ''})")
    return made


def load(stub_dir):
    """dlopen every stub, so torch's DT_NEEDED names resolve to them."""
    for p in sorted(Path(stub_dir).iterdir()):
        if p.suffix not in (".c", ".map"):
            ctypes.CDLL(str(p))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python cuda_stubs.py OUT_DIR")
    for line in write(sys.argv[1]):
        print(f"cuda stub: {line}")
