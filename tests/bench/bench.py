#!/usr/bin/env python3
"""dismake against its peers, side by side, in one run (driven by run.sh).

    bench.py --cache DIR --dismake HELPER --module Dismake.cmake
             --base BASE.wim [--small-base SMALL.wim] [--multi-base MULTI.wim]
             [--scale LABEL=WIM ...] --results DIR
             [--reps N] [--naive-reps M] [--scale-reps K] [--skip-memory]
             [--scenarios NAME,...] [--big-media]

--multi-base: a 4-edition WIM of the base's content (the editions share
nearly every blob, as a real install.wim's do); the "one change, 4
editions" scenario services its first edition. --scale: the images of the
scale series (one-change rebuild time against image size). --scenarios:
run only these (e.g. "fresh,fresh_full,base" on a small image, to check
the fresh-runner scenarios quickly); --multi-base is needed only for
one_file_4ed.

The fresh-runner scenarios (issue 25) start every repetition as a new CI
runner does: a new, empty $DISMAKE_HOME and a new build directory, so
nothing of an earlier build or check is on record. "fresh_full" builds
with VERIFY_BASE FULL, against the expert script after `wimlib-imagex
verify` of the base.

The media scenario (issue 26) times `dismake make-iso` of a generated media
tree whose sources/install.wim is the base image against the bare `xorriso
-as mkisofs` call with the same options on the same tree; the two ISOs must
be the same bytes. --big-media also writes an ISO whose install.wim is over
4 GiB and reads it back with extract-media.

For each scenario and each repetition the tools run one after the other,
alternating which goes first (ABAB... then BABA...), after one unrecorded
warm-up round, so that machine noise hits every tool alike. Only the
commands themselves are timed: preparing a scenario (changing an input,
making a new base, emptying a build directory) is not.

Writes <results>/results.json, results.md, results.png, and logs under
<cache>/logs.
"""
import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "peers.sh")

SCENARIOS = [
    ("clean", "Clean build"),
    ("noop", "No-op rebuild"),
    ("one_file", "One overlay file changed"),
    ("one_reg", "One registry value changed"),
    ("one_file_4ed", "One overlay file changed, 4-edition WIM"),
    ("first_step", "First step's input changed"),
    ("base", "Base image changed"),
    ("fresh", "Fresh runner (new DISMAKE_HOME and build dir), clean build"),
    ("fresh_full", "Fresh runner, VERIFY_BASE FULL"),
    ("media", "Install media: make-iso of a media tree holding the base as install.wim"),
]
TOOLS = [
    ("dismake", "dismake (CMake + Ninja)"),
    ("expert_one", "expert, just the change (cp + update)"),
    ("expert_reg", "expert, just the value (cp + hive edit + update)"),
    ("expert", "expert script (cp + update)"),
    ("naive", "naive script (apply + capture)"),
    ("floor", "floor (cp of the WIM)"),
    ("expert_one_4ed", "expert, just the change, 4-edition WIM (cp + update)"),
    ("floor_4ed", "floor, 4-edition WIM (cp)"),
    ("expert_verify", "expert script + wimlib-imagex verify of the base"),
    ("xorriso", "bare xorriso -as mkisofs (same tree, same options)"),
]
# Which peers run in which scenario. A script has no notion of "what
# changed": it does all its work again whatever the change, so the expert
# and naive scripts are the same command in every scenario. The naive script
# (~1 min a run) runs only in the clean scenario; its median is that of
# every scenario.
PEERS_BY_SCENARIO = {
    "clean": ["expert", "naive", "floor"],
    "noop": ["expert", "floor"],
    "one_file": ["expert_one", "expert", "floor"],
    "one_reg": ["expert_reg", "floor"],
    "one_file_4ed": ["expert_one_4ed", "floor_4ed"],
    "first_step": ["expert", "floor"],
    "base": ["expert", "floor"],
    "fresh": ["expert", "floor"],
    "fresh_full": ["expert_verify", "floor"],
    "media": ["xorriso"],
}
TARGETS = [
    # (scenario, peer, max ratio ours/peer); the peer "dismake:<scenario>"
    # is dismake itself in another scenario (issue 13's table).
    ("one_file", "expert_one", 1.0),
    ("one_reg", "expert_reg", 1.0),
    ("clean", "expert", 1.5),
    ("clean", "naive", 0.04),
    ("noop", "expert", 0.05),
    ("one_file_4ed", "dismake:one_file", 1.1),
    # Issue 25: what a fresh CI runner pays.
    ("fresh", "expert", 1.5),
    ("base", "expert", 1.5),
    ("fresh_full", "expert_verify", 1.2),
    # Issue 26: the ISO step against the bare tool call it wraps.
    ("media", "xorriso", 1.3),
]
# The edited registry value of the "one registry value" scenario.
ONE_REG = "Channel"

# The recipe's registry values: (hive key, name, type, data). 15 in
# SOFTWARE, 5 in SYSTEM, as dismake_set_registry_value steps on our side and
# hivexsh scripts on the peers'.
SOFT_KEY = "HKLM\\SOFTWARE\\Contoso\\Deployment"
SYS_KEY = "HKLM\\SYSTEM\\ControlSet001\\Services\\ContosoAgent"
REG_VALUES = (
    [(SOFT_KEY, "Setting%02d" % i, "REG_SZ", "value %d of the Contoso deployment" % i)
     for i in range(8)]
    + [(SOFT_KEY, "Flag%02d" % i, "REG_DWORD", str(i * 7 + 1)) for i in range(4)]
    + [(SOFT_KEY, "Stamp", "REG_QWORD", "0x1D9A0B2C3D4E5F6"),
       (SOFT_KEY, "InstallDir", "REG_EXPAND_SZ", "%ProgramFiles%\\Contoso\\App"),
       (SOFT_KEY, "Channel", "REG_SZ", "Stable")]
    + [(SYS_KEY, "Start", "REG_DWORD", "2"), (SYS_KEY, "Type", "REG_DWORD", "16"),
       (SYS_KEY, "ErrorControl", "REG_DWORD", "1"),
       (SYS_KEY, "ImagePath", "REG_EXPAND_SZ", "%ProgramFiles%\\Contoso\\App\\agent.exe"),
       (SYS_KEY, "DisplayName", "REG_SZ", "Contoso Agent")]
)

RUN_STEP = """# The recipe's run step: edits a setup script and adds one, in the
# directory it declares (PATHS Windows/Setup/Scripts).
set -e
d=Windows/Setup/Scripts
sed 's/edition: BASE/edition: CONTOSO/' "$d/SetupComplete.cmd" >"$d/SetupComplete.tmp"
mv "$d/SetupComplete.tmp" "$d/SetupComplete.cmd"
printf '@echo Contoso first logon\\r\\n' >"$d/contoso.cmd"
"""

