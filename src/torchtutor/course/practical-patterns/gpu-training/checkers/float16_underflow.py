"""Checker for gpu-training/float16-underflow."""

import torch

from torchtutor.checks import Expect, Wrong

GRADIENT = torch.tensor(1e-8)
SCALE = 2.0 ** 16
SCALED = (GRADIENT * SCALE).half()


def _is_zero(t):
    return isinstance(t, torch.Tensor) and t.numel() == 1 and float(t) == 0.0


EXPECT = [
    Expect("in_float16", GRADIENT.half(), atol=0.0, rtol=1e-3, wrong=[
        Wrong("`in_float16` is still float32: store the gradient in float16 with .half() or .to(torch.float16).",
              when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float32, failure="wrong-dtype"),
    ]),
    Expect("in_bfloat16", GRADIENT.to(torch.bfloat16), atol=0.0, rtol=1e-2, wrong=[
        Wrong("`in_bfloat16` is a float16 tensor; bfloat16 is a different 16-bit format: .to(torch.bfloat16).",
              when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float16, failure="wrong-dtype"),
    ]),
    Expect("scaled_in_float16", SCALED, atol=0.0, rtol=1e-3, wrong=[
        Wrong("`scaled_in_float16` is 0: the gradient was converted to float16 before it was scaled, and the "
              "conversion had already rounded it to zero. Multiply by SCALE while it is float32, then convert.",
              when=lambda t: _is_zero(t), failure="scaled-too-late",
              details=["0 times 65,536 is still 0: loss scaling only helps if it happens before the number "
                       "reaches float16."]),
        Wrong("`scaled_in_float16` holds the right number but is not float16: convert the scaled value with "
              ".half().", when=lambda t: isinstance(t, torch.Tensor) and t.dtype != torch.float16
              and abs(float(t) - float(SCALED)) < 1e-6, failure="wrong-dtype"),
    ]),
    Expect("recovered", SCALED.float() / SCALE, atol=0.0, rtol=1e-3, wrong=[
        Wrong("`recovered` is 0 again: the division by SCALE ran in float16, where 1e-8 does not exist. "
              "Convert to float32 first, then divide: scaled_in_float16.float() / SCALE.",
              when=lambda t: _is_zero(t), failure="divided-in-float16"),
        Wrong("`recovered` still carries the scale: it is about 6.6e-4, the scaled value. Divide by SCALE.",
              value=SCALED.float(), failure="not-unscaled"),
        Wrong("`recovered` is right but still float16; unscaling happens in float32: .float() first.",
              when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float16, failure="wrong-dtype"),
    ]),
    Expect("float16_needs_scaling", True, wrong=[
        Wrong("`float16_needs_scaling` is False, but `in_float16` shows the gradient vanish: float16 stores "
              "nothing below about 6e-8, so 1e-8 needs scaling to survive.", value=False,
              failure="wrong-needs-scaling", misconceptions=["half-model-is-mixed-precision"]),
    ]),
    Expect("bfloat16_needs_scaling", False, wrong=[
        Wrong("`bfloat16_needs_scaling` is True, but `in_bfloat16` kept the gradient: bfloat16 has float32's "
              "exponent range, so 1e-8 survives without scaling (that is why CPU autocast needs no GradScaler).",
              value=True, failure="wrong-needs-scaling"),
    ]),
]
PASSED = ("1e-8 vanishes in float16 and survives in bfloat16; scaled by 2**16 before the conversion and unscaled "
          "in float32 after it, it comes back as 1e-8. That is GradScaler's whole trick.")
