//! Rates as the flags spell them, and the keyed limiters they make.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A rate as `N/s`, `N/min` or `N/h`, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// No limit.
    Off,
    /// At most `count` per `period`, all of them allowed in a burst.
    Every {
        /// Requests allowed per period.
        count: NonZeroU32,
        /// The period.
        period: Duration,
    },
}

impl Rate {
    /// At most `count` a minute (0: [`Rate::Off`]).
    pub fn per_minute(count: u32) -> Self {
        Self::every(count, Duration::from_secs(60))
    }

    /// At most `count` an hour (0: [`Rate::Off`]).
    pub fn per_hour(count: u32) -> Self {
        Self::every(count, Duration::from_secs(3600))
    }

    fn every(count: u32, period: Duration) -> Self {
        NonZeroU32::new(count).map_or(Self::Off, |count| Self::Every { count, period })
    }
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        if value.eq_ignore_ascii_case("off") {
            return Ok(Self::Off);
        }
        let (count, unit) = value
            .split_once('/')
            .ok_or_else(|| format!("{value:?} is not a rate such as 20/min, 5/s or off"))?;
        let count = count
            .trim()
            .parse::<NonZeroU32>()
            .map_err(|err| format!("{value:?}: {err}"))?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            other => {
                return Err(format!(
                    "{value:?}: unknown period {other:?} (use s, min or h)"
                ))
            }
        };
        Ok(Self::Every { count, period })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Off => f.write_str("off"),
            // Spelled as the flags spell it, so that it parses back.
            Self::Every { count, period } => match period.as_secs() {
                1 => write!(f, "{count}/s"),
                60 => write!(f, "{count}/min"),
                3600 => write!(f, "{count}/h"),
                secs => write!(f, "{count}/{secs}s"),
            },
        }
    }
}

impl Rate {
    /// One `parts`-th of this rate over the same period (at least one), so that
    /// it takes `parts` keys to spend the whole of it.
    pub(super) fn share(self, parts: u32) -> Self {
        match self {
            Self::Off => Self::Off,
            Self::Every { count, period } => Self::Every {
                count: NonZeroU32::new(count.get() / parts.max(1)).unwrap_or(NonZeroU32::MIN),
                period,
            },
        }
    }
}

pub(super) fn limiter<K: std::hash::Hash + Eq + Clone>(
    rate: Rate,
) -> Option<DefaultKeyedRateLimiter<K>> {
    let Rate::Every { count, period } = rate else {
        return None;
    };
    let quota = Quota::with_period(period / count.get())?.allow_burst(count);
    Some(RateLimiter::keyed(quota))
}

/// Whole seconds to wait, rounded up.
pub(super) fn wait_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse() {
        assert_eq!("off".parse::<Rate>(), Ok(Rate::Off));
        let Rate::Every { count, period } = "20/min".parse::<Rate>().unwrap() else {
            panic!()
        };
        assert_eq!((count.get(), period), (20, Duration::from_secs(60)));
        let hundred_an_hour = "100/h".parse::<Rate>().unwrap();
        assert_eq!(hundred_an_hour.share(10), "10/h".parse().unwrap());
        assert_eq!(
            "5/h".parse::<Rate>().unwrap().share(10),
            "1/h".parse().unwrap()
        );
        assert_eq!(Rate::Off.share(10), Rate::Off);
        for bad in ["20", "0/min", "x/min", "5/fortnight"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }
}
