//! Duplicate (t, i, j, k) keys, checked in file order with memory that does not grow with a
//! sorted file, and the hasher for packed keys.

use super::*;

/// The duplicate check of one file, in file order. BACI files come sorted by (t, i, j, k):
/// while every key is larger than the one before, no key can have repeated, so the check keeps
/// the last key only and its memory does not grow with the rows of the file. From the first key
/// out of order on (an unsorted file), keys are kept with their lines (16 bytes a row) to find
/// repeats among them; a repeat of a key from the sorted run before that point is found by
/// reading the run again ([`SeenKeys::first_repeat_of_run`]), once, when the file ends or
/// another problem is about to be reported.
pub(super) enum SeenKeys {
    /// Every key so far larger than the one before; the last one.
    Sorted { last: Option<u64> },
    /// Keys out of order from file line `from` on; `run_max` is the last (largest) key of the
    /// sorted run before it.
    Unsorted {
        from: u64,
        run_max: u64,
        lines: HashMap<u64, u64, BuildHasherDefault<KeyHasher>>,
    },
}

impl SeenKeys {
    pub(super) fn new() -> SeenKeys {
        SeenKeys::Sorted { last: None }
    }

    /// Record the key of file line `line`; false if it repeats a key seen so far (a repeat of
    /// the sorted run before an unsorted part is left to [`SeenKeys::first_repeat_of_run`]).
    pub(super) fn insert(&mut self, key: u64, line: u64) -> bool {
        match self {
            SeenKeys::Sorted { last } => match *last {
                Some(l) if key == l => false,
                Some(l) if key < l => {
                    let mut lines = HashMap::default();
                    lines.insert(key, line);
                    *self = SeenKeys::Unsorted {
                        from: line,
                        run_max: l,
                        lines,
                    };
                    true
                }
                _ => {
                    *last = Some(key);
                    true
                }
            },
            SeenKeys::Unsorted { lines, .. } => match lines.entry(key) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(line);
                    true
                }
            },
        }
    }

    /// The first line after the sorted run (and before line `before`, if given) whose key
    /// repeats a key of the run, with the line's text; found by reading the run again. `None`
    /// for a sorted file.
    pub(super) fn first_repeat_of_run(
        &self,
        input: &Input,
        before: Option<u64>,
    ) -> Result<Option<(u64, Vec<u8>)>, SourceError> {
        use std::io::BufRead;
        let SeenKeys::Unsorted {
            from,
            run_max,
            lines,
        } = self
        else {
            return Ok(None);
        };
        let io = |e| SourceError::Io {
            file: input.name(),
            source: e,
        };
        let mut r = std::io::BufReader::with_capacity(1 << 20, input.open()?);
        let (mut text, mut n, mut first) = (Vec::new(), 0u64, None::<u64>);
        loop {
            text.clear();
            if r.read_until(b'\n', &mut text).map_err(io)? == 0 {
                return Ok(None);
            }
            n += 1;
            let line = text.strip_suffix(b"\n").unwrap_or(&text);
            if n == 1 {
                continue; // the header
            }
            if n < *from {
                if let Ok(p) = parse_baci_line(line)
                    && let k = line_key(&p)
                    && k <= *run_max
                    && let Some(&at) = lines.get(&k)
                    && before.is_none_or(|b| at < b)
                {
                    first = Some(first.map_or(at, |f| f.min(at)));
                }
                continue;
            }
            match first {
                None => return Ok(None),
                Some(f) if f == n => return Ok(Some((n, line.to_vec()))),
                Some(_) => {}
            }
        }
    }
}

/// The (t, i, j, k) key of a line packed in 64 bits: year < 4096 (12 bits), codes ≤ 999
/// (10 bits each), HS6 < 2^20.
pub(super) fn line_key(p: &BaciLine) -> u64 {
    let k = p.k.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
    (u64::from(p.t as u32) << 52) | (u64::from(p.i) << 42) | (u64::from(p.j) << 32) | k
}

/// A hasher for packed 64-bit keys (splitmix64 finaliser): far cheaper than SipHash and plenty
/// for keys that are not adversarial.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b) ^ self.0.rotate_left(8));
        }
    }
    fn write_u64(&mut self, k: u64) {
        let mut z = k.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = z ^ (z >> 31);
    }
}
