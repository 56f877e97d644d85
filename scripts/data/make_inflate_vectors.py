#!/usr/bin/env python3
"""Writes Tests/ConvergeTests/Compression/InflateTestVectors.swift: DEFLATE and gzip streams
produced by Python's zlib/gzip (plus a few hand-built headers and deliberately corrupt
streams), base64-encoded, for the Swift `Inflate` / `Gzip` tests.

Plain texts come from a tiny word generator that the Swift file re-implements, so the tests
compare decompressed bytes exactly. Every corrupt stream is checked here to be rejected by
zlib too. Run from the repository root:  python3 scripts/data/make_inflate_vectors.py
"""
import base64
import gzip
import io
import os
import struct
import zlib

WORDS = ["click", "stream", "model", "gradient", "converge", "batch", "norm", "dropout",
         "weight", "decay", "learning", "rate", "schedule", "warmup", "loss", "epoch",
         "the", "a", "of", "and", "to", "validation", "momentum", "adam"]


def plaintext(seed: int, words: int) -> bytes:
    """Words picked by a 31-bit LCG; a newline after every 12th word, else a space."""
    x = seed
    out = []
    for i in range(words):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(WORDS[(x >> 16) % len(WORDS)])
        out.append("\n" if i % 12 == 11 else " ")
    return "".join(out).encode()


def raw_deflate(data: bytes, level=9, strategy=zlib.Z_DEFAULT_STRATEGY, zdict=None, final=True) -> bytes:
    kwargs = {"zdict": zdict} if zdict is not None else {}
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy, **kwargs)
    out = c.compress(data)
    out += c.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return out


def inflate(data: bytes) -> bytes:
    d = zlib.decompressobj(-15)
    out = d.decompress(data)
    assert d.eof, "stream did not end"
    return out


def block_types(data: bytes):
    """The BTYPE of the first block (enough to check the vector exercises what it claims)."""
    return (data[0] >> 1) & 3


class BitWriter:
    """LSB-first bit packing as in RFC 1951."""

    def __init__(self):
        self.bits = []

    def write(self, value, count):
        for i in range(count):
            self.bits.append((value >> i) & 1)

    def write_huffman(self, code, length):
        for i in reversed(range(length)):
            self.bits.append((code >> i) & 1)

    def bytes(self):
        bits = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(sum(bits[i + j] << j for j in range(8)) for i in range(0, len(bits), 8))


def fixed_literal(w, symbol):
    if symbol < 144:
        w.write_huffman(0x30 + symbol, 8)
    elif symbol < 256:
        w.write_huffman(0x190 + symbol - 144, 9)
    elif symbol < 280:
        w.write_huffman(symbol - 256, 7)
    else:
        w.write_huffman(0xC0 + symbol - 280, 8)


def rejected_by_zlib(data: bytes) -> bool:
    try:
        inflate(data)
        return False
    except (zlib.error, AssertionError):
        return True


vectors = {}
texts = {}

# 1. Stored blocks: level 0, several chunks with sync flushes (stored blocks of various sizes,
#    including the empty stored blocks a sync flush emits).
stored_text = plaintext(1, 700)
c = zlib.compressobj(0, zlib.DEFLATED, -15)
stored = b""
for i in range(0, len(stored_text), 1500):
    stored += c.compress(stored_text[i:i + 1500]) + c.flush(zlib.Z_SYNC_FLUSH)
stored += c.flush(zlib.Z_FINISH)
assert block_types(stored) == 0 and inflate(stored) == stored_text
vectors["stored"] = stored
texts["stored"] = ("plaintext(seed: 1, words: 700)", stored_text)

# 2. Fixed Huffman, with a long run (overlapping copies, length-258 matches).
fixed_text = plaintext(2, 300) + b"a" * 1000 + plaintext(3, 50)
fixed = raw_deflate(fixed_text, strategy=zlib.Z_FIXED)
assert block_types(fixed) == 1 and inflate(fixed) == fixed_text
vectors["fixed"] = fixed
texts["fixed"] = ('plaintext(seed: 2, words: 300) + [UInt8](repeating: 97, count: 1000) + plaintext(seed: 3, words: 50)', fixed_text)

# 3. Dynamic Huffman over a text long enough for several blocks and far distances.
dynamic_text = plaintext(4, 12000)
dynamic = raw_deflate(dynamic_text)
assert block_types(dynamic) == 2 and inflate(dynamic) == dynamic_text
vectors["dynamic"] = dynamic
texts["dynamic"] = ("plaintext(seed: 4, words: 12000)", dynamic_text)

