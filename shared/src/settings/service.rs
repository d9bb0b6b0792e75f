//! The settings one service reads, as one value: the common ones and its own sections (see
//! [`crate::service_settings!`]).

/// Declares the settings one service reads: every common setting, through `Deref` (so
/// `settings.time_zone` reads as before), and its own sections as fields named by their keys
/// (`settings.booking.max_occurrences`), read once from the loaded [`Settings`] when the service
/// is built.
///
/// ```ignore
/// piazza_shared::service_settings! {
///     /// What the booking service reads.
///     pub struct Settings { booking: BookingSettings }
/// }
/// ```
///
/// [`Settings`]: crate::settings::Settings
#[macro_export]
macro_rules! service_settings {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($field:ident: $section:ty),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        $vis struct $name {
            common: ::std::sync::Arc<$crate::settings::Settings>,
            $(pub $field: $section,)+
        }

        impl $name {
            /// Takes this service's sections out of the loaded settings.
            pub fn new(
                common: ::std::sync::Arc<$crate::settings::Settings>,
            ) -> ::std::result::Result<Self, $crate::settings::SettingsError> {
                Ok(Self {
                    $($field: common.section::<$section>()?.clone(),)+
                    common,
                })
            }

            /// The settings every service reads, as the shared pieces take them.
            pub fn common(&self) -> &::std::sync::Arc<$crate::settings::Settings> {
                &self.common
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = $crate::settings::Settings;

            fn deref(&self) -> &Self::Target {
                &self.common
            }
        }
    };
}
