//! The interface's words, from the locale files the report uses (`assets/locales/{zh,en}.json`,
//! keys `gui.*`): `t(lang, "gui.pause")`. The scenario's own texts (names, injects) are shown as
//! the scenario gives them, in the language's part of a bilingual name.

use crate::report::names::Names;
use crate::report::words::Words;
use crate::scenario::ValidScenario;
use crate::scoring::report::Lang;

pub use crate::report::names::display_name;

/// The word for `key` in `lang` (the key itself if the locale lacks it; a test forbids that).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    Words::of(lang).word(key)
}

/// Names for the scenario's ids in `lang`.
pub fn names(sc: &ValidScenario, lang: Lang) -> Names<'_> {
    Names::new(sc, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_come_from_the_locale_files() {
        assert_eq!(t(Lang::En, "gui.pause"), "Pause");
        assert_eq!(t(Lang::Zh, "gui.pause"), "暂停");
    }
}