# 4. All three block types in one stream; the later blocks refer back into earlier ones
#    (each compressor is primed with the text before it as its dictionary).
part1, part2, part3 = plaintext(5, 40), plaintext(6, 200), plaintext(5, 40) + plaintext(6, 200) + plaintext(7, 300)
w = BitWriter()
w.write(0, 1)          # not final
w.write(0, 2)          # stored
head = w.bytes()
mixed = head + struct.pack("<HH", len(part1), len(part1) ^ 0xFFFF) + part1
mixed += raw_deflate(part2, strategy=zlib.Z_FIXED, zdict=part1, final=False)
mixed += raw_deflate(part3, zdict=part1 + part2)
mixed_text = part1 + part2 + part3
assert inflate(mixed) == mixed_text
vectors["mixed"] = mixed
texts["mixed"] = ("plaintext(seed: 5, words: 40) + plaintext(seed: 6, words: 200) + plaintext(seed: 5, words: 40) + plaintext(seed: 6, words: 200) + plaintext(seed: 7, words: 300)", mixed_text)

# 5. gzip files: Python's gzip module (FNAME set), two concatenated members, and a hand-built
#    header with FEXTRA, FNAME, FCOMMENT and FHCRC.
gz_text = plaintext(8, 2000)
buf = io.BytesIO()
with gzip.GzipFile(filename="vector.txt", mode="wb", fileobj=buf, mtime=0) as f:
    f.write(gz_text)
gz_named = buf.getvalue()
assert gz_named[3] == 8 and gzip.decompress(gz_named) == gz_text
vectors["gzipNamed"] = gz_named
texts["gzipNamed"] = ("plaintext(seed: 8, words: 2000)", gz_text)

gz_two = gzip.compress(plaintext(9, 100), mtime=0) + gzip.compress(plaintext(10, 100), mtime=0)
assert gzip.decompress(gz_two) == plaintext(9, 100) + plaintext(10, 100)
vectors["gzipTwoMembers"] = gz_two

def gzip_with_all_fields(text: bytes) -> bytes:
    flags = 2 | 4 | 8 | 16
    header = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 0) + b"\x02\x03"
    extra = b"CV" + struct.pack("<H", 4) + b"\x01\x02\x03\x04"
    header += struct.pack("<H", len(extra)) + extra + b"name.txt\x00" + b"a comment\x00"
    header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    return header + raw_deflate(text) + struct.pack("<II", zlib.crc32(text), len(text) & 0xFFFFFFFF)

gz_fields = gzip_with_all_fields(plaintext(11, 300))
assert gzip.decompress(gz_fields) == plaintext(11, 300)
vectors["gzipAllFields"] = gz_fields

# 6. Corrupt streams.
corrupt = {}
corrupt["blockType3"] = bytes([0x07, 0x00])                      # BFINAL=1, BTYPE=11
corrupt["storedLengthMismatch"] = bytes([0x01]) + struct.pack("<HH", 5, 5) + b"hello"
w = BitWriter(); w.write(1, 1); w.write(1, 2); fixed_literal(w, 257); w.write_huffman(0, 5); fixed_literal(w, 256)
corrupt["distanceTooFar"] = w.bytes()                            # a match before any output
w = BitWriter(); w.write(1, 1); w.write(1, 2); fixed_literal(w, ord("x")); fixed_literal(w, 286); fixed_literal(w, 256)
corrupt["invalidLengthSymbol"] = w.bytes()                       # length symbol 286
w = BitWriter(); w.write(1, 1); w.write(1, 2); fixed_literal(w, ord("x")); fixed_literal(w, 257); w.write_huffman(30, 5)
corrupt["invalidDistanceSymbol"] = w.bytes()                     # distance symbol 30
w = BitWriter(); w.write(1, 1); w.write(2, 2); w.write(0, 5); w.write(0, 5); w.write(15, 4)
for _ in range(19): w.write(1, 3)                                # 19 codes of length 1: over-subscribed
corrupt["oversubscribedCodeLengths"] = w.bytes() + b"\x00" * 4
w = BitWriter(); w.write(1, 1); w.write(2, 2); w.write(0, 5); w.write(0, 5); w.write(0, 4)
for length in (0, 0, 0, 2): w.write(length, 3)                   # one code of length 2: incomplete
corrupt["incompleteCodeLengthCode"] = w.bytes() + b"\x00" * 4
corrupt["truncatedDynamic"] = dynamic[:400]
for name, data in corrupt.items():
    assert rejected_by_zlib(data), name
    vectors["corrupt_" + name] = data

