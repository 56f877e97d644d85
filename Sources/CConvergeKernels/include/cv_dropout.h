// Dropout masks from a counter-based random stream: element i of a mask depends only on the
// mask's key and i, so any range of a mask can be drawn on any thread, in any order, and again
// in the backward pass, with the same result.
#ifndef CV_DROPOUT_H
#define CV_DROPOUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The 64 random bits of pair `k` of the mask with `key`: the SplitMix64 output
/// mix(key + (k + 1) · 0x9E3779B97F4A7C15), where mix is SplitMix64's finalizer
/// (z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31).
/// Element 2k of the mask takes the low 32 bits, element 2k + 1 the high 32 bits; an element is
/// kept when its 32-bit value is below `threshold` (keep probability · 2³², rounded down; a
/// threshold of 2³² or more keeps everything).
uint64_t cv_dropout_pair_bits(uint64_t key, uint64_t k);

/// mask[j] = scale if element `first + j` of the mask with `key` is kept, else 0, for j < count.
void cv_dropout_mask_f32(float *mask, size_t count, uint64_t key, uint64_t first, uint64_t threshold, float scale);

/// y[j] = x[j] · (scale if element `first + j` is kept, else 0) for j < count (`x` may be `y`).
/// A multiplication, not a select: a dropped NaN or infinity gives NaN, as PyTorch's `x * mask`.
void cv_dropout_apply_f32(const float *x, float *y, size_t count, uint64_t key, uint64_t first,
                          uint64_t threshold, float scale);

#ifdef __cplusplus
}
#endif
#endif
