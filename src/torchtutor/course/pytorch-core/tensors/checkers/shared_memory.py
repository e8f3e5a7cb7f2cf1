"""Checker for tensors/shared-memory."""

import numpy as np
import torch

from torchtutor.checks import Wrong, describe, expect_tensor, fail

SHARE = ("torch.from_numpy (and torch.as_tensor) do not copy: the tensor is a second view of the array's "
         "memory, so a write through either one shows up in both. torch.tensor(arr) always copies; "
         "so does torch.from_numpy(arr).clone().")


def check(ex):
    snapshot = ex.function("snapshot")
    to_array = ex.function("to_array")

    expected = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    not_numpy = Wrong("`snapshot` returned a NumPy array; it should return a tensor.",
                      details=["arr.copy() copies, but stays NumPy. torch.tensor(arr, dtype=torch.float32) copies into a tensor."],
                      when=lambda v: isinstance(v, np.ndarray), failure="not-a-tensor")

    # 1. a float32 array: the colleague's case
    a32 = np.arange(6, dtype=np.float32).reshape(2, 3)
    t32 = snapshot(a32)
    expect_tensor(t32, expected, name="snapshot(float32 array)", wrong=[not_numpy])
    a32[0, 0] = 99.0
    if float(t32[0, 0]) == 99.0:
        # Does it copy float64 arrays, where a conversion forces new memory?
        a64 = np.arange(6, dtype=np.float64).reshape(2, 3)
        t64 = snapshot(a64)
        a64[0, 0] = 99.0
        if isinstance(t64, torch.Tensor) and t64.dtype == torch.float32 and float(t64[0, 0]) != 99.0:
            fail("`snapshot` copies float64 arrays but shares float32 ones: after arr[0, 0] = 99 on a float32 array, "
                 "your tensor changed too.",
                 "Converting float64 to float32 has to write new memory, so float64 arrays came out independent. "
                 "A float32 array needs no conversion, and .float(), .to(torch.float32) or "
                 "torch.as_tensor(arr, dtype=torch.float32) then hand back a view of the array itself.",
                 SHARE, misconceptions=["from-numpy-copies"], failure="shared-memory")
        fail("`snapshot(arr)` shares memory with `arr`: after arr[0, 0] = 99, your tensor's [0, 0] is 99 too.",
             SHARE, misconceptions=["from-numpy-copies"], failure="shared-memory")

    # 2. a float64 array, NumPy's default
    a64 = np.arange(6, dtype=np.float64).reshape(2, 3)
    t64 = snapshot(a64)
    expect_tensor(t64, expected, name="snapshot(float64 array)", wrong=[
        Wrong("`snapshot` of a float64 array returned a float64 tensor: the array's dtype came along.",
              details=["NumPy makes float64 by default; PyTorch works in float32. Ask for it: "
                       "torch.tensor(arr, dtype=torch.float32)."],
              when=lambda t: isinstance(t, torch.Tensor) and t.dtype == torch.float64,
              misconceptions=["float64-is-more-accurate"], failure="float64-from-numpy"),
        not_numpy,
    ])
    a64[0, 0] = 99.0
    if float(t64[0, 0]) == 99.0:
        fail("`snapshot(arr)` shares memory with a float64 `arr`: after arr[0, 0] = 99, your tensor's [0, 0] is 99 too.",
             SHARE, misconceptions=["from-numpy-copies"], failure="shared-memory")

    # 3. to_array: the other direction
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    arr = to_array(t)
    if arr is None:
        fail("`to_array(t)` returned None; it should return a NumPy array.", failure="placeholder")
    if isinstance(arr, torch.Tensor):
        fail("`to_array(t)` returned a tensor; it should return a NumPy array.",
             "t.clone() copies, but stays a tensor. t.numpy().copy() (or t.clone().numpy()) gives an independent array.",
             failure="wrong-type")
    if not isinstance(arr, np.ndarray):
        fail(f"`to_array(t)` should return a NumPy array, but it returned {describe(arr)}.", failure="wrong-type")
    if arr.shape != (2, 3) or not np.allclose(arr, np.arange(6).reshape(2, 3)):
        fail(f"`to_array(t)` returned {describe(arr)} with values {arr.tolist()!r}; "
             "it should hold the tensor's values [[0, 1, 2], [3, 4, 5]].", failure="wrong-values")
    t[0, 0] = 99.0
    if arr[0, 0] == 99.0:
        fail("`to_array(t)` shares memory with `t`: after t[0, 0] = 99, your array's [0, 0] is 99 too.",
             ".numpy() is the same zero-copy bridge as torch.from_numpy, in the other direction. "
             "Copy when you need independence: t.numpy().copy(), or t.clone().numpy().",
             misconceptions=["from-numpy-copies"], failure="numpy-shares-memory")
    return "Both conversions copy: changing the source no longer reaches what you kept."