UNATTEND = """<?xml version="1.0" encoding="utf-8"?>
<!-- revision {rev} -->
<unattend xmlns="urn:schemas-microsoft-com:unattend">
  <settings pass="specialize">
    <component name="Microsoft-Windows-Shell-Setup" processorArchitecture="amd64"
               publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">
      <ComputerName>CONTOSO-{rev}</ComputerName>
      <TimeZone>UTC</TimeZone>
    </component>
  </settings>
  <settings pass="oobeSystem"/>
</unattend>
"""

CMAKELISTS = r"""# Generated by tests/bench/bench.py: the benchmark's recipe.
cmake_minimum_required(VERSION 3.20)
project(dismake_bench NONE)
include("${DISMAKE_MODULE}")

if(NOT BENCH_VERIFY_BASE)
  set(BENCH_VERIFY_BASE READ)
endif()
dismake_mount_image(bench WIM "${BENCH_BASE_WIM}" INDEX 1 VERIFY_BASE ${BENCH_VERIFY_BASE})
dismake_open_session(svc IMAGE bench)
# The first step (the "first step's input changed" scenario edits this file).
dismake_apply_unattend(svc FILE unattend.xml)
dismake_delete_files(svc PATHS Windows/Web)
@REGISTRY@
dismake_run(svc COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/run_step.sh"
  PATHS Windows/Setup/Scripts DEPENDS run_step.sh)
# The last step (the "one overlay file changed" scenario edits one file).
dismake_add_files(svc SOURCE overlay DESTINATION /)
dismake_close_session(svc)
dismake_unmount_image(bench COMMIT OUTPUT bench.wim)
"""

ONE_FILE = "Program Files/Contoso/App/bin/lib_000.dll"


def log(*a):
    print("bench:", *a, flush=True)


