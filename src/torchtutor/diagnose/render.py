"""Human-readable views of a doctor report and of the catalogue.

The views are built as styled lines, ``(style, text)``, so that every front end renders the
same words: :func:`report_text` joins them into plain text (tests, logs, notebooks), and
:class:`ReportView` / :class:`CatalogueView` are rich renderables (they implement
``__rich_console__`` without importing rich) for the terminal. Styles: ``title``,
``heading``, ``warning``, ``info``, ``ok``, ``text``, ``code``, ``dim``, ``table``.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from typing import Any, Iterable

from .catalogue import CATALOGUE, LESSONS, PHASES
from .findings import Finding, fmt, short_path

Line = tuple[str, str]
_STYLES = {
    "title": "bold",
    "heading": "bold cyan",
    "warning": "bold yellow",
    "info": "bold blue",
    "ok": "green",
    "text": "",
    "code": "green",
    "dim": "dim",
    "table": "",
}


def _num(x: Any) -> str:
    if x is None:
        return "-"
    return fmt(x) if isinstance(x, float) else str(x)


def _pct(x: Any) -> str:
    return "-" if x is None else f"{x:.1%}"


def _wrap(text: str, width: int, indent: str) -> list[str]:
    out: list[str] = []
    for para in text.split("\n"):
        out.extend(textwrap.wrap(para, width=max(30, width - len(indent)), break_on_hyphens=False,
                                 break_long_words=False) or [""])
    return [indent + line for line in out]


def _where(loc: dict | None, base: str | None) -> str:
    if not loc:
        return ""
    return f"{short_path(loc['file'], base)}:{loc['line']}"


def finding_lines(f: Finding | dict, width: int = 88, base: str | None = None) -> list[Line]:
    """One finding: the headline, what was observed and why, the fix as code, the lesson."""
    d = f.to_dict() if isinstance(f, Finding) else f
    warn = d["severity"] == "warning"
    where = _where(d.get("location"), base)
    head = f"{'WARNING' if warn else 'NOTE'} {d['id']}: {d.get('title') or ''}"
    if where:
        head += f"  ({where})"
    lines: list[Line] = [("warning" if warn else "info", "  " + head)]
    cause = _where(d.get("cause"), base)
    if cause and cause != where:
        lines.append(("dim", f"    Caused at {cause}; seen at {where or 'an unknown line'}."))
    lines += [("text", s) for s in _wrap(d.get("message", ""), width, "    ")]
    if warn and d.get("fix"):
        lines.append(("dim", "    Fix:"))
        lines += [("code", "      " + s) for s in d["fix"].splitlines()]
    if warn and d.get("lesson"):
        module = LESSONS.get(d["lesson"], "")
        lines.append(("dim", f"    Lesson: {d['lesson']}" + (f" (module {module})" if module else "")))
    return lines


def _gradient_table(rows: list[dict], limit: int = 14) -> list[Line]:
    if not rows:
        return []
    shown = rows if len(rows) <= limit else rows[: limit // 2] + [None] + rows[-limit // 2:]
    name_w = min(36, max(10, *(len(r["name"]) for r in rows)))
    out: list[Line] = [("table", f"    {'parameter':<{name_w}}  {'shape':<14} {'grad norm':>10} {'per element':>12}")]
    for r in shown:
        if r is None:
            out.append(("dim", f"    {'...':<{name_w}}"))
            continue
        shape = "x".join(str(d) for d in r["shape"]) or "scalar"
        out.append(("table", f"    {r['name'][:name_w]:<{name_w}}  {shape:<14} {_num(r['norm']):>10} {_num(r['rms']):>12}"))
    return out


def _phase_observations(phase: str, obs: dict, summary: dict) -> list[Line]:
    lines: list[Line] = []
    if phase == "model":
        models = obs.get("models") or []
        if not models:
            lines.append(("dim", "    No nn.Module with parameters was called."))
        for m in models:
            lines.append(("text", f"    {m['name']}: {m['parameters']:,} parameters ({m['trainable']:,} trainable), "
                                  f"called {m['calls']} time(s); first input {m.get('input_shapes')}."))
            summ = m.get("summary") or {}
            if summ.get("torchinfo"):
                lines.append(("dim", "      (torchinfo ran on the first 2 samples of that input, so its batch size reads 2)"))
            if summ.get("text"):
                for s in summ["text"].splitlines():
                    lines.append(("table", "      " + s))
            if summ.get("error"):
                lines.append(("dim", f"      (torchinfo could not run the model: {summ['error']})"))
    elif phase == "gradients":
        grads = obs.get("gradients") or {}
        rows = grads.get("first_iteration") or []
        if rows:
            lines.append(("text", "    Per-parameter gradient norms at the first backward pass:"))
            lines += _gradient_table(rows)
        else:
            lines.append(("dim", "    No backward pass reached any parameter, so there are no gradient norms."))
        samples = [s for s in grads.get("samples") or [] if s.get("total_norm") is not None]
        if len(samples) >= 2:
            pts = ", ".join(f"step {s['step']}: {_num(s['total_norm'])}" for s in samples[:: max(1, len(samples) // 6)][:7])
            lines.append(("text", f"    Total gradient norm over training: {pts}."))
    elif phase == "loop":
        loop = obs.get("loop") or {}
        if loop.get("pattern"):
            lines.append(("text", f"    One iteration: {loop['pattern']}."))
        counts = (f"    {loop.get('steps', 0):,} optimizer step(s), {loop.get('backward_calls', 0):,} backward pass(es), "
                  f"{loop.get('zero_grad_calls', 0):,} zero_grad call(s), {loop.get('model_forwards', 0):,} model forward(s).")
        lines.append(("text", counts))
        for o in loop.get("optimizers") or []:
            lines.append(("text", f"    Optimizer: {o['class']}(lr={_num(o.get('lr'))}), {o['steps']:,} step(s)."))
        for ld in loop.get("loaders") or []:
            if not ld.get("batches"):
                continue
            role = "training" if ld.get("steps") else "evaluation"
            size = f"{ld['dataset_size']:,} samples" if ld.get("dataset_size") is not None else "a dataset"
            lines.append(("text", f"    DataLoader ({role}): {size}, batch_size={ld.get('batch_size')}, "
                                  f"shuffle={ld.get('shuffle')}, {ld.get('batches'):,} batch(es) served."))
    elif phase == "evaluation":
        tr = obs.get("training") or {}
        if tr.get("loss_first") is not None:
            lines.append(("text", f"    Training batches ({tr.get('classes')} classes): loss {_num(tr.get('loss_first'))} -> "
                                  f"{_num(tr.get('loss_last'))}, accuracy {_pct(tr.get('accuracy_first'))} -> "
                                  f"{_pct(tr.get('accuracy_last'))} (first and last tenth of the sampled batches)."))
        else:
            hist = obs.get("loss_history") or []
            finite = [v for _, v in hist if isinstance(v, (int, float)) and math.isfinite(v)]
            if finite:
                lines.append(("text", f"    Loss passed to backward(): {_num(finite[0])} at first, {_num(finite[-1])} at the end "
                                      f"({len(hist)} samples)."))
        if tr.get("eval_loss") is not None:
            lines.append(("text", f"    Evaluation batches: loss {_num(tr.get('eval_loss'))}, accuracy {_pct(tr.get('eval_accuracy'))}."))
        for e in obs.get("evaluation") or []:
            if e.get("eval_forwards"):
                lines.append(("text", f"    {e['model']}: {e['eval_forwards']} forward pass(es) after training whose "
                                      f"output no backward used; {e['with_grad']} of them with gradient tracking on, "
                                      f"{e['dropout_or_bn_active']} with dropout/batch norm in training mode."))
        if not any(e.get("eval_forwards") for e in obs.get("evaluation") or []):
            if summary.get("cut_short"):
                lines.append(("dim", "    No evaluation pass was seen before the run was cut short."))
            else:
                lines.append(("dim", "    No evaluation pass (forward without backward after training) was seen."))
    return lines


def cut_short_text(summary: dict[str, Any]) -> str | None:
    """What the budget did to the run, in the order it happened."""
    cut = summary.get("cut_short")
    if not cut:
        return None
    if cut == "killed":
        return ("The script did not stop at the --max-seconds limit and was killed; only what the probes saw "
                "before that is reported.")
    ff = summary.get("fast_forward_step")
    stopped = summary.get("stopped_at_step")
    limit = summary.get("max_seconds")
    parts = []
    if ff is not None:
        if cut == "max-steps":
            start = f"The run reached --max-steps {summary.get('max_steps')} at step {ff:,}"
        elif cut == "step-budget":
            start = (f"The run reached the doctor's step budget of {ff:,} optimizer steps (every check has decided "
                     "by then; --max-steps sets another)")
        else:
            start = (f"Half of the time that --max-seconds {limit:g} left when training began was spent before the step "
                     f"budget was reached; fast-forward started at step {ff:,}, the next round step count" if limit else
                     f"The time budget ran low at step {ff:,}")
        parts.append(start + "; from then on each pass over a DataLoader yielded one batch, so that the rest "
                     "of the script (evaluation, saving) could still run.")
        if stopped is not None:
            parts.append(f"The --max-seconds limit of {limit:g} s then stopped the run at step {stopped:,}." if limit
                         else f"The run was then stopped at step {stopped:,}.")
    elif cut == "max-steps":
        parts.append(f"The run was stopped at --max-steps {summary.get('max_steps')}.")
    else:
        at = f" at step {stopped:,}" if stopped is not None else ""
        parts.append(f"The run was stopped by the --max-seconds limit of {limit:g} s{at}." if limit else
                     f"The run was stopped{at}.")
    return " ".join(parts)


def report_lines(report: Any, width: int = 88) -> list[Line]:
    """The whole report as styled lines; ``report`` is a DoctorReport or its dict."""
    d = report.to_dict() if hasattr(report, "to_dict") else report
    summary = d.get("summary") or {}
    obs = d.get("observations") or {}
    base = os.path.dirname(d["script"])
    findings = d.get("findings") or []
    lines: list[Line] = []
    ran = []
    if summary.get("duration_s") is not None:
        ran.append(f"ran {summary['duration_s']:.1f} s")
    if summary.get("steps") is not None:
        ran.append(f"{summary['steps']:,} optimizer step(s)")
    if d.get("exit_status") is not None:
        ran.append(f"exit status {d['exit_status']}")
    lines.append(("title", f"torchtutor doctor: {short_path(d['script'])}" + (f"  ({', '.join(ran)})" if ran else "")))
    if summary.get("verdict"):
        lines += [("text", s) for s in _wrap(summary["verdict"], width, "")]
    note = cut_short_text(summary)
    if note:
        lines += [("dim", s) for s in _wrap(note, width, "")]
    crash = summary.get("crash")
    if crash:
        where = _where(crash.get("location"), base)
        message = str(crash.get("message") or "").split(" Hint:")[0]
        if len(message) > 240:
            message = message[:237] + "..."
        text = f"The script crashed at {where or 'an unknown line'}: {crash.get('type')}: {message}"
        if crash.get("after_fast_forward"):
            text += (" This happened after doctor had shortened the DataLoader passes, so it may be a consequence "
                     "of the shortening rather than of your code.")
        elif crash.get("id"):
            text += f" It is explained below as {crash['id']}."
        lines += [("warning" if crash.get("id") else "dim", s) for s in _wrap(text, width, "")]
    for phase, heading in PHASES if (obs or findings) else ():
        lines.append(("text", ""))
        lines.append(("heading", heading))
        lines += _phase_observations(phase, obs, summary)
        mine = [f for f in findings if f.get("phase") == phase]
        if not any(f["severity"] == "warning" for f in mine):
            lines.append(("ok", "  No problems found in this phase."))
        for f in mine:
            lines.append(("text", ""))
            lines += finding_lines(f, width, base)
    lines.append(("text", ""))
    nw = summary.get("warnings", sum(1 for f in findings if f["severity"] == "warning"))
    ni = summary.get("infos", sum(1 for f in findings if f["severity"] != "warning"))
    lines.append(("title", f"{nw} warning(s), {ni} note(s)."))
    if d.get("output"):
        lines.append(("text", ""))
        lines.append(("dim", "Output of the script (last lines):"))
        lines += [("dim", "  " + s) for s in d["output"].rstrip().splitlines()[-15:]]
    return _fit(lines, width)


def _fit(lines: list[Line], width: int) -> list[Line]:
    """Wrap prose lines that are too long, keeping their indentation (tables and code stay)."""
    out: list[Line] = []
    for style, text in lines:
        if style in ("table", "code") or len(text) <= width:
            out.append((style, text))
            continue
        indent = text[: len(text) - len(text.lstrip())]
        wrapped = textwrap.wrap(text.strip(), width=max(30, width - len(indent) - 2), break_on_hyphens=False,
                                break_long_words=False)
        out.append((style, indent + wrapped[0]))
        out += [(style, indent + "  " + w) for w in wrapped[1:]]
    return out


def report_text(report: Any, width: int = 88) -> str:
    return "\n".join(text for _, text in report_lines(report, width)) + "\n"


def catalogue_lines(width: int = 88) -> list[Line]:
    lines: list[Line] = [("title", f"The doctor's catalogue: {len(CATALOGUE)} mistakes")]
    for phase, heading in PHASES:
        lines.append(("text", ""))
        lines.append(("heading", heading))
        for m in CATALOGUE:
            if m.phase != phase:
                continue
            lines.append(("text", ""))
            lines.append(("warning", f"  {m.id}: {m.title}"))
            lines += [("text", s) for s in _wrap(m.explanation, width, "    ")]
            lines.append(("dim", "    Fix:"))
            lines += [("code", "      " + s) for s in m.fix.splitlines()]
            lines += [("dim", s) for s in _wrap(f"Detected by: {m.detection}.", width, "    ")]
            lines.append(("dim", f"    Lesson: {m.lesson} (module {m.module})"))
    return _fit(lines, width)


def catalogue_text(width: int = 88) -> str:
    return "\n".join(text for _, text in catalogue_lines(width)) + "\n"


_MARKUP = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def _escape(text: str) -> str:
    """Escape rich markup in user-visible text (same rule as rich.markup.escape)."""
    return _MARKUP.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), text).replace("\\\n", "\\\\\n") \
        if "[" in text else text


class _LinesView:
    def _lines(self, width: int) -> Iterable[Line]:  # pragma: no cover - overridden
        return []

    def __rich_console__(self, console, options):
        width = max(60, min(options.max_width, 110))
        for style, text in self._lines(width):
            markup = _STYLES.get(style, "")
            esc = _escape(text)
            yield f"[{markup}]{esc}[/{markup}]" if markup and text else esc


class ReportView(_LinesView):
    """A rich renderable of a doctor report: ``console.print(ReportView(report))``."""

    def __init__(self, report: Any):
        self.report = report

    def _lines(self, width: int) -> Iterable[Line]:
        return report_lines(self.report, width)


class CatalogueView(_LinesView):
    """A rich renderable of the catalogue."""

    def _lines(self, width: int) -> Iterable[Line]:
        return catalogue_lines(width)
