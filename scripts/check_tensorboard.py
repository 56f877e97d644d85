#!/usr/bin/env python3
"""Load a Converge TensorBoard log directory with TensorBoard's own reader and print its scalars.

Uses `tensorboard.backend.event_processing.event_accumulator.EventAccumulator` (needs
`pip install tensorboard`), which checks the TFRecord framing CRCs as it reads. Writes nothing.
Exits 1 when the directory holds no scalars.

Produce a log directory with:
    CONVERGE_EXPORT_DIR=/tmp/tbcheck swift test --filter TensorBoardWriterTests/testExportForTensorBoardCheck
    python3 scripts/check_tensorboard.py /tmp/tbcheck/tb
"""
import sys

from tensorboard.backend.event_processing import event_accumulator


def main(logdir):
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    tags = acc.Tags()["scalars"]
    print(f"file version: {acc.file_version}")
    for tag in tags:
        points = ", ".join(f"step {e.step}: {e.value:.6g}" for e in acc.Scalars(tag))
        print(f"{tag}: {points}")
    if not tags:
        print("FAIL: no scalars found")
        return 1
    print(f"OK: {len(tags)} scalar series read by TensorBoard's EventAccumulator")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
