//! One way to keep an enum in a text column: each variant has one stored name (snake_case, as
//! its JSON), written with `as_str` and read back with `parse`. Services declare their statuses
//! and kinds with [`persisted_enum!`](crate::persisted_enum) and compare enums, not strings.

/// An enum stored as text.
pub trait Persisted: Sized + Copy + 'static {
    /// Every variant, in declaration order.
    const ALL: &'static [Self];

    /// The stored name.
    fn as_str(self) -> &'static str;

    /// The variant stored as `value`, if any.
    fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == value)
    }
}

/// Gives an enum its stored names: inherent `as_str`/`parse` (so call sites need no import) and
/// [`Persisted`].
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// pub enum Colour { Red, DarkBlue }
/// piazza_shared::persisted_enum!(Colour { Red => "red", DarkBlue => "dark_blue" });
/// assert_eq!(Colour::parse("dark_blue"), Some(Colour::DarkBlue));
/// assert_eq!(Colour::Red.as_str(), "red");
/// ```
#[macro_export]
macro_rules! persisted_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The variant stored as `value`, if any.
            pub fn parse(value: &str) -> Option<Self> {
                match value { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::persisted::Persisted for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn parse(value: &str) -> Option<Self> {
                $name::parse(value)
            }
        }
    };
}
