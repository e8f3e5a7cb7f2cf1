"""Checker for debugging-and-visualization/repair-the-run: the learner's main() runs under the doctor's own detectors
(torchtutor.diagnose); any warning is the verdict, then the accuracy must clear a floor."""

from torchtutor import diagnose
from torchtutor.checks import describe, fail

FLOOR = 0.80


def check(ex):
    main = ex.get("main")
    with diagnose.instrument(max_seconds=50) as session:
        accuracy = ex.call(main, doing="Running `main()`")
    if session.warnings:
        finding = session.warnings[0]
        others = [f.id for f in session.warnings[1:]]
        fail(f"The doctor still finds a silent bug ({finding.phase} phase): {finding.title}.",
             finding.message,
             "The fix, as code:\n" + finding.fix,
             *([f"It also reports: {', '.join(others)}."] if others else []),
             misconceptions=[finding.id] + (["loss-down-means-learning"] if finding.id == "class-prior-plateau" else []),
             failure=finding.id)
    try:
        value = float(accuracy)
    except (TypeError, ValueError):
        fail(f"`main()` should return the test accuracy, a float between 0 and 1, but it returned {describe(accuracy)}.",
             failure="wrong-type")
    if value < FLOOR:
        fail(f"The doctor finds no silent bug, but the test accuracy is {value:.1%}, under the {FLOOR:.0%} floor.",
             "Train as the script did (2 epochs, SGD lr=0.1, batches of 100) on inputs in [0, 1].", failure="low-accuracy")
    return (f"Repaired: the doctor's detectors find nothing to warn about, and the model reaches {value:.1%} on the "
            "1,000 test digits. The loss had been going down all along; the checklist is what showed it was not learning.")
