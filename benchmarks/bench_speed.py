"""How fast is gaitcheck, against decoding alone and against a bare single-person MediaPipe loop?

Run from the repository root (not a test; it takes several minutes)::

    python benchmarks/bench_speed.py                  # the two real clips and a 5-minute 1080p clip
    python benchmarks/bench_speed.py --long-minutes 1 --repeat 2
    python benchmarks/bench_speed.py --long-minutes 0 --myogait /path/to/venv/bin/myogait   # and the peer

For each clip it measures, in this one run:

- ``decode``: gaitcheck's VideoReader alone (PyAV, background thread, upright RGB frames), frames/s;
- ``bare``: what a naive user writes: one PoseLandmarker (VIDEO mode, the bundled model,
  ``num_poses=1``) decoding in the same loop; timed from opening the file (landmarker creation
  included, Python start-up and imports not), in a fresh process of its own;
- ``analyze``: ``python -m gaitcheck analyze CLIP -q`` as a whole process: wall time from launch to
  exit, start-up and imports included; frames/s and the process's peak RSS (``wait4``);
- ``batch``: ``gaitcheck batch --jobs 1`` and ``--jobs 2`` over the two real clips twice, if the command
  exists (whole process, frames/s over all files, peak RSS of the largest process);
- a there-and-back walk (four passes of lab_woman: she leaves the picture and comes back), built
  once, where every pass of the walker has to be followed;
- ``myogait`` (with ``--myogait EXE``): the peer tool's ``myogait run`` on the two real clips, whole
  process, with gaitcheck's model.

The 5-minute 1080p clip is built once (PyAV, libx264) into ``$TMPDIR/gaitcheck-bench/``: frames
50-200 of the sports2d demo (the woman walking past the man on the box) scaled to 1920x1080 and
played forward, backward, forward... so that both people stay in view for the whole 5 minutes
(one long walker track: the worst case for the per-frame pose model).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "videos"
CLIPS = [SHARED / "sports2d_demo_park_side.mp4", SHARED / "lab_woman_indoor_side.mp4"]
SAMPLE = SHARED / "sports2d_demo_park_side.mp4"  # the README's sample clip (sample_videos/ holds the same file)
LONG_SOURCE = SHARED / "sports2d_demo_park_side.mp4"
LONG_RANGE = (50, 200)  # frames of the source where both people are in view
CACHE = Path(tempfile.gettempdir()) / "gaitcheck-bench"


# --- the machine ----------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    import av
    import mediapipe
    import numpy

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, {ram} RAM; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, mediapipe {mediapipe.__version__}, PyAV {av.__version__}, "
            f"numpy {numpy.__version__}; load average before: {load}")


# --- the long clip --------------------------------------------------------------------------------


def long_clip(minutes: float) -> Path:
    """The ``minutes``-long 1080p clip, built once into the cache folder."""
    import av

    fps, size = 30, (1920, 1080)
    path = CACHE / f"long_{minutes:g}min_1080p.mp4"
    if path.is_file():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"building {path} (once) ...", file=sys.stderr, flush=True)
    frames: list[Any] = []
    with av.open(os.fspath(LONG_SOURCE)) as src:
        for i, frame in enumerate(src.decode(video=0)):
            if LONG_RANGE[0] <= i <= LONG_RANGE[1]:
                frames.append(frame.reformat(width=size[0], height=size[1], format="yuv420p").to_ndarray())
    cycle = frames + frames[-2:0:-1]  # forward then backward, without repeating the turning frames
    n = round(minutes * 60 * fps)
    tmp = path.with_suffix(".part.mp4")
    with av.open(os.fspath(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "23", "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(cycle[i % len(cycle)], format="yuv420p")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    tmp.replace(path)
    return path


RETURN_SOURCE = SHARED / "lab_woman_indoor_side.mp4"


def return_clip() -> Path:
    """A there-and-back walk of four passes (~29 s), built once into the cache folder: lab_woman walking
    across, the same clip mirrored (she walks back), twice. She leaves the picture and comes back three
    times: each pass is a new person to the scan, joined into one walk.
    """
    sys.path.insert(0, os.fspath(Path(__file__).resolve().parents[1] / "tests"))
    from _montage import Part, montage

    path = CACHE / "there_and_back_4_passes.mp4"
    if not path.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part.mp4")
        there, back = Part(RETURN_SOURCE.name, 0, 219), Part(RETURN_SOURCE.name, 0, 219, mirror=True)
        montage(tmp, [there, back, there, back])
        tmp.replace(path)
    return path


def fast_clip(source: Path) -> Path:
    """``source`` (a real 30 fps clip) at 60 fps, made by FFmpeg's ``minterpolate`` (motion-compensated:
    ``mi_mode=mci``) through PyAV's libavfilter, built once into the cache folder (slow: ~1 s a frame).
    """
    sys.path.insert(0, os.fspath(Path(__file__).resolve().parents[1] / "tests"))
    from _derive import interpolate

    path = CACHE / f"{source.stem}_60fps.mp4"
    if not path.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"building {path} (once) ...", file=sys.stderr, flush=True)
        tmp = path.with_suffix(".part.mp4")
        interpolate(source, tmp, mode="mci", options={"crf": "18", "preset": "veryfast"})
        tmp.replace(path)
    return path


# --- the measurements -----------------------------------------------------------------------------


def decode_only(path: Path) -> tuple[int, float]:
    """(frames, seconds) for gaitcheck's VideoReader alone."""
    from gaitcheck.video import VideoReader

    t0 = time.perf_counter()
    n = 0
    with VideoReader(path, max_duration_s=None) as reader:
        for _ in reader:
            n += 1
    return n, time.perf_counter() - t0


