//! The four sales channels and a fixed-size map keyed by them.
//!
//! `Online` is direct e-commerce, `OwnRetail` the company's own stores, `Platform`
//! third-party marketplaces and `Dealer` distributors and wholesale. A
//! [`ChannelMap`] serializes as an object keyed `online`, `own_retail`, `platform`,
//! `dealer`, which is the shape the JSON report promises.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Index, IndexMut};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    OwnRetail,
    Platform,
    Dealer,
}

impl Channel {
    /// Every channel, in the fixed order the model resolves them.
    pub const ALL: [Channel; 4] = [Channel::Online, Channel::OwnRetail, Channel::Platform, Channel::Dealer];

    pub fn key(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::OwnRetail => "own_retail",
            Channel::Platform => "platform",
            Channel::Dealer => "dealer",
        }
    }

    /// The channel's name in a sentence: `own stores`.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::OwnRetail => "own stores",
            Channel::Platform => "platforms",
            Channel::Dealer => "dealers",
        }
    }

    pub fn from_key(key: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == key)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One value per channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelMap<T> {
    #[serde(default)]
    pub online: T,
    #[serde(default)]
    pub own_retail: T,
    #[serde(default)]
    pub platform: T,
    #[serde(default)]
    pub dealer: T,
}

impl<T: Copy> ChannelMap<T> {
    pub fn splat(value: T) -> Self {
        Self {
            online: value,
            own_retail: value,
            platform: value,
            dealer: value,
        }
    }

    pub fn from_fn(mut f: impl FnMut(Channel) -> T) -> Self {
        Self {
            online: f(Channel::Online),
            own_retail: f(Channel::OwnRetail),
            platform: f(Channel::Platform),
            dealer: f(Channel::Dealer),
        }
    }

    pub fn map<U: Copy>(&self, mut f: impl FnMut(Channel, T) -> U) -> ChannelMap<U> {
        ChannelMap::from_fn(|c| f(c, self[c]))
    }

    pub fn iter(&self) -> impl Iterator<Item = (Channel, T)> + '_ {
        Channel::ALL.into_iter().map(|c| (c, self[c]))
    }
}

impl ChannelMap<f64> {
    pub fn sum(&self) -> f64 {
        self.online + self.own_retail + self.platform + self.dealer
    }
}

impl ChannelMap<u64> {
    pub fn sum(&self) -> u64 {
        self.online + self.own_retail + self.platform + self.dealer
    }
}

impl<T> Index<Channel> for ChannelMap<T> {
    type Output = T;
    fn index(&self, channel: Channel) -> &T {
        match channel {
            Channel::Online => &self.online,
            Channel::OwnRetail => &self.own_retail,
            Channel::Platform => &self.platform,
            Channel::Dealer => &self.dealer,
        }
    }
}

impl<T> IndexMut<Channel> for ChannelMap<T> {
    fn index_mut(&mut self, channel: Channel) -> &mut T {
        match channel {
            Channel::Online => &mut self.online,
            Channel::OwnRetail => &mut self.own_retail,
            Channel::Platform => &mut self.platform,
            Channel::Dealer => &mut self.dealer,
        }
    }
}
