//! The services' own sections of the settings (`[booking]`, `[scheduler]`, `[email]`): each is a
//! type in its service's `config.rs` with its defaults and checks, and the program that loads the
//! settings passes the sections of every service it knows ([`SectionDef`]), so they are layered,
//! read and validated with the rest, at start-up.

use super::error::SettingsError;
use figment::{Figment, providers::Serialized, value::Value};
use serde::{Serialize, de::DeserializeOwned};
use std::{any::Any, fmt::Debug};

/// One service's section of the settings.
pub trait Section:
    Default + Serialize + DeserializeOwned + Clone + Debug + Send + Sync + 'static
{
    /// Its key: `[KEY]` in the file, `PIAZZA_<KEY>__…` in the environment.
    const KEY: &'static str;

    /// Checks what types alone cannot, naming the setting by its full key (`booking.…`).
    fn validate(&self) -> Result<(), SettingsError>;
}

/// A [`Section`] as the loader takes it: what a service's `ServiceDef` lists.
#[derive(Clone, Copy)]
pub struct SectionDef {
    /// The section's key.
    pub key: &'static str,
    defaults: fn(Figment) -> Figment,
    read: fn(&Value) -> Result<Box<dyn Loaded>, SettingsError>,
}

impl std::fmt::Debug for SectionDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SectionDef").field(&self.key).finish()
    }
}

impl SectionDef {
    pub const fn of<T: Section>() -> Self {
        Self {
            key: T::KEY,
            defaults: defaults::<T>,
            read: read::<T>,
        }
    }

    /// Adds the section's defaults under its key (the lowest layer).
    pub(super) fn add_defaults(&self, figment: Figment) -> Figment {
        (self.defaults)(figment)
    }

    /// Reads the section from its layered value.
    pub(super) fn read(&self, value: &Value) -> Result<Box<dyn Loaded>, SettingsError> {
        (self.read)(value)
    }
}

fn defaults<T: Section>(figment: Figment) -> Figment {
    figment.merge(Serialized::default(T::KEY, T::default()))
}

fn read<T: Section>(value: &Value) -> Result<Box<dyn Loaded>, SettingsError> {
    let section: T = value
        .deserialize()
        .map_err(|error| SettingsError::unreadable(T::KEY, error))?;
    Ok(Box::new(section))
}

/// A loaded section of some service, whatever its type.
pub(super) trait Loaded: Any + Debug + Send + Sync {
    fn validate(&self) -> Result<(), SettingsError>;
    fn clone_box(&self) -> Box<dyn Loaded>;
}

impl<T: Section> Loaded for T {
    fn validate(&self) -> Result<(), SettingsError> {
        Section::validate(self)
    }

    fn clone_box(&self) -> Box<dyn Loaded> {
        Box::new(self.clone())
    }
}

/// The services' sections that were loaded, in the order they were given.
#[derive(Debug, Default)]
pub struct Sections(Vec<Box<dyn Loaded>>);

impl Clone for Sections {
    fn clone(&self) -> Self {
        Self(self.0.iter().map(|s| s.clone_box()).collect())
    }
}

impl Sections {
    pub(super) fn new(loaded: Vec<Box<dyn Loaded>>) -> Self {
        Self(loaded)
    }

    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        self.0.iter().try_for_each(|s| s.validate())
    }

    /// Section `T`, when it was loaded.
    pub fn get<T: Section>(&self) -> Option<&T> {
        self.0
            .iter()
            .find_map(|s| (&**s as &dyn Any).downcast_ref::<T>())
    }

    /// Section `T` to change (tests adjust settings so); its defaults when it was not loaded.
    pub fn get_mut<T: Section>(&mut self) -> &mut T {
        let at = match self.0.iter().position(|s| (&**s as &dyn Any).is::<T>()) {
            Some(at) => at,
            None => {
                self.0.push(Box::new(T::default()));
                self.0.len() - 1
            }
        };
        (&mut *self.0[at] as &mut dyn Any)
            .downcast_mut::<T>()
            .unwrap_or_else(|| unreachable!("the section found or pushed is a `T`"))
    }
}
