//! The font plots are drawn with, embedded in the binary (DejaVu Sans, licence in
//! `assets/fonts/LICENSE`), so plots render on a machine without system fonts.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

use super::Error;

static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name plots ask for.
pub const FAMILY: &str = "sans-serif";

/// Registers the embedded font with plotters, once per process.
///
/// # Errors
/// [`Error::Output`] if the embedded font cannot be parsed (a build problem).
pub fn register() -> Result<(), Error> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold]
            .into_iter()
            .all(|style| register_font(FAMILY, style, DEJAVU_SANS).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Output(
            "the embedded plot font could not be loaded".to_string(),
        ))
    }
}
