"""A benchmark's results: the ratios between runs, the targets they are held to, JSON and a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from fitness.bench.analyze import COMMAND_VARIANTS, AnalyzeResult
from fitness.bench.clip import LIVE_SIZE
from fitness.bench.live import RunResult
from fitness.bench.multi import MultiBench, format_multi
from fitness.bench.pipeline import STAGES
from fitness.bench.soak import SoakResult
from fitness.bench.system import loadavg, round1

# The performance targets (issue 6): a webcam at 30 fps with a responsive HUD, Thunder usable
# live, LiteRT worth its set-up over the tutorial TF call, analysis faster than watching, flat memory.
LIVE_FPS: Final = 30.0
LIVE_P95_MS: Final = 40.0
THUNDER_FPS: Final = 15.0
LITERT_SPEEDUP: Final = 2.0
ANALYZE_REALTIME_X: Final = 2.0
# Issue 15: one 720p/30 fps video through the whole command, start-up included, at least 8x
# real time on this machine, counts unchanged: the command's default of 15 poses a second.
ANALYZE_COMMAND_FAST_X: Final = 8.0
SOAK_GROWTH_MB: Final = 20.0
# Group mode (issue 14): analyze --people 2 on 720p at least twice as fast as watching.
GROUP_PEOPLE: Final = 2
GROUP_REALTIME_X: Final = 2.0


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    value: float | None
    limit: float
    higher_is_better: bool = True
    unit: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else round(self.value, 2),
            "target": f"{'>=' if self.higher_is_better else '<='} {self.limit:g}{self.unit}",
            "met": self.met,
        }


@dataclass(frozen=True)
class BenchReport:
    machine: dict[str, Any]
    config: dict[str, Any]
    runs: tuple[RunResult, ...]
    analyze: AnalyzeResult | None
    soak: SoakResult | None
    rss_start_mb: float | None
    rss_end_mb: float | None
    pipeline: dict[str, str] = field(default_factory=dict)
    group: MultiBench | None = None

    def run(self, variant: str, runtime: str) -> RunResult | None:
        return next((r for r in self.runs if r.variant == variant and r.runtime == runtime), None)

    def ratios(self) -> dict[str, Any]:
        """LiteRT vs TF per variant, and each variant against Lightning per runtime (x = times)."""
        out: dict[str, Any] = {"litert_vs_tf": {}, "vs_lightning": {}}
        for variant in dict.fromkeys(r.variant for r in self.runs):
            lit, tf = self.run(variant, "litert"), self.run(variant, "tf")
            if lit and tf:
                out["litert_vs_tf"][variant] = {
                    "inference_speedup": _ratio(tf.stages_ms["inference"], lit.stages_ms["inference"]),
                    "fps_speedup": _ratio(lit.fps, tf.fps),
                    "p95_speedup": _ratio(tf.latency.p95_ms, lit.latency.p95_ms),
                }
        for runtime in dict.fromkeys(r.runtime for r in self.runs):
            base = self.run("lightning", runtime)
            if base is None:
                continue
            for variant in dict.fromkeys(r.variant for r in self.runs):
                other = self.run(variant, runtime)
                if other is None or variant == "lightning":
                    continue
                out["vs_lightning"][f"{variant}/{runtime}"] = {
                    "inference_cost": _ratio(other.stages_ms["inference"], base.stages_ms["inference"]),
                    "fps_ratio": _ratio(other.fps, base.fps),
                }
        return out

    def targets(self) -> list[Target]:
        lit = self.run("lightning", "litert")
        thunder = self.run("thunder", "litert")
        tf = self.run("lightning", "tf")
        found: list[Target] = []
        if lit is not None:
            found.append(Target("lightning live fps", lit.fps, LIVE_FPS, unit=" fps"))
            found.append(
                Target("lightning live p95", lit.latency.p95_ms, LIVE_P95_MS, higher_is_better=False, unit=" ms")
            )
        if thunder is not None:
            found.append(Target("thunder live fps", thunder.fps, THUNDER_FPS, unit=" fps"))
        if lit is not None and tf is not None:
            speedup = _ratio(tf.stages_ms["inference"], lit.stages_ms["inference"])
            found.append(Target("litert vs tf (inference)", speedup, LITERT_SPEEDUP))
        if self.analyze is not None:
            found.append(Target("analyze x real time", self.analyze.realtime_x, ANALYZE_REALTIME_X, unit="x"))
            if self.analyze.command_realtime_x is not None:
                found.append(
                    Target("analyze command x real time", self.analyze.command_realtime_x, ANALYZE_REALTIME_X, unit="x")
                )
            fast = self.analyze.command(COMMAND_VARIANTS[1][0])
            if fast is not None:
                name = f"analyze command at {fast.label} x real time"
                found.append(Target(name, fast.realtime_x, ANALYZE_COMMAND_FAST_X, unit="x"))
        if self.soak is not None:
            found.append(
                Target("soak RSS growth", self.soak.growth_mb, SOAK_GROWTH_MB, higher_is_better=False, unit=" MB")
            )
        two = self.group.timing(GROUP_PEOPLE) if self.group is not None else None
        if two is not None:
            found.append(Target("group analyze x real time (2 people, 720p)", two.realtime, GROUP_REALTIME_X, unit="x"))
            # The same per CPU second: what a quiet machine would show on one core, load aside.
            found.append(Target("group analyze x real time per CPU s", two.cpu_realtime, GROUP_REALTIME_X, unit="x"))
        return found

    def to_dict(self) -> dict[str, Any]:
        machine = {**self.machine, "loadavg_end": loadavg()}
        rss: dict[str, Any] = {"process_start": round1(self.rss_start_mb), "process_end": round1(self.rss_end_mb)}
        if self.soak is not None:
            rss.update(self.soak.to_dict())
        return {
            "machine": machine,
            "config": self.config,
            "pipeline": self.pipeline,
            "runs": [r.to_dict() for r in self.runs],
            "ratios": self.ratios(),
            "rss_mb": rss,
            "analyze": None if self.analyze is None else self.analyze.to_dict(),
            "group": None if self.group is None else self.group.to_dict(),
            "targets": {t.name: t.to_dict() for t in self.targets()},
        }


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 2) if den > 0 else None


# -- the printed table -------------------------------------------------------------------------


def format_report(report: BenchReport) -> str:
    m = report.machine
    lines = [
        f"machine: {m['cpu']}, {m['usable_cores']} cores, {m.get('memory_mb')} MB, Python {m['python']}, "
        f"LiteRT {m['versions'].get('ai-edge-litert')}, TensorFlow {m['versions'].get('tensorflow')}",
        f"load average at start {m.get('loadavg_start')}, at end {loadavg()}",
        f"clip: {report.config['clip']} -> live frames {LIVE_SIZE[0]}x{LIVE_SIZE[1]}, "
        f"{report.config['frames_per_run']} frames per run, {report.config['threads']} inference threads",
        "",
        *_runs_table(report.runs),
        *_ratio_lines(report.ratios()),
        *(_analyze_lines(report.analyze) if report.analyze is not None else []),
        *(_soak_lines(report.soak) if report.soak is not None else []),
        *(
            ["", "group mode (analyze --people N on 1280x720 mosaics):", format_multi(report.group).rstrip()]
            if report.group is not None
            else []
        ),
        "",
    ]
    for t in report.targets():
        mark = "n/a" if t.met is None else "met" if t.met else "MISSED"
        value = "-" if t.value is None else f"{t.value:.2f}"
        lines.append(f"target {t.name:<30} {value:>8} ({'>=' if t.higher_is_better else '<='} {t.limit:g}) {mark}")
    return "\n".join(lines) + "\n"


_SHORT: Final = {
    "preprocess": "prep",
    "inference": "infer",
    "postprocess": "post",
    "counting": "count",
    "drawing": "draw",
}


def _runs_table(runs: tuple[RunResult, ...]) -> list[str]:
    width = max([10, *(len(r.variant) for r in runs)])
    head = f"{'variant':<{width}} {'runtime':<7} {'fps':>6} {'mean':>6} {'p50':>6} {'p95':>6} |"
    head += "".join(f" {_SHORT.get(s, s)[:6]:>6}" for s in STAGES) + " | busy%  others%"
    lines = [head + "   (latency and stages: ms per frame)", "-" * len(head)]
    for r in runs:
        row = f"{r.variant:<{width}} {r.runtime:<7} {r.fps:6.1f} {r.latency.mean_ms:6.1f} {r.latency.p50_ms:6.1f} "
        row += f"{r.latency.p95_ms:6.1f} |" + "".join(f" {r.stages_ms[s]:6.2f}" for s in STAGES)
        row += f" | {_pct(r.cpu.machine_pct)} {_pct(r.cpu.others_pct)}"
        lines.append(row)
    return lines


def _ratio_lines(ratios: dict[str, Any]) -> list[str]:
    lines = [""] if ratios["litert_vs_tf"] or ratios["vs_lightning"] else []
    for variant, r in ratios["litert_vs_tf"].items():
        lines.append(
            f"LiteRT vs TF signature call, {variant}: inference {r['inference_speedup']}x faster, "
            f"end to end {r['fps_speedup']}x the fps"
        )
    for key, r in ratios["vs_lightning"].items():
        lines.append(f"{key} vs lightning: inference costs {r['inference_cost']}x, fps is {r['fps_ratio']}x")
    return lines


def _analyze_lines(a: AnalyzeResult) -> list[str]:
    per_frame, infer = (a.run_s * 1000 / max(1, a.frames), a.inference_s * 1000 / max(1, a.frames))
    lines = [
        "",
        f"analyze ({a.width}x{a.height}, {a.fps:.2f} fps, {a.frames} frames, {a.duration_s:.1f} s): "
        f"{a.run_s:.1f} s = {a.realtime_x:.2f}x real time ({per_frame:.1f} ms/frame, inference {infer:.1f}); "
        f"{a.reps} {a.exercise} reps; machine busy {_pct(a.cpu.machine_pct if a.cpu else None).strip()}%, "
        f"others {_pct(a.cpu.others_pct if a.cpu else None).strip()}%",
    ]
    for c in a.commands:
        walls = ", ".join(f"{r.wall_s:.1f}" for r in c.runs)
        loads = ", ".join(f"{r.load:.1f}" for r in c.runs)
        lines.append(
            f"'fitness analyze', {c.label}, start-up included, {c.duration_s:.1f} s of video: wall {c.wall_s:.1f} s"
            f" = {c.realtime_x:.2f}x real time (runs: {walls} s; load average {loads}); CPU {c.cpu_s:.1f} s"
            f" = {c.cpu_realtime_x:.2f}x per core; reps {'/'.join(str(r.reps) for r in c.runs)}"
        )
    return lines


def _soak_lines(s: SoakResult) -> list[str]:
    return [
        "",
        f"soak: {s.frames} frames ({s.stream_minutes:.1f} min of stream) in {s.wall_s:.0f} s "
        f"({s.frames / s.wall_s:.1f} fps, p95 {s.latency.p95_ms:.1f} ms); RSS {s.start_mb:.1f} -> "
        f"{s.end_mb:.1f} MB (growth {s.growth_mb:+.1f} MB, trend {s.slope_mb_per_min:+.2f} MB/min)",
    ]


def _pct(v: float | None) -> str:
    return "   -  " if v is None else f"{v:5.0f} "
