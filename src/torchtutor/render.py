"""Terminal rendering for the CLI front end (rich). Data in, text out; no decisions."""

from __future__ import annotations

import re

from pathlib import Path

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .checks.verdict import Verdict
from .curriculum import Lesson

STATUS_STYLE = {"done": "green", "failing": "red", "pending": "dim"}


def verdict(console: Console, v: Verdict) -> None:
    mark, style = ("✓", "green") if v.passed else ("✗", "red")
    head = Text.assemble((f"{mark} {v.id}", f"bold {style}"), (f"  ({v.duration_ms:.0f} ms)", "dim"))
    body = [head, Text(v.summary)]
    for line in v.details:
        body.append(Text("  " + line, style="dim" if v.passed else ""))
    for item in v.explanations:
        body.append(Text(f"  Why it matters: {item['text']}", style="yellow"))
    if v.stdout.strip() and not v.passed:
        out = v.stdout.strip()
        if len(out) > 800:
            out = out[:800] + " …"
        body.append(Text("  Your code printed:\n" + "\n".join("    " + l for l in out.splitlines()), style="dim"))
    if not v.passed:
        body.append(Text(f"  Stuck? torchtutor hint {v.id}", style="cyan"))
    console.print(Group(*body))


def welcome(console: Console, ws, lesson: Lesson, written: list) -> None:
    entries = [e for e in ws.entries() if e.lesson == lesson.slug]
    first = next((e for e in entries if e.status != "done"), entries[0] if entries else None)
    lines = [f"Workspace: {ws.root}" + (f"  ({len(written)} exercise files created)" if written else ""),
             f"Next lesson: {lesson.number} {lesson.title}   →  torchtutor lesson {lesson.slug}"]
    if first:
        lines.append(f"First exercise: {first.path}")
    lines.append("Edit an exercise and save: the verdict appears here. Also: torchtutor list | hint | solution | progress | quiz")
    console.print(Panel("\n".join(lines), title="torchtutor", border_style="cyan"))


def exercise_table(console: Console, entries, root=None) -> None:
    """Exercises with their status; files are shown relative to the workspace ``root``."""
    table = Table(show_lines=False, caption=f"files are under {root}" if root else None)
    table.add_column("id", no_wrap=True)
    table.add_column("level")
    table.add_column("status")
    table.add_column("file", overflow="fold")
    for e in entries:
        shown = e.path
        if root is not None:
            try:
                shown = str(Path(e.path).relative_to(root))
            except ValueError:
                pass
        table.add_row(e.id, e.level, Text(e.status, style=STATUS_STYLE.get(e.status, "")), shown)
    console.print(table)


def hint(console: Console, exercise_id: str, step) -> None:
    note = " (this one fits the mistake your last check found)" if step.matched else ""
    console.print(Panel(step.text, title=f"Hint {step.rung + 1} of {step.total} for {exercise_id}{note}", border_style="cyan"))
    if step.rung + 1 < step.total:
        console.print("Run the same command again for the next hint.", style="dim")
    else:
        console.print(f"That was the last hint. `torchtutor solution {exercise_id}` shows the answer.", style="dim")


def why(console: Console, text: str) -> None:
    console.print(Panel(text, title="Why this works", border_style="green"))


def notice(console: Console, text: str) -> None:
    console.print(Panel(text, title="Notice", border_style="yellow"), highlight=False)


def progress(console: Console, data: dict) -> None:
    for text in data.get("notices", []):
        console.print(Panel(text + "\n\nRun `torchtutor progress --acknowledge` to stop showing this.",
                            title="Notice", border_style="yellow"), highlight=False)
    table = Table(title="Lessons")
    for col in ("lesson", "title", "exercises", "status"):
        table.add_column(col)
    for l in data["lessons"]:
        style = {"done": "green", "started": "yellow"}.get(l["status"], "dim")
        table.add_row(l["number"] + " " + l["slug"], l["title"], f"{l['done']}/{l['total']}", Text(l["status"], style=style))
    console.print(table)
    concepts = Table(title="Concepts")
    for col in ("concept", "depth", "lesson", "evidence"):
        concepts.add_column(col)
    for c in data["concepts"]:
        style = {"shown": "green", "tried": "yellow"}.get(c["status"], "dim")
        concepts.add_row(c["name"], c["depth"], c["lesson"], Text(c["status"], style=style))
    console.print(concepts)


