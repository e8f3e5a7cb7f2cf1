"""Time a training step honestly: reference solution."""

import time


def seconds_per_step(step, synchronize, repeats=10):
    step()                          # warm-up: one-off costs stay out of the measurement
    synchronize()                   # the warm-up's queued work finishes before the clock starts
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    synchronize()                   # wait for the queued work before reading the clock
    return (time.perf_counter() - start) / repeats
