//! Calendar quarters: `2011Q3`, ordering, arithmetic and parsing.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar quarter such as `2011Q3`. One turn of the game is one quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1..=4.
    pub q: u8,
}

impl Quarter {
    pub fn new(year: i32, q: u8) -> Option<Self> {
        (1..=4).contains(&q).then_some(Self { year, q })
    }

    /// The quarter `n` quarters after this one.
    pub fn plus(self, n: u32) -> Self {
        let idx = self.year as i64 * 4 + (self.q as i64 - 1) + n as i64;
        Self {
            year: idx.div_euclid(4) as i32,
            q: (idx.rem_euclid(4) + 1) as u8,
        }
    }

    /// How many quarters `later` lies after `self` (negative if before).
    pub fn quarters_until(self, later: Quarter) -> i64 {
        (later.year as i64 * 4 + later.q as i64) - (self.year as i64 * 4 + self.q as i64)
    }

    /// Parses `2011Q3` (also accepts lower-case `q`).
    pub fn parse(text: &str) -> Option<Self> {
        let (year, q) = text.trim().split_once(['Q', 'q'])?;
        let year: i32 = year.parse().ok()?;
        if !(1900..=2200).contains(&year) {
            return None;
        }
        let q: u8 = q.parse().ok()?;
        Self::new(year, q)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Quarter::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a quarter such as \"2011Q3\", found \"{text}\"")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_parsing() {
        let q = Quarter::parse("2011Q3").unwrap();
        assert_eq!(q.plus(1).to_string(), "2011Q4");
        assert_eq!(q.plus(2).to_string(), "2012Q1");
        assert_eq!(q.quarters_until(Quarter::parse("2013Q2").unwrap()), 7);
        assert!(Quarter::parse("2011Q5").is_none());
        assert!(Quarter::parse("abc").is_none());
    }
}