def bare_loop(path: str) -> dict[str, float]:
    """The naive single-person loop (runs in a child process: ``--_bare PATH``)."""
    import av
    import mediapipe as mp
    import numpy as np
    from mediapipe.tasks.python import BaseOptions, vision

    from gaitcheck.pose.landmarker import resolve_model

    model = resolve_model(None).path
    t0 = time.perf_counter()
    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=model),
                                           running_mode=vision.RunningMode.VIDEO, num_poses=1)
    poses: list[Any] = []
    n = 0
    with vision.PoseLandmarker.create_from_options(options) as landmarker, av.open(path) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            # to_ndarray keeps FFmpeg's row padding (e.g. 1768 px wide rows): MediaPipe needs contiguous rows,
            # or it silently sees a sheared image and finds nobody
            rgb = np.ascontiguousarray(frame.to_ndarray(format="rgb24"))
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            t_ms = round(float(frame.pts * stream.time_base) * 1000)
            result = landmarker.detect_for_video(image, t_ms)
            if result.pose_landmarks:
                poses.append(np.array([(p.x, p.y, p.z, p.visibility) for p in result.pose_landmarks[0]], np.float32))
            n += 1
    return {"frames": n, "seconds": time.perf_counter() - t0, "found": len(poses)}


def _peak_mb(pid: int) -> float:
    """The peak resident memory (VmHWM) of a live process, in MB (0 if it is gone or unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux ``/proc``; just ``pid`` elsewhere)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(k) for k in (task / "children").read_text().split()]
        except (OSError, ValueError):
            pass
    return out


def analyze_cmd(clip: Path) -> list[str]:
    """``gaitcheck analyze CLIP -q`` as a user runs it, in this Python."""
    return [sys.executable, "-m", "gaitcheck", "analyze", os.fspath(clip), "-q"]


def baseline_cmd(clip: Path, checkout: Path) -> list[str]:
    """:func:`analyze_cmd` of another checkout of gaitcheck (``--baseline``), in this Python."""
    code = (f"import sys; sys.path.insert(0, {os.fspath(checkout)!r}); sys.argv = ['gaitcheck', 'analyze', "
            f"{os.fspath(clip)!r}, '-q']; import runpy; runpy.run_module('gaitcheck', run_name='__main__')")
    return [sys.executable, "-c", code]


def run_process(cmd: list[str], capture: bool = False) -> tuple[float, float, int, float, str]:
    """Run ``cmd``; return (wall s, peak RSS in MB of the process or its largest child, exit code, CPU s,
    its stdout if ``capture``). CPU s is user + system time of the process and its children.

    The peak is each process's own high-water mark (VmHWM), sampled every 50 ms while it runs: the
    ``ru_maxrss`` that ``wait4`` reports would also count the memory of this (parent) process,
    which a child started from it inherits as a floor on Linux.
    """
    peaks: dict[int, float] = {}
    done = threading.Event()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE)
    out: list[bytes] = []
    errs: list[bytes] = []
    readers = [threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else b""), daemon=True),
               threading.Thread(target=lambda: errs.append(proc.stderr.read() if proc.stderr else b""), daemon=True)]
    for r in readers:  # both pipes drained while it runs (a full pipe would stall it)
        r.start()

    def sample() -> None:
        while not done.wait(0.05):
            for p in _tree(proc.pid):
                peaks[p] = max(peaks.get(p, 0.0), _peak_mb(p))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    for pipe in (proc.stdout, proc.stderr):
        if pipe:
            pipe.close()
    err = b"".join(errs).decode(errors="replace")
    if proc.returncode:
        print(f"  {' '.join(cmd[-4:])}: exit {proc.returncode}: {err.strip()[-500:]}", file=sys.stderr)
    peak = max(peaks.values(), default=0.0) or usage.ru_maxrss / 1024  # ru_maxrss: KiB (see above)
    return wall, peak, proc.returncode, usage.ru_utime + usage.ru_stime, b"".join(out).decode(errors="replace")


def best(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    return min(runs, key=lambda r: r[0])


def peer(exe: str, clips: list[Path], rows: dict[str, dict[str, Any]], repeat: int,
         targets: list[tuple[str, str, bool]]) -> None:
    """Time ``myogait run CLIP`` (whole process) with gaitcheck's model, against gaitcheck analyze.

    The two alternate on each clip (best of ``repeat`` each), like bare and analyze above: a shared
    machine's speed drifts over the minutes a run takes, so a figure from earlier would not compare.
    myogait looks for its MediaPipe model as ``~/.myogait/models/pose_landmarker_heavy.task`` and
    downloads one if it is missing: it is run with HOME set to a temporary folder holding the
    bundled full model under that name (so: the same model, and no download).
    """
    import shutil

    from gaitcheck.pose.landmarker import resolve_model

    print("\npeer: myogait run vs gaitcheck analyze (whole processes, the same model, alternating):")
    with tempfile.TemporaryDirectory() as home:
        models = Path(home) / ".myogait" / "models"
        models.mkdir(parents=True)
        shutil.copy(resolve_model(None).path, models / "pose_landmarker_heavy.task")
        env = {**os.environ, "HOME": home}
        for clip in clips:
            row = rows.get(clip.name)
            if row is None:
                continue
            theirs, ours = [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                done = subprocess.run([exe, "run", os.fspath(clip), "-o", os.path.join(home, "out.json")],
                                      capture_output=True, env=env)
                theirs.append(time.perf_counter() - t0)
                if done.returncode:
                    print(f"  {clip.name}: myogait failed: {done.stderr.decode(errors='replace')[-300:]}")
                    break
                ours.append(run_process(analyze_cmd(clip))[0])
            if len(ours) < repeat:
                continue
            fps, own = row["frames"] / min(theirs), row["frames"] / min(ours)
            print(f"  {clip.name:<28} myogait {fps:5.1f} fps; gaitcheck analyze {own:5.1f} fps ({own / fps:.2f}x)")
            targets.append((f"frames/s against the peer myogait, {clip.stem}", f"{own / fps:.2f}x (>= 1.5x)",
                            own / fps >= 1.5))


def has_batch() -> bool:
    out = subprocess.run([sys.executable, "-m", "gaitcheck", "--help"], capture_output=True, text=True)
    return " batch" in out.stdout


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--long-minutes", type=float, default=5.0, help="length of the built 1080p clip (0 = none)")
    p.add_argument("--repeat", type=int, default=3, help="runs of each measurement on the short clips; the fastest "
                                                         "is kept (the machine may be shared)")
    p.add_argument("--repeat-long", type=int, default=1, help="the same for the long clip")
    p.add_argument("--no-batch", action="store_true", help="skip the batch measurements")
    p.add_argument("--clips", nargs="*", type=Path, help="other clips instead of the two real ones")
    p.add_argument("--myogait", metavar="EXE", help="also time the peer tool myogait (its `myogait` executable, "
                   "e.g. from `pip install myogait==0.9.2` in a venv) on the short clips, with the same model")
    p.add_argument("--no-fast", dest="fast", action="store_false",
                   help="skip the 60 fps clip (built once from lab_woman_indoor_side with minterpolate: ~5 minutes)")
    p.add_argument("--no-there-and-back", dest="there_and_back", action="store_false",
                   help="skip the there-and-back walk (four passes of lab_woman_indoor_side, built once)")
    p.add_argument("--baseline", type=Path, metavar="DIR", help="also time `analyze` of another checkout of "
                   "gaitcheck (e.g. `git archive` of an older commit), alternating, on the short clips")
    p.add_argument("--_bare", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args._bare:
        print(json.dumps(bare_loop(args._bare)))
        return 0

    print(f"machine: {machine()}", flush=True)
    clips = list(args.clips or CLIPS)
    back = return_clip() if args.there_and_back and RETURN_SOURCE.is_file() else None
    if back is not None:
        clips.append(back)
    if args.long_minutes > 0:
        clips.append(long_clip(args.long_minutes))
    fast_source = SHARED / "lab_woman_indoor_side.mp4"
    fast = fast_clip(fast_source) if args.fast and fast_source.is_file() else None
    rows = []
    long = clips[-1] if args.long_minutes > 0 else None
    for clip in clips:
        print(f"{clip.name} ...", file=sys.stderr, flush=True)
        repeat = args.repeat_long if clip == long else args.repeat
        dec = best([decode_only(clip) for _ in range(repeat)])
        frames = int(dec[0])
        bares, anas, bases = [], [], []
        for _ in range(repeat):  # alternate them, so that a slower spell of a shared machine hits all
            bares.append(bare_process(clip))
            anas.append(run_process(analyze_cmd(clip)))
            if args.baseline and clip != long:
                bases.append(run_process(baseline_cmd(clip, args.baseline)))
        bare, ana = best(bares), best(anas)
        from gaitcheck.video import probe_video

        info = probe_video(clip)
        rows.append({"clip": clip.name, "size": f"{info.width}x{info.height}", "frames": frames,
                     "decode": frames / dec[1], "bare": bare[1] / bare[0], "found": bare[2] / bare[1],
                     "bare_proc": bare[1] / bare[3], "bare_cpu": min(b[4] for b in bares) / frames,
                     "analyze": frames / ana[0], "analyze_s": ana[0], "rss": ana[1], "ok": ana[2] == 0,
                     "cpu": ana[3], "cpu_frame": min(a[3] for a in anas) / frames,
                     "base_cpu_frame": min(b[3] for b in bases) / frames if bases else None,
                     "base_wall": min(b[0] for b in bases) if bases else None})

    print()
    head = (f"{'clip':<28} {'size':>9} {'frames':>6} {'decode':>7} {'bare':>6} {'(found)':>7} {'bare p.':>7} "
            f"{'analyze':>7} {'/bare':>6} {'/bare p.':>8} {'an. s':>6} {'CPU ms/f':>8} {'bare':>5} {'x':>5} "
            f"{'peak RSS':>9}")
    print(head)
    print("-" * len(head))
    for r in rows:
        flag = "" if r["ok"] else "  (analyze FAILED)"
        print(f"{r['clip'][:28]:<28} {r['size']:>9} {r['frames']:>6} {r['decode']:>7.1f} {r['bare']:>6.1f} "
              f"{r['found']:>7.0%} {r['bare_proc']:>7.1f} {r['analyze']:>7.1f} {r['analyze'] / r['bare']:>6.0%} "
              f"{r['analyze'] / r['bare_proc']:>8.0%} {r['analyze_s']:>6.1f} {1000 * r['cpu_frame']:>8.1f} "
              f"{1000 * r['bare_cpu']:>5.1f} {r['cpu_frame'] / r['bare_cpu']:>5.2f} {r['rss']:>6.0f} MB{flag}")
    print("(fps = frames per second. decode: VideoReader alone. bare: a single-person PoseLandmarker loop (VIDEO mode, "
          "the bundled model, decoding inline), the loop alone (landmarker creation included, Python start-up and "
          "imports not); (found): its frames with a pose; bare p.: the same loop as a whole process (`python "
          "bare.py CLIP`: start-up and imports included). analyze: the whole `python -m gaitcheck analyze -q` "
          "process, start-up included. CPU ms/f: user + system CPU time per frame of the whole process, analyze "
          "and bare, and x = their ratio. Best of --repeat runs, bare and analyze alternating.)")
    if args.baseline:
        print(f"\nbaseline: `analyze` of the checkout {args.baseline} (before this work), in the same runs:")
        for r in rows:
            if r["base_cpu_frame"]:
                print(f"  {r['clip'][:28]:<28} CPU {1000 * r['base_cpu_frame']:5.1f} ms/frame "
                      f"({r['base_cpu_frame'] / r['bare_cpu']:.2f}x bare) -> {1000 * r['cpu_frame']:5.1f} "
                      f"({r['cpu_frame'] / r['bare_cpu']:.2f}x); wall {r['base_wall']:.1f} -> {r['analyze_s']:.1f} s")
    imports = import_costs(args.repeat)
    print(f"\nimports alone (whole processes, CPU s, best of {args.repeat}): analyze's {imports[0]:.2f} s, the bare "
          f"loop's {imports[1]:.2f} s: {imports[0] - imports[1]:.2f} s more, before a single frame")
    for r in rows:
        net = (r["cpu_frame"] * r["frames"] - (imports[0] - imports[1])) / r["frames"]
        print(f"  {r['clip'][:28]:<28} CPU per frame without that difference: {1000 * net:5.1f} ms "
              f"({net / r['bare_cpu']:.2f}x bare)")
    by_name = {r["clip"]: r for r in rows}
    targets: list[tuple[str, str, bool]] = []
    for clip in CLIPS:
        r = by_name.get(clip.name)
        if r:
            x = r["cpu_frame"] / r["bare_cpu"]
            targets.append((f"CPU per frame, analyze / bare loop, {clip.stem}", f"{x:.2f}x (<= 1.15x)", x <= 1.15))
    if back is not None and back.name in by_name:
        r = by_name[back.name]
        x = r["cpu_frame"] / r["bare_cpu"]
        targets.append(("CPU per frame, analyze / bare loop, a there-and-back walk (4 passes)",
                        f"{x:.2f}x (<= 1.15x)", x <= 1.15))
    sample = by_name.get(SAMPLE.name)
    if sample:
        x = sample["analyze"] / sample["bare_proc"]
        targets.append(("analyze wall vs bare loop (whole processes), sample clip", f"{x:.2f}x (>= 1.0x)", x >= 1.0))
    if long is not None and long.name in by_name:
        r = by_name[long.name]
        targets.append((f"peak RSS, {args.long_minutes:g}-minute 1080p clip", f"{r['rss']:.0f} MB (< 600 MB)",
                        r["rss"] < 600))

    if fast is not None:
        print(f"\n60 fps: {fast.name} (minterpolate mci from the 30 fps {fast_source.name}) against the original "
              "(whole `analyze` processes, alternating):")
        runs: dict[Path, list[tuple[float, ...]]] = {fast_source: [], fast: []}
        for _ in range(args.repeat):
            for clip in runs:
                runs[clip].append(run_process(analyze_cmd(clip))[:4])
        w30, c30 = min(r[0] for r in runs[fast_source]), min(r[3] for r in runs[fast_source])
        w60, c60 = min(r[0] for r in runs[fast]), min(r[3] for r in runs[fast])
        print(f"  30 fps: {w30:5.1f} s wall, {c30:5.1f} s CPU;  60 fps: {w60:5.1f} s wall, {c60:5.1f} s CPU;  "
              f"60/30: wall {w60 / w30:.2f}x, CPU {c60 / c30:.2f}x")
        targets.append(("60 fps clip cost / its 30 fps original (CPU s)", f"{c60 / c30:.2f}x (<= 1.15x)",
                        c60 / c30 <= 1.15))

    if args.myogait:
        peer(args.myogait, [c for c in CLIPS if c.is_file()], by_name, args.repeat, targets)
    if not args.no_batch and has_batch():
        batch_vs_bare(by_name, args.repeat, targets)
    print("\ntargets (issue 16), all from this run:")
    for what, figure, ok in targets:
        print(f"  {'met ' if ok else 'MISS'}  {what:<62} {figure}")
    return 0


IMPORTS = {  # what each process imports before its first frame
    "analyze": "import gaitcheck.cli, gaitcheck.cli.analyze, mediapipe, scipy.signal, scipy.ndimage",
    "bare": "import av, mediapipe, numpy",
}


def import_costs(repeat: int) -> tuple[float, float]:
    """CPU seconds (best of ``repeat``, alternating) of a process doing only analyze's, then the bare loop's imports.

    scipy's signal and ndimage are what ``analyze`` loads to score (``gaitcheck.pose.live.load_scoring``).
    """
    got: dict[str, list[float]] = {k: [] for k in IMPORTS}
    for _ in range(max(1, repeat)):
        for kind, code in IMPORTS.items():
            got[kind].append(run_process([sys.executable, "-c", code])[3])
    return min(got["analyze"]), min(got["bare"])


def bare_process(clip: Path) -> tuple[float, float, float, float, float]:
    """The bare loop in a fresh process: (loop s, frames, frames with a pose, whole-process wall s, CPU s)."""
    wall, _, code, cpu, out = run_process([sys.executable, __file__, "--_bare", os.fspath(clip)], capture=True)
    if code:
        raise SystemExit(f"the bare loop failed on {clip.name}")
    r = json.loads(out.strip().splitlines()[-1])
    return r["seconds"], r["frames"], r["found"], wall, cpu


def batch_vs_bare(rows: dict[str, dict[str, Any]], repeat: int, targets: list[tuple[str, str, bool]]) -> None:
    """``gaitcheck batch`` with its default --jobs against one bare loop over the same files, alternating."""
    from gaitcheck.batch.runners import worker_count

    batch_clips = [c for c in CLIPS if c.is_file() and c.name in rows]
    frames = 2 * sum(int(rows[c.name]["frames"]) for c in batch_clips)
    print(f"\nbatch over {', '.join(c.name for c in batch_clips)}, each twice (four files, {frames} frames), "
          f"default --jobs ({worker_count(0)} workers here), against the bare loop over the same four files one "
          "after the other (a fresh process each), alternating:")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        for k in (1, 2):
            for clip in batch_clips:
                link = Path(tmp) / f"{clip.stem}-{k}{clip.suffix}"
                link.symlink_to(clip)
                inputs.append(link)
        cmd = [sys.executable, "-m", "gaitcheck", "batch", *map(os.fspath, inputs), "--out",
               os.path.join(tmp, "out.csv"), "-q"]
        batches, bares = [], []
        for _ in range(repeat):
            batches.append(run_process(cmd)[:4])
            loops = [bare_process(c) for c in inputs]
            bares.append((sum(b[3] for b in loops), sum(b[4] for b in loops)))
    wall, rss, code, cpu = best(batches)
    bare_wall, bare_cpu = best(bares)
    note = "" if code == 0 else f"  (exit {code})"
    print(f"  batch: {wall:6.1f} s, {frames / wall:6.1f} fps, CPU {cpu:.1f} s ({cpu / wall:.2f} cores busy), "
          f"peak RSS {rss:.0f} MB{note}")
    print(f"  bare loop: {bare_wall:6.1f} s, {frames / bare_wall:6.1f} fps, CPU {bare_cpu:.1f} s "
          f"({bare_cpu / bare_wall:.2f} cores busy)")
    x = bare_wall / wall
    print(f"  batch / one bare loop, throughput: {x:.2f}x; CPU per frame {cpu / bare_cpu:.2f}x the bare loop's")
    targets.append(("batch (default --jobs) throughput / one bare loop", f"{x:.2f}x (>= 1.7x)", x >= 1.7))


if __name__ == "__main__":
    sys.exit(main())
