#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (Fuzz/Corpus/<Target>/): small valid and
near-valid files per reader. The checkpoint seeds come from `scripts/fuzz.sh --seeds`, which
saves a real checkpoint with the FuzzCheckpoint binary. Run from the repository root."""
import json, os, struct
import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")

def put(target, name, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# CSV: the shapes train / predict reads (numeric, class names, categorical, quotes, gaps).
put("CSV", "numeric.csv", "x1,x2,label\n0.5,1.5,0\n-1,2e3,1\n3,4,2\n")
put("CSV", "names.csv", "bill,island,species\n45.5,Biscoe,Gentoo\n44.4,Torgersen,Adelie\n,Dream,Chinstrap\n")
put("CSV", "quoted.csv", '"a","b, c",label\r\n"1","2",0\r\n"3 ""x""",4,1\r\n')
put("CSV", "bom-semicolon.csv", "\ufeffa;b;label\n1;2;0\n3;4;1\n")
put("CSV", "one-row.csv", "x,label\n1,0\n")
put("CSV", "ragged.csv", "x,y,label\n1,2\n3,4,1\n")
put("CSV", "nan-inf.csv", "x,label\nnan,0\ninf,1\n-1e400,2\n")

# Recipes: each model kind the reader knows, and a few near-misses.
data = "data: { train: train.csv, validation: 0.2, label: label, task: classification }\n"
put("Recipe", "mlp.yaml", "seed: 1\n" + data + "model: { mlp: { hidden: [8, 4], activation: relu, batchnorm: true, dropout: 0.1 } }\n"
    "optimizer: { name: sgd, lr: 0.1, momentum: 0.9, nesterov: true }\nschedule: { name: step, step_size: 2, gamma: 0.5 }\n"
    "training: { epochs: 3, batch_size: 2, clip_norm: 1.0 }\n")
put("Recipe", "conv.yaml", data + "model:\n  layers:\n    - reshape: [2, 8, 8]\n    - conv2d: { out: 4, kernel: 3, padding: 1 }\n"
    "    - relu: {}\n    - maxpool2d: { kernel: 2 }\n    - batchnorm: {}\n    - flatten: {}\n    - linear: { out: 3 }\n"
    "optimizer: { name: adam, lr: 1.0e-3, betas: [0.9, 0.99] }\nschedule: { name: one-cycle, max_lr: 0.01 }\ntraining: { epochs: 2, batch_size: 4 }\n")
put("Recipe", "lstm.yaml", data + "model:\n  layers:\n    - lstm: { hidden: 6, layers: 2 }\n    - gru: { hidden: 5, last: true }\n"
    "    - linear: { out: 3 }\noptimizer: { name: rmsprop, lr: 1.0e-2, alpha: 0.9, centered: true }\ntraining: { epochs: 2, batch_size: 8 }\n")
put("Recipe", "transformer.yaml", "data: { train: corpus.txt, format: text, tokenization: characters, context: 8, validation: 0.1 }\n"
    "model:\n  layers:\n    - embedding: { vocab: 16, dim: 8 }\n    - positional_embedding: { max_length: 8 }\n"
    "    - transformer_block: { heads: 2, ffn: 16, dropout: 0.1, causal: true }\n    - residual: { layers: [ { linear: { out: 8 } } ] }\n"
    "    - linear: { out: 3 }\noptimizer: { name: adamw, lr: 3.0e-3, weight_decay: 0.1 }\nschedule: { name: cosine }\ntraining: { epochs: 1, batch_size: 2 }\n")
put("Recipe", "gpt.yaml", "data: { train: corpus.txt, format: text, tokenization: characters, context: 8 }\n"
    "model: { gpt: { vocab_size: 3, d_model: 8, heads: 2, layers: 1, dropout: 0.0 } }\nschedule: { name: warmup-cosine, warmup: 2 }\n")
put("Recipe", "json.yaml", json.dumps({"data": {"train": "t.csv", "task": "regression"}, "model": {"mlp": {"hidden": [3]}},
                                        "optimizer": {"name": "adagrad", "lr": 0.5}, "training": {"epochs": 1}}))
put("Recipe", "duplicate-key.yaml", data + "model: { mlp: { hidden: [4] } }\nmodel: { mlp: { hidden: [5] } }\n")
put("Recipe", "huge.yaml", data + "model: { mlp: { hidden: [9223372036854775807] } }\n")

# safetensors: the dtypes the reader converts, metadata, and near-misses.
def safetensors(entries, metadata=None, pad=True):
    header, blobs, offset = {}, b"", 0
    for name, dtype, shape, blob in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs += blob
        offset += len(blob)
    if metadata: header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    if pad: text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blobs

f32 = lambda shape: np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape).tobytes()
put("Safetensors", "model.safetensors", safetensors([("0.weight", "F32", [4, 3], f32([4, 3])), ("0.bias", "F32", [4], f32([4])),
                                                      ("2.weight", "F32", [2, 4], f32([2, 4])), ("2.bias", "F32", [2], f32([2]))],
                                                     {"format": "pt"}))
put("Safetensors", "half.safetensors", safetensors([("a", "F16", [2, 2], np.ones(4, np.float16).tobytes()),
                                                     ("b", "BF16", [3], b"\x80\x3f" * 3), ("c", "F64", [1], np.ones(1).tobytes()),
                                                     ("d", "I64", [2], np.array([1, -2], np.int64).tobytes()),
                                                     ("e", "BOOL", [2], b"\x01\x00"), ("f", "F32", [], f32([1]))]))
put("Safetensors", "empty-tensor.safetensors", safetensors([("z", "F32", [0, 3], b"")]))
put("Safetensors", "unpadded.safetensors", safetensors([("x", "F32", [1], f32([1]))], pad=False))
put("Safetensors", "huge-shape.safetensors", safetensors([("x", "F32", [4611686018427387904], b"")]))

# NPY: versions 1-3, every dtype family, zero-size and 0-d arrays.
def npy(array, version=(1, 0)):
    import io
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()

put("NPY", "f32.npy", npy(np.arange(6, dtype=np.float32).reshape(2, 3)))
put("NPY", "f16.npy", npy(np.ones((2, 2), np.float16)))
put("NPY", "f64-v2.npy", npy(np.linspace(0, 1, 5), version=(2, 0)))
put("NPY", "i64-v3.npy", npy(np.array([1, -7, 2**40], np.int64), version=(3, 0)))
put("NPY", "u8.npy", npy(np.array([[0, 255]], np.uint8)))
put("NPY", "bool.npy", npy(np.array([True, False])))
put("NPY", "zero-dim.npy", npy(np.zeros((0, 4), np.float32)))
put("NPY", "scalar.npy", npy(np.float32(3.5)))
put("NPY", "big-endian.npy", npy(np.arange(3, dtype=">f4")))
put("NPY", "fortran.npy", npy(np.asfortranarray(np.ones((2, 3), np.float32))))
print("seeds written under", root)