def run(cmd, logfile=None, env=None, cwd=None, check=True):
    with open(logfile or os.devnull, "ab") as out:
        if logfile:
            out.write(("\n$ %s\n" % " ".join(cmd)).encode())
            out.flush()
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    if check and p.returncode != 0:
        tail = open(logfile, errors="replace").read()[-3000:] if logfile else ""
        raise SystemExit("bench: command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), tail))
    return p.returncode


def timed(cmds, logfile, env=None, cwd=None):
    t = time.perf_counter()
    for cmd in cmds:
        run(cmd, logfile, env=env, cwd=cwd)
    return time.perf_counter() - t


def reg_values(rev):
    """The recipe's registry values, the ONE_REG value at revision <rev>."""
    return [(k, n, t, d + (" r%d" % rev if rev else "")) if n == ONE_REG else (k, n, t, d)
            for k, n, t, d in REG_VALUES]


def hivexsh_script(key_prefix, rev=0, create=True):
    """hivexsh commands creating the keys (or, without <create>, going to the
    existing ones) and setting the values under one hive."""
    values = [v for v in reg_values(rev) if v[0].startswith(key_prefix)]
    key = values[0][0][len(key_prefix):].strip("\\")
    lines = ["cd \\"]
    for part in key.split("\\"):
        lines += (["add %s" % part] if create else []) + ["cd %s" % part]
    lines.append("setval %d" % len(values))
    for _, name, typ, data in values:
        lines.append(name)
        if typ == "REG_SZ":
            lines.append("string:" + data)
        elif typ == "REG_EXPAND_SZ":
            lines.append("expandstring:" + data)
        elif typ == "REG_DWORD":
            lines.append("dword:0x%08x" % int(data, 0))
        elif typ == "REG_QWORD":
            lines.append("qword:0x%016x" % int(data, 0))
    lines.append("commit")
    return "\n".join(lines) + "\n"


def cmake_quote(s):
    return "[[" + s + "]]"


def write_project(project, base_wim):
    """The inputs every tool works from: overlay, unattend, run step, registry."""
    rng = random.Random(7)
    if os.path.exists(project):
        shutil.rmtree(project)
    os.makedirs(project)
    ov = os.path.join(project, "overlay")

    def put(rel, data):
        path = os.path.join(ov, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def blob(n):
        half = n // 2
        text = (b"Contoso application resource line\r\n" * (half // 36 + 1))[:half]
        return rng.randbytes(n - half) + text

    for i in range(120):
        put("Program Files/Contoso/App/bin/lib_%03d.dll" % i, blob(rng.randint(4 << 10, 200 << 10)))
    for i in range(40):
        put("Program Files/Contoso/App/res/strings_%03d.txt" % i,
            ("string %d = Contoso\r\n" % i).encode() * rng.randint(50, 400))
    for i in range(30):
        put("Windows/System32/contoso/agent_%02d.cfg" % i,
            ("[agent]\r\nid=%d\r\nserver=https://contoso.example/%d\r\n" % (i, i)).encode())
    # Ten files that replace files of the base image.
    listing = subprocess.run(["wimlib-imagex", "dir", base_wim, "1", "--path=/Windows/System32"],
                             capture_output=True, text=True, check=True).stdout.split("\n")
    existing = sorted(p for p in listing if re.fullmatch(r"/Windows/System32/file_\d+\.dll", p))
    for p in existing[:10]:
        put(p.lstrip("/"), blob(rng.randint(8 << 10, 64 << 10)))
    count = sum(len(f) for _, _, f in os.walk(ov))

    with open(os.path.join(project, "unattend.xml"), "w") as f:
        f.write(UNATTEND.format(rev=0))
    with open(os.path.join(project, "run_step.sh"), "w") as f:
        f.write(RUN_STEP)
    with open(os.path.join(project, "system.hsh"), "w") as f:
        f.write(hivexsh_script("HKLM\\SYSTEM"))
    write_registry(project, 0)
    return count


def write_registry(project, rev):
    """The recipe's registry values (CMakeLists.txt, software.hsh), the
    ONE_REG value at revision <rev>."""
    with open(os.path.join(project, "software.hsh"), "w") as f:
        f.write(hivexsh_script("HKLM\\SOFTWARE", rev))
    # The expert's edit of a hive that has the key already.
    with open(os.path.join(project, "software-edit.hsh"), "w") as f:
        f.write(hivexsh_script("HKLM\\SOFTWARE", rev, create=False))
    reg = "\n".join(
        "dismake_set_registry_value(svc KEY %s NAME %s TYPE %s DATA %s)"
        % (cmake_quote(k), n, t, cmake_quote(d)) for k, n, t, d in reg_values(rev))
    with open(os.path.join(project, "CMakeLists.txt"), "w") as f:
        f.write(CMAKELISTS.replace("@REGISTRY@", reg))


class Ours:
    """Our side: the generated CMake project, configured and built with Ninja."""

    def __init__(self, a, project, build, base_wim, helper, logdir, env, verify_base="READ"):
        self.a, self.project, self.build, self.base_wim = a, project, build, base_wim
        self.helper, self.logfile, self.env = helper, os.path.join(logdir, "dismake.log"), env
        self.mount = os.path.join(build, "dismake", "bench", "mount")
        self.verify_base = verify_base

    def configure_cmd(self):
        return ["cmake", "-S", self.project, "-B", self.build, "-G", "Ninja",
                "-DDISMAKE_MODULE=" + self.a.module, "-DDISMAKE_EXECUTABLE=" + self.helper,
                "-DBENCH_BASE_WIM=" + self.base_wim, "-DBENCH_VERIFY_BASE=" + self.verify_base]

    def build_cmd(self):
        return ["ninja", "-C", self.build]

    def wipe(self):
        if os.path.isdir(self.mount):
            run([self.a.dismake, "unmount", self.mount, "--discard"], self.logfile,
                env=self.env, check=False)
        if os.path.exists(self.build):
            shutil.rmtree(self.build)
        if os.path.exists(self.mount + ".dismake"):
            shutil.rmtree(self.mount + ".dismake")

    def clean_build(self):
        self.wipe()
        os.sync()  # the removal's writeback is preparation, not the build's
        t = time.perf_counter()
        self.configure_seconds = timed([self.configure_cmd()], self.logfile, env=self.env)
        timed([self.build_cmd()], self.logfile, env=self.env)
        return time.perf_counter() - t

    def fresh_runner_build(self, home):
        """A clean build as on a new CI runner: the old mount removed (with
        the old home's registry), then an empty DISMAKE_HOME <home>."""
        self.wipe()
        if os.path.exists(home):
            shutil.rmtree(home)
        os.makedirs(home)
        self.env = dict(self.env, DISMAKE_HOME=home)
        os.sync()  # the removal's writeback is preparation, not the build's
        t = time.perf_counter()
        self.configure_seconds = timed([self.configure_cmd()], self.logfile, env=self.env)
        timed([self.build_cmd()], self.logfile, env=self.env)
        return time.perf_counter() - t

    def rebuild(self):
        return timed([self.build_cmd()], self.logfile, env=self.env)

    def ninja_steps(self, before):
        """(step, seconds) of the ninja log lines not in <before> (Ninja
        rewrites the log now and then, so offsets would not do)."""
        path = os.path.join(self.build, ".ninja_log")
        # One line per output (and byproduct, under two spellings): one
        # entry per (start, end), named after the step's file.
        seen = {}
        with open(path) as f:
            for line in f:
                if line.startswith("#") or line in before:
                    continue
                start, end, _, target, _ = line.rstrip("\n").split("\t")
                name = re.sub(r"\.(always|stamp)$", "", os.path.basename(target))
                seen.setdefault((int(start), int(end)), name)
        return [(name, (e - s) / 1000.0) for (s, e), name in sorted(seen.items())]

    def log_lines(self):
        path = os.path.join(self.build, ".ninja_log")
        return set(open(path).readlines()) if os.path.exists(path) else set()


# The media scenario (issue 26): `dismake make-iso` against the bare xorriso
# call it wraps, same tree, same options, same SOURCE_DATE_EPOCH; the two
# ISOs must be the same bytes.
MEDIA_EPOCH = "1700000000"
MEDIA_LABEL = "BENCH_MEDIA"


def make_media_tree(tree, install_wim):
    """A media folder laid out as Microsoft's: boot files (stand-in bytes:
    nothing boots them here), sources/install.wim (the base image), a
    boot.wim and the few hundred small files of sources/."""
    if os.path.exists(tree):
        shutil.rmtree(tree)
    rng = random.Random(26)

    def put(rel, data):
        path = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    put("boot/etfsboot.com", rng.randbytes(4096))
    put("efi/microsoft/boot/efisys.bin", rng.randbytes(1440 << 10))
    put("efi/boot/bootx64.efi", rng.randbytes(1 << 20))
    put("bootmgr", rng.randbytes(400 << 10))
    put("setup.exe", rng.randbytes(100 << 10))
    put("sources/boot.wim", rng.randbytes(24 << 20))
    for i in range(400):
        put("sources/setup_%03d.dll" % i, rng.randbytes(rng.randint(1 << 10, 120 << 10)))
    os.makedirs(os.path.join(tree, "sources"), exist_ok=True)
    shutil.copyfile(install_wim, os.path.join(tree, "sources", "install.wim"))


def media_cmd(tool, a, tree, out):
    if tool == "dismake":
        return [a.dismake, "make-iso", "--media", tree, "--output", out, "--label", MEDIA_LABEL]
    return ["xorriso", "-no_rc", "-abort_on", "FAILURE", "-return_with", "SORRY", "32", "-as",
            "mkisofs", "-quiet", "-o", out, "-iso-level", "3", "-J", "-joliet-long",
            "-V", MEDIA_LABEL, "-b", "boot/etfsboot.com", "-no-emul-boot",
            "-boot-load-size", "8", "-eltorito-alt-boot", "-e", "efi/microsoft/boot/efisys.bin",
            "-no-emul-boot", "--boot-catalog-hide", "--set_all_file_dates", "=" + MEDIA_EPOCH,
            "-graft-points", "/=" + tree]


def same_bytes(a, b):
    return subprocess.run(["cmp", "-s", a, b]).returncode == 0


def big_media_check(a):
    """An install.wim over 4 GiB (FAT32's and ISO 9660's one-extent limit)
    through make-iso and back: how many extents the ISO gives it, and
    whether extract-media reads back the same bytes. The file is sparse with
    distinct bytes at its start, across the 4 GiB boundary and at its end,
    so the disk pays only for the ISO."""
    work = os.path.join(a.cache, "big-media")
    if os.path.exists(work):
        shutil.rmtree(work)
    tree, iso, back = (os.path.join(work, n) for n in ("tree", "big.iso", "extracted"))
    make_media_tree(tree, a.base)
    wim = os.path.join(tree, "sources", "install.wim")
    size = (4 << 30) + (300 << 20)
    rng = random.Random(4)
    with open(wim, "wb") as f:
        for offset in (0, (4 << 30) - (1 << 19), size - (1 << 20)):
            f.seek(offset)
            f.write(rng.randbytes(1 << 20))
        f.truncate(size)
    env = dict(os.environ, SOURCE_DATE_EPOCH=MEDIA_EPOCH)
    logfile = os.path.join(a.cache, "logs", "big-media.log")
    make_iso = timed([media_cmd("dismake", a, tree, iso)], logfile, env=env)
    lba = subprocess.run(["xorriso", "-indev", iso, "-find", "/sources/install.wim", "-exec",
                          "report_lba"], capture_output=True, text=True, check=True).stdout
    extents = len(re.findall(r"^File data lba:", lba, re.M))
    timed([[a.dismake, "extract-media", iso, back]], logfile, env=env)
    same = same_bytes(wim, os.path.join(back, "sources", "install.wim"))
    result = {"install_wim_bytes": size, "iso_bytes": os.path.getsize(iso),
              "install_wim_extents": extents, "read_back_same": same,
              "make_iso_seconds": round(make_iso, 2)}
    shutil.rmtree(work)
    return result


def summarize(samples):
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "n": len(samples), "samples": [round(s, 4) for s in samples]}


def change_file(path, rev):
    with open(path, "r+b") as f:
        f.seek(0)
        f.write(b"rev%08d" % rev)


def measure(a):
    cache, logdir = a.cache, os.path.join(a.cache, "logs")
    os.makedirs(logdir, exist_ok=True)
    env = dict(os.environ, DISMAKE_HOME=os.path.join(cache, "dismake-home"))
    work = os.path.join(cache, "work")
    os.makedirs(work, exist_ok=True)
    project = os.path.join(cache, "project")
    base_in = os.path.join(work, "base.wim")          # the input every tool reads
    shutil.copyfile(a.base, base_in)
    overlay_files = write_project(project, base_in)
    ours = Ours(a, project, os.path.join(cache, "build-bench"), base_in, a.dismake, logdir, env)
    # The "base image changed" scenario changes a base of its own: a clean
    # build after it on a shared base would pay for a new base too.
    base_changing = os.path.join(work, "base-changing.wim")
    ours_base = Ours(a, project, os.path.join(cache, "build-bench-base"), base_changing,
                     a.dismake, logdir, env)
    ours_base.logfile = os.path.join(logdir, "dismake-base.log")
    scenarios = [(s, t) for s, t in SCENARIOS if s in a.scenarios]
    # The fresh runners: each repetition a new home and build directory.
    fresh = {kind: Ours(a, project, os.path.join(cache, "build-" + kind), base_in, a.dismake,
                        logdir, env, verify_base="FULL" if kind == "fresh_full" else "READ")
             for kind in ("fresh", "fresh_full")}
    for kind, side in fresh.items():
        side.logfile = os.path.join(logdir, "dismake-%s.log" % kind)
    fresh_home = os.path.join(cache, "fresh-home")
    plog = os.path.join(logdir, "peers.log")
    peer_out = {t: os.path.join(work, "out-%s.wim" % t)
                for t in ("expert", "naive", "floor", "expert_one", "expert_reg", "expert_4ed",
                          "expert_one_4ed", "floor_4ed")}
    pwork = os.path.join(work, "peer-work")
    # The 4-edition base: the same recipe, on its first edition.
    multi_in = os.path.join(work, "multi.wim")
    project4 = os.path.join(cache, "project-4ed")
    ours4 = Ours(a, project4, os.path.join(cache, "build-bench-4ed"), multi_in, a.dismake,
                 logdir, env)
    ours4.logfile = os.path.join(logdir, "dismake-4ed.log")
    if "one_file_4ed" in a.scenarios:
        shutil.copyfile(a.multi_base, multi_in)
        write_project(project4, multi_in)
        log("preparing the 4-edition scenario (a clean build and the expert's output)")
        ours4.clean_build()
        timed([[PEERS, "expert", multi_in, peer_out["expert_4ed"], project4, pwork]], plog)
    if {"one_file", "one_reg"} & set(a.scenarios) and "clean" not in a.scenarios:
        raise SystemExit("bench: one_file and one_reg need the clean scenario (its outputs)")
    media_tree = os.path.join(work, "media-tree")
    media_out = {t: os.path.join(work, "media-%s.iso" % t) for t in ("dismake", "xorriso")}
    media_env = dict(env, SOURCE_DATE_EPOCH=MEDIA_EPOCH)
    if "media" in a.scenarios:
        log("preparing the media scenario (a media tree holding the base as install.wim)")
        make_media_tree(media_tree, a.base)
    if "base" in a.scenarios:
        log("preparing the base scenario (a clean build on a base of its own)")
        shutil.copyfile(a.base, base_changing)
        ours_base.clean_build()

    def peer_cmd(tool, base):
        if tool == "expert":
            # The changing base's output apart: the output check compares
            # the clean build's with the expert's on the same base.
            out = peer_out["expert"] if base == base_in else peer_out["expert"] + ".base"
            return [PEERS, "expert", base, out, project, pwork]
        if tool == "naive":
            return [PEERS, "naive", base_in, peer_out["naive"], project, pwork]
        if tool == "floor":
            return [PEERS, "floor", base, peer_out["floor"]]
        if tool == "expert_verify":
            return [PEERS, "expert-verify", base_in, peer_out["expert"], project, pwork]
        if tool == "expert_one":
            return [PEERS, "expert-one", peer_out["expert"], peer_out["expert_one"],
                    os.path.join(project, "overlay", ONE_FILE), "/" + ONE_FILE]
        if tool == "expert_reg":
            return [PEERS, "expert-reg", peer_out["expert"], peer_out["expert_reg"],
                    os.path.join(project, "software-edit.hsh"), pwork]
        if tool == "expert_one_4ed":
            return [PEERS, "expert-one", peer_out["expert_4ed"], peer_out["expert_one_4ed"],
                    os.path.join(project4, "overlay", ONE_FILE), "/" + ONE_FILE]
        if tool == "floor_4ed":
            return [PEERS, "floor", multi_in, peer_out["floor_4ed"]]
        raise ValueError(tool)

    def cleanup_peer(tool):
        if tool == "naive" and os.path.exists(pwork):
            shutil.rmtree(pwork)

    rev = [0]

    def prepare(scenario):
        rev[0] += 1
        r = rev[0]
        if scenario == "one_file":
            change_file(os.path.join(project, "overlay", ONE_FILE), r)
        elif scenario == "one_reg":
            write_registry(project, r)
        elif scenario == "one_file_4ed":
            change_file(os.path.join(project4, "overlay", ONE_FILE), r)
        elif scenario == "first_step":
            with open(os.path.join(project, "unattend.xml"), "w") as f:
                f.write(UNATTEND.format(rev=r))
        elif scenario == "base":
            # A new base: one file of the image changed (a new revision each
            # time, so no state from an earlier base can be reused).
            tmp = base_changing + ".new"
            shutil.copyfile(a.base, tmp)
            rf = os.path.join(work, "revision.txt")
            with open(rf, "w") as f:
                f.write("base revision %d\n" % r)
            subprocess.run(["wimlib-imagex", "update", tmp, "1", "--unsafe-compact"],
                           input='add "%s" /Windows/System32/revision.txt\n' % rf, text=True,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.replace(tmp, base_changing)

    results = {s: {} for s, _ in SCENARIOS}
    steps = {}
    reps = a.reps
    log("%d repetitions (+1 warm-up), naive script %d" % (reps, a.naive_reps))
    t_start = time.time()
    naive_done = 0
    for rep in range(-1, reps):           # rep -1: warm-up, not recorded
        for scenario, _ in scenarios:
            if scenario not in ("clean", "fresh", "fresh_full"):
                prepare(scenario)
            peers = list(PEERS_BY_SCENARIO[scenario])
            if "naive" in peers and (rep < 0 or naive_done >= a.naive_reps):
                peers.remove("naive")
            tools = ["dismake"] + peers
            if rep % 2 == 1:
                tools.reverse()
            for tool in tools:
                if scenario == "media" and os.path.exists(media_out[tool]):
                    os.remove(media_out[tool])  # each run writes a new ISO
                os.sync()  # no tool pays for the previous one's writeback
                if scenario == "media":
                    dt = timed([media_cmd(tool, a, media_tree, media_out[tool])],
                               os.path.join(logdir, "media.log"), env=media_env)
                elif tool == "dismake":
                    side = {"one_file_4ed": ours4, "base": ours_base, "fresh": fresh["fresh"],
                            "fresh_full": fresh["fresh_full"]}.get(scenario, ours)
                    from_scratch = scenario in ("clean", "fresh", "fresh_full")
                    before = side.log_lines() if not from_scratch else set()
                    if scenario in fresh:
                        dt = side.fresh_runner_build(fresh_home)
                    else:
                        dt = side.clean_build() if scenario == "clean" else side.rebuild()
                    ran = side.ninja_steps(before)
                    if from_scratch:
                        ran.insert(0, ("(cmake configure)", side.configure_seconds))
                    steps.setdefault(scenario, []).append(ran)
                else:
                    dt = timed([peer_cmd(tool, base_changing if scenario == "base" else base_in)],
                               plog)
                    cleanup_peer(tool)
                    if tool == "naive":
                        naive_done += 1
                if rep >= 0:
                    results[scenario].setdefault(tool, []).append(dt)
                log("rep %d %-10s %-10s %8.3f s" % (rep, scenario, tool, dt))
    log("timing done in %.0f s" % (time.time() - t_start))
    ours4.wipe()
    ours_base.wipe()
    for side in fresh.values():
        side.wipe()

    # The output of our clean build must be the image the expert script makes
    # (same files and content); a sanity check, not a benchmark.
    ours_wim = os.path.join(ours.build, "bench.wim")
    if not os.path.exists(ours_wim):
        ours_wim = os.path.join(fresh["fresh"].build, "bench.wim")
    check = compare_outputs(ours_wim, peer_out["expert"]) if os.path.exists(ours_wim) else None
    media_same = (same_bytes(media_out["dismake"], media_out["xorriso"])
                  if "media" in a.scenarios else None)
    if os.path.exists(media_tree):
        shutil.rmtree(media_tree)

    # Median step times of our side, per scenario (from .ninja_log).
    step_medians = {}
    for scenario, runs in steps.items():
        per = {}
        for r in runs[1:] if len(runs) > 1 else runs:
            for name, sec in r:
                per.setdefault(name, []).append(sec)
        step_medians[scenario] = {k: round(statistics.median(v), 4) for k, v in sorted(per.items())}

    return {
        "results": {s: {t: summarize(v) for t, v in r.items()} for s, r in results.items()},
        "steps": step_medians,
        "overlay_files": overlay_files,
        "registry_values": len(REG_VALUES),
        "output_check": check,
        "media_same_bytes": media_same,
    }


def wim_size_info(wim):
    info = subprocess.run(["wimlib-imagex", "info", wim, "1"], capture_output=True, text=True,
                          check=True).stdout
    return {"files": int(re.search(r"File Count: *(\d+)", info).group(1)),
            "expanded_bytes": int(re.search(r"Total Bytes: *(\d+)", info).group(1)),
            "wim_bytes": os.path.getsize(wim)}


def scale_series(a):
    """One-change rebuild time against image size: for each image of the
    series, a clean build (not timed), then <scale-reps> rounds of one
    overlay file changed: dismake's rebuild, the expert's cp + update of
    just that file, and the floor (cp), alternated as in measure()."""
    cache, logdir = a.cache, os.path.join(a.cache, "logs")
    env = dict(os.environ, DISMAKE_HOME=os.path.join(cache, "dismake-home"))
    plog = os.path.join(logdir, "peers-scale.log")
    series = []
    for label, wim in a.scale:
        work = os.path.join(cache, "scale-" + label)
        if os.path.exists(work):
            shutil.rmtree(work)
        os.makedirs(work)
        base_in = os.path.join(work, "base.wim")
        shutil.copyfile(wim, base_in)
        project = os.path.join(work, "project")
        write_project(project, base_in)
        ours = Ours(a, project, os.path.join(work, "build"), base_in, a.dismake, logdir, env)
        ours.logfile = os.path.join(logdir, "dismake-scale-%s.log" % label)
        size = wim_size_info(base_in)
        log("scale %s: %d files, %.2f GiB WIM" % (label, size["files"], size["wim_bytes"] / GIB))
        clean = ours.clean_build()
        prev = os.path.join(work, "expert.wim")
        expert = timed([[PEERS, "expert", base_in, prev, project, os.path.join(work, "pw")]], plog)
        cmds = {
            "expert_one": [PEERS, "expert-one", prev, os.path.join(work, "one.wim"),
                           os.path.join(project, "overlay", ONE_FILE), "/" + ONE_FILE],
            "floor": [PEERS, "floor", base_in, os.path.join(work, "floor.wim")],
        }
        # Fewer rounds for the biggest images: each costs minutes there.
        reps = a.scale_reps if size["files"] < 60000 else max(1, a.scale_reps - 1)
        samples = {}
        for rep in range(-1, reps):
            change_file(os.path.join(project, "overlay", ONE_FILE), 1000 + rep)
            tools = ["dismake", "expert_one", "floor"]
            if rep % 2 == 1:
                tools.reverse()
            for tool in tools:
                os.sync()
                dt = ours.rebuild() if tool == "dismake" else timed([cmds[tool]], plog)
                if rep >= 0:
                    samples.setdefault(tool, []).append(dt)
                log("scale %s rep %d %-10s %8.3f s" % (label, rep, tool, dt))
        ours.wipe()
        shutil.rmtree(work)
        series.append(dict(size, label=label, clean_dismake=clean, clean_expert=expert,
                           results={t: summarize(v) for t, v in samples.items()}))
    return series


def wim_entries(wim):
    """Image 1 of `wim` as {lower-case path: {field: value}}: content (Hash,
    Uncompressed size) and hard-link group (Link Group ID, Link Count)."""
    out = subprocess.run(["wimlib-imagex", "dir", wim, "1", "--detailed"],
                         capture_output=True, text=True, check=True).stdout
    fields = r"Full Path|Hash|Uncompressed size|Link Group ID|Link Count"
    entries, cur = {}, {}
    for line in out.split("\n"):
        m = re.match(r"^(%s) *= (.*)$" % fields, line)
        if m:
            cur[m.group(1)] = m.group(2)
            if m.group(1) == "Full Path":
                path = m.group(2).strip('"')
                cur = {}
                entries[path.lower()] = cur
    return entries


def content(entry):
    return (entry.get("Hash"), entry.get("Uncompressed size")) if entry is not None else None


def other_names_of_rewritten_links(paths, ours, expert):
    """The `paths` that are names of a hard-linked file in our image whose
    content the expert gave to another name only. With fidelity rules, a
    rewritten hard-linked base file stays one file, so every name of it has
    the new content (README, "What a changed file keeps"); the expert's plain
    `wimlib-imagex update` replaces the one name it adds, and the other names
    keep the old content."""
    groups = {}
    for path, entry in ours.items():
        if int(entry.get("Link Count", "1")) > 1:
            groups.setdefault(entry["Link Group ID"], []).append(path)
    found = []
    for path in paths:
        entry = ours.get(path)
        if entry is None or path not in expert or int(entry.get("Link Count", "1")) < 2:
            continue
        names = [q for q in groups.get(entry["Link Group ID"], []) if q != path]
        if any(content(expert.get(q)) == content(ours[q]) for q in names):
            found.append(path)
    return found


def compare_outputs(ours_wim, expert_wim):
    """Whether our clean-build WIM holds the expert script's tree and contents,
    apart from the expected differences: the registry hives (hivex writers'
    sessions lay out the bytes differently) and the other names of rewritten
    hard-linked files (see other_names_of_rewritten_links)."""
    ours, expert = wim_entries(ours_wim), wim_entries(expert_wim)
    diff = sorted(p for p in set(ours) | set(expert)
                  if content(ours.get(p)) != content(expert.get(p)))
    hives = [p for p in diff if p.endswith(("/config/software", "/config/system"))]
    links = other_names_of_rewritten_links([p for p in diff if p not in hives], ours, expert)
    unexpected = [p for p in diff if p not in hives and p not in links]
    return {"entries": len(ours), "differ": len(diff), "hives": len(hives),
            "hard_link_names": len(links), "hard_link_examples": links[:5],
            "unexpected": unexpected[:20], "same_tree": not unexpected}


def memory(a, base, label, logdir):
    """Peak RSS of each helper call during a clean build and a one-file rebuild."""
    cache = a.cache
    env = dict(os.environ, DISMAKE_HOME=os.path.join(cache, "dismake-home"))
    rss_log = os.path.join(cache, "mem-%s.tsv" % label)
    if os.path.exists(rss_log):
        os.remove(rss_log)
    wrapper = os.path.join(cache, "dismake-timed")
    with open(wrapper, "w") as f:
        # The verb is the first argument after the build's own options
        # (--step-log <log> --label <label> --console-step).
        f.write('#!/bin/sh\nverb= skip=\nfor a in "$@"; do\n'
                '  if [ -n "$skip" ]; then skip=; continue; fi\n'
                '  case $a in --step-log|--label) skip=1 ;; --console-step) ;; *) verb=$a; break ;; esac\n'
                'done\n'
                'exec /usr/bin/time -a -o "$DISMAKE_RSS_LOG" -f "%%M\\t%%e\\t$verb" "%s" "$@"\n'
                % a.dismake)
    os.chmod(wrapper, 0o755)
    env["DISMAKE_RSS_LOG"] = rss_log
    work = os.path.join(cache, "mem-" + label)
    os.makedirs(work, exist_ok=True)
    base_in = os.path.join(work, "base.wim")
    shutil.copyfile(base, base_in)
    project = os.path.join(work, "project")
    write_project(project, base_in)
    ours = Ours(a, project, os.path.join(work, "build"), base_in, wrapper, logdir, env)
    ours.logfile = os.path.join(logdir, "memory-%s.log" % label)
    ours.clean_build()
    change_file(os.path.join(project, "overlay", ONE_FILE), 1)
    ours.rebuild()
    ours.wipe()
    peak = {}
    for line in open(rss_log):
        kb, sec, verb = line.rstrip("\n").split("\t")
        peak[verb] = max(peak.get(verb, 0), int(kb))
    # wimlib's own: loading the image's metadata (a full listing).
    ref = subprocess.run(["/usr/bin/time", "-f", "%M", "wimlib-imagex", "dir", base_in, "1"],
                         capture_output=True, text=True, check=True)
    wimlib_kb = int(ref.stderr.strip().split("\n")[-1])
    info = subprocess.run(["wimlib-imagex", "info", base_in, "1"], capture_output=True,
                          text=True, check=True).stdout
    files = int(re.search(r"File Count: *(\d+)", info).group(1))
    total = int(re.search(r"Total Bytes: *(\d+)", info).group(1))
    shutil.rmtree(work)
    return {"label": label, "files": files, "expanded_bytes": total,
            "wim_bytes": os.path.getsize(base), "peak_rss_kib_by_verb": peak,
            "peak_rss_kib": max(peak.values()), "wimlib_dir_rss_kib": wimlib_kb}


GIB = float(1 << 30)


def fmt_s(x):
    return "%.3f" % x if x < 10 else "%.1f" % x


def report(a, data):
    res = data["results"]
    names = dict(TOOLS)
    ratios, lines = {}, []
    for s, _ in SCENARIOS:
        ours = res[s].get("dismake")
        ratios[s] = {}
        for t, _ in TOOLS:
            if t == "dismake":
                continue
            peer = res[s].get(t) or (res["clean"].get(t) if t == "naive" else None)
            if ours and peer:
                ratios[s][t] = ours["median"] / peer["median"]
    data["ratios"] = ratios
    verdicts = []
    for s, t, limit in TARGETS:
        if not res[s]:
            continue  # not run (--scenarios)
        if t.startswith("dismake:"):
            ours, other = res[s].get("dismake"), res[t.split(":", 1)[1]].get("dismake")
            r = ours["median"] / other["median"] if ours and other else None
        else:
            r = ratios[s].get(t)
        verdicts.append({"scenario": s, "peer": t, "ratio": r, "limit": limit,
                         "met": r is not None and r <= limit})
    mem = [mm for mm in data.get("memory", []) if mm["label"] == "large"]
    if mem:
        r = mem[0]["peak_rss_kib"] / mem[0]["wimlib_dir_rss_kib"]
        verdicts.append({"scenario": "memory", "peer": "wimlib_dir", "ratio": r, "limit": 1.3,
                         "met": r <= 1.3})
    data["targets"] = verdicts

    m = data["meta"]
    lines.append("# dismake benchmark\n")
    lines.append("%s; base image: %d files, %.2f GiB expanded, %.0f MiB LZX; recipe: %d overlay "
                 "files, %d registry values, unattend, a deleted directory, a run step.\n"
                 % (m["when"], m["files"], m["expanded_bytes"] / (1 << 30),
                    m["wim_bytes"] / (1 << 20), data["overlay_files"], data["registry_values"]))
    lines.append("%d repetitions per tool and scenario (naive script: %d, in the clean scenario "
                 "only; a script redoes all its work whatever changed, so its clean time stands "
                 "for every scenario), alternated ABAB/BABA after a warm-up round; warm page "
                 "cache. %s, %d CPUs, load average (1/5/15 min) %s before, %s after the timing.\n"
                 % (m["reps"], m["naive_reps"], m["machine"], m["cpus"],
                    "/".join("%.1f" % x for x in m.get("loadavg_before", [])),
                    "/".join("%.1f" % x for x in m.get("loadavg_after", []))))
    lines.append("## Times (seconds): median [min–max]\n")
    head = "| scenario | " + " | ".join(names[t] for t, _ in TOOLS) + " |"
    lines += [head, "|" + " --- |" * (len(TOOLS) + 1)]
    for s, title in SCENARIOS:
        if not res[s]:
            continue
        cells = []
        for t, _ in TOOLS:
            r = res[s].get(t)
            if r:
                cells.append("%s [%s–%s]" % (fmt_s(r["median"]), fmt_s(r["min"]), fmt_s(r["max"])))
            elif t == "naive" and res["clean"].get(t):
                cells.append("(= clean)")
            else:
                cells.append("–")
        lines.append("| %s | %s |" % (title, " | ".join(cells)))
    lines.append("\n## Ratios dismake / peer (medians)\n")
    peers = [t for t, _ in TOOLS if t != "dismake"]
    lines += ["| scenario | " + " | ".join(names[t] for t in peers) + " |",
              "|" + " --- |" * (len(peers) + 1)]
    for s, title in SCENARIOS:
        if not res[s]:
            continue
        cells = ["%.3f×" % ratios[s][t] if t in ratios[s] else "–" for t in peers]
        lines.append("| %s | %s |" % (title, " | ".join(cells)))
    lines.append("\n## Targets (issues 13 and 25)\n")
    lines += ["| target | ratio | limit | |", "| --- | --- | --- | --- |"]
    scen_names = dict(SCENARIOS, memory="Peak RSS of the helper (large image)")
    peer_names = dict(names, wimlib_dir="wimlib-imagex dir of the same image")
    for v in verdicts:
        peer = v["peer"]
        peer = ("dismake, " + scen_names[peer.split(":", 1)[1]].lower() if peer.startswith("dismake:")
                else peer_names[peer])
        lines.append("| %s vs %s | %s | ≤ %.2f× | %s |" % (
            scen_names[v["scenario"]], peer,
            "%.3f×" % v["ratio"] if v["ratio"] is not None else "–", v["limit"],
            "met" if v["met"] else "**missed**"))
    if data.get("scale"):
        lines.append("\n## Scale: one overlay file changed, against image size (seconds, median)\n")
        lines += ["| image | files | WIM | dismake | expert, just the change | floor (cp) | "
                  "dismake / expert | first build (dismake verifies a new base once): dismake / expert "
                  "script |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for sc in data["scale"]:
            r = sc["results"]
            lines.append("| %s | %d | %.2f GiB | %s | %s | %s | %.3f× | %s / %s |" % (
                sc["label"], sc["files"], sc["wim_bytes"] / GIB,
                fmt_s(r["dismake"]["median"]), fmt_s(r["expert_one"]["median"]),
                fmt_s(r["floor"]["median"]),
                r["dismake"]["median"] / r["expert_one"]["median"],
                fmt_s(sc["clean_dismake"]), fmt_s(sc["clean_expert"])))
    lines.append("\n## dismake's steps (median seconds, from .ninja_log)\n")
    scen = [s for s, _ in SCENARIOS if s in data["steps"]]
    allsteps = sorted({k for s in scen for k in data["steps"][s]})
    lines += ["| step | " + " | ".join(dict(SCENARIOS)[s] for s in scen) + " |",
              "|" + " --- |" * (len(scen) + 1)]
    for k in allsteps:
        lines.append("| %s | %s |" % (k, " | ".join(
            "%.3f" % data["steps"][s][k] if k in data["steps"][s] else "" for s in scen)))
    if data.get("memory"):
        lines.append("\n## Memory: peak RSS of the helper (KiB)\n")
        lines += ["| image | files | expanded | dismake peak (any step) | per verb | wimlib-imagex dir (metadata) |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for mm in data["memory"]:
            verbs = ", ".join("%s %d" % (k, v) for k, v in sorted(mm["peak_rss_kib_by_verb"].items()))
            lines.append("| %s | %d | %.2f GiB | %d | %s | %d |" % (
                mm["label"], mm["files"], mm["expanded_bytes"] / (1 << 30), mm["peak_rss_kib"],
                verbs, mm["wimlib_dir_rss_kib"]))
    if data.get("big_media"):
        b = data["big_media"]
        lines.append("\nInstall.wim over 4 GiB: a %.2f GiB install.wim became a %.2f GiB ISO "
                     "in which it has %d extents (ISO 9660 level 3); extract-media read it "
                     "back %s; make-iso took %s s."
                     % (b["install_wim_bytes"] / GIB, b["iso_bytes"] / GIB,
                        b["install_wim_extents"],
                        "byte for byte" if b["read_back_same"] else "**DIFFERENT**",
                        fmt_s(b["make_iso_seconds"])))
    if data.get("media_same_bytes") is not None:
        lines.append("\nMedia check: dismake's ISO and the bare xorriso's are %s."
                     % ("the same bytes" if data["media_same_bytes"] else "**DIFFERENT**"))
    c = data["output_check"]
    if c is None:
        return "\n".join(lines) + "\n"
    lines.append("\nOutput check: dismake's clean-build WIM and the expert script's: %s "
                 "(%d entries). Expected differences: %d registry hives (hivex sessions lay "
                 "out bytes differently) and %d other names of rewritten hard-linked files "
                 "(dismake gives every name the new content; the expert's update, only the "
                 "name it adds)%s."
                 % ("same" if c["same_tree"] else "DIFFERENT: %s" % c["unexpected"],
                    c["entries"], c["hives"], c["hard_link_names"],
                    ", e.g. %s" % c["hard_link_examples"][0] if c["hard_link_examples"] else ""))
    return "\n".join(lines) + "\n"


def chart(data, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing: no chart")
        return
    res = data["results"]
    fig, ax = plt.subplots(figsize=(13, 6))
    width = 0.8 / len(TOOLS)
    colors = {"dismake": "#1f77b4", "expert_one": "#2ca02c", "expert_reg": "#98df8a",
              "expert": "#ff7f0e", "naive": "#d62728", "floor": "#7f7f7f",
              "expert_one_4ed": "#17becf", "floor_4ed": "#c7c7c7", "expert_verify": "#9467bd",
              "xorriso": "#8c564b"}
    for i, (t, name) in enumerate(TOOLS):
        xs, ys, lo, hi = [], [], [], []
        for j, (s, _) in enumerate(SCENARIOS):
            r = res[s].get(t) or (res["clean"].get(t) if t == "naive" else None)
            if not r:
                continue
            xs.append(j + (i - (len(TOOLS) - 1) / 2) * width)
            ys.append(r["median"])
            lo.append(r["median"] - r["min"])
            hi.append(r["max"] - r["median"])
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=name, color=colors[t],
               hatch="//" if t == "naive" else None)
        for x, y, h in zip(xs, ys, hi):
            ax.text(x, (y + h) * 1.1, fmt_s(y), ha="center", va="bottom", fontsize=7, rotation=90)
    ax.set_yscale("log")
    ax.set_xticks(range(len(SCENARIOS)))
    ax.set_xticklabels([t.replace(" file ", " file\n").replace(" input ", "\ninput ")
                        .replace(" image ", "\nimage ").replace(" value ", " value\n")
                        .replace(", ", ",\n") for _, t in SCENARIOS], fontsize=8)
    ax.set_ylabel("seconds (median, min–max bars; log scale)")
    m = data["meta"]
    ax.set_title("dismake vs peers: %d files, %.2f GiB image, %d reps (naive: %d, clean only)"
                 % (m["files"], m["expanded_bytes"] / (1 << 30), m["reps"], m["naive_reps"]))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, frameon=False)
    ax.set_ylim(top=ax.get_ylim()[1] * 3)
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def chart_scale(data, path):
    """One-change rebuild time against image size, per tool."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    series = data["scale"]
    fig, ax = plt.subplots(figsize=(8, 5))
    xs = [sc["files"] / 1000.0 for sc in series]
    for tool, name, color in (("dismake", "dismake (CMake + Ninja)", "#1f77b4"),
                              ("expert_one", "expert, just the change (cp + update)", "#2ca02c"),
                              ("floor", "floor (cp of the WIM)", "#7f7f7f")):
        ys = [sc["results"][tool]["median"] for sc in series]
        lo = [sc["results"][tool]["median"] - sc["results"][tool]["min"] for sc in series]
        hi = [sc["results"][tool]["max"] - sc["results"][tool]["median"] for sc in series]
        ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=name, color=color)
    for sc, x in zip(series, xs):
        ax.annotate("%.2f GiB WIM" % (sc["wim_bytes"] / GIB), (x, 0), xytext=(0, 4),
                    textcoords="offset points", ha="center", fontsize=8,
                    xycoords=("data", "axes fraction"))
    ax.set_xlabel("files in the image (thousands)")
    ax.set_ylabel("seconds (median, min–max bars)")
    ax.set_title("One overlay file changed: rebuild time against image size")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", required=True)
    ap.add_argument("--dismake", required=True)
    ap.add_argument("--module", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--small-base")
    ap.add_argument("--multi-base")
    ap.add_argument("--scale", action="append", default=[], metavar="LABEL=WIM",
                    type=lambda v: tuple(v.split("=", 1)))
    ap.add_argument("--scale-reps", type=int, default=3)
    ap.add_argument("--results", required=True)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--naive-reps", type=int, default=3)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--big-media", action="store_true",
                    help="also write an ISO whose install.wim is over 4 GiB and read it back")
    ap.add_argument("--scenarios", default=",".join(s for s, _ in SCENARIOS),
                    type=lambda v: v.split(","), help="comma-separated; default: all")
    a = ap.parse_args()
    unknown = set(a.scenarios) - {s for s, _ in SCENARIOS}
    if unknown:
        ap.error("unknown scenarios: %s" % ", ".join(sorted(unknown)))
    if "one_file_4ed" in a.scenarios and not a.multi_base:
        ap.error("--multi-base is needed for the one_file_4ed scenario")
    a.cache = os.path.abspath(a.cache)

    info = subprocess.run(["wimlib-imagex", "info", a.base, "1"], capture_output=True, text=True,
                          check=True).stdout
    load_before = os.getloadavg()
    data = measure(a)
    data["meta"] = {
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "files": int(re.search(r"File Count: *(\d+)", info).group(1)),
        "expanded_bytes": int(re.search(r"Total Bytes: *(\d+)", info).group(1)),
        "wim_bytes": os.path.getsize(a.base),
        "reps": a.reps, "naive_reps": a.naive_reps,
        "machine": platform.platform(), "cpus": os.cpu_count(),
    }
    if a.scale:
        data["scale"] = scale_series(a)
    if a.big_media:
        data["big_media"] = big_media_check(a)
    if not a.skip_memory:
        logdir = os.path.join(a.cache, "logs")
        data["memory"] = [memory(a, a.base, "large", logdir)]
        if a.small_base:
            data["memory"].insert(0, memory(a, a.small_base, "small", logdir))
    os.makedirs(a.results, exist_ok=True)
    md = report(a, data)
    with open(os.path.join(a.results, "results.json"), "w") as f:
        json.dump(data, f, indent=1)
    with open(os.path.join(a.results, "results.md"), "w") as f:
        f.write(md)
    chart(data, os.path.join(a.results, "results.png"))
    if data.get("scale"):
        chart_scale(data, os.path.join(a.results, "results-scale.png"))
    print(md)


if __name__ == "__main__":
    main()
