"""Time a training step honestly                                        (supported)

`seconds_per_step(step, synchronize, repeats)` is meant to measure how long one
call of `step()` takes, so that you can compare a CPU with a GPU. It returns a
number, but not the right one: on a GPU it reports a step as almost free, and
the first run of a script looks slower than the rest.

Fix it, using the two rules of the lesson's timing section:
- a warm-up: call `step()` once before the clock starts, so that one-off costs
  (memory allocation, GPU set-up) stay out of the measurement;
- GPU calls return before their work is done: call `synchronize()` (on a GPU it
  is torch.cuda.synchronize; on the CPU it does nothing) so that queued work
  is finished before you start the clock, and again before you stop it.
Time exactly `repeats` calls after the warm-up, and return the mean seconds per
call, as a float.

What the checker does: it hands you a simulated GPU step. The first call costs
extra; every call returns at once but queues a few milliseconds of work that
only `synchronize()` waits for, exactly as CUDA does. It knows the true time
per step and compares your answer with it.
"""

import time


def seconds_per_step(step, synchronize, repeats=10):
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    return (time.perf_counter() - start) / repeats
