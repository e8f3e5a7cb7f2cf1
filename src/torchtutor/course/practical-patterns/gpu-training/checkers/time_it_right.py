"""Checker for gpu-training/time-it-right.

A simulated asynchronous device: step() returns at once and queues WORK_S of work (the first
call queues FIRST_EXTRA_S more: one-off set-up); synchronize() sleeps until the queue is empty,
as torch.cuda.synchronize() waits for the GPU. The true time per step is WORK_S.
"""

import time

from torchtutor.checks import describe, fail

WORK_S = 0.005
FIRST_EXTRA_S = 0.05


class FakeAsyncDevice:
    def __init__(self):
        self.calls = 0
        self.syncs = 0
        self.free_at = time.perf_counter()

    def step(self):
        now = time.perf_counter()
        work = WORK_S + (FIRST_EXTRA_S if self.calls == 0 else 0.0)
        self.calls += 1
        self.free_at = max(self.free_at, now) + work

    def synchronize(self):
        self.syncs += 1
        delay = self.free_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def _measure(ex, repeats):
    device = FakeAsyncDevice()
    got = ex.call("seconds_per_step", device.step, device.synchronize, repeats,
                  doing=f"Calling `seconds_per_step(step, synchronize, repeats={repeats})`")
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        fail(f"`seconds_per_step` should return the seconds per step as a float, but it returned {describe(got)}.",
             failure="wrong-type")
    return float(got), device


def check(ex):
    for repeats in (10, 6):
        got, device = _measure(ex, repeats)
        ms = got * 1e3
        true_ms = WORK_S * 1e3
        if device.calls < repeats:
            fail(f"`seconds_per_step(..., repeats={repeats})` called step() {device.calls} times; it should time "
                 f"{repeats} calls after one warm-up call.", failure="wrong-call-count")
        if 0.75 * true_ms <= ms <= 1.6 * true_ms:
            continue
        if ms < 0.5 * true_ms:
            fail(f"`seconds_per_step` measured {ms:.3f} ms per step on the simulated GPU, where each step really "
                 f"takes {true_ms:.0f} ms: the clock stopped while the work was still queued.",
                 "GPU calls return as soon as their work is queued. Call synchronize() after the timed loop, "
                 "before reading the clock, so that you measure the work and not the queueing.",
                 misconceptions=["timing-gpu-like-cpu"], failure="no-final-sync")
        if ms > 0.75 * repeats * true_ms:
            fail(f"`seconds_per_step` returned {ms:.1f} ms for steps of {true_ms:.0f} ms: that is the total for all "
                 f"{repeats} calls, not the time per call.", "Divide the elapsed time by repeats.",
                 failure="total-not-mean")
        if device.calls == repeats:
            fail(f"`seconds_per_step` measured {ms:.1f} ms per step where each step takes {true_ms:.0f} ms: the first "
                 "call's one-off cost was timed with the rest.",
                 "Call step() once before starting the clock and leave it out of the measurement.",
                 misconceptions=["timing-gpu-like-cpu"], failure="no-warm-up")
        fail(f"`seconds_per_step` measured {ms:.1f} ms per step where each step takes {true_ms:.0f} ms: the "
             "warm-up's queued work was still running when the clock started.",
             "After the warm-up call, synchronize() before start = time.perf_counter(), so the clock starts on an "
             "idle device.", misconceptions=["timing-gpu-like-cpu"], failure="no-sync-before-start")
    return (f"On a simulated GPU whose steps take {WORK_S * 1e3:.0f} ms and return at once, your function measured "
            f"{ms:.1f} ms: warm-up outside the clock, and synchronized on both sides of it.")