def lesson(console: Console, l: Lesson) -> None:
    """A lesson for the terminal: prose as Markdown; code, its output, raising examples,
    diagrams and inline checks each drawn so that they cannot be mistaken for one another."""
    from .curriculum.markdown import code_blocks

    text = (l.dir / "lesson.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    console.print(Panel(f"{l.number} · {l.type.value} · {l.title}", border_style="cyan"))
    console.print(Text(reading_time_words(text), style="dim"))
    checks = {c.id: c for c in l.checks}
    cursor = 0  # 0-based index of the first line not yet printed
    for block in code_blocks(text):
        start = block.line - 1
        prose = _figures_as_paths("\n".join(lines[cursor:start]).strip(), l)
        if prose:
            console.print(Markdown(prose))
        end = start + 1 + len(block.code.splitlines()) + 1
        cursor = end
        _lesson_block(console, l, block, checks)
    rest = _figures_as_paths("\n".join(lines[cursor:]).strip(), l)
    if rest:
        console.print(Markdown(rest))


_FIGURE_REF = re.compile(r"!\[([^\]]*)\]\((figures/[^)\s]+)\)")


def _figures_as_paths(prose: str, l: Lesson) -> str:
    """A terminal cannot show a picture: name the figure and the file to open instead."""
    return _FIGURE_REF.sub(lambda m: f"*Figure: {m.group(1)}.* Open `{l.dir / m.group(2)}`", prose)


def reading_time_words(text: str) -> str:
    """"Reading time: about 24 min, plus 2 min of optional "Going further" sections."."""
    from .curriculum.markdown import reading_minutes

    core, optional = reading_minutes(text)
    words = f"Reading time: about {max(1, round(core))} min"
    if optional >= 0.5:
        words += f", plus {round(optional)} min in the optional \"Going further\" sections"
    return words + "."


def _lesson_block(console: Console, l: Lesson, block, checks: dict) -> None:
    from rich.syntax import Syntax

    code = block.code.rstrip("\n")
    if block.lang == "python":
        raises = block.options.get("raises")
        title = Text(f"python · raises {raises} (on purpose)", style="bold red") if raises else Text("python", style="cyan")
        console.print(Panel(Syntax(code, "python", theme="ansi_dark", background_color="default"), title=title,
                            title_align="left", border_style="red" if raises else "cyan"))
    elif block.lang == "output":
        console.print(Panel(Text(code), title=Text("output", style="green"), title_align="left",
                            border_style="green", style="green"))
    elif block.lang == "mermaid":
        console.print(Panel(_mermaid_text(code), title=Text("diagram", style="magenta"), title_align="left",
                            border_style="magenta", subtitle="drawn in full by `torchtutor serve`", subtitle_align="right"))
    elif block.lang == "check":
        check = checks.get(code.strip())
        if check is not None:
            console.print(_check_panel(l, check))
    else:
        console.print(Panel(Text(code), border_style="dim"))


def _mermaid_text(code: str) -> Text:
    from .curriculum.markdown import mermaid_outline

    out = Text()
    for src, label, dst, dotted in mermaid_outline(code):
        arrow = f" ┄{label}┄▸ " if dotted else (f" ──{label}──▸ " if label else " ──▸ ")
        out.append(src, style="bold")
        out.append(arrow, style="magenta")
        out.append(dst + "\n", style="bold")
    return out


def _check_panel(l: Lesson, check) -> Panel:
    kind = {"predict": "Predict, then check", "transfer": "Think it through", "choice": "Choose"}[check.kind]
    body = Text(check.prompt.strip() + "\n")
    for i, option in enumerate(check.options):
        body.append(f"\n  {chr(ord('a') + i)}) {option}")
    if check.options:
        body.append("\n")
    body.append(f"\nAnswer folded away: torchtutor quiz {l.slug} --check {check.id}", style="dim")
    return Panel(body, title=Text(f"✎ {kind}", style="bold yellow"), title_align="left", border_style="yellow")


def concepts(console: Console, rows: list[dict]) -> None:
    table = Table()
    for col in ("concept", "depth", "lesson", "exercised by"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["depth"], r["lesson"], ", ".join(r["exercised_by"]))
    console.print(table)


def proofs(console: Console, results) -> None:
    for r in results:
        mark = Text("✓", style="green") if r.ok else Text("✗", style="red")
        console.print(Text.assemble(mark, f" {r.id}: starter ", ("fails" if not r.starter.passed else "PASSES (should fail)",
                                                                   "" if not r.starter.passed else "red"),
                                    ", solution ", ("passes" if r.solution.passed else "FAILS (should pass)",
                                                    "" if r.solution.passed else "red")))
        if not r.ok:
            bad = r.starter if r.starter.passed else r.solution
            console.print(f"    {bad.summary}", style="red")
            for d in bad.details:
                console.print(f"    {d}", style="dim")
    ok = sum(r.ok for r in results)
    console.print(f"{ok} of {len(results)} exercises proven both ways.")


def scaffolded(console: Console, made) -> None:
    slug = made.folder.name
    console.print(f"Created lesson {made.number} {slug} in {made.folder}:", highlight=False, soft_wrap=True)
    for path in made.written:
        console.print(f"  {path.relative_to(made.folder)}", highlight=False, soft_wrap=True)
    console.print(f"and added it to {made.module_file}.", highlight=False, soft_wrap=True)
    console.print("Next: replace every placeholder line with the lesson's content (docs/course-format.md), then "
                  f"`torchtutor curriculum lint` and `torchtutor curriculum prove {slug}`.", highlight=False)


# --------------------------------------------------------------------------- widgets
def _num(value, digits: int = 4) -> str:
    """A float for people: 4 significant digits, no ``-0``."""
    if value is None:
        return "—"
    value = float(value) + 0.0
    return f"{value:.{digits}g}"


def _ms(value) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 1 else f"{value:.1f}"


def _mark(ok: bool) -> Text:
    return Text("✓", style="green") if ok else Text("✗", style="red")


def widget_list(console: Console, widgets: list[dict]) -> None:
    table = Table(title="Widgets  (torchtutor widget NAME [--param value ...] [--json])")
    for col in ("name", "what it shows", "parameters (default)"):
        table.add_column(col)
    for w in widgets:
        params = "\n".join(f"{p['flag']} {','.join(map(str, p['default'])) if isinstance(p['default'], list) else p['default']}"
                           + (f"  ({'|'.join(p['choices'])})" if p["choices"] else "") for p in w["params"]) or "—"
        table.add_row(Text(w["name"], style="bold cyan"), w["description"], params)
    console.print(table)


def widget(console: Console, data: dict) -> None:
    """Render any widget's result (the dict a ``torchtutor.widgets`` function returned)."""
    {"autograd-explorer": _autograd_explorer, "linear-collapse": _linear_collapse,
     "device-timing": _device_timing, "numpy-shared-memory": _numpy_shared_memory,
     "precision-spectrum": _precision_spectrum, "training-timing": _training_timing,
     "softmax-explorer": _softmax_explorer, "training-curves": _training_curves}[data["widget"]](console, data)


def follow_widget(snapshots, *, steps_key: str = "steps_done", total_key: str = "steps") -> dict:
    """Consume a streaming widget's snapshots behind a progress bar on stderr; return the last."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    last: dict = {}
    with Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("steps"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("train", total=None)          # a pulsing bar until the first snapshot
        for last in snapshots:
            bar.update(task, total=last.get(total_key) or 1, completed=last.get(steps_key, 0))
    return last


def curve_text(values: list, width: int = 64, height: int = 10, marks: dict[int, float] | None = None,
               top: float | None = None) -> list[str]:
    """A line chart in text: ``values`` (None for gaps) binned into ``width`` columns (each the mean of
    its bin), drawn as dots on a 0..``top`` axis; ``marks`` maps an index of ``values`` to a second
    series drawn as ``o``. Returns the lines, y labels included (7 + width characters each)."""
    n = len(values)
    finite = [v for v in values if v is not None]
    extra = [v for v in (marks or {}).values() if v is not None]
    top = top if top is not None else max(finite + extra, default=1.0) or 1.0
    columns = min(width, max(n, 1))
    grid = [[" "] * columns for _ in range(height)]

    def row_of(v: float) -> int:
        return min(height - 1, max(0, round((1 - min(v, top) / top) * (height - 1))))

    for c in range(columns):
        chunk = [v for v in values[c * n // columns:(c + 1) * n // columns] if v is not None]
        if chunk:
            grid[row_of(sum(chunk) / len(chunk))][c] = "•"
    for index, v in (marks or {}).items():
        if v is not None and n:
            grid[row_of(v)][min(columns - 1, index * columns // n)] = "o"
    lines = []
    for r, row in enumerate(grid):
        label = f"{top * (1 - r / (height - 1)):6.2f}" if r in (0, height // 2, height - 1) else " " * 6
        lines.append(f"{label} {'┤' if label.strip() else '│'}{''.join(row)}")
    lines.append(" " * 7 + "└" + "─" * columns)
    return lines


def _training_curves(console: Console, d: dict) -> None:
    name = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}[d["dataset"]]
    console.print(Text(f"Training curves: the {name} sample, {d['train_size']:,} training / {d['val_size']:,} "
                       "validation images", style="bold"))
    console.print(f"{d['model']}, {d['parameters']:,} parameters")
    console.print(f"{d['optimizer']}, lr {d['lr']:g}, batch {d['batch']}, {d['steps']} steps, seed {d['seed']}")
    if d["bug"] != "none":
        console.print(Text(f"Bug planted ({d['bug']}): {d['note']}", style="yellow"))
    losses = d["losses"]
    per = max(1, -(-len(losses) // 64))
    console.print(f"\nloss: • training, per step ({per} a column); o validation, at each measurement")
    marks = {e["step"] - 1: e["val_loss"] for e in d["evals"] if e["step"]}
    for line in curve_text(losses, marks=marks, top=d["loss_top"]):
        console.print(line, highlight=False)
    console.print(" " * 8 + "step 1" + f"step {len(losses)}".rjust(max(0, min(64, len(losses)) - 6)), highlight=False)
    above = [v for v in losses if v is not None and v > d["loss_top"]]
    if above:
        console.print(f"{len(above)} step(s) above the top of the chart, up to {max(above):.4g}", style="yellow")
    table = Table(title=f"Measured on all {d['train_size']:,} training and {d['val_size']} validation images"
                  + (" (no model.eval(): the bug)" if d["bug"] == "no-eval" else ""))
    for col in ("step", "epoch", "train loss", "val loss", "train acc", "val acc"):
        table.add_column(col, justify="right")
    for e in d["evals"]:
        table.add_row(str(e["step"]), f"{e['epoch']:.1f}", _loss(e["train_loss"]), _loss(e["val_loss"]),
                      f"{e['train_acc']:.1%}", f"{e['val_acc']:.1%}")
    console.print(table)
    console.print(Text(d["summary"], style="red" if d["diverged_at"] else "green"))
    console.print("Try --optimizer sgd --lr 0.1, --batch 8, --dropout 0.5, --bug no-zero-grad ...",
                  style="dim")


def _loss(value) -> str:
    return "—" if value is None else f"{value:.4f}"


def _autograd_explorer(console: Console, d: dict) -> None:
    v, f = d["inputs"], d["forward"]
    forward = Table(title="Forward pass", show_header=False, box=None, padding=(0, 2))
    forward.add_row("h_pre = w1·x + b1", f"{_num(v['w1'])} × {_num(v['x'])} + {_num(v['b1'])}", f"= {_num(f['h_pre'])}")
    forward.add_row("h = relu(h_pre)", f"relu({_num(f['h_pre'])})", f"= {_num(f['h'])}")
    forward.add_row("y_hat = w2·h + b2", f"{_num(v['w2'])} × {_num(f['h'])} + {_num(v['b2'])}", f"= {_num(f['y_hat'])}")
    forward.add_row("loss = (y_hat − y)²", f"({_num(f['y_hat'])} − {_num(v['y'])})²", f"= {_num(f['loss'])}")
    console.print(forward)

    def steps_table() -> Table:
        table = Table(title="Backward pass by hand: incoming × local = outgoing")
        for col in ("gradient", "incoming × local = outgoing", "local is", "torch"):
            table.add_column(col)
        for s in d["steps"]:
            param = s["name"][4:]
            torch_cell = (Text.assemble(_mark(d["matches"][param]), f" {_num(d['autograd'][param])}")
                          if param in d["matches"] else Text(""))
            if s["incoming_name"] == "start":
                maths = f"= {_num(s['outgoing'])} (start here)"
            else:
                maths = f"{_num(s['incoming'])} × {_num(s['local'])} = {_num(s['outgoing'])}"
            style = "yellow" if s["name"] == "dL/dh_pre" and d["relu_blocked"] else ""
            table.add_row(Text(s["name"], style="bold"), Text(maths, style=style), s["local_name"], torch_cell)
        return table

    def torch_table() -> Table:
        table = Table(title="loss.backward(): one call, every .grad filled")
        for col in ("parameter", ".grad (torch)", "by hand", "match"):
            table.add_column(col)
        for name, grad in d["autograd"].items():
            table.add_row(name, _num(grad), _num(d["manual"][name]), _mark(d["matches"][name]))
        return table

    if d["mode"] == "autograd":
        from rich.syntax import Syntax

        console.print(Syntax(d["code"], "python", theme="ansi_dark", background_color="default"))
        console.print(torch_table())
    else:
        console.print(steps_table())
    for s in d["steps"]:
        if s["note"] and s["name"] == "dL/dh_pre":
            console.print(Text(s["note"], style="yellow" if d["relu_blocked"] else "dim"))
    console.print(Text(d["summary"], style="green" if d["all_match"] else "red"))
    other = "autograd" if d["mode"] == "manual" else "manual"
    console.print(f"Try other numbers: --x -1 (ReLU blocks), --w1 2 ...; --mode {other} for the other view.", style="dim")


def _linear_collapse(console: Console, d: dict) -> None:
    s = d["shapes"]
    shapes = Table(title=f"Two layers: Linear({d['sizes'][0]}, {d['sizes'][1]}) → Linear({d['sizes'][1]}, {d['sizes'][2]})")
    for col in ("tensor", "shape", "how"):
        shapes.add_column(col)
    for name, how in (("x", f"{d['batch']} random inputs"), ("W1", "first layer weight"), ("b1", "first layer bias"),
                      ("W2", "second layer weight"), ("b2", "second layer bias"), ("W_eff", d["formulas"]["W_eff"]),
                      ("b_eff", d["formulas"]["b_eff"]), ("output", "the stack's output")):
        shapes.add_row(name, str(s[name]), how)
    console.print(shapes)
    result = Table(title="Stack output vs x @ W_eff.T + b_eff")
    for col in ("network", "max |difference|", "same as one layer?"):
        result.add_column(col)
    result.add_row("Linear → Linear", _num(d["without_relu"]["max_abs_diff"], 2),
                   Text.assemble(_mark(d["without_relu"]["matches"]), " yes: collapsed" if d["without_relu"]["matches"] else " no"))
    result.add_row("Linear → ReLU → Linear", _num(d["with_relu"]["max_abs_diff"], 3),
                   Text.assemble(_mark(d["with_relu"]["matches"]), " no: the ReLU breaks the collapse"
                                 if not d["with_relu"]["matches"] else " yes (this draw never hit ReLU's kink)"))
    console.print(result)
    console.print(f"The stack has {d['parameters']['stack']} parameters but, without an activation, computes what a single "
                  f"layer with {d['parameters']['single_layer']} can.")
    console.print(Text(d["summary"], style="green"))


def _softmax_explorer(console: Console, d: dict) -> None:
    table = Table(title=f"Softmax of {d['classes']} logits, correct class {d['target']}")
    for col in ("class", "logit", "softmax p", "dL/dlogit (autograd)", "p - one_hot"):
        table.add_column(col, justify="right")
    for i, (z, p, g, f) in enumerate(zip(d["logits"], d["probabilities"], d["gradient"], d["gradient_formula"])):
        mark = " ← correct" if i == d["target"] else (" ← predicted" if i == d["predicted"] else "")
        table.add_row(f"{i}{mark}", _num(z), _num(p), _num(g), _num(f))
    console.print(table)
    losses = Table(show_header=False, box=None, padding=(0, 2))
    losses.add_row("cross-entropy -log(p_correct)", _num(d["loss"]), Text.assemble(_mark(d["matches"]["loss"]),
                   f" nn.CrossEntropyLoss: {_num(d['torch_loss'])}"))
    losses.add_row(f"knowing nothing, log({d['classes']})", _num(d["uniform_loss"]), "")
    losses.add_row("softmax before the loss (the slip)", _num(d["softmax_first"]["loss"]),
                   f"can never go below {_num(d['softmax_first']['floor'])}")
    if d["sigmoid"]:
        losses.add_row("two classes: softmax p0", _num(d["sigmoid"]["p_first"]),
                       f"sigmoid(z0 - z1) = {_num(d['sigmoid']['sigmoid_of_gap'])}")
    console.print(losses)
    console.print(Text(d["summary"], style="green" if d["correct"] else "yellow"))


def _device_timing(console: Console, d: dict) -> None:
    title = f"{d['expression']} (float32, median of {d['repeats']}), CPU ({d['cpu_threads']} threads)"
    if d["gpu_available"]:
        title += f" vs {d['gpu_name']}"
    table = Table(title=title)
    for col in ("elements", "shape", "CPU ms", "GPU compute ms", "transfers ms", "GPU total ms", "faster"):
        table.add_column(col, justify="right")
    for r in d["rows"]:
        faster = "—" if not d["gpu_available"] else (
            Text(f"GPU ×{r['gpu_speedup']:.1f}", style="green") if r["faster"] == "gpu"
            else Text(f"CPU ×{1 / r['gpu_speedup']:.1f}" if r["gpu_speedup"] else "CPU", style="yellow"))
        table.add_row(f"{r['size']:,}", "×".join(map(str, r["shape"])), _ms(r["cpu_ms"]), _ms(r["gpu_compute_ms"]),
                      _ms(r["gpu_transfer_ms"]), _ms(r["gpu_total_ms"]), faster)
    console.print(table)
    console.print(Text(d["note"], style="yellow" if not d["gpu_available"] else "dim"))
    console.print(d["summary"])


def _training_timing(console: Console, d: dict) -> None:
    title = f"One training step: {d['model']} (median of {d['repeats']}), CPU ({d['cpu_threads']} threads)"
    if d["gpu_available"]:
        title += f" vs {d['gpu_name']}"
    table = Table(title=title)
    for col in ("width", "parameters", "batch", "CPU ms", "GPU ms", "faster", f"CPU epoch ({d['samples']:,})"):
        table.add_column(col, justify="right")
    for r in d["rows"]:
        faster = "—" if not d["gpu_available"] else (
            Text(f"GPU ×{r['gpu_speedup']:.1f}", style="green") if r["faster"] == "gpu"
            else Text(f"CPU ×{1 / r['gpu_speedup']:.1f}" if r["gpu_speedup"] else "CPU", style="yellow"))
        epoch = Text(f"{r['cpu_epoch_s']:.1f} s", style="green" if r["quick_on_cpu"] else "yellow")
        table.add_row(str(r["width"]), f"{r['parameters']:,}", str(r["batch"]), _ms(r["cpu_ms"]), _ms(r["gpu_ms"]),
                      faster, epoch)
    console.print(table)
    console.print(Text(d["note"], style="yellow" if not d["gpu_available"] else "dim"))
    console.print(d["summary"])


def _numpy_shared_memory(console: Console, d: dict) -> None:
    table = Table(title="Change one side, look at the other")
    for col in ("conversion", "then", "NumPy before → after", "tensor before → after", "shares memory"):
        table.add_column(col)
    for c in d["cases"]:
        def side(name: str) -> Text:
            text = " → ".join("[" + ", ".join(_num(x) for x in c[when][name]) + "]" for when in ("before", "after"))
            surprised = name != c["changed_side"] and c["other_side_changed"]
            return Text(text, style="bold red" if surprised else "")
        then = c["code"].splitlines()[-1]
        table.add_row(c["call"], then, side("numpy"), side("tensor"),
                      Text("yes" if c["shares_memory"] else "no (copy)", style="red" if c["shares_memory"] else "green"))
    console.print(table)
    console.print(d["summary"])
    console.print(Text(d["fix"], style="cyan"))


def _precision_spectrum(console: Console, d: dict) -> None:
    table = Table(title=f"Precision spectrum: what each dtype keeps, and what {d['value']:g} becomes")
    for col in ("dtype", "like a", "bytes", "eps (gap after 1)", "digits", "largest", "smallest normal", f"{d['value']:g} stored as"):
        table.add_column(col)
    for r in d["rows"]:
        stored = Text(_num(r["stored"], 6), style="bold red" if r["underflows"] or r["overflows"] else "")
        table.add_row(r["dtype"], r["like"], str(r["bytes"]), _num(r["eps"], 3), str(r["decimal_digits"]),
                      _num(r["max"], 5), _num(r["smallest_normal"], 3), stored)
    console.print(table)
    console.print(d["summary"])


# --------------------------------------------------------------------------- quiz
def quiz_intro(console: Console, data: dict) -> None:
    n = len(data["checks"])
    console.print(Panel(Text(f"Quiz: {data['number']} {data['title']} — {n} check{'s' if n != 1 else ''}. "
                             "Press Enter on an empty answer to skip a check, Ctrl+C to stop."),
                        border_style="cyan"))
    if data["note"]:
        console.print(Text(data["note"], style="yellow"))


def quiz_check(console: Console, check: dict, index: int, total: int) -> None:
    kind = {"predict": "Predict, then we run it", "transfer": "In your own words", "choice": "Choose one"}[check["kind"]]
    body = [Text(check["prompt"])]
    for i, option in enumerate(check.get("options", []), start=1):
        body.append(Text(f"  {i}. {option}"))
    body.append(Text(f"Answer with {check['answer_hint']}.", style="dim"))
    console.print(Panel(Group(*body), title=f"{index}/{total} · {kind} · {check['id']}", border_style="cyan"))


def quiz_model_answer(console: Console, reveal: dict) -> None:
    console.print(Panel(Text(reveal["model_answer"]), title="Model answer", border_style="green"))
    if reveal.get("explanation"):
        console.print(Text(reveal["explanation"], style="dim"))


def quiz_result(console: Console, r: dict) -> None:
    """One answered check: the real value / right option / model answer, and why."""
    if r["kind"] == "predict":
        head = (Text.assemble(("✓ Right. ", "bold green"), f"You predicted {r['answer']}; the code gives {r['expected']}.")
                if r["correct"] else
                Text.assemble(("✗ Not quite. ", "bold red"), f"You predicted {r['answer']}; the code gives {r['expected']}."))
        console.print(head)
        if r["explanation"]:
            console.print(Text(r["explanation"]))
    elif r["kind"] == "choice":
        if r["correct"]:
            console.print(Text.assemble(("✓ Right: ", "bold green"), r["expected"]))
            console.print(Text(r["chosen_explanation"]))
        else:
            console.print(Text.assemble(("✗ You chose ", "bold red"), r["answer"]))
            console.print(Text(r["chosen_explanation"]))
            console.print(Text.assemble(("The right answer: ", "bold green"), r["expected"]))
            console.print(Text(r["right_explanation"]))
    else:
        if r["self_mark"] is None:
            quiz_model_answer(console, {"model_answer": r["expected"], "explanation": r["explanation"]})
        else:
            style = {"got it": "green", "partly": "yellow", "missed": "red"}[r["self_mark"]]
            console.print(Text.assemble("You marked your answer: ", (r["self_mark"], f"bold {style}")))
    if r["note"]:
        console.print(Text(r["note"], style="yellow" if not r["recorded"] else "dim"))


def quiz_summary(console: Console, results: list[dict], recording: bool) -> None:
    graded = [r for r in results if r["correct"] is not None]
    right = sum(1 for r in graded if r["correct"])
    marked = [r for r in results if r["kind"] == "transfer" and r["self_mark"]]
    parts = [f"{right} of {len(graded)} right"] if graded else []
    if marked:
        parts.append(f"{len(marked)} self-marked ({sum(r['self_mark'] == 'got it' for r in marked)} got it)")
    line = "; ".join(parts) or "No checks answered"
    line += ". Saved to your progress." if recording and results else "."
    console.print(Text(line, style="bold"))
