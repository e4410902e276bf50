//! Finding bytes many at a time, without asking the CPU what it supports.
//!
//! memchr's top-level searches choose AVX2 at run time, and the first of them in a process asks
//! std_detect, which runs `cpuid` several times. In a virtual machine each `cpuid` traps to the
//! hypervisor: measured here, the question was 1.5% of rendering the shipped prod profile,
//! process start included. SSE2 is part of x86-64 itself, so its searchers need no question,
//! and on the short lines and values searched here AVX2 gains nothing over them. Other
//! architectures keep memchr's own choice.

/// Where `needle` occurs in `haystack`, first to last.
pub fn positions(needle: u8, haystack: &[u8]) -> Positions<'_> {
    Positions {
        needles: Needles::One(needle),
        rest: haystack,
        consumed: 0,
    }
}

/// Where either needle occurs in `haystack`, first to last.
pub fn positions_of_either(needle1: u8, needle2: u8, haystack: &[u8]) -> Positions<'_> {
    Positions {
        needles: Needles::Either(needle1, needle2),
        rest: haystack,
        consumed: 0,
    }
}

enum Needles {
    One(u8),
    Either(u8, u8),
}

/// The iterator of [`positions`] and [`positions_of_either`].
pub struct Positions<'h> {
    needles: Needles,
    /// What is left to search: the haystack after the last match.
    rest: &'h [u8],
    /// How many bytes of the haystack come before `rest`.
    consumed: usize,
}

impl Iterator for Positions<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let offset = match self.needles {
            Needles::One(needle) => find(needle, self.rest),
            Needles::Either(needle1, needle2) => find_either(needle1, needle2, self.rest),
        };
        let Some(offset) = offset else {
            self.consumed += self.rest.len();
            self.rest = &[];
            return None;
        };
        let position = self.consumed + offset;
        self.rest = &self.rest[offset + 1..];
        self.consumed = position + 1;
        Some(position)
    }
}

fn find(needle: u8, haystack: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::One::new(needle) {
        return searcher.find(haystack);
    }
    memchr::memchr(needle, haystack)
}

fn find_either(needle1: u8, needle2: u8, haystack: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::Two::new(needle1, needle2) {
        return searcher.find(haystack);
    }
    memchr::memchr2(needle1, needle2, haystack)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_every_occurrence_first_to_last() {
        assert_eq!(positions(b'\n', b"a\nbc\n\nd").collect::<Vec<_>>(), [1, 4, 5]);
        assert_eq!(positions(b'\n', b"\n").collect::<Vec<_>>(), [0]);
        assert_eq!(positions(b'\n', b"").count(), 0);
        assert_eq!(positions(b'\n', b"no break").count(), 0);
        let long = [b"x".repeat(40), b"\n".to_vec(), b"y".repeat(70), b"\n".to_vec()].concat();
        assert_eq!(positions(b'\n', &long).collect::<Vec<_>>(), [40, 111]);
        assert_eq!(
            positions_of_either(0xe2, 0xc2, "a\u{2028}b\u{85}\u{2029}".as_bytes()).collect::<Vec<_>>(),
            [1, 5, 7]
        );
    }

    proptest! {
        /// Every haystack: the same positions as a plain scan, on either side of the lengths
        /// where the SIMD searchers change strategy.
        #[test]
        fn agrees_with_a_plain_scan(haystack in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(0xc2u8), any::<u8>()], 0..200)) {
            let plain = |matches: &dyn Fn(u8) -> bool| -> Vec<usize> {
                haystack.iter().enumerate().filter(|(_, b)| matches(**b)).map(|(i, _)| i).collect()
            };
            prop_assert_eq!(positions(b'\n', &haystack).collect::<Vec<_>>(), plain(&|b| b == b'\n'));
            prop_assert_eq!(
                positions_of_either(b'\n', 0xc2, &haystack).collect::<Vec<_>>(),
                plain(&|b| b == b'\n' || b == 0xc2)
            );
        }
    }
}
