#!/usr/bin/env python3
"""Writes a Windows-like directory tree for the benchmark's base image.

    gen_tree.py <out-dir> <hive> [--scale S] [--bytes-scale B] [--seed N]

Deterministic for a given scale and seed. At scale 1: 30,800 files (33,800 in
the image, counting hard links) and
1.15 GiB, a realistic mix (many small files, a few thousand medium ones, a
few dozen large ones), content partly compressible (4 KiB pieces, some
random, some text-like, some structured binary), ~3,000 hard links
(WinSxS-style), deep paths, registry hives from <hive>. A few well-known
paths the benchmark pipeline touches are always there:

    Windows/System32/config/SOFTWARE, SYSTEM   (copies of <hive>)
    Users/Default/NTUSER.DAT                   (copy of <hive>)
    Windows/Web/...                            (the directory the recipe deletes)
    Windows/Setup/Scripts/...                  (what the recipe's run step edits)
"""
import argparse
import os
import random
import shutil
import sys

GiB = 1 << 30
PIECE = 4096

WORDS = (b"the of and to in is for on that with by this from as are be at or "
         b"an it was not can will have has which all their more other been "
         b"windows system driver service registry component manifest version "
         b"culture neutral processor amd64 x86 wow64 token public key policy "
         b"assembly identity dependency file hash algorithm sha256 digest value "
         b"microsoft corporation copyright reserved rights error warning info "
         b"setting default enabled disabled start type group tag image path").split()


def make_pools(rng):
    rand = rng.randbytes(32 << 20)
    # Text-like: words, punctuation and line breaks (compresses ~3-4x).
    out = bytearray()
    while len(out) < (8 << 20):
        line = b" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
        out += b"<" + line + b"/>\r\n" if rng.random() < 0.3 else line + b".\r\n"
    text = bytes(out)
    # Structured binary: PE-like tables, small integers, zero runs (~5x).
    out = bytearray()
    while len(out) < (8 << 20):
        kind = rng.random()
        if kind < 0.4:
            out += bytes(rng.randint(0, 64))
        elif kind < 0.8:
            base = rng.randint(0, 1 << 24)
            for i in range(rng.randint(4, 32)):
                out += (base + i * rng.choice((4, 8, 16))).to_bytes(4, "little")
        else:
            out += rng.randbytes(rng.randint(8, 64))
    struct = bytes(out)
    return rand, text, struct


class Content:
    """File content from pools: each file gets its own mix of pieces."""

    def __init__(self, rng):
        self.rng = rng
        self.rand, self.text, self.struct = make_pools(rng)

    def piece(self, pool, n):
        off = self.rng.randrange(0, len(pool) - n)
        return pool[off:off + n]

    def make(self, path, size, kind):
        rng = self.rng
        # Share of incompressible pieces: executables ~40%, text ~0%, media ~90%.
        p_rand = {"bin": 0.3, "text": 0.02, "media": 0.9, "mixed": 0.4}[kind]
        header = ("%s\0" % path).encode()
        parts = [header]
        left = size - len(header)
        while left > 0:
            n = min(PIECE, left)
            r = rng.random()
            if r < p_rand:
                parts.append(self.piece(self.rand, n))
            elif kind == "text" or r < p_rand + (1 - p_rand) / 2:
                parts.append(self.piece(self.text, n))
            else:
                parts.append(self.piece(self.struct, n))
            left -= n
        data = b"".join(parts)
        return data[:size] if size >= len(header) else data[:max(size, 1)]


def small_size(rng):
    return int(min(16384, max(120, rng.lognormvariate(8.2, 0.9))))


def medium_size(rng):
    return int(min(1 << 20, max(16384, rng.lognormvariate(10.9, 0.8))))


