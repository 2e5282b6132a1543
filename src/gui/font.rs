//! A CJK font for the interface: looked for among the usual system font files at start and added
//! to egui's fonts as a fallback, so Chinese text renders; without one Chinese shows as boxes
//! (`drillsim play` says so on standard error at start).

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy_egui::egui::FontFamily;
use bevy_egui::egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

/// Font files tried in order (Debian/Ubuntu/Fedora/Arch paths of open-licensed CJK fonts).
pub const CANDIDATES: [&str; 10] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
];

/// The first CJK font found: `DRILLSIM_CJK_FONT` if set, else the first of [`CANDIDATES`].
pub fn find_cjk_font() -> Option<(PathBuf, Vec<u8>)> {
    let from_env = std::env::var_os("DRILLSIM_CJK_FONT").map(PathBuf::from);
    from_env
        .into_iter()
        .chain(CANDIDATES.iter().map(|p| Path::new(p).to_path_buf()))
        .find_map(|p| std::fs::read(&p).ok().filter(|b| b.len() > 1024).map(|b| (p, b)))
}

/// The font's bytes, taken by the first UI pass.
pub struct CjkFont(pub Option<Vec<u8>>);

fn install(mut contexts: EguiContexts, mut font: NonSendMut<CjkFont>, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    if let Some(bytes) = font.0.take() {
        let fallback = |family| InsertFontFamily { family, priority: FontPriority::Lowest };
        ctx.add_font(FontInsert::new(
            "cjk",
            FontData::from_owned(bytes),
            vec![fallback(FontFamily::Proportional), fallback(FontFamily::Monospace)],
        ));
    }
    *done = true;
    Ok(())
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, install.before(super::panels::PanelsSet));
}