good = gzip.compress(plaintext(12, 200), mtime=0)
bad_crc = bytearray(good); bad_crc[-8] ^= 0xFF
bad_size = bytearray(good); bad_size[-1] ^= 0x01
bad_method = bytearray(good); bad_method[2] = 7
bad_flags = bytearray(good); bad_flags[3] = 0x20
gz_corrupt = {
    "gzipBadMagic": b"\x1f\x8c" + good[2:],
    "gzipBadMethod": bytes(bad_method),
    "gzipReservedFlags": bytes(bad_flags),
    "gzipBadCRC": bytes(bad_crc),
    "gzipBadSize": bytes(bad_size),
    "gzipTruncated": good[:-3],
    "gzipTrailingGarbage": good + b"junk",
}
# Header CRC: flip a byte of the stored CRC-16 itself.
hcrc_at = 10 + 2 + 8 + len(b"name.txt\x00") + len(b"a comment\x00")
bad_hcrc = bytearray(gz_fields); bad_hcrc[hcrc_at] ^= 0xFF
gz_corrupt["gzipBadHeaderCRC"] = bytes(bad_hcrc)
for name, data in gz_corrupt.items():
    if name in ("gzipBadHeaderCRC", "gzipReservedFlags"):
        continue  # Python's gzip does not check the header CRC or the reserved flag bits
    try:
        gzip.decompress(data)
        raise SystemExit(f"{name} was accepted by Python's gzip")
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
        pass
vectors.update(gz_corrupt)
vectors["gzipGood"] = good

crcs = {"": zlib.crc32(b""), "a": zlib.crc32(b"a"), "123456789": zlib.crc32(b"123456789"),
        "The quick brown fox jumps over the lazy dog": zlib.crc32(b"The quick brown fox jumps over the lazy dog")}

lines = [
    "// Generated by scripts/data/make_inflate_vectors.py from Python's zlib/gzip. Do not edit.",
    "import Foundation",
    "",
    "/// DEFLATE and gzip streams produced by Python's zlib and gzip modules, and corrupt streams",
    "/// that zlib rejects, for the ``Inflate`` and ``Gzip`` tests.",
    "enum InflateTestVectors {",
    "    /// The word generator the Python script uses: a 31-bit LCG picks each word; a newline",
    "    /// follows every 12th word, a space the others.",
    "    static func plaintext(seed: Int, words: Int) -> [UInt8] {",
    "        let vocabulary = [" + ", ".join(f'"{w}"' for w in WORDS) + "]",
    "        var x = seed",
    "        var text = \"\"",
    "        for i in 0..<words {",
    "            x = (x &* 1103515245 &+ 12345) & 0x7FFF_FFFF",
    "            text += vocabulary[(x >> 16) % vocabulary.count]",
    "            text += i % 12 == 11 ? \"\\n\" : \" \"",
    "        }",
    "        return Array(text.utf8)",
    "    }",
    "",
    "    /// Decodes one of the base64 strings below.",
    "    static func bytes(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }",
    "",
    "    /// zlib.crc32 of short strings.",
    "    static let crc32: [(String, UInt32)] = [",
]
for text, value in crcs.items():
    lines.append(f'        ("{text}", 0x{value:08X}),')
lines.append("    ]")
lines.append("")
for name, (expr, data) in texts.items():
    lines.append(f"    /// The text that `{name}` decompresses to ({len(data)} bytes).")
    lines.append(f"    static var {name}Text: [UInt8] {{ {expr} }}")
lines.append("")
for name, data in vectors.items():
    ident = name.replace("corrupt_", "corrupt")
    if ident.startswith("corrupt") and ident != name:
        ident = "corrupt" + ident[len("corrupt"):][0].upper() + ident[len("corrupt") + 1:]
    lines.append(f"    /// `{name}`: {len(data)} bytes.")
    lines.append(f'    static let {ident} = "{base64.b64encode(data).decode()}"')
lines.append("}")

out = os.path.join("Tests", "ConvergeTests", "Compression", "InflateTestVectors.swift")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print(f"wrote {out}: {len(vectors)} vectors, {os.path.getsize(out)} bytes")