def large_size(rng):
    return rng.randint(4 << 20, 32 << 20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("hive")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20261124)
    # Bytes at another scale than files: every file is that much smaller
    # (the scale series' biggest image has 3.3x the files, not the bytes).
    ap.add_argument("--bytes-scale", type=float)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    content = Content(rng)
    out = a.out
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)

    n_small = int(22500 * a.scale)
    n_medium = int(7800 * a.scale)
    bytes_scale = a.bytes_scale or a.scale
    shrink = bytes_scale / a.scale
    target = int(1.15 * GiB * bytes_scale)
    total = 0
    files = []  # (relative path) of regular files written, for hard links

    def write(rel, size, kind):
        nonlocal total
        path = os.path.join(out, rel)
        size = max(64, int(size * shrink))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.make(rel, size, kind))
        total += size
        files.append(rel)

    # Top-level Windows-like directories, weighted.
    dirs_small = [
        ("Windows/System32", "bin", ".dll", 30),
        ("Windows/System32/DriverStore/FileRepository", "bin", ".inf_loc", 12),
        ("Windows/INF", "text", ".inf", 8),
        ("Windows/System32/en-US", "bin", ".mui", 10),
        ("Windows/SysWOW64", "bin", ".dll", 15),
        ("Windows/servicing/Packages", "text", ".mum", 10),
        ("Program Files/Common Files", "mixed", ".dat", 5),
        ("ProgramData/Microsoft", "mixed", ".xml", 5),
        ("Windows/Logs", "text", ".log", 5),
    ]
    weights = [d[3] for d in dirs_small]

    def subdir(base, i):
        # 1-2 levels of component-ish subdirectories.
        if base.endswith("FileRepository") or base.endswith("Packages"):
            return "%s/pkg_%04d.inf_amd64_%08x" % (base, i % 700, (i * 2654435761) & 0xFFFFFFFF)
        if rng.random() < 0.5:
            return base
        return "%s/sub%02d" % (base, i % 60)

    for i in range(n_small):
        base, kind, ext, _ = rng.choices(dirs_small, weights)[0]
        write("%s/file_%05d%s" % (subdir(base, i), i, ext), small_size(rng), kind)
    for i in range(n_medium):
        base, kind, ext, _ = rng.choices(dirs_small, weights)[0]
        kind = "bin" if kind == "text" and rng.random() < 0.5 else kind
        write("%s/module_%05d%s" % (subdir(base, i), i, ext.replace("inf_loc", "sys")),
              medium_size(rng), kind)
    # Fonts and wallpapers: medium-large, mostly incompressible.
    for i in range(int(120 * a.scale) or 1):
        write("Windows/Fonts/font%03d.ttf" % i, rng.randint(64 << 10, 1 << 20), "media")
    # The directory the pipeline deletes.
    for i in range(int(60 * a.scale) or 1):
        write("Windows/Web/Wallpaper/Theme%d/img%02d.jpg" % (i % 4, i),
              rng.randint(200 << 10, 2 << 20), "media")
    # Deep paths (servicing-stack style), ~220 characters.
    for i in range(int(300 * a.scale) or 1):
        parts = ["Windows/WinSxS/Temp/InFlight"]
        for level in range(12):
            parts.append("amd64_microsoft-windows-c%02d_%d" % (level, (i + level) % 7))
        write("/".join(parts) + "/deep_%04d.manifest" % i, small_size(rng), "text")
    # Large files until the target size is reached.
    i = 0
    while total < target:
        base = rng.choice(["Windows/System32", "Program Files/Big", "Windows/Installer",
                           "Windows/System32/DriverStore/FileRepository/gfx"])
        write("%s/large_%03d.bin" % (base, i), min(large_size(rng), target - total + 4096),
              "mixed")
        i += 1

    # Well-known paths.
    scripts = os.path.join(out, "Windows/Setup/Scripts")
    os.makedirs(scripts, exist_ok=True)
    with open(os.path.join(scripts, "SetupComplete.cmd"), "w") as f:
        f.write("@echo off\r\nrem edition: BASE\r\nreg add HKLM\\Software\\Base /v Done /d 1\r\n")
    for i in range(4):
        with open(os.path.join(scripts, "step%d.cmd" % i), "w") as f:
            f.write("@echo step %d\r\n" % i)
    for rel in ("Windows/System32/config/SOFTWARE", "Windows/System32/config/SYSTEM",
                "Windows/System32/config/DEFAULT", "Users/Default/NTUSER.DAT"):
        os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
        shutil.copyfile(a.hive, os.path.join(out, rel))
    os.makedirs(os.path.join(out, "Windows/Panther"), exist_ok=True)

    # Hard links: WinSxS component store entries for System32 files.
    sys32 = [f for f in files if f.startswith("Windows/System32/") and "/" not in f[17:]]
    links = 0
    for j, rel in enumerate(sys32[: int(3000 * a.scale)]):
        dst = os.path.join(out, "Windows/WinSxS/amd64_component_%03d" % (j % 400),
                           os.path.basename(rel))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.link(os.path.join(out, rel), dst)
        links += 1
    print("gen_tree: %d files (+%d hard links), %.2f GiB" % (len(files), links, total / GiB))


if __name__ == "__main__":
    sys.exit(main())
