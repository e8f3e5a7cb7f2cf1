"""How the notebook shows things: every result is a :class:`Shown`, which renders as HTML
in Jupyter (``_repr_html_``) and as plain text anywhere else (``__repr__``), from the same
words. Nothing here decides anything; it only lays out what the workspace layer returned."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass
class Shown:
    text: str
    html_body: str | None

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def _repr_html_(self) -> str:
        body = self.html_body if self.html_body is not None else f"<pre>{html.escape(self.text)}</pre>"
        return f'<div class="torchtutor" style="font-family: system-ui, sans-serif; line-height: 1.45">{body}</div>'


def verdict_view(verdict) -> Shown:
    """A verdict as the workspace returned it, explanations included (nothing is decided here)."""
    mark = "✓" if verdict.passed else "✗"
    why = [item["text"] for item in verdict.explanations]
    lines = [f"{mark} {verdict.id}  ({verdict.duration_ms:.0f} ms)", verdict.summary]
    lines += [f"  {d}" for d in verdict.details]
    lines += [f"  Why it matters: {w}" for w in why]
    if verdict.stdout.strip() and not verdict.passed:
        lines.append("  Your code printed:\n" + "\n".join("    " + l for l in verdict.stdout.strip()[:800].splitlines()))
    if not verdict.passed:
        lines.append(f"  Stuck? Call .hint() on this exercise (torchtutor hint {verdict.id}).")
    colour = "#1a7f37" if verdict.passed else "#cf222e"
    parts = [f'<div style="border-left: 4px solid {colour}; padding: 6px 12px; background: {colour}0f">',
             f'<div style="font-weight: 600; color: {colour}">{mark} {html.escape(verdict.id)} '
             f'<span style="color: #666; font-weight: 400">({verdict.duration_ms:.0f} ms)</span></div>',
             f"<div>{html.escape(verdict.summary)}</div>"]
    if verdict.details:
        parts.append("<ul>" + "".join(f"<li><code>{html.escape(d)}</code></li>" if d.startswith("line ") else
                                      f"<li>{html.escape(d)}</li>" for d in verdict.details) + "</ul>")
    for w in why:
        parts.append(f'<div style="color: #9a6700">Why it matters: {html.escape(w)}</div>')
    if verdict.stdout.strip() and not verdict.passed:
        parts.append(f"<details><summary>Your code printed</summary><pre>{html.escape(verdict.stdout.strip()[:800])}"
                     "</pre></details>")
    if not verdict.passed:
        parts.append('<div style="color: #666">Stuck? Call <code>.hint()</code> on this exercise.</div>')
    parts.append("</div>")
    return Shown("\n".join(lines), "".join(parts))


def hint_view(exercise_id: str, step) -> Shown:
    head = f"Hint {step.rung + 1} of {step.total} for {exercise_id}" + (" (fits your last failure)" if step.matched else "")
    return Shown(f"{head}\n{step.text}", f"<div><b>{html.escape(head)}</b><p>{html.escape(step.text)}</p></div>")


def solution_view(exercise_id: str, source: str, why: str) -> Shown:
    text = f"Reference solution for {exercise_id} (the reveal is recorded):\n\n{source}\nWhy it works: {why}"
    body = (f"<div><b>Reference solution for {html.escape(exercise_id)}</b> <span style='color:#666'>(the reveal is "
            f"recorded)</span><pre>{html.escape(source)}</pre><p><b>Why it works:</b> {html.escape(why)}</p></div>")
    return Shown(text, body)


def quiz_view(lesson, check, result, asked: bool = False) -> Shown:
    """A check's question (``asked``), or the result of answering it."""
    if asked or result is None:
        options = "".join(f"\n  {i}) {o}" for i, o in enumerate(check.options, 1))
        how = {"predict": "Write your prediction, then run the cell again with it, e.g. .answer(\"42\").",
               "choice": "Answer with the number of an option, e.g. .answer(2).",
               "transfer": "Write your answer, then mark it against the model answer: "
                           ".answer(\"...\", mark=\"got it\" | \"partly\" | \"missed\")."}[check.kind]
        text = f"{check.prompt.strip()}{options}\n\nNot answered yet. {how}"
        opts = "".join(f"<li>{i}) {html.escape(o)}</li>" for i, o in enumerate(check.options, 1))
        body = (f"<div><pre style='white-space: pre-wrap'>{html.escape(check.prompt.strip())}</pre>"
                + (f"<ul style='list-style: none'>{opts}</ul>" if opts else "")
                + f"<p style='color:#666'>Not answered yet. {html.escape(how)}</p></div>")
        return Shown(text, body)
    r = result
    head = {True: "✓ Right.", False: "✗ Not quite.", None: f"Marked: {r.self_mark}."}[r.correct]
    lines = [head, f"Your answer: {r.answer}"]
    if check.kind == "predict":
        lines.append(f"The code gives: {r.expected}")
        if r.output.strip():
            lines.append("It printed:\n" + r.output.rstrip())
    elif check.kind == "choice":
        if r.chosen_explanation:
            lines.append(r.chosen_explanation)
        if not r.correct:
            lines.append(f"The right answer is {r.expected}. {r.right_explanation}".rstrip())
    else:
        lines.append(f"Model answer: {r.expected}")
    if r.explanation:
        lines.append(r.explanation)
    lines.append("Recorded in your progress." if r.recorded else r.note)
    text = "\n".join(l for l in lines if l)
    colour = {True: "#1a7f37", False: "#cf222e", None: "#0969da"}[r.correct]
    return Shown(text, f"<div style='border-left: 4px solid {colour}; padding: 6px 12px'>"
                       f"<pre style='white-space: pre-wrap; margin: 0'>{html.escape(text)}</pre></div>")
