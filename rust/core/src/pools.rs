// SPDX-License-Identifier: GPL-2.0

//! How an FMan port picks the pool a frame goes into: the smallest of its
//! external pools (at most 8, sorted by buffer size) whose buffers fit the
//! frame at the port's data offset. If that pool is empty the BMI discards
//! the frame (the backup-pool mechanism is off in the mainline driver);
//! software picking a buffer for a copy may fall back to a larger pool.

/// Why no buffer was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoBuffer {
    /// No pool's buffers are big enough: the frame is too long.
    TooLong,
    /// Every pool that fits is empty.
    Depleted,
}

/// Picks a buffer for `need` bytes from pools of buffer sizes `sizes`
/// (smallest first): `take(i)` tries pool `i` and gives its buffer, if it
/// has one. Only the smallest pool that fits is tried, unless `fallback`.
/// Returns the pool's index and the buffer.
pub fn choose<B>(
    sizes: impl IntoIterator<Item = u32>,
    need: u32,
    fallback: bool,
    mut take: impl FnMut(usize) -> Option<B>,
) -> Result<(usize, B), NoBuffer> {
    let mut fits = false;
    for (i, size) in sizes.into_iter().enumerate() {
        if size < need {
            continue;
        }
        fits = true;
        if let Some(b) = take(i) {
            return Ok((i, b));
        }
        if !fallback {
            break;
        }
    }
    Err(if fits {
        NoBuffer::Depleted
    } else {
        NoBuffer::TooLong
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [u32; 3] = [1728, 4096, 9920];

    #[test]
    fn smallest_that_fits() {
        for fallback in [false, true] {
            let r = choose(SIZES, 64 + 60, fallback, |i| Some(i * 10));
            assert_eq!(r, Ok((0, 0)));
            let r = choose(SIZES, 64 + 1664, fallback, |i| Some(i));
            assert_eq!(r, Ok((0, 0)), "exactly the size fits");
            let r = choose(SIZES, 64 + 1665, fallback, |i| Some(i));
            assert_eq!(r, Ok((1, 1)));
            let r = choose(SIZES, 64 + 9600, fallback, |i| Some(i));
            assert_eq!(r, Ok((2, 2)));
        }
    }

    #[test]
    fn depleted_falls_back_to_larger() {
        let mut tried = Vec::new();
        let r = choose(SIZES, 100, true, |i| {
            tried.push(i);
            (i == 2).then_some(7)
        });
        assert_eq!(r, Ok((2, 7)));
        assert_eq!(tried, [0, 1, 2]);
    }

    #[test]
    fn depleted_without_fallback_discards() {
        let mut tried = Vec::new();
        let r = choose(SIZES, 100, false, |i| {
            tried.push(i);
            (i == 2).then_some(7)
        });
        assert_eq!(r, Err(NoBuffer::Depleted));
        assert_eq!(tried, [0], "the BMI tries the smallest pool that fits only");
    }

    #[test]
    fn never_smaller_than_needed() {
        let mut tried = Vec::new();
        let r = choose(SIZES, 5000, true, |i| {
            tried.push(i);
            None::<()>
        });
        assert_eq!(r, Err(NoBuffer::Depleted));
        assert_eq!(tried, [2], "pools too small are not tried");
    }

    #[test]
    fn too_long() {
        let r = choose(SIZES, 10_000, true, |_| Some(()));
        assert_eq!(r, Err(NoBuffer::TooLong));
        let r = choose([], 1, false, |_| Some(()));
        assert_eq!(r, Err(NoBuffer::TooLong));
    }
}
