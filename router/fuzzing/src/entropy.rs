/// A cursor over bytes that generators draw their choices from.
#[derive(Debug, Clone)]
pub struct Entropy<'a> {
    bytes: &'a [u8],
}

impl<'a> Entropy<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Entropy { bytes }
    }

    /// Whether every byte has been drawn (later draws answer 0).
    pub fn is_exhausted(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bytes not drawn yet.
    pub fn rest(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((first, rest)) => {
                self.bytes = rest;
                *first
            }
            None => 0,
        }
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let draw = if n <= 256 {
            usize::from(self.byte())
        } else {
            usize::from(u16::from_le_bytes([self.byte(), self.byte()]))
        };
        draw % n
    }

    /// True with probability about `percent`/100 (never when exhausted).
    pub fn percent(&mut self, percent: u8) -> bool {
        !self.is_exhausted() && self.below(100) < usize::from(percent)
    }

    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }

    /// Up to `max` of the remaining bytes, as they are.
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let take = self.below(max + 1).min(self.bytes.len());
        let (taken, rest) = self.bytes.split_at(take);
        self.bytes = rest;
        taken
    }
}
